"""`make run`: serve the Dagster UI with its daemon and the Streamlit app until Ctrl-C.

Each process's pid goes to `.state/run/<name>.pid`, so `make stop` can end whatever a run left
behind (`python -m orchestration.serve --stop`).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from ingestion.platform.paths import PROJECT_ROOT, state_dir
from ingestion.platform.warehouse_url import export_environment
from orchestration.instance import export_storage_url

BIN = Path(sys.executable).parent
DAGSTER_PORT = int(os.environ.get("DAGSTER_PORT", "3000"))
APP_PORT = int(os.environ.get("APP_PORT", "8501"))


def run_dir() -> Path:
    """Where each served process's pid is recorded (`make stop` reads them)."""
    return state_dir() / "run"


def _commands() -> dict[str, list[str]]:
    workspace = ["-m", "orchestration.definitions"]
    return {
        "dagster-webserver": [
            str(BIN / "dagster-webserver"),
            *workspace,
            "-h",
            "0.0.0.0",
            "-p",
            str(DAGSTER_PORT),
        ],
        "dagster-daemon": [str(BIN / "dagster-daemon"), "run", *workspace],
        "streamlit": [sys.executable, "-m", "app.launch", "--port", str(APP_PORT)],
    }


def stop_all(names: Iterable[str] | None = None) -> None:
    """End every process a previous run recorded (or only those named)."""
    for pid_file in run_dir().glob("*.pid"):
        if names is not None and pid_file.stem not in names:
            continue
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
            print(f"stop: ended {pid_file.stem}", file=sys.stderr)
        except (ProcessLookupError, ValueError, PermissionError):
            pass
        pid_file.unlink(missing_ok=True)


def _wait_for_http(url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(1)
    return False


def serve() -> int:
    export_environment()
    export_storage_url()
    # the app's own command writes its demo logins; they are shown once everything answers
    logins = subprocess.run(
        [sys.executable, "-m", "app.demo_logins"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stop_all(names=_commands())  # the demo CRM started by `make demo` keeps serving
    run_dir().mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = state_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for name, command in _commands().items():
        with open(logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes[name] = process
        (run_dir() / f"{name}.pid").write_text(str(process.pid))
    print("serve: starting the Dagster UI, its daemon and the app ...", file=sys.stderr)
    ready = {
        f"Dagster UI     http://localhost:{DAGSTER_PORT}": _wait_for_http(
            f"http://127.0.0.1:{DAGSTER_PORT}/server_info", 180
        ),
        f"Streamlit app  http://localhost:{APP_PORT}": _wait_for_http(
            f"http://127.0.0.1:{APP_PORT}/_stcore/health", 120
        ),
    }
    for label, ok in ready.items():
        print(f"  {label}{'' if ok else '   (not answering yet: see .state/logs/)'}")
    print(logins, end="")
    print("Ctrl-C stops them (and `make stop` stops the warehouse too).", flush=True)
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(1)
        failed = [name for name, process in processes.items() if process.poll() is not None]
        print(f"serve: {', '.join(failed)} exited; see .state/logs/", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serve")
    parser.add_argument("--stop", action="store_true", help="stop what a previous run started")
    if parser.parse_args().stop:
        stop_all()
        return 0
    return serve()


if __name__ == "__main__":
    sys.exit(main())
