"""Finance's folder (org structure, targets, marketing spend, FX rates), loaded into
`raw_finance`; validated before anything loads."""

from ingestion.sources.finance_files import finance_files
from orchestration.defs.ingestion.folder_sources import folder_source_assets

raw_finance_assets = folder_source_assets(finance_files, "finance_files", "finance")
