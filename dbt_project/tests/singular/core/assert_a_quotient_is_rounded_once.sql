{#
    A rate or an average is rounded once, on every engine (macros/utils/safe_divide.sql): a sum
    (decimal(38, 2) on Spark) divided by another, 123449.51 / 1000000.00 = 0.12344951, is 0.1234
    to 4 decimals, and 123449.449996 / 10 = 12344.9449996 is 12344.94 to the cent. Spark keeps 6
    decimals of such a quotient unless told otherwise and gave 0.1235 and 12344.95 (0.123450 and
    12344.945000, then rounded again); PostgreSQL gives 0.1234 and 12344.94. The row is returned
    when either is wrong, with what the engine computed.
#}
with

data_date as (
    select * from {{ ref('int_data_date') }}
),

cases as (
    select
        cast(0.1234 as numeric(12, 4)) as expected_rate,
        cast(
            round(
                {{ safe_divide(
                    'cast(123449.51 as numeric(38, 2))', 'cast(1000000.00 as numeric(38, 2))'
                ) }},
                4
            ) as numeric(12, 4)
        ) as rounded_rate,
        cast(12344.94 as numeric(18, 2)) as expected_average,
        cast(
            round(
                {{ safe_divide('cast(123449.449996 as numeric(38, 6))', '10') }}, 2
            ) as numeric(18, 2)
        ) as rounded_average
    from data_date
)

select *
from cases
where rounded_rate <> expected_rate or rounded_average <> expected_average
