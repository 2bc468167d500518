"""The demo company's files: finance's folder (org, targets, spend, FX) and the channel team's CRM
exports (a GBK CSV with Chinese headers, an XLSX visit log, a UTF-8-with-BOM customer list).

The files use the layouts `ingestion/sources/finance_files` and `ingestion/sources/crm_files`
document, so the demo runs the production connectors on them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ingestion.demo.company import FILE_TEAM, LOST_STAGE, OPEN_STAGES, REGIONS, WON_STAGE, Company
from ingestion.demo.views import deal_states, decimal_strings, team_names

CHINESE_STAGES = dict(
    zip(
        [s for s, _, _ in OPEN_STAGES] + [WON_STAGE, LOST_STAGE],
        ["线索", "初步意向", "报价", "商务谈判", "合同签署", "赢单", "输单"],
        strict=True,
    )
)
CHINESE_ACTIVITIES = {
    "visit": "拜访",
    "call": "电话",
    "meeting": "会议",
    "training": "培训",
    "note": "备注",
    "task": "任务",
}
USD_CNY_PLANNING_RATE = 7.1


def _day(company: Company, day: int) -> date:
    return company.start + timedelta(days=int(day))


def _optional_day(company: Company, day: float | None) -> str:
    if day is None or pd.isna(day) or day > 10**6:
        return ""
    return _day(company, int(day)).isoformat()


def write_finance(company: Company, as_of: int, folder: Path) -> None:
    """Org structure, targets, marketing spend and FX rates known at `as_of`."""
    today = as_of // 86400
    for sub in ("org", "targets", "marketing_spend", "fx_rates"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    reps = company["reps"]
    pd.DataFrame(REGIONS, columns=["region_id", "region_name"]).to_csv(
        folder / "org" / "regions.csv", index=False
    )
    managers = reps[reps["role"] == "manager"].drop_duplicates("team_id")
    names = team_names()
    teams = pd.DataFrame(
        {
            "team_id": list(names),
            "team_name": list(names.values()),
            "region_id": [reps.loc[reps["team_id"] == t, "region_id"].iloc[0] for t in names],
            "manager_owner_id": [managers.set_index("team_id").at[t, "owner_id"] for t in names],
        }
    )
    teams.to_csv(folder / "org" / "teams.csv", index=False)
    hired = reps[reps["hire_day"] <= today]
    pd.DataFrame(
        {
            "owner_id": hired["owner_id"],
            "full_name": hired["last_name"] + hired["first_name"],
            "email": hired["email"],
            "role": hired["role"],
            "hire_date": [_optional_day(company, d) for d in hired["hire_day"]],
            "leave_date": [
                _optional_day(company, d if d <= today else None) for d in hired["leave_day"]
            ],
        }
    ).to_csv(folder / "org" / "reps.csv", index=False)
    assignments = company["assignments"]
    assignments = assignments[assignments["from_day"] <= today]
    pd.DataFrame(
        {
            "owner_id": assignments["owner_id"],
            "team_id": assignments["team_id"],
            "valid_from": [_optional_day(company, d) for d in assignments["from_day"]],
            "valid_to": [_optional_day(company, d) for d in assignments["to_day"]],
        }
    ).to_csv(folder / "org" / "rep_assignments.csv", index=False)
    write_targets(company, folder / "targets")
    spend = company["spend"]
    spend = spend[[m <= _day(company, today) for m in spend["month"]]]
    pd.DataFrame(
        {
            "month": [m.strftime("%Y-%m") for m in spend["month"]],
            "channel": spend["channel"],
            "region_id": spend["region_id"],
            "amount": decimal_strings(spend["amount_cents"]).to_numpy(),
            "currency": "CNY",
        }
    ).to_csv(folder / "marketing_spend" / "marketing_spend.csv", index=False)
    fx = company["fx"]
    fx = fx[fx["day"] <= today]
    frame = pd.DataFrame(
        {
            "rate_date": [_day(company, d).isoformat() for d in fx["day"]],
            "from_currency": "USD",
            "to_currency": "CNY",
            "rate": [f"{rate:.4f}" for rate in fx["usd_cny"]],
        }
    )
    for year, rows in frame.groupby(frame["rate_date"].str[:4]):
        rows.to_csv(folder / "fx_rates" / f"usd_cny_{year}.csv", index=False)


def yearly_revenue(company: Company) -> pd.DataFrame:
    """Each rep's simulated revenue per calendar year in CNY (whole years, for target setting)."""
    orders, lines = company["orders"], company["order_lines"]
    cents = lines["quantity"].to_numpy() * lines["unit_cents"].to_numpy()
    usd = orders["currency"].to_numpy()[lines["order"]] == "USD"
    cny = np.where(usd, cents * USD_CNY_PLANNING_RATE, cents) / 100
    ordered = pd.to_datetime(company.start) + pd.to_timedelta(
        orders["ordered_s"].to_numpy()[lines["order"]], unit="s"
    )
    frame = pd.DataFrame(
        {
            "owner_id": orders["owner_id"].to_numpy()[lines["order"]],
            "year": ordered.year,
            "revenue": cny,
        }
    )
    return frame.groupby(["owner_id", "year"], as_index=False)["revenue"].sum()


