"""Reading and validating finance's folder: org structure, targets, spend and FX rates.

Finance files are small and edited by hand, so the load is strict: the first broken rule stops
it with an error naming the file, the row and the field, and nothing of the folder is loaded
until it is fixed (a partial target set would silently understate attainment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingestion.sources.finance_files.settings import (
    COMPANY_SCOPE_ID,
    KINDS,
    METRICS,
    ORG_TABLES,
    ROLES,
    SCOPE_TYPES,
    WEIGHT_COLUMNS,
    WEIGHT_TOLERANCE,
)
from ingestion.sources.tabular_files import (
    CellError,
    FileCount,
    digest,
    parse_date,
    parse_decimal,
    read_rows,
    refuse_beyond_header,
)

CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class FinanceFolder:
    """Every validated row of the folder, per table, with the files each table came from."""

    root: Path
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)
    counts: list[FileCount] = field(default_factory=list)


def _files(root: Path, kind: str) -> list[Path]:
    """Every CSV/XLSX under the kind's folder, subfolders included (one per company or team)."""
    folder = root / kind
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".csv", ".xlsx"))


def _of_table(path: Path, name: str) -> bool:
    """`reps.csv` and `reps_south.csv` both hold reps (and `rep_assignments*` never do)."""
    return path.stem == name or path.stem.startswith(f"{name}_")


def _records(root: Path, kind: str, name: str | None = None) -> list[tuple[str, int, dict]]:
    """(file, row, record) for every record of a kind (or of its files holding table `name`)."""
    out = []
    for path in _files(root, kind):
        if name and not _of_table(path, name):
            continue
        name_in_folder = str(path.relative_to(root))
        for number, record in read_rows(path):
            refuse_beyond_header(name_in_folder, number, record)
            out.append((name_in_folder, number, record))
    return out


def org_owner_ids(root: Path) -> set[str]:
    """The owner ids the org files name (read, not validated: for a warning elsewhere)."""
    return {r.get("owner_id", "") for _, _, r in _records(root, "org", "reps")} - {""}


def _org_files_known(root: Path) -> None:
    """An org file no table claims would be ignored silently: refuse it, naming the names."""
    for path in _files(root, "org"):
        if not any(_of_table(path, name) for name in ORG_TABLES):
            raise CellError(
                str(path.relative_to(root)),
                1,
                "*",
                f"not an org file: name it {', '.join(n + '*.csv' for n in ORG_TABLES)}",
            )


def _required(record: dict, where: tuple[str, int], name: str) -> str:
    value = record.get(name, "")
    if value == "":
        raise CellError(*where, name, "is required")
    return value


