"""Forecast ranges: the Monte Carlo of the open pipeline, written beside dbt's forecast marts."""