def _annual_pace(company: Company, revenue: pd.DataFrame) -> pd.DataFrame:
    """`revenue` per rep and year scaled to a whole year of employment, as finance plans a
    target on a rep's pace: a rep who joins or leaves during the year gets a full year's target
    (prorated by the warehouse), not one set on the few days sold, which a single order in the
    last days would then exceed many times. Scaled at most 12 times (a month's pace)."""
    reps = company["reps"].set_index("owner_id")
    hire = reps["hire_day"].reindex(revenue["owner_id"]).to_numpy(dtype=float)
    leave = reps["leave_day"].reindex(revenue["owner_id"]).to_numpy(dtype=float)
    year_start = np.array([(date(y, 1, 1) - company.start).days for y in revenue["year"]])
    year_end = np.array([(date(y + 1, 1, 1) - company.start).days for y in revenue["year"]])
    known = ~np.isnan(hire)
    employed = np.minimum(np.where(known, leave, year_end), year_end) - np.maximum(
        np.where(known, hire, year_start), year_start
    )
    scale = np.where(employed > 0, (year_end - year_start) / np.maximum(employed, 1), 1.0)
    return revenue.assign(revenue=revenue["revenue"].to_numpy() * np.minimum(scale, 12.0))


def write_targets(company: Company, folder: Path, revenue: pd.DataFrame | None = None) -> None:
    """Annual revenue targets with monthly weights for half the reps, monthly targets for the
    others; visits per month; team, region and company targets. The reps' targets follow their
    `revenue` per year (`yearly_revenue`: the company's own unless given, e.g. summed over the
    shards of a sharded company), scaled to a whole year for the days they were employed."""
    rng = np.random.default_rng(11)
    revenue = _annual_pace(company, yearly_revenue(company) if revenue is None else revenue)
    reps = company["reps"]
    season = np.array([0.7, 0.55, 0.95, 0.95, 0.95, 1.0, 0.9, 0.9, 1.05, 1.0, 1.05, 1.3])
    weights = np.round(season / season.sum(), 6)
    weights[-1] = round(1 - weights[:-1].sum(), 6)
    for year in (company.start.year, company.start.year + 1):
        annual, monthly = [], []
        per_rep = revenue[revenue["year"] == year].set_index("owner_id")["revenue"]
        sellers = reps[reps["role"] == "rep"]
        for position, row in enumerate(sellers.itertuples()):
            if row.owner_id not in per_rep.index:
                continue
            target = max(100_000, round(per_rep[row.owner_id] * rng.uniform(0.95, 1.25), -4))
            if position % 2 == 0:
                annual.append(
                    {
                        "scope_type": "rep",
                        "scope_id": row.owner_id,
                        "metric": "revenue",
                        "period": str(year),
                        "target": target,
                        **{f"w{m:02d}": weights[m - 1] for m in range(1, 13)},
                    }
                )
            else:
                for month in range(12):
                    monthly.append(
                        {
                            "scope_type": "rep",
                            "scope_id": row.owner_id,
                            "metric": "revenue",
                            "period": f"{year}-{month + 1:02d}",
                            "target": round(target * weights[month], -2),
                        }
                    )
            for month in range(12):
                monthly.append(
                    {
                        "scope_type": "rep",
                        "scope_id": row.owner_id,
                        "metric": "visits",
                        "period": f"{year}-{month + 1:02d}",
                        "target": 20,
                    }
                )
        total = sum(r["target"] for r in annual) * 2
        annual.append(
            {
                "scope_type": "company",
                "scope_id": "company",
                "metric": "revenue",
                "period": str(year),
                "target": round(total, -5),
            }
        )
        for region_id, _ in REGIONS:
            annual.append(
                {
                    "scope_type": "region",
                    "scope_id": region_id,
                    "metric": "deals_won",
                    "period": str(year),
                    "target": 180,
                }
            )
        for team_id in team_names():
            for quarter in range(1, 5):
                annual.append(
                    {
                        "scope_type": "team",
                        "scope_id": team_id,
                        "metric": "new_customers",
                        "period": f"{year}-Q{quarter}",
                        "target": 12,
                    }
                )
        pd.DataFrame(annual).to_excel(
            folder / f"targets_{year}.xlsx", index=False, sheet_name="targets"
        )
        pd.DataFrame(monthly).to_csv(folder / f"monthly_targets_{year}.csv", index=False)


