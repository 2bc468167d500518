"""The demo company's whole timeline, simulated once from a seed and an anchor date.

The simulation runs from 1 January of the year before the anchor to a year after it. What the
sources show is the part of the timeline up to an "as of" moment (see `ingestion.demo.views`):
`make demo` starts at the anchor day, `make demo-advance DAYS=n` moves the moment forward, so new
leads, stage moves, orders and refunds appear exactly as they would in the real systems.

Everything is vectorised with numpy so that `--scale 67` (about 200,000 deals and 1,000,000 order
lines) generates in well under a minute. The same seed and anchor give the same company.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

REGIONS = [("east", "华东 East"), ("south", "华南 South"), ("north", "华北 North")]
# team id (HubSpot team ids are numeric strings), name, region
TEAMS = [
    ("301", "华东一组 East 1", "east"),
    ("302", "华东二组 East 2", "east"),
    ("303", "华东三组 East 3", "east"),
    ("304", "华南一组 South 1", "south"),
    ("305", "华南二组 South 2", "south"),
    ("306", "华南渠道组 South Channel", "south"),
    ("307", "华北一组 North 1", "north"),
    ("308", "华北二组 North 2", "north"),
]
# The channel team keeps its pipeline in spreadsheets: its deals reach us as CRM export files.
FILE_TEAM = "306"
REPS_PER_TEAM = [7, 7, 6, 7, 6, 6, 7, 6]  # plus one manager each: 52 reps + 8 managers = 60
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"]

PRODUCT_LINES = {
    # line: (month weights Jan..Dec, products as (name, list price CNY))
    "software": (
        [0.7, 0.6, 1.1, 0.9, 0.9, 1.2, 0.8, 0.8, 1.2, 0.9, 1.0, 1.9],
        [("Analytics Suite", 48000), ("Reporting Add-on", 12000), ("CRM Connector", 8000)],
    ),
    "hardware": (
        [0.8, 0.5, 0.9, 1.0, 1.0, 1.0, 0.9, 0.9, 1.1, 1.1, 1.3, 1.5],
        [("Edge Gateway", 6800), ("Sensor Kit", 1200), ("Display Terminal", 3500)],
    ),
    "services": (
        [0.9, 0.6, 1.0, 1.0, 1.0, 1.1, 1.0, 0.9, 1.1, 1.0, 1.1, 1.3],
        [("Implementation Package", 30000), ("Support Plan", 9000), ("Data Migration", 15000)],
    ),
    "training": (
        [0.6, 0.4, 1.4, 1.2, 0.9, 0.8, 0.6, 0.7, 1.5, 1.3, 1.0, 0.6],
        [("Admin Training", 4000), ("Analyst Bootcamp", 9600)],
    ),
}
CUSTOMER_GROUPS = (["enterprise", "mid_market", "smb"], [0.15, 0.35, 0.50])
INDUSTRIES = ["manufacturing", "retail", "logistics", "healthcare", "education", "finance"]
LEAD_SOURCES = (
    ["referral", "website", "trade_show", "cold_call", "partner", "online_ads"],
    [0.18, 0.25, 0.15, 0.17, 0.10, 0.15],
)
# extra chance of passing the first stage, by lead source (referrals convert best)
LEAD_SOURCE_LIFT = [0.15, 0.0, 0.05, -0.15, 0.10, -0.05]
LOSS_REASONS = (
    ["Price", "No follow-up", "Budget", "Competitor", "Product fit", "Timing"],
    [0.28, 0.17, 0.2, 0.18, 0.1, 0.07],
)
# HubSpot's default sales pipeline: open stages in order, then the closed ones.
OPEN_STAGES = [
    ("appointmentscheduled", "Lead 潜在客户", 0.1),
    ("qualifiedtobuy", "Initial intent 初步意向", 0.2),
    ("presentationscheduled", "Quote/proposal 报价/方案", 0.4),
    ("decisionmakerboughtin", "Negotiation 商务谈判", 0.6),
    ("contractsent", "Contract sent 合同签署", 0.9),
]
WON_STAGE, LOST_STAGE = "closedwon", "closedlost"
STAGE_PASS = np.array([0.62, 0.66, 0.72, 0.8, 0.86])  # chance of moving on from each open stage
STAGE_DWELL_DAYS = np.array([6.0, 10.0, 14.0, 12.0, 7.0])  # mean days spent in each open stage
CHANNELS = ["online_ads", "trade_shows", "content", "events", "referral_program"]
USD_SHARE = 0.12
DEALS_PER_SCALE = 3000
REPEAT_ORDERS_PER_WIN = 30.0
NEW_DEAL_DAYS_AFTER_ANCHOR = 60  # leads keep arriving for `demo-advance`
HORIZON_DAYS = 366
# Slippage: a deal is created with a close date about the mean open time ahead, at this fraction
# of it (reps are optimistic); on entering a stage a rep pushes a close date less than
# CLOSE_DATE_MARGIN of the stage's remaining mean time ahead to that time (x 0.8-1.2), and now
# and then pulls in one more than twice that far ahead. A share of the deals that reach the quote
# stage were created at another amount and re-priced there.
INITIAL_CLOSE_FRACTION = (0.6, 1.1)
CLOSE_DATE_MARGIN = 0.5
CLOSE_DATE_PULL_CHANCE = 0.05
REPRICED_SHARE = 0.4
FIRST_PRICE_FACTORS = [0.8, 0.9, 1.15, 1.3]
CLOSE_DATE_HOUR_S = 4 * 3600  # a close date is a day: noon in Beijing


@dataclass
class Company:
    """Every table of the demo company's timeline (amounts as exact decimal strings)."""

    start: date
    end: date
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def _ts(start: date) -> pd.Timestamp:
    return pd.Timestamp(start, tz="UTC")


