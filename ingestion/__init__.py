"""Extract and load: one dlt source per system, into `raw_<source>` schemas of the warehouse."""
