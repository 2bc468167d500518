"""Dagster definitions, a folder per integration; `orchestration.definitions` combines them."""