def _one_of(record: dict, where: tuple[str, int], name: str, allowed: tuple[str, ...]) -> str:
    value = _required(record, where, name)
    if value not in allowed:
        raise CellError(*where, name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _known(record: dict, where: tuple[str, int], name: str, known: set[str], what: str) -> str:
    value = _required(record, where, name)
    if value not in known:
        raise CellError(*where, name, f"unknown {what} {value!r}")
    return value


def _known_or_empty(
    record: dict, where: tuple[str, int], name: str, known: set[str], what: str
) -> str | None:
    """An optional reference: empty (or no column) is allowed, a value must be known."""
    if record.get(name, "") == "":
        return None
    return _known(record, where, name, known, what)


def parse_period(text: str, where: tuple[str, int, str]) -> tuple[str, date, int]:
    """`2026`, `2026-Q3` or `2026-07` as (period type, first day, months)."""
    if re.fullmatch(r"\d{4}", text):
        return "year", date(int(text), 1, 1), 12
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if quarter:
        return "quarter", date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1), 3
    month = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text)
    if month:
        return "month", date(int(month[1]), int(month[2]), 1), 1
    raise CellError(*where, f"{text!r} is not a period like 2026, 2026-Q3 or 2026-07")


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _org(root: Path, folder: FinanceFolder) -> None:
    _org_files_known(root)
    seen: dict[tuple, tuple[str, int]] = {}
    regions = []
    for file, row, r in _records(root, "org", "regions"):
        _once(seen, "region", (_required(r, (file, row), "region_id"),), (file, row), "region_id")
        regions.append(
            {
                "region_id": _required(r, (file, row), "region_id"),
                "region_name": _required(r, (file, row), "region_name"),
            }
        )
    region_ids = {r["region_id"] for r in regions}
    reps = []
    for file, row, r in _records(root, "org", "reps"):
        where = (file, row)
        hire = parse_date(_required(r, where, "hire_date"), (*where, "hire_date"))
        leave = parse_date(r["leave_date"], (*where, "leave_date")) if r.get("leave_date") else None
        if leave and leave < hire:
            raise CellError(*where, "leave_date", f"{leave} is before the hire date {hire}")
        _once(seen, "rep", (_required(r, where, "owner_id"),), where, "owner_id")
        reps.append(
            {
                "owner_id": _required(r, where, "owner_id"),
                "full_name": r.get("full_name", ""),
                "email": r.get("email", ""),
                "role": _one_of(r, where, "role", ROLES),
                "hire_date": hire,
                "leave_date": leave,
            }
        )
    rep_ids = {r["owner_id"] for r in reps}
    teams = []
    for file, row, r in _records(root, "org", "teams"):
        where = (file, row)
        _once(seen, "team", (_required(r, where, "team_id"),), where, "team_id")
        teams.append(
            {
                "team_id": _required(r, where, "team_id"),
                "team_name": _required(r, where, "team_name"),
                "region_id": _known_or_empty(r, where, "region_id", region_ids, "region"),
                "manager_owner_id": _known_or_empty(r, where, "manager_owner_id", rep_ids, "rep"),
            }
        )
    team_ids = {t["team_id"] for t in teams}
    assignments: list[dict[str, Any]] = []
    for file, row, r in _records(root, "org", "rep_assignments"):
        where = (file, row)
        start = parse_date(_required(r, where, "valid_from"), (*where, "valid_from"))
        end = parse_date(r["valid_to"], (*where, "valid_to")) if r.get("valid_to") else None
        if end and end <= start:
            raise CellError(*where, "valid_to", f"{end} is not after valid_from {start}")
        owner = _known(r, where, "owner_id", rep_ids, "rep")
        for other in assignments:
            if (
                other["owner_id"] == owner
                and start < (other["valid_to"] or date.max)
                and (other["valid_from"] < (end or date.max))
            ):
                raise CellError(
                    *where,
                    "valid_from",
                    f"overlaps {owner}'s assignment in "
                    f"{other['source_file']} row {other['source_row']}",
                )
        assignments.append(
            {
                "owner_id": owner,
                "team_id": _known(r, where, "team_id", team_ids, "team"),
                "valid_from": start,
                "valid_to": end,
                "source_file": file,
                "source_row": row,
            }
        )
    folder.tables.update(regions=regions, reps=reps, teams=teams, rep_assignments=assignments)


def _targets(root: Path, folder: FinanceFolder) -> None:
    known = {
        "company": {COMPANY_SCOPE_ID},
        "region": {r["region_id"] for r in folder.tables["regions"]},
        "team": {t["team_id"] for t in folder.tables["teams"]},
        "rep": {r["owner_id"] for r in folder.tables["reps"]},
    }
    targets: list[dict[str, Any]] = []
    weights: list[dict[str, Any]] = []
    for file, row, r in _records(root, "targets"):
        where = (file, row)
        scope_type = _one_of(r, where, "scope_type", SCOPE_TYPES)
        scope_id = _known(r, where, "scope_id", known[scope_type], scope_type)
        metric = _one_of(r, where, "metric", METRICS)
        period_type, start, months = parse_period(_required(r, where, "period"), (*where, "period"))
        amount = parse_decimal(_required(r, where, "target"), (*where, "target"))
        if amount < 0:
            raise CellError(*where, "target", f"{amount} is negative")
        if metric != "revenue" and amount != amount.to_integral_value():
            raise CellError(*where, "target", f"{metric} is a count: {amount} is not whole")
        first = _month_index(start)
        for other in targets:
            same = (other["scope_type"], other["scope_id"], other["metric"]) == (
                scope_type,
                scope_id,
                metric,
            )
            other_first = _month_index(other["period_start"])
            if (
                same
                and first < other_first + other["period_months"]
                and other_first < first + months
            ):
                raise CellError(
                    *where,
                    "period",
                    f"overlaps the {other['period_type']} target "
                    f"in {other['source_file']} row {other['source_row']}",
                )
        target_id = f"{scope_type}:{scope_id}:{metric}:{start.isoformat()}:{period_type}"
        targets.append(
            {
                "target_id": target_id,
                "scope_type": scope_type,
                "scope_id": scope_id,
                "metric": metric,
                "period_type": period_type,
                "period_start": start,
                "period_months": months,
                "target_amount": amount,
                "source_file": file,
                "source_row": row,
            }
        )
        weights.extend(_weights(r, where, target_id, start, months))
    folder.tables.update(targets=targets, target_weights=weights)


