"""Several dbt commands in one process: `python tests/spark/dbt_session.py '<json list of argument
lists>'`. dbt-spark's `session` method starts the JVM with the first command and every later one
reuses that SparkSession (`getOrCreate`), so registering the raw tables and building pay for one
JVM start and one full parse (the second command reuses the first's partial parse). Stops at the
first command that fails, with dbt's exit code."""

from __future__ import annotations

import json
import sys

from dbt.cli.main import dbtRunner


def main(argv: list[str]) -> int:
    runner = dbtRunner()
    for arguments in json.loads(argv[0]):
        result = runner.invoke(arguments)
        if not result.success:
            return 2 if result.exception is not None else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
