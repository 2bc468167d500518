"""The bottom layer: what every layer needs (the project root, the state folder, the warehouse
URL), importing nothing of the project and nothing heavy, so the app, orchestration and the
sources can all stand on it. The embedded PostgreSQL server is a development tool beside it
(`python -m ingestion.platform start|stop|url|status|psql|exec`)."""
