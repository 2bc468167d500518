"""Incentives: the commission plans load, the monthly payout assets and the period-close job."""
