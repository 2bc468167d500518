"""Values a user controls reach SQL only as bound parameters or quoted identifiers.

Quotes, semicolons and comment markers are fed to every query function of the app's data layer
(`app/data/`, the only code that touches SQL for the app) as filter values. Were one spliced into
the SQL text, `x' or '1'='1` would return every row and `'; drop table ...; --` would drop a mart;
bound, they are just ids nobody has.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date

import pandas as pd
import pytest

import app.data
from app.data.connection import MartMissing, Reader
from app.data.selection import Selection

HOSTILE = (
    "x' or '1'='1",
    "'; drop table marts.fct_orders; --",
    "O001'--",
    "O001' /* comment */ or 'a'='a",
    '"; select pg_sleep(5); --',
    "\\'; delete from marts.fct_orders where ''='",
)
FINANCE = Reader(db_role="spw_finance", version="injection-test")


def _argument(parameter: inspect.Parameter, hostile: str) -> object:
    annotation = str(parameter.annotation)
    if "Reader" in annotation:
        return FINANCE
    if "Selection" in annotation:
        return Selection(
            start=date(2000, 1, 1),
            end=date(2100, 1, 1),
            team_id=hostile,
            rep_id=hostile,
            pipeline_id=hostile,
            lead_source=hostile,
        )
    if "date" in annotation:
        return date(2000, 1, 1)
    if annotation in ("int", "<class 'int'>"):
        return 10  # a count (rows shown): no text reaches it
    return hostile


def _query_functions() -> list:
    functions = []
    for module_info in pkgutil.iter_modules(app.data.__path__):
        module = importlib.import_module(f"app.data.{module_info.name}")
        for name, function in vars(module).items():
            wrapped = getattr(function, "__wrapped__", None)
            if name.startswith("_") or wrapped is None or wrapped.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(wrapped).parameters.values())
            if parameters and "Reader" in str(parameters[0].annotation) and len(parameters) > 1:
                functions.append(function)
    return functions


def _matches_nothing(result: object) -> bool:
    """No id equals the hostile value: no rows, or aggregates over no rows (zero or null)."""
    if isinstance(result, list):
        return result == []
    frame = result.to_frame().T if isinstance(result, pd.Series) else result
    if frame.empty:
        return True
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    return bool((frame.isna() | (numbers == 0)).all().all())


def _orders(query) -> int:
    return query("select count(*) from marts.fct_orders")[0][0]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_bound_value_is_only_ever_a_value(pipeline_run, query, hostile) -> None:
    before = _orders(query)
    frame = FINANCE.read(
        "select order_id from marts.fct_orders where order_id = :order_id", order_id=hostile
    )
    assert frame.empty
    assert _orders(query) == before == 12  # the tiny company's orders O001..O012


@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_app_query_takes_hostile_filters_as_plain_values(
    pipeline_run, query, hostile
) -> None:
    functions = _query_functions()
    assert len(functions) >= 5, "the app's query functions were not found"
    for function in functions:
        wrapped = function.__wrapped__
        arguments = [
            _argument(parameter, hostile)
            for parameter in inspect.signature(wrapped).parameters.values()
        ]
        try:
            result = wrapped(*arguments)
        except MartMissing:
            continue  # that page's mart is not built by this pipeline yet
        assert _matches_nothing(result), (wrapped.__qualname__, result)
    assert _orders(query) == 12
    assert query("select to_regclass('marts.fct_orders') is not null") == [(True,)]