def _weights(
    record: dict, where: tuple[str, int], target_id: str, start: date, months: int
) -> list[dict[str, Any]]:
    """Monthly weights `w01..w12` (calendar months) of a year or quarter target, if given."""
    given = {c: record[c] for c in WEIGHT_COLUMNS if record.get(c, "") != ""}
    if not given:
        return []
    covered = [f"w{start.month + i:02d}" for i in range(months)]
    stray = sorted(set(given) - set(covered))
    if stray:
        raise CellError(*where, stray[0], "a weight outside the target's period")
    missing = [c for c in covered if c not in given]
    if missing:
        raise CellError(*where, missing[0], "weights must cover every month of the period")
    values = {c: parse_decimal(given[c], (*where, c)) for c in covered}
    negative = [c for c, v in values.items() if v < 0]
    if negative:
        raise CellError(*where, negative[0], f"{values[negative[0]]} is negative")
    total = sum(values.values(), Decimal(0))
    if abs(total - 1) > Decimal(WEIGHT_TOLERANCE):
        raise CellError(*where, covered[-1], f"weights sum to {total}, not 1")
    return [
        {
            "target_id": target_id,
            "month_start": date(start.year, int(c[1:]), 1),
            "weight": values[c],
        }
        for c in covered
    ]


def _once(
    seen: dict[tuple, tuple[str, int]], what: str, key: tuple, where: tuple[str, int], name: str
) -> None:
    """Refuse a second row with the same key: which of two values is right cannot be guessed,
    and the merge on the key would keep one of them silently."""
    if (what, *key) in seen:
        file, row = seen[what, *key]
        text = " ".join(str(part) for part in key)
        raise CellError(*where, name, f"a second {what} {text}: {file} row {row} has one already")
    seen[what, *key] = where


def _spend_and_fx(root: Path, folder: FinanceFolder) -> None:
    seen: dict[tuple, tuple[str, int]] = {}
    spend = []
    for file, row, r in _records(root, "marketing_spend"):
        where = (file, row)
        _, month, months = parse_period(_required(r, where, "month"), (*where, "month"))
        if months != 1:
            raise CellError(*where, "month", "spend is per month, like 2026-07")
        amount = parse_decimal(
            _required(r, where, "amount"), (*where, "amount"), currency=r.get("currency")
        )
        if amount < 0:
            raise CellError(*where, "amount", f"{amount} is negative")
        channel, region = _required(r, where, "channel"), r.get("region_id") or None
        _once(seen, "spend for", (f"{month:%Y-%m}", channel, region or "*"), where, "month")
        spend.append(
            {
                "spend_id": f"{month:%Y-%m}:{channel}:{region or '*'}",
                "month_start": month,
                "channel": channel,
                "region_id": region,
                "spend_amount": amount,
                "spend_currency": _currency(r, where, "currency"),
            }
        )
    rates = []
    for file, row, r in _records(root, "fx_rates"):
        where = (file, row)
        rate = parse_decimal(_required(r, where, "rate"), (*where, "rate"))
        if rate <= 0:
            raise CellError(*where, "rate", f"{rate} is not positive")
        day = parse_date(_required(r, where, "rate_date"), (*where, "rate_date"))
        pair = (_currency(r, where, "from_currency"), _currency(r, where, "to_currency"))
        _once(seen, "rate for", (day, *pair), where, "rate_date")
        rates.append(
            {"rate_date": day, "from_currency": pair[0], "to_currency": pair[1], "fx_rate": rate}
        )
    folder.tables.update(marketing_spend=spend, fx_rates=rates)


def _currency(record: dict, where: tuple[str, int], name: str) -> str:
    value = _required(record, where, name).upper()
    if not CURRENCY.match(value):
        raise CellError(*where, name, f"{value!r} is not an ISO 4217 currency code")
    return value


def read_folder(root: Path) -> FinanceFolder:
    """Read and validate the whole folder (references between files are checked too)."""
    if not root.is_dir():
        raise FileNotFoundError(
            f"the finance folder {root} does not exist: set "
            "sources.finance_files.folder (or run `make demo`)"
        )
    folder = FinanceFolder(root=root)
    _org(root, folder)
    _targets(root, folder)
    _spend_and_fx(root, folder)
    folder.files = {
        "regions": _files(root, "org"),
        "teams": _files(root, "org"),
        "reps": _files(root, "org"),
        "rep_assignments": _files(root, "org"),
        "targets": _files(root, "targets"),
        "target_weights": _files(root, "targets"),
        "marketing_spend": _files(root, "marketing_spend"),
        "fx_rates": _files(root, "fx_rates"),
    }
    folder.counts = [_count(root, path) for kind in KINDS for path in _files(root, kind)]
    return folder


def _count(root: Path, path: Path) -> FileCount:
    """A validated file's reconciliation: any bad row stops the load, so every row read loads."""
    rows = len(read_rows(path))
    name = str(path.relative_to(root))
    return FileCount(name, digest(path), rows_read=rows, rows_loaded=rows)
