"""What each demo source shows at an "as of" moment of the simulated timeline.

Times inside the timeline are seconds since its start (midnight UTC). A record's `updated_at` is
the latest of its events up to the moment, so moving the moment forward changes exactly the
records an operational system would have changed in those days.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from ingestion.demo.company import (
    FILE_TEAM,
    LOST_STAGE,
    OPEN_STAGES,
    REGIONS,
    TEAMS,
    WON_STAGE,
    Company,
)

PIPELINE_ID = "default"
PIPELINE_CREATED = "2020-01-01T00:00:00.000Z"


def seconds_of(company: Company, moment: datetime) -> int:
    """A moment as seconds since the timeline's start."""
    origin = datetime(company.start.year, company.start.month, company.start.day, tzinfo=UTC)
    return int((moment - origin).total_seconds())


def _timestamps(company: Company, seconds: np.ndarray | pd.Series) -> pd.Series:
    origin = pd.Timestamp(company.start, tz="UTC")
    return pd.Series(origin + pd.to_timedelta(np.asarray(seconds, dtype=np.int64), unit="s"))


def decimal_strings(cents: np.ndarray | pd.Series) -> pd.Series:
    """Exact decimal strings from integer cents (never through float)."""
    values = np.asarray(cents, dtype=np.int64)
    sign = np.where(values < 0, "-", "")
    absolute = np.abs(values)
    whole = (absolute // 100).astype(str)
    frac = np.char.zfill((absolute % 100).astype(str), 2)
    return pd.Series(np.char.add(np.char.add(sign.astype(str), whole), np.char.add(".", frac)))


def orders_tables(
    company: Company, as_of: int, since: int | None = None
) -> dict[str, pd.DataFrame]:
    """The orders database's tables at `as_of`; with `since`, only rows changed after it."""
    orders = company["orders"]
    visible = orders["ordered_s"].to_numpy() <= as_of
    cancelled_s = orders["cancelled_s"].to_numpy()
    is_cancelled = (cancelled_s >= 0) & (cancelled_s <= as_of)
    order_updated = np.where(is_cancelled, cancelled_s, orders["ordered_s"].to_numpy())
    customers = company["customers"]
    first_order = (
        orders[visible].groupby("customer")["ordered_s"].min()
        if visible.any()
        else pd.Series(dtype=np.int64)
    )
    shop_customers = customers.iloc[first_order.index].assign(updated_s=first_order.to_numpy())
    products = company["products"]
    tables = {
        "customers": pd.DataFrame(
            {
                "customer_id": shop_customers["customer_id"].to_numpy(),
                "customer_name": shop_customers["customer_name"].to_numpy(),
                "customer_group": shop_customers["customer_group"].to_numpy(),
                "region_id": shop_customers["region_id"].to_numpy(),
                "crm_company_id": shop_customers["company_id"].to_numpy(),
                "created_at": _timestamps(company, shop_customers["updated_s"]),
                "updated_at": _timestamps(company, shop_customers["updated_s"]),
            }
        ),
        "products": pd.DataFrame(
            {
                "product_id": products["product_id"],
                "product_name": products["product_name"],
                "product_line": products["product_line"],
                "list_price": decimal_strings(products["list_price_cents"]),
                "currency": "CNY",
                "updated_at": _timestamps(company, np.zeros(len(products))),
            }
        ),
    }
    shown = orders[visible]
    deal_ids = company["deals"]["deal_id"].to_numpy()
    tables["orders"] = pd.DataFrame(
        {
            "order_id": shown["order_id"].to_numpy(),
            "customer_id": customers["customer_id"].to_numpy()[shown["customer"]],
            "sales_rep_id": shown["owner_id"].to_numpy(),
            "deal_id": np.where(shown["from_deal"], deal_ids[shown["deal"]], None),
            "ordered_at": _timestamps(company, shown["ordered_s"]),
            "currency": shown["currency"].to_numpy(),
            "status": np.where(is_cancelled[visible], "cancelled", "completed"),
            "updated_at": _timestamps(company, order_updated[visible]),
        }
    )
    lines = company["order_lines"]
    line_visible = visible[lines["order"].to_numpy()]
    shown_lines = lines[line_visible]
    line_ordered_s = orders["ordered_s"].to_numpy()[shown_lines["order"]]
    tables["order_lines"] = pd.DataFrame(
        {
            "order_line_id": shown_lines["order_line_id"].to_numpy(),
            "order_id": orders["order_id"].to_numpy()[shown_lines["order"]],
            "product_id": products["product_id"].to_numpy()[shown_lines["product"]],
            "quantity": shown_lines["quantity"].to_numpy(),
            "unit_price": decimal_strings(shown_lines["unit_cents"]).to_numpy(),
            "updated_at": _timestamps(company, line_ordered_s),
        }
    )
    refunds = company["refunds"]
    shown_refunds = refunds[refunds["at_s"].to_numpy() <= as_of]
    tables["refunds"] = pd.DataFrame(
        {
            "refund_id": shown_refunds["refund_id"].to_numpy(),
            "order_id": orders["order_id"].to_numpy()[shown_refunds["order"]],
            "order_line_id": shown_refunds["order_line_id"].to_numpy(),
            "refund_type": shown_refunds["refund_type"].to_numpy(),
            "refunded_at": _timestamps(company, shown_refunds["at_s"]),
            "amount": decimal_strings(shown_refunds["amount_cents"]).to_numpy(),
            "updated_at": _timestamps(company, shown_refunds["at_s"]),
        }
    )
    if since is not None:
        cutoff = _timestamps(company, [since])[0]
        tables = {name: df[df["updated_at"] > cutoff] for name, df in tables.items()}
    return tables


def iso_times(company: Company, seconds: np.ndarray) -> np.ndarray:
    """HubSpot's timestamp strings (`2026-01-31T09:30:00.000Z`) for timeline seconds."""
    origin = np.datetime64(company.start.isoformat(), "s")
    moments = origin + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(moments, unit="ms"), "Z")


