{#-
    How right each method was: the forecasts made at the start (the day before) and the middle
    (the 15th; of a quarter, the 15th of its second month) of every ended period, against the
    period's actual bookings. Per scope, period type, point and method, over every ended period:
    WAPE = sum |forecast - actual| / sum actual; bias = sum (forecast - actual) / sum actual
    (positive: the method forecast too high). Both are null while the actuals sum to zero.
    Because forecast days start with the first deal, the first build backtests all history.
-#}
with

forecasts as (
    select * from {{ ref('int_forecasts_scoped') }}
    where is_period_ended and forecast_point in ('start', 'mid')
),

methods as (
    select
        forecast_id,
        'crm_weighted' as forecast_method,
        crm_weighted_forecast_amount as forecast_amount
    from forecasts
    union all
    select
        forecast_id,
        'commit' as forecast_method,
        commit_forecast_amount as forecast_amount
    from forecasts
    union all
    select
        forecast_id,
        'best_case' as forecast_method,
        best_case_forecast_amount as forecast_amount
    from forecasts
    union all
    select
        forecast_id,
        'empirical' as forecast_method,
        empirical_forecast_amount as forecast_amount
    from forecasts
),

errors as (
    select
        forecasts.scope_type,
        forecasts.scope_id,
        forecasts.period_type,
        forecasts.period_start,
        forecasts.forecast_point,
        forecasts.forecast_date,
        methods.forecast_method,
        methods.forecast_amount,
        forecasts.actual_amount,
        methods.forecast_amount - forecasts.actual_amount as error_amount
    from forecasts
    inner join methods
        on forecasts.forecast_id = methods.forecast_id
),

summed as (
    select
        errors.*,
        sum(abs(errors.error_amount)) over method_history as absolute_error_sum,
        sum(errors.error_amount) over method_history as error_sum,
        sum(errors.actual_amount) over method_history as actual_sum,
        count(*) over method_history as period_count
    from errors
    window method_history as (
        partition by scope_type, scope_id, period_type, forecast_point, forecast_method
    )
),

final as (
    select
        {{ dbt.concat([
            'scope_type', "':'", 'scope_id', "':'", 'period_type', "':'",
            'cast(period_start as ' ~ dbt.type_string() ~ ')', "':'",
            'forecast_point', "':'", 'forecast_method',
        ]) }} as forecast_accuracy_id,
        scope_type,
        scope_id,
        period_type,
        period_start,
        forecast_point,
        forecast_date,
        forecast_method,
        forecast_amount,
        actual_amount,
        cast(error_amount as numeric(18, 2)) as error_amount,
        cast(round({{ safe_divide('absolute_error_sum', 'actual_sum') }}, 4) as numeric(12, 4))
            as wape,
        cast(round({{ safe_divide('error_sum', 'actual_sum') }}, 4) as numeric(12, 4)) as bias,
        cast(period_count as integer) as period_count
    from summed
)

select * from final