def _money(values: np.ndarray) -> np.ndarray:
    """Round to cents as integers: amounts stay exact (cents) until written as decimals."""
    return np.round(values * 100).astype(np.int64)


def _business_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Day offsets plus a working-hours time of day (09:00-18:00 Beijing = 01:00-10:00 UTC)."""
    seconds = rng.integers(3600, 10 * 3600, size=len(days))
    return days.astype(np.int64) * 86400 + seconds


def simulate(seed: int, anchor: date, scale: float = 1.0) -> Company:
    """The full timeline of the demo company for `seed`, anchored on the day `anchor`."""
    rng = np.random.default_rng(seed)
    start = date(anchor.year - 1, 1, 1)
    end = anchor + timedelta(days=HORIZON_DAYS)
    company = Company(start=start, end=end)
    _org(company, rng, anchor)
    _products(company)
    _deals(company, rng, int(DEALS_PER_SCALE * scale))
    # a stream of its own, so adding it left every other table of a seed as it was
    _deal_revisions(company, np.random.default_rng([seed, 1]))
    _orders(company, rng)
    _activities(company, rng, min(scale, 1.0))
    _finance(company, rng, anchor)
    return company


def _org(company: Company, rng: np.random.Generator, anchor: date) -> None:
    total_days = (company.end - company.start).days
    anchor_day = (anchor - company.start).days
    rows = []
    owner = 70000001
    for (team_id, _, region), n_reps in zip(TEAMS, REPS_PER_TEAM, strict=True):
        for position in range(n_reps + 1):
            rows.append((str(owner), team_id, region, "manager" if position == 0 else "rep"))
            owner += 1
    reps = pd.DataFrame(rows, columns=["owner_id", "team_id", "region_id", "role"])
    n = len(reps)
    surname = rng.integers(0, len(SURNAMES), n)
    given = rng.integers(0, len(GIVEN), (n, 2))
    reps["first_name"] = [GIVEN[a] + GIVEN[b] for a, b in given]
    reps["last_name"] = [SURNAMES[s] for s in surname]
    reps["email"] = [f"rep{i + 1:02d}@demo-sales.cn" for i in range(n)]
    # everybody was hired before the timeline starts, except a few hires during it
    hire_day = -rng.integers(60, 2000, n)
    is_rep = (reps["role"] == "rep").to_numpy()
    rep_rows = np.flatnonzero(is_rep)
    hires = rng.choice(rep_rows, 7, replace=False)
    hire_day[hires] = rng.integers(30, anchor_day - 20, len(hires))
    leave_day = np.full(n, np.iinfo(np.int64).max)
    leavers = rng.choice(np.setdiff1d(rep_rows, hires), 5, replace=False)
    leave_day[leavers] = rng.integers(120, anchor_day - 10, len(leavers))
    reps["hire_day"] = hire_day
    reps["leave_day"] = leave_day
    # one mid-year team change: a rep of East 2 joins East 1 on 1 July
    mover = int(np.flatnonzero(is_rep & (reps["team_id"] == "302").to_numpy())[1])
    move_year = anchor.year if anchor >= date(anchor.year, 8, 1) else anchor.year - 1
    move_day = (date(move_year, 7, 1) - company.start).days
    reps.loc[mover, ["hire_day", "leave_day"]] = [-400, np.iinfo(np.int64).max]
    assignments = reps[["owner_id", "team_id"]].assign(from_day=reps["hire_day"], to_day=None)
    assignments.loc[mover, "to_day"] = move_day
    moved = pd.DataFrame(
        [{"owner_id": reps.at[mover, "owner_id"], "team_id": "301", "from_day": move_day}]
    )
    assignments = pd.concat([assignments, moved], ignore_index=True)
    reps.loc[mover, ["team_id"]] = ["301"]  # the owner's current team
    company.tables["reps"] = reps
    company.tables["assignments"] = assignments
    company.tables["total_days"] = pd.DataFrame({"days": [total_days], "anchor": [anchor_day]})


def _products(company: Company) -> None:
    rows = []
    for line, (_, products) in PRODUCT_LINES.items():
        for name, price in products:
            rows.append((f"P{len(rows) + 1:03d}", name, line, price * 100))
    company.tables["products"] = pd.DataFrame(
        rows, columns=["product_id", "product_name", "product_line", "list_price_cents"]
    )


def _team_on(company: Company, owners: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The team each owner belonged to on each day (effective-dated assignments)."""
    teams = company["reps"].set_index("owner_id")["team_id"].reindex(owners).to_numpy().copy()
    moves = company["assignments"].dropna(subset=["to_day"])
    for row in moves.itertuples():
        before = (owners == row.owner_id) & (days < row.to_day)
        teams[before] = row.team_id
    return teams


