"""The one Dagster `Definitions` of the warehouse.

Every module under `orchestration/defs/` contributes its assets, checks, jobs, schedules and
sensors by defining them at module level; they are collected here, so adding a source or a check
never means editing this file.
"""

import dagster as dg

from orchestration import defs as defs_package
from orchestration.resources import build_resources

defs = dg.Definitions.merge(
    dg.load_defs(defs_root=defs_package),
    dg.Definitions(resources=build_resources()),
)
