"""Files finance and reps take away from the warehouse: the payroll file of a closed month, the
accrual journal of the open one, and a rep's statement (HTML, PDF or CSV, in zh or en).

Each reads the published incentive marts (`marts.fct_payout_payments`,
`marts.fct_commission_accruals`, `marts.fct_commission_lines`, `marts.fct_payouts`); the
figures are computed and tested in dbt, these modules only lay them out.
"""