def _deals(company: Company, rng: np.random.Generator, n: int) -> None:
    reps = company["reps"]
    sellers = reps[reps["role"] == "rep"].reset_index(drop=True)
    total_days = int(company["total_days"].at[0, "anchor"]) + NEW_DEAL_DAYS_AFTER_ANCHOR
    # deal creation follows a mild seasonality (quiet Chinese New Year in February)
    day_index = pd.date_range(company.start, periods=total_days, freq="D")
    month_weight = np.array([0.85, 0.6, 1.1, 1.05, 1.0, 1.05, 0.95, 0.95, 1.1, 1.0, 1.1, 1.15])
    weights = month_weight[day_index.month - 1] * np.where(day_index.dayofweek < 5, 1.0, 0.25)
    created_day = np.sort(rng.choice(total_days, n, p=weights / weights.sum()))
    # each deal goes to a rep employed that day
    owner_idx = rng.integers(0, len(sellers), n)
    hire = sellers["hire_day"].to_numpy()
    leave = sellers["leave_day"].to_numpy()
    for _ in range(20):
        bad = (created_day < hire[owner_idx]) | (created_day >= leave[owner_idx] - 30)
        if not bad.any():
            break
        owner_idx[bad] = rng.integers(0, len(sellers), int(bad.sum()))
    owner = sellers["owner_id"].to_numpy()[owner_idx]
    team = _team_on(company, owner, created_day)
    region = dict(zip(reps["owner_id"], reps["region_id"], strict=True))
    deal_region = np.array([region[o] for o in owner])

    # customers: a deal is for a new customer, or a returning one of the same region
    n_customers = max(40, int(n * 0.4))
    cust_region = rng.choice([r for r, _ in REGIONS], n_customers)
    deal_customer = np.empty(n, dtype=np.int64)
    for region_id, _ in REGIONS:
        in_region = np.flatnonzero(deal_region == region_id)
        pool = np.flatnonzero(cust_region == region_id)
        deal_customer[in_region] = rng.choice(pool, len(in_region))
    source_idx = rng.choice(len(LEAD_SOURCES[0]), n, p=LEAD_SOURCES[1])

    # stage path: pass each open stage with its probability, dwelling a gamma-distributed time
    passes = rng.random((n, len(STAGE_PASS))) < STAGE_PASS
    passes[:, 0] = rng.random(n) < STAGE_PASS[0] + np.array(LEAD_SOURCE_LIFT)[source_idx]
    reached = np.cumprod(passes, axis=1).sum(axis=1)  # 5 = won, else lost at that stage
    dwell = rng.gamma(2.0, STAGE_DWELL_DAYS / 2.0, (n, len(STAGE_PASS)))
    created_s = _business_time(rng, created_day)
    entry_s = created_s[:, None] + np.concatenate(
        [np.zeros((n, 1)), np.cumsum(dwell, axis=1) * 86400], axis=1
    ).astype(np.int64)
    changes = []
    for stage in range(len(OPEN_STAGES)):
        entered = reached >= stage
        changes.append(
            pd.DataFrame(
                {
                    "deal": np.flatnonzero(entered),
                    "stage_id": OPEN_STAGES[stage][0],
                    "at_s": entry_s[entered, stage],
                }
            )
        )
    won = reached == len(STAGE_PASS)
    # won: on leaving the last open stage; lost: on leaving the stage it reached
    closed_s = entry_s[np.arange(n), np.minimum(reached + 1, len(STAGE_PASS))]
    changes.append(
        pd.DataFrame(
            {
                "deal": np.arange(n),
                "stage_id": np.where(won, WON_STAGE, LOST_STAGE),
                "at_s": closed_s,
            }
        )
    )
    stage_changes = pd.concat(changes, ignore_index=True).sort_values(["deal", "at_s"])

    # basket: 1-3 products; amount in the customer's currency
    products = company["products"]
    n_lines = rng.integers(1, 4, n)
    line_deal = np.repeat(np.arange(n), n_lines)
    line_product = rng.integers(0, len(products), len(line_deal))
    quantity = rng.integers(1, 6, len(line_deal))
    cust_usd = rng.random(n_customers) < USD_SHARE
    deal_usd = cust_usd[deal_customer]
    discount = rng.choice([1.0, 0.95, 0.9, 0.85], len(line_deal))
    unit_cny = products["list_price_cents"].to_numpy()[line_product] / 100 * discount
    unit = np.where(deal_usd[line_deal], unit_cny / 7.1, unit_cny)
    unit_cents = _money(unit)
    deal_lines = pd.DataFrame(
        {"deal": line_deal, "product": line_product, "quantity": quantity, "unit_cents": unit_cents}
    )
    amount_cents = np.bincount(line_deal, weights=quantity * unit_cents, minlength=n)

    deals = pd.DataFrame(
        {
            "deal_id": (np.arange(n) + 9000001).astype(str),
            "owner_id": owner,
            "team_id": team,
            "region_id": deal_region,
            "customer": deal_customer,
            "lead_source": np.array(LEAD_SOURCES[0])[source_idx],
            "created_s": created_s,
            "closed_s": closed_s,
            "is_won": won,
            "loss_reason": np.where(
                won, None, rng.choice(LOSS_REASONS[0], n, p=LOSS_REASONS[1]).astype(object)
            ),
            "amount_cents": amount_cents.astype(np.int64),
            "currency": np.where(deal_usd, "USD", "CNY"),
        }
    )
    # a few lost deals were duplicates, archived (deleted) in the CRM three days after closing
    archived = (~won) & (rng.random(n) < 0.01)
    deals["archived_s"] = np.where(archived, closed_s + 3 * 86400, -1)
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i + 1:06d}" for i in range(n_customers)],
            "company_id": (np.arange(n_customers) + 5000001).astype(str),
            "region_id": cust_region,
            "customer_group": rng.choice(CUSTOMER_GROUPS[0], n_customers, p=CUSTOMER_GROUPS[1]),
            "industry": rng.choice(INDUSTRIES, n_customers),
            "currency": np.where(cust_usd, "USD", "CNY"),
        }
    )
    customers["customer_name"] = [
        f"{SURNAMES[i % len(SURNAMES)]}氏{INDUSTRIES[i % 6].title()} {i + 1}"
        for i in range(n_customers)
    ]
    company.tables.update(
        deals=deals, stage_changes=stage_changes, deal_lines=deal_lines, customers=customers
    )