def deal_states(company: Company, as_of: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every deal created by `as_of` with its stage and closing as of then, and the stage
    changes made by then (sorted by deal and time)."""
    deals = company["deals"]
    created = deals["created_s"].to_numpy() <= as_of
    changes = company["stage_changes"]
    changes = changes[changes["at_s"].to_numpy() <= as_of]
    last = changes.groupby("deal").tail(1).set_index("deal")
    state = deals[created].copy()
    state["stage_id"] = last["stage_id"].reindex(state.index).to_numpy()
    state["updated_s"] = last["at_s"].reindex(state.index).to_numpy()
    state["is_closed"] = np.isin(state["stage_id"], [WON_STAGE, LOST_STAGE])
    archived = (state["archived_s"].to_numpy() >= 0) & (state["archived_s"].to_numpy() <= as_of)
    state["is_archived"] = archived
    state["updated_s"] = np.where(archived, state["archived_s"], state["updated_s"])
    return state, changes


def deal_revisions(company: Company, as_of: int) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """(deal, `amount` | `closedate`) -> its versions made by `as_of`, oldest first, as
    (at_s, value: cents or timeline seconds)."""
    revisions = company["deal_revisions"]
    revisions = revisions[revisions["at_s"].to_numpy() <= as_of]
    versions: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for deal, name, at_s, value in zip(
        revisions["deal"].to_numpy(),
        revisions["property"].to_numpy(),
        revisions["at_s"].to_numpy(),
        revisions["value"].to_numpy(),
        strict=True,
    ):
        versions.setdefault((int(deal), str(name)), []).append((int(at_s), int(value)))
    return versions


def pipelines() -> list[dict]:
    """The deal pipeline with its stages, in HubSpot's `/crm/v3/pipelines/deals` shape."""
    stages = [
        {
            "id": stage_id,
            "label": label,
            "displayOrder": order,
            "archived": False,
            "metadata": {"isClosed": "false", "probability": str(probability)},
        }
        for order, (stage_id, label, probability) in enumerate(OPEN_STAGES)
    ]
    stages += [
        {
            "id": WON_STAGE,
            "label": "Closed won 赢单",
            "displayOrder": len(stages),
            "archived": False,
            "metadata": {"isClosed": "true", "probability": "1.0"},
        },
        {
            "id": LOST_STAGE,
            "label": "Closed lost 输单",
            "displayOrder": len(stages) + 1,
            "archived": False,
            "metadata": {"isClosed": "true", "probability": "0.0"},
        },
    ]
    return [
        {
            "id": PIPELINE_ID,
            "label": "Sales pipeline 销售管道",
            "displayOrder": 0,
            "archived": False,
            "createdAt": PIPELINE_CREATED,
            "updatedAt": PIPELINE_CREATED,
            "stages": stages,
        }
    ]


def team_names() -> dict[str, str]:
    return {team_id: name for team_id, name, _ in TEAMS}


def region_names() -> dict[str, str]:
    return dict(REGIONS)


def is_file_team(team_ids: np.ndarray | pd.Series) -> np.ndarray:
    """Rows of the team that keeps its pipeline in spreadsheets rather than the CRM."""
    return np.asarray(team_ids) == FILE_TEAM
