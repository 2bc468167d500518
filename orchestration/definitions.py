"""The one Dagster `Definitions` of the warehouse.

Every module under `orchestration/defs/` contributes its assets, checks, jobs, schedules and
sensors by defining them at module level; they are collected here, so adding a source or a check
never means editing this file. Every `raw_<source>` asset gets its source's freshness policy here.
"""

import warnings

import dagster as dg

from orchestration import defs as defs_package
from orchestration.freshness import with_source_freshness
from orchestration.resources import build_resources

with warnings.catch_warnings():
    # Mapping specs across all definitions is marked "preview"; it is the documented way to set
    # freshness policies on assets another module defines.
    warnings.simplefilter("ignore", dg.PreviewWarning)
    defs = dg.Definitions.merge(
        dg.load_defs(defs_root=defs_package),
        dg.Definitions(resources=build_resources()),
    ).map_asset_specs(func=with_source_freshness)