def _as_day(seconds: np.ndarray) -> np.ndarray:
    """A moment as the close date it names: its day, at CLOSE_DATE_HOUR_S."""
    return np.asarray(seconds, dtype=np.int64) // 86400 * 86400 + CLOSE_DATE_HOUR_S


def _deal_revisions(company: Company, rng: np.random.Generator) -> None:
    """Every version of each deal's amount and close date (`deal_revisions`: deal, property,
    at_s, value in cents or timeline seconds), the first set at creation. The last amount is the
    deal's `amount_cents`; a closed deal's last close date is its close moment."""
    deals, changes = company["deals"], company["stage_changes"]
    n = len(deals)
    created_s = deals["created_s"].to_numpy()
    remaining_days = np.cumsum(STAGE_DWELL_DAYS[::-1])[::-1]  # mean days left on entering
    expected = _as_day(
        created_s + remaining_days[0] * rng.uniform(*INITIAL_CLOSE_FRACTION, n) * 86400
    )
    close = [pd.DataFrame({"deal": np.arange(n), "at_s": created_s, "value": expected})]
    stage_of = {stage_id: k for k, (stage_id, _, _) in enumerate(OPEN_STAGES)}
    stage_index = changes["stage_id"].map(stage_of).to_numpy()
    for k in range(1, len(OPEN_STAGES)):
        entries = changes[stage_index == k]
        deal, at = entries["deal"].to_numpy(), entries["at_s"].to_numpy()
        ahead = remaining_days[k] * 86400
        push = expected[deal] < at + CLOSE_DATE_MARGIN * ahead
        pull = (expected[deal] > at + 2 * ahead) & (rng.random(len(deal)) < CLOSE_DATE_PULL_CHANCE)
        moved = push | pull
        new = _as_day(at + ahead * np.where(push, rng.uniform(0.8, 1.2, len(deal)), 1.0))
        expected[deal[moved]] = new[moved]
        close.append(pd.DataFrame({"deal": deal[moved], "at_s": at[moved], "value": new[moved]}))
    closed_s = deals["closed_s"].to_numpy()
    close.append(pd.DataFrame({"deal": np.arange(n), "at_s": closed_s, "value": closed_s}))

    final = deals["amount_cents"].to_numpy()
    quote = changes[stage_index == 2]
    repriced = quote[rng.random(len(quote)) < REPRICED_SHARE]
    first = final.copy()
    factor = rng.choice(FIRST_PRICE_FACTORS, len(repriced))
    first[repriced["deal"]] = np.round(final[repriced["deal"]] * factor).astype(np.int64)
    amounts = [
        pd.DataFrame({"deal": np.arange(n), "at_s": created_s, "value": first}),
        pd.DataFrame(
            {
                "deal": repriced["deal"].to_numpy(),
                "at_s": repriced["at_s"].to_numpy(),
                "value": final[repriced["deal"]],
            }
        ),
    ]
    revisions = pd.concat(
        [
            pd.concat(amounts, ignore_index=True).assign(property="amount"),
            pd.concat(close, ignore_index=True).assign(property="closedate"),
        ],
        ignore_index=True,
    )
    company.tables["deal_revisions"] = revisions.sort_values(
        ["deal", "property", "at_s"], kind="stable", ignore_index=True
    )


