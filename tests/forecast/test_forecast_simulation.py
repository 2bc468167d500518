"""The Monte Carlo of open deals (orchestration/defs/forecast/simulation.py), hand-worked."""

from __future__ import annotations

from decimal import Decimal
from math import comb

from orchestration.defs.forecast.simulation import (
    DRAWS,
    EXACT_MAX_DEALS,
    OpenDeal,
    bookings_range,
)

D = Decimal


def test_deals_certain_to_close_or_not_give_one_total_exact_or_simulated() -> None:
    # 1200.50 + 99.50 are certain, 5000.00 never closes: every percentile is 1300.00.
    few = [
        OpenDeal(D("1200.50"), D("1")),
        OpenDeal(D("5000.00"), D("0")),
        OpenDeal(D("99.50"), D("1")),
    ]
    exact = bookings_range(few, "company")
    assert (exact.p10, exact.p50, exact.p90, exact.method) == (
        D("1300.00"),
        D("1300.00"),
        D("1300.00"),
        "exact",
    )
    # 20 deals (too many to enumerate): the ten at probability 1 sum to 10 x 250.00 = 2500.00.
    many = [OpenDeal(D("250.00"), D(i % 2)) for i in range(20)]
    simulated = bookings_range(many, "company")
    assert simulated.method == "simulation" and simulated.draws == DRAWS
    assert (simulated.p10, simulated.p50, simulated.p90) == (D("2500.00"),) * 3


def test_two_independent_deals_give_the_exact_percentiles() -> None:
    # A 100.00 at 0.5 and B 300.00 at 0.5: 0, 100, 300, 400 each with 0.25; cumulative 0.25,
    # 0.50, 0.75, 1. P10 = 0 (0.25 >= 0.10), P50 = 100 (0.50 reaches 0.50), P90 = 400.
    even = bookings_range([OpenDeal(D("100.00"), D("0.5")), OpenDeal(D("300.00"), D("0.5"))], "r")
    assert (even.p10, even.p50, even.p90) == (D("0.00"), D("100.00"), D("400.00"))
    # A at 0.9, B at 0.2: 0 with 0.1 x 0.8 = 0.08, 100 with 0.9 x 0.8 = 0.72 (cumulative 0.80),
    # 300 with 0.1 x 0.2 = 0.02 (0.82), 400 with 0.9 x 0.2 = 0.18 (1). P10 = P50 = 100, P90 = 400.
    skewed = bookings_range([OpenDeal(D("100.00"), D("0.9")), OpenDeal(D("300.00"), D("0.2"))], "r")
    assert (skewed.p10, skewed.p50, skewed.p90) == (D("100.00"), D("100.00"), D("400.00"))
    assert bookings_range([], "r").p90 == D("0.00")


def _binomial_quantile(n: int, percentile: int) -> int:
    cumulative = 0
    for wins in range(n + 1):
        cumulative += comb(n, wins)
        if cumulative * 100 >= percentile * 2**n:
            return wins
    return n


def test_a_simulation_is_seeded_and_lands_on_the_binomial_percentiles() -> None:
    # 40 deals of 100.00 at 0.5: the bookings are 100.00 x Binomial(40, 0.5), whose exact
    # percentiles are 16, 20 and 24 wins; 10,000 draws land within one deal of each.
    deals = [OpenDeal(D("100.00"), D("0.5"))] * 40
    assert len(deals) > EXACT_MAX_DEALS
    first = bookings_range(deals, "team:11:month:2026-03-01")
    assert first == bookings_range(deals, "team:11:month:2026-03-01")  # same seed, same range
    for percentile, value in zip((10, 50, 90), (first.p10, first.p50, first.p90), strict=True):
        expected = D(100 * _binomial_quantile(40, percentile))
        assert abs(value - expected) <= D("100.00"), (percentile, value, expected)
    assert [_binomial_quantile(40, p) for p in (10, 50, 90)] == [16, 20, 24]


def test_each_scope_simulates_its_own_deals_due_in_the_period() -> None:
    import datetime as dt

    from orchestration.defs.forecast.ranges import compute_ranges

    day, march_end = dt.date(2026, 3, 15), dt.date(2026, 3, 31)
    forecasts = [
        ("c", "company", "company", "month", dt.date(2026, 3, 1), march_end, day, D("1000.00")),
        ("r1", "rep", "R1", "month", dt.date(2026, 3, 1), march_end, day, D("0.00")),
    ]
    deals = [
        # deal, rep, team, region, expected close, amount, probability
        ("A", "R1", "T1", None, dt.date(2026, 3, 20), D("100.00"), D("1")),
        ("B", "R2", "T1", None, dt.date(2026, 3, 31), D("300.00"), D("1")),
        ("C", "R1", "T1", None, dt.date(2026, 4, 1), D("900.00"), D("1")),  # due after March
    ]
    ranges = {row[0]: (row[6], row[7], row[10], row[11], row[12]) for row in compute_ranges(
        forecasts, deals
    )}  # fmt: skip
    # the company: 1000.00 known + A + B = 1400.00; R1: A only
    assert ranges == {
        "c": (2, "exact", D("1400.00"), D("1400.00"), D("1400.00")),
        "r1": (1, "exact", D("100.00"), D("100.00"), D("100.00")),
    }
