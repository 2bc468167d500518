"""CRM export files mapped by YAML, loaded into `raw_crm_files` (bad rows to `*_rejected`)."""

from ingestion.sources.crm_files import crm_files
from orchestration.defs.ingestion.folder_sources import folder_source_assets

raw_crm_files_assets = folder_source_assets(crm_files, "crm_files", "crm_files")