def _orders(company: Company, rng: np.random.Generator) -> None:
    deals, deal_lines, products = company["deals"], company["deal_lines"], company["products"]
    won = deals[deals["is_won"]]
    reps = company["reps"].set_index("owner_id")
    # the first order follows the won deal within a week
    first_s = won["closed_s"].to_numpy() + rng.integers(3600, 7 * 86400, len(won))
    first = pd.DataFrame({"deal": won.index.to_numpy(), "ordered_s": first_s, "from_deal": True})
    # repeat orders over the following 18 months, by product-line seasonality, credited to the
    # deal's owner while employed
    n_repeat = rng.poisson(REPEAT_ORDERS_PER_WIN, len(won))
    rep_deal = np.repeat(won.index.to_numpy(), n_repeat)
    rep_s = np.repeat(first_s, n_repeat) + rng.integers(14, 540, len(rep_deal)) * 86400
    repeat = pd.DataFrame({"deal": rep_deal, "ordered_s": rep_s, "from_deal": False})
    leave_s = reps["leave_day"].reindex(deals["owner_id"].to_numpy()).to_numpy()
    leave_s = np.where(leave_s > 10**9, 2**62, leave_s * 86400)
    repeat = repeat[repeat["ordered_s"] < leave_s[repeat["deal"]]]
    # thin repeat orders by month seasonality (the peak month keeps all)
    month = pd.to_datetime(repeat["ordered_s"] + _ts(company.start).timestamp(), unit="s").dt.month
    season = np.mean([w for w, _ in PRODUCT_LINES.values()], axis=0)
    keep = rng.random(len(repeat)) < season[month.to_numpy() - 1] / season.max()
    orders = pd.concat([first, repeat[keep]], ignore_index=True).sort_values("ordered_s")
    orders = orders.reset_index(drop=True)
    n = len(orders)
    orders["order_id"] = [f"SO{i + 1:08d}" for i in range(n)]
    orders["owner_id"] = deals["owner_id"].to_numpy()[orders["deal"]]
    orders["customer"] = deals["customer"].to_numpy()[orders["deal"]]
    orders["currency"] = deals["currency"].to_numpy()[orders["deal"]]

    # lines: first orders repeat the deal's basket; repeat orders buy 1-2 smaller items
    first_mask = orders["from_deal"].to_numpy()
    by_deal = deal_lines.groupby("deal").indices
    first_lines = deal_lines.iloc[np.concatenate([by_deal[d] for d in orders["deal"][first_mask]])]
    counts = deal_lines.groupby("deal").size().reindex(orders["deal"][first_mask]).to_numpy()
    lines_first = first_lines.assign(order=np.repeat(np.flatnonzero(first_mask), counts))
    repeat_idx = np.flatnonzero(~first_mask)
    n_rep_lines = rng.integers(1, 4, len(repeat_idx))
    rep_order = np.repeat(repeat_idx, n_rep_lines)
    rep_product = rng.integers(0, len(products), len(rep_order))
    usd = orders["currency"].to_numpy()[rep_order] == "USD"
    unit = products["list_price_cents"].to_numpy()[rep_product] / 100
    unit = np.where(usd, unit / 7.1, unit) * rng.choice([1.0, 0.97, 0.93], len(rep_order))
    lines_repeat = pd.DataFrame(
        {
            "order": rep_order,
            "product": rep_product,
            "quantity": rng.integers(1, 4, len(rep_order)),
            "unit_cents": _money(unit),
        }
    )
    lines = pd.concat(
        [lines_first[["order", "product", "quantity", "unit_cents"]], lines_repeat],
        ignore_index=True,
    ).sort_values("order", kind="stable")
    lines = lines.reset_index(drop=True)
    lines["order_line_id"] = [f"L{i + 1:09d}" for i in range(len(lines))]

    # cancellations (3%, within two weeks) and line refunds (4%, 5-75 days later: some after
    # their month has closed)
    cancelled = rng.random(n) < 0.03
    orders["cancelled_s"] = np.where(
        cancelled, orders["ordered_s"] + rng.integers(3600, 14 * 86400, n), -1
    )
    line_order = lines["order"].to_numpy()
    refundable = (~cancelled[line_order]) & (rng.random(len(lines)) < 0.04 / 1.8)
    refund_lines = lines[refundable]
    qty = np.minimum(refund_lines["quantity"].to_numpy(), rng.integers(1, 3, len(refund_lines)))
    refunds = pd.DataFrame(
        {
            "order": refund_lines["order"].to_numpy(),
            "order_line_id": refund_lines["order_line_id"].to_numpy(),
            "refund_type": "refund",
            "at_s": orders["ordered_s"].to_numpy()[refund_lines["order"]]
            + rng.integers(5, 75, len(refund_lines)) * 86400,
            "amount_cents": qty * refund_lines["unit_cents"].to_numpy(),
        }
    )
    line_total = np.bincount(
        line_order, weights=lines["quantity"] * lines["unit_cents"], minlength=n
    )
    cancels = pd.DataFrame(
        {
            "order": np.flatnonzero(cancelled),
            "order_line_id": None,
            "refund_type": "cancellation",
            "at_s": orders["cancelled_s"].to_numpy()[cancelled],
            "amount_cents": line_total[cancelled].astype(np.int64),
        }
    )
    refunds = pd.concat([refunds, cancels], ignore_index=True).sort_values("at_s")
    refunds = refunds.reset_index(drop=True)
    refunds["refund_id"] = [f"R{i + 1:08d}" for i in range(len(refunds))]
    company.tables.update(orders=orders, order_lines=lines, refunds=refunds)


