"""The marts' column descriptions, as dbt wrote them (`persist_docs`), for the app's help texts.

Reading them from the database keeps every metric's definition in the app identical to dbt docs.
"""

from __future__ import annotations

import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def column_descriptions(reader: Reader) -> dict[str, str]:
    """`table.column -> description` for every described mart column."""
    frame = reader.read(
        """
        select
            c.relname || '.' || a.attname as column_key,
            col_description(c.oid, a.attnum) as description
        from pg_catalog.pg_attribute as a
        inner join pg_catalog.pg_class as c on a.attrelid = c.oid
        where c.relnamespace = 'marts'::regnamespace
            and a.attnum > 0
            and not a.attisdropped
            and col_description(c.oid, a.attnum) is not null
        """
    )
    return dict(zip(frame["column_key"], frame["description"], strict=True))


def definition(reader: Reader, column_key: str) -> str | None:
    """The dbt description of `table.column`, or None when dbt has none."""
    return column_descriptions(reader).get(column_key)
