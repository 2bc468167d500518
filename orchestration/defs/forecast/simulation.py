"""The range of period-end bookings an open pipeline can give: P10, P50 and P90.

Each open deal due in the period is won (its whole amount) or not, independently, with its
empirical win probability. The bookings are what is already won plus the sum of the deals won;
a percentile is the smallest total whose cumulative probability reaches it (the inverted CDF), so
it is always a total that can happen, exact to the cent.

Small pipelines are enumerated exactly (every combination of outcomes, merged by total), so a
manager's two-deal forecast never wobbles with the seed; larger ones are simulated with a seeded
numpy generator, so the same inputs give the same ranges on every build.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

PERCENTILES = (10, 50, 90)
# Up to this many deals the 2**n outcomes are enumerated (merged by total, so usually far fewer).
EXACT_MAX_DEALS = 14
DRAWS = 10_000
SEED = 20261202
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OpenDeal:
    """An open deal due in the period: its amount and the probability it is won."""

    amount: Decimal
    probability: Decimal


@dataclass(frozen=True)
class BookingsRange:
    """P10, P50 and P90 of the period's open-deal bookings, and how they were worked out."""

    p10: Decimal
    p50: Decimal
    p90: Decimal
    method: str
    draws: int | None


def _cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value())


def _inverted_cdf(totals: np.ndarray, weights: np.ndarray, percentile: int) -> int:
    """The smallest total whose cumulative weight reaches `percentile`% of the whole."""
    order = np.argsort(totals, kind="stable")
    cumulative = np.cumsum(weights[order])
    # integer weights on the simulated path, exact fractions of 2**n on the enumerated one: a
    # tiny tolerance keeps P50 of an even split on the lower total, as the definition says
    threshold = cumulative[-1] * percentile / 100 * (1 - 1e-12)
    return int(totals[order][np.searchsorted(cumulative, threshold)])


def _enumerated(cents: list[int], probabilities: list[float]) -> tuple[np.ndarray, np.ndarray]:
    outcomes: dict[int, float] = {0: 1.0}
    for amount, probability in zip(cents, probabilities, strict=True):
        merged: dict[int, float] = {}
        for total, weight in outcomes.items():
            if probability < 1:
                merged[total] = merged.get(total, 0.0) + weight * (1 - probability)
            if probability > 0:
                merged[total + amount] = merged.get(total + amount, 0.0) + weight * probability
        outcomes = merged
    totals = np.fromiter(outcomes.keys(), dtype=np.int64)
    return totals, np.fromiter(outcomes.values(), dtype=np.float64)


def _simulated(
    cents: list[int], probabilities: list[float], seed_key: str
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([SEED, zlib.crc32(seed_key.encode("utf-8"))])
    won = rng.random((DRAWS, len(cents))) < np.asarray(probabilities)
    totals = won.astype(np.int64) @ np.asarray(cents, dtype=np.int64)
    return totals, np.ones(DRAWS, dtype=np.float64)


def bookings_range(deals: Sequence[OpenDeal], seed_key: str) -> BookingsRange:
    """P10/P50/P90 of the open-deal bookings; `seed_key` (the scope and period) seeds a
    simulation, so each scope's draws are its own whatever order the scopes are run in."""
    cents = [_cents(deal.amount) for deal in deals]
    probabilities = [min(max(float(deal.probability), 0.0), 1.0) for deal in deals]
    exact = len(deals) <= EXACT_MAX_DEALS
    if exact:
        totals, weights = _enumerated(cents, probabilities)
    else:
        totals, weights = _simulated(cents, probabilities, seed_key)
    p10, p50, p90 = (
        Decimal(_inverted_cdf(totals, weights, percentile)) * CENT for percentile in PERCENTILES
    )
    return BookingsRange(
        p10=p10,
        p50=p50,
        p90=p90,
        method="exact" if exact else "simulation",
        draws=None if exact else DRAWS,
    )
