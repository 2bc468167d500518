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

from app.demo_logins import create_demo_logins
from orchestration.instance import export_storage_url
from orchestration.warehouse import PROJECT_ROOT, export_environment

RUN_DIR = PROJECT_ROOT / ".state" / "run"
BIN = Path(sys.executable).parent
DAGSTER_PORT = int(os.environ.get("DAGSTER_PORT", "3000"))
APP_PORT = int(os.environ.get("APP_PORT", "8501"))


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
        "streamlit": app_command(APP_PORT),
    }


def app_command(port: int) -> list[str]:
    """`streamlit run` of the app on `port`, headless (also the browser test's)."""
    return [
        str(BIN / "streamlit"),
        "run",
        str(PROJECT_ROOT / "app" / "streamlit_app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def stop_all(names: Iterable[str] | None = None) -> None:
    """End every process a previous run recorded (or only those named)."""
    for pid_file in RUN_DIR.glob("*.pid"):
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
    url = export_environment()
    export_storage_url()
    logins = create_demo_logins(url)
    stop_all(names=_commands())  # the demo CRM started by `make demo` keeps serving
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = PROJECT_ROOT / ".state" / "logs"
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
        (RUN_DIR / f"{name}.pid").write_text(str(process.pid))
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
    print("App logins (new passwords each run):")
    for login in logins:
        print(
            f"  {login.role:<8} login: {login.login:<8} password: {login.password}  ({login.name})"
        )
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
