"""The finance folder's layout: one subfolder per kind of file, CSV or XLSX in each."""

KINDS = ("org", "targets", "marketing_spend", "fx_rates")
# org files hold the table their name starts with: `reps.csv`, `reps_south.csv`, anywhere in org/
ORG_TABLES = ("regions", "teams", "reps", "rep_assignments")
SCOPE_TYPES = ("company", "region", "team", "rep")
METRICS = ("revenue", "new_customers", "visits", "deals_won")
ROLES = ("rep", "manager")
WEIGHT_COLUMNS = tuple(f"w{month:02d}" for month in range(1, 13))
WEIGHT_TOLERANCE = "0.000001"
COMPANY_SCOPE_ID = "company"
