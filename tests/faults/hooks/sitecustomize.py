"""Fault injection for a pipeline subprocess: pause at a named point so a test can kill it there.

The fault tests put this folder on the subprocess's `PYTHONPATH` and set `SPW_FAULT_PAUSE` to one
of the points below and `SPW_FAULT_DIR` to a folder. The first time the process reaches that
point it writes `<point>.reached` (its pid) into the folder and waits until the test creates
`<point>.resume` (or kills it). Nothing else changes: the process runs the real pipeline code.

Points (dlt 1.31):
- `extract`: after dlt wrote the first batch of extracted items to its working folder;
- `normalize`: after dlt normalized a package's files, before the package is committed for load;
- `load`: after every load job (the merges into `raw_*`) committed, before `_dlt_loads` is written.

Only the process that first loads this module pauses (children such as dbt inherit the variables
but not the role). The dlt modules are patched when they are imported, not before, because
`ingestion.pipelines` must configure dlt before dlt is first imported.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import os
import sys
import time
from pathlib import Path

POINTS = {
    "extract": ("dlt.extract.extractors", "Extractor", "write_items", "after"),
    "normalize": ("dlt.normalize.normalize", "Normalize", "spool_files", "after"),
    "load": ("dlt.load.load", "Load", "complete_package", "before"),
}
MAX_PAUSE_S = 600


def _pause(point: str) -> None:
    folder = Path(os.environ["SPW_FAULT_DIR"])
    (folder / f"{point}.reached").write_text(str(os.getpid()))
    resume = folder / f"{point}.resume"
    deadline = time.monotonic() + MAX_PAUSE_S
    while not resume.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _patch(point: str, module: object, cls_name: str, method: str, when: str) -> None:
    cls = getattr(module, cls_name)
    original = getattr(cls, method)
    paused: list[bool] = []

    @functools.wraps(original)
    def wrapper(*args: object, **kwargs: object) -> object:
        if when == "before" and not paused:
            paused.append(True)
            _pause(point)
        result = original(*args, **kwargs)
        if when == "after" and not paused:
            paused.append(True)
            _pause(point)
        return result

    setattr(cls, method, wrapper)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches the target module right after it is executed."""

    def __init__(self, point: str) -> None:
        self.point = point
        self.module_name, self.cls_name, self.method, self.when = POINTS[point]

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname != self.module_name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module: object) -> None:
            exec_module(module)
            _patch(self.point, module, self.cls_name, self.method, self.when)

        spec.loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def _install() -> None:
    point = os.environ.get("SPW_FAULT_PAUSE")
    if not point or point not in POINTS:
        return
    if os.environ.setdefault("SPW_FAULT_OWNER", str(os.getpid())) != str(os.getpid()):
        return  # a child process (dbt): it runs unpatched
    sys.meta_path.insert(0, _PatchOnImport(point))


_install()