def _activities(company: Company, rng: np.random.Generator, density: float) -> None:
    """Visits, calls, meetings, notes, tasks and trainings per rep and week (fewer in a demo
    scaled below 1, so small test companies stay small)."""
    reps = company["reps"]
    deals = company["deals"]
    total_days = int(company["total_days"].at[0, "days"])
    weeks = np.arange(0, total_days, 7)
    per_week = {"visit": 1.5, "call": 2.0, "meeting": 0.4, "note": 0.6, "task": 0.5}
    frames = []
    for kind, rate in [*per_week.items(), ("training", 0.4)]:
        counts = rng.poisson(rate * density, (len(reps), len(weeks)))
        rep_idx, week_idx = np.nonzero(counts)
        rep_idx = np.repeat(rep_idx, counts[rep_idx, week_idx])
        week_idx = np.repeat(week_idx, counts[counts > 0])
        day = weeks[week_idx] + rng.integers(0, 5, len(rep_idx))
        frames.append(pd.DataFrame({"rep": rep_idx, "day": day, "kind": kind}))
    acts = pd.concat(frames, ignore_index=True)
    hire = reps["hire_day"].to_numpy()[acts["rep"]]
    leave = reps["leave_day"].to_numpy()[acts["rep"]]
    acts = acts[(acts["day"] >= np.maximum(hire, 0)) & (acts["day"] < leave)].copy()
    acts["owner_id"] = reps["owner_id"].to_numpy()[acts["rep"]]
    acts["at_s"] = _business_time(rng, acts["day"].to_numpy())
    # visits, calls and meetings concern one of the rep's recent deals, when there is one
    acts["deal"] = -1
    deal_created = deals["created_s"].to_numpy()
    for owner_id, idx in acts.groupby("owner_id").indices.items():
        mine = np.flatnonzero(deals["owner_id"].to_numpy() == owner_id)
        if len(mine) == 0:
            continue
        at = acts["at_s"].to_numpy()[idx]
        upto = np.searchsorted(deal_created[mine], at, side="right")
        pick = upto - 1 - rng.integers(0, 8, len(idx))
        ok = (pick >= 0) & (acts["kind"].to_numpy()[idx] != "training")
        acts.iloc[idx[ok], acts.columns.get_loc("deal")] = mine[pick[ok]]
    acts = acts.sort_values("at_s").reset_index(drop=True)
    acts["activity_id"] = (np.arange(len(acts)) + 30000001).astype(str)
    company.tables["activities"] = acts.drop(columns=["rep", "day"])


def _finance(company: Company, rng: np.random.Generator, anchor: date) -> None:
    """Daily FX, marketing spend, and targets set from last year's pace plus growth."""
    total_days = int(company["total_days"].at[0, "days"])
    steps = rng.normal(0, 0.012, total_days)
    usd_cny = np.round(7.15 + np.cumsum(steps) * 0.3, 4).clip(6.8, 7.5)
    company.tables["fx"] = pd.DataFrame({"day": np.arange(total_days), "usd_cny": usd_cny})
    months = pd.date_range(company.start, company.end, freq="MS")
    spend = []
    for month in months:
        for channel in CHANNELS:
            for region_id, _ in REGIONS:
                base = {
                    "online_ads": 60000,
                    "trade_shows": 45000,
                    "content": 15000,
                    "events": 30000,
                    "referral_program": 10000,
                }[channel]
                spend.append(
                    (month.date(), channel, region_id, int(base * rng.uniform(0.7, 1.3)) * 100)
                )
    company.tables["spend"] = pd.DataFrame(
        spend, columns=["month", "channel", "region_id", "amount_cents"]
    )
    company.tables["anchor_year"] = pd.DataFrame({"year": [anchor.year]})
