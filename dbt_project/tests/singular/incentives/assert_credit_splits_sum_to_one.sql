-- A shared deal's credit shares sum to exactly 100% (the loader checks it; so does the warehouse).
select
    deal_id,
    sum(credit_share) as total_share
from {{ ref('stg_plans__credit_splits') }}
group by deal_id
having sum(credit_share) != 1
