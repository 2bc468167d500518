"""The sidebar: language and filters, shared by every page and mirrored in the URL.

Each filter's value survives page switches (kept in session state, outside the widget) and is
written to the query string after every run, so a view can be shared as a link; a link's values
are read on the first run of a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from app.alerts import min_elapsed
from app.data import dimensions
from app.data.connection import Reader
from app.data.selection import Selection
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_month, t, value_label
from app.period import GRAINS, Period, default_start, period_start

ALL = ""


@dataclass(frozen=True)
class Filters:
    """What the viewer chose; `None` means all."""

    period: Period
    team_id: str | None = None
    rep_id: str | None = None
    pipeline_id: str | None = None
    lead_source: str | None = None

    def selection(self, period: Period | None = None) -> Selection:
        """The query selection for `period` (default: the chosen one) under these filters."""
        period = period or self.period
        return Selection(
            start=period.start,
            end=period.end,
            team_id=self.team_id,
            rep_id=self.rep_id,
            pipeline_id=self.pipeline_id,
            lead_source=self.lead_source,
        )


def language_switch() -> None:
    """The zh/en switch; the first run takes the URL's `lang`, else the browser's language."""
    if st.session_state.get("lang") not in LANGUAGES:  # first run, or a click cleared the choice
        wanted = st.session_state.get("saved_lang") or st.query_params.get("lang")
        if wanted not in LANGUAGES:
            locale = st.context.locale or ""
            wanted = "en" if locale.lower().startswith("en") else DEFAULT_LANGUAGE
        st.session_state["lang"] = wanted
    st.session_state["saved_lang"] = st.session_state["lang"]
    st.sidebar.segmented_control(
        "🌐", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", label_visibility="collapsed"
    )
    if st.session_state.get("lang") in LANGUAGES:
        st.session_state["saved_lang"] = st.session_state["lang"]


def _choose(
    name: str, label: str, labels: dict[str, str], help_key: str, default: str | None = None
) -> str:
    """One of `labels`' keys, remembered outside the widget (`saved_<name>`) so it survives page
    switches. The widget is set from the remembered choice on every run, which also redraws it
    in the current language; the labels are a dict fixed for the run, not a function of the
    session's language, so the widget reads the same however it is inspected."""
    options = list(labels)
    saved = f"saved_{name}"
    widget = f"filter_{name}"
    # "All" is saved as "": a saved choice, even that one, wins over the link's value.
    value = st.session_state[saved] if saved in st.session_state else st.query_params.get(name)
    if value not in options:
        value = default if default in options else options[0]
    st.session_state[widget] = value

    def remember() -> None:
        st.session_state[saved] = st.session_state[widget]

    chosen = st.sidebar.selectbox(
        label,
        options,
        key=widget,
        format_func=labels.__getitem__,
        help=t(help_key),
        on_change=remember,
    )
    st.session_state[saved] = chosen
    return chosen


def _align_period(grain: str) -> None:
    """Keep the chosen period when the grain changes: 2026-05 becomes 2026 Q2, then 2026."""
    chosen = st.session_state.get("saved_period") or st.query_params.get("period")
    try:
        start = date.fromisoformat(f"{chosen}-01")
    except (TypeError, ValueError):
        return
    st.session_state["saved_period"] = f"{period_start(start, grain):%Y-%m}"


def _period_label(period: Period, today: date) -> str:
    """The period as the locale writes it, marked "to date" while it is still running."""
    label = fmt_month(period.start) if period.grain == "month" else period.label()
    if period.start <= today < period.end:
        return t("filters.to_date", period=label)
    return label


def _choose_one(name: str, names: dict[str, str]) -> str:
    """One of `names` (id -> label) or all (`ALL`)."""
    return _choose(name, t(f"filters.{name}"), {ALL: t("filters.all"), **names}, f"help.{name}")


def sidebar(reader: Reader, today: date) -> Filters:
    """Render the filters and return the viewer's choice."""
    st.sidebar.header(t("filters.title"))
    grain = _choose("grain", t("filters.grain"), {g: t(f"grain.{g}") for g in GRAINS}, "help.grain")
    months = dimensions.months(reader) or [period_start(today, "month")]
    starts = sorted({period_start(month, grain) for month in months}, reverse=True)
    by_key = {f"{start:%Y-%m}": start for start in starts}
    _align_period(grain)
    period_key = _choose(
        "period",
        t("filters.period"),
        {key: _period_label(Period(grain, start), today) for key, start in by_key.items()},
        "help.period",
        default=f"{default_start(starts, grain, today, min_elapsed()):%Y-%m}",
    )
    teams = dimensions.teams(reader)
    team = _choose_one("team", dict(zip(teams["team_id"], teams["team_name"], strict=True)))
    reps = dimensions.reps(reader)
    if team:
        reps = reps[reps["team_id"] == team]
    rep = _choose_one("rep", dict(zip(reps["rep_id"], reps["full_name"], strict=True)))
    pipelines = dimensions.pipelines(reader)
    pipeline = _choose_one(
        "pipeline",
        dict(zip(pipelines["pipeline_id"], pipelines["pipeline_label"], strict=True)),
    )
    source = _choose_one(
        "source",
        {source: value_label("lead_source", source) for source in dimensions.lead_sources(reader)},
    )
    st.query_params.from_dict(
        {
            key: value
            for key, value in {
                "lang": st.session_state["saved_lang"],
                "grain": grain,
                "period": period_key,
                "team": team,
                "rep": rep,
                "pipeline": pipeline,
                "source": source,
            }.items()
            if value
        }
    )
    return Filters(
        period=Period(grain, by_key[period_key]),
        team_id=team or None,
        rep_id=rep or None,
        pipeline_id=pipeline or None,
        lead_source=source or None,
    )
