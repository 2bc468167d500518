"""How the app is started: `streamlit run` on a port, headless.

`python -m app.launch --port N` replaces itself with that command, so `make run`
(`orchestration.serve`) starts the app by command line without importing it, and the browser
test and `app.screenshot` start the very same command.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

APP_SCRIPT = Path(__file__).resolve().parent / "streamlit_app.py"
DEFAULT_PORT = 8501


def app_command(port: int) -> list[str]:
    """`streamlit run` of the app on `port`, headless."""
    return [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        str(APP_SCRIPT),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.launch")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    command = app_command(parser.parse_args(argv).port)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
