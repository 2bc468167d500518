"""Who a rep is today: the one definition of "current rep" every query on the marts joins to.

`dim_reps` keeps one row per assignment period and flags the one covering the data date
(`is_current`). A rep whose only rows start after the data date has no current row; they are
still shown, by their latest assignment, so no payout or line loses its rep's name.
"""

from __future__ import annotations

# A common table expression (`with` it, or append it after another with a comma): one row per
# rep with the name, role and team they have now.
CURRENT_REPS = """
    current_reps as (
        select distinct on (rep_id)
            rep_id, full_name, role, team_id, team_name, region_id, manager_rep_id
        from marts.dim_reps
        order by rep_id, is_current desc, valid_from desc
    )
"""
