"""Wall time and peak resident memory of a command and every process it starts."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_EVERY_S = 0.1


@dataclass(frozen=True)
class ProcessRun:
    wall_s: float
    peak_rss_mib: float
    returncode: int


def _tree_rss(root: psutil.Process) -> int:
    """Resident bytes of `root` and its descendants now (processes that just ended count 0)."""
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def measure(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> ProcessRun:
    """Run `argv`, sampling the whole process tree's RSS every `SAMPLE_EVERY_S` seconds."""
    with open(log, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=out)
        root = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            peak = max(peak, _tree_rss(root))
            time.sleep(SAMPLE_EVERY_S)
        wall = time.perf_counter() - started
    return ProcessRun(wall_s=wall, peak_rss_mib=peak / 2**20, returncode=child.returncode)