def write_crm_exports(company: Company, as_of: int, folder: Path) -> None:
    """The channel team's spreadsheets at `as_of`, and the mapping that reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    reps = company["reps"]
    team = reps[reps["team_id"] == FILE_TEAM]
    people = {f"{r.last_name}{r.first_name}": r for r in team.itertuples()}
    if len(people) < len(team):  # same name twice: tell them apart as the team does, by number
        people = {f"{r.last_name}{r.first_name}{i}": r for i, r in enumerate(team.itertuples())}
    name_of = {r.owner_id: name for name, r in people.items()}
    deals, changes = deal_states(company, as_of)
    deals = deals[deals["team_id"] == FILE_TEAM]
    customers = company["customers"]

    def stamp(seconds: np.ndarray) -> list[str]:
        moments = pd.to_datetime(company.start) + pd.to_timedelta(seconds, unit="s")
        local = moments + pd.Timedelta(hours=8)  # the team writes Beijing time
        return [m.strftime("%Y/%m/%d %H:%M") for m in local]

    entered = changes[changes["deal"].isin(deals.index)]
    frame = pd.DataFrame(
        {
            "商机编号": "QD" + deals["deal_id"],
            "商机名称": deals["lead_source"] + " " + deals["deal_id"],
            "负责人": [name_of[o] for o in deals["owner_id"]],
            "客户编号": customers["customer_id"].to_numpy()[deals["customer"]],
            "客户名称": customers["customer_name"].to_numpy()[deals["customer"]],
            "金额": [f"{int(c) // 100:,}.{int(c) % 100:02d}" for c in deals["amount_cents"]],
            "币种": deals["currency"].to_numpy(),
            "阶段": [CHINESE_STAGES[s] for s in deals["stage_id"]],
            "线索来源": deals["lead_source"].to_numpy(),
            "丢单原因": deals["loss_reason"].where(deals["stage_id"] == LOST_STAGE, ""),
            "创建时间": stamp(deals["created_s"].to_numpy()),
            "关闭时间": [
                s if closed else ""
                for s, closed in zip(
                    stamp(deals["closed_s"].to_numpy()), deals["is_closed"], strict=True
                )
            ],
            "最后修改时间": stamp(deals["updated_s"].to_numpy()),
        }
    )
    for stage_id, label in CHINESE_STAGES.items():
        if stage_id in (WON_STAGE, LOST_STAGE):
            continue
        at = entered[entered["stage_id"] == stage_id].set_index("deal")["at_s"]
        at = at.reindex(deals.index)
        frame[f"{label}日期"] = [
            "" if pd.isna(s) else v for s, v in zip(at, stamp(at.fillna(0).to_numpy()), strict=True)
        ]
    frame.to_csv(folder / "商机导出.csv", index=False, encoding="gbk")

    acts = company["activities"]
    acts = acts[(acts["at_s"] <= as_of) & acts["owner_id"].isin(team["owner_id"])]
    deal_ids = company["deals"]["deal_id"].to_numpy()
    pd.DataFrame(
        {
            "记录编号": "HD" + acts["activity_id"],
            "类型": [CHINESE_ACTIVITIES[k] for k in acts["kind"]],
            "销售": [name_of[o] for o in acts["owner_id"]],
            "商机编号": ["QD" + deal_ids[d] if d >= 0 else "" for d in acts["deal"]],
            "时间": stamp(acts["at_s"].to_numpy()),
        }
    ).to_excel(folder / "拜访记录.xlsx", index=False, sheet_name="拜访记录")

    mine = customers.iloc[np.unique(deals["customer"].to_numpy())]
    pd.DataFrame(
        {
            "客户编号": mine["customer_id"],
            "客户名称": mine["customer_name"],
            "行业": mine["industry"],
        }
    ).to_csv(folder / "客户.csv", index=False, encoding="utf-8-sig")
    (folder / "mapping.yml").write_text(
        yaml.safe_dump(_mapping(people), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _mapping(people: dict) -> dict:
    stage_dates = {
        s: f"{label}日期" for s, label in CHINESE_STAGES.items() if s not in (WON_STAGE, LOST_STAGE)
    }
    return {
        "timezone": "Asia/Shanghai",
        "pipeline_id": "default",
        "people": {name: {"owner_id": r.owner_id, "email": r.email} for name, r in people.items()},
        "stages": {label: stage_id for stage_id, label in CHINESE_STAGES.items()},
        "activity_types": {label: kind for kind, label in CHINESE_ACTIVITIES.items()},
        "files": [
            {
                "path": "商机导出.csv",
                "entity": "deals",
                "encoding": "gbk",
                "delimiter": ",",
                "decimal": ".",
                "thousands": ",",
                "datetime_format": "%Y/%m/%d %H:%M",
                "columns": {
                    "deal_id": "商机编号",
                    "deal_name": "商机名称",
                    "owner": "负责人",
                    "company_id": "客户编号",
                    "amount": "金额",
                    "currency": "币种",
                    "stage": "阶段",
                    "lead_source": "线索来源",
                    "loss_reason": "丢单原因",
                    "created_at": "创建时间",
                    "closed_at": "关闭时间",
                    "updated_at": "最后修改时间",
                },
                "stage_dates": stage_dates,
            },
            {
                "path": "拜访记录.xlsx",
                "entity": "activities",
                "sheet": "拜访记录",
                "datetime_format": "%Y/%m/%d %H:%M",
                "columns": {
                    "activity_id": "记录编号",
                    "activity_type": "类型",
                    "owner": "销售",
                    "deal_id": "商机编号",
                    "occurred_at": "时间",
                },
            },
            {
                "path": "客户.csv",
                "entity": "companies",
                "encoding": "utf-8-sig",
                "columns": {
                    "company_id": "客户编号",
                    "company_name": "客户名称",
                    "customer_id": "客户编号",
                    "industry": "行业",
                },
            },
        ],
    }
