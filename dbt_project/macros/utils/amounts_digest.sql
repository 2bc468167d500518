{#-
    The digest of a group's amounts per key, linear in the amounts: the sum over the rows of
    amount x a 64-bit hash of the row's key, twice with independent seeds, joined as text. As it
    is a sum, several rows of one key digest as one row with their total: a group holding a key's
    amount as one line and one holding it as a line plus later adjustments digest the same, so two
    groups can be compared key by key without grouping either by key (no sort of millions of
    rows). Two groups whose amounts differ for some keys still give the same digest only if, for
    both seeds, the differences weighted by the keys' hashes sum to exactly zero (about one chance
    in 2^128 for PostgreSQL's 64-bit hashes, summed as exact numeric).

    On Spark the hash is taken modulo the prime 2^31 - 1 so that the exact decimal sum stays
    within decimal(38) (31 bits x an amount of 18 digits x 10 million rows is 35 digits): about
    one chance in 2^62. `xxhash64(seed, ...)` hashes the seed with the key, as `rows_digest` does.
-#}
{% macro amounts_digest(key_expression, amount) -%}
    {{ return(adapter.dispatch('amounts_digest')(key_expression, amount)) }}
{%- endmacro %}

{% macro default__amounts_digest(key_expression, amount) -%}
    cast(sum(cast(hashtextextended({{ key_expression }}, 0) as numeric) * {{ amount }}) as text)
    || ':'
    || cast(sum(cast(hashtextextended({{ key_expression }}, 1) as numeric) * {{ amount }}) as text)
{%- endmacro %}

{% macro spark__amounts_digest(key_expression, amount) -%}
    concat(
        cast(sum(cast(pmod(xxhash64(0, {{ key_expression }}), 2147483647) as decimal(10, 0))
            * {{ amount }}) as string),
        ':',
        cast(sum(cast(pmod(xxhash64(1, {{ key_expression }}), 2147483647) as decimal(10, 0))
            * {{ amount }}) as string)
    )
{%- endmacro %}
