"""Where the project and its working files are, named once for every layer."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATE_DIR_ENV = "SPW_STATE_DIR"


def state_dir() -> Path:
    """The folder of everything a run writes (dlt's working folders, the demo, pids, logs):
    `SPW_STATE_DIR` when set (tests and benchmarks keep theirs apart), else `.state/`.

    A function, not a constant: tests set the variable after this module is imported."""
    return Path(os.environ.get(STATE_DIR_ENV) or PROJECT_ROOT / ".state")
