-- The one rounding rule: every line amount is basis x rate rounded half away from zero to the cent.
select *
from {{ ref('fct_commission_lines') }}
where amount != round(basis_amount * rate, 2)
