"""dlt assets: one module per source, each table a `raw_<source>/<table>` asset."""
