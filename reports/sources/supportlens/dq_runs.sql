-- Great Expectations runs; `is_latest` marks each suite's newest run.
select
    run_id,
    stage,
    suite as suite_name,
    cast(started_at as timestamp) as started_at,
    cast(started_at as date) as day,
    success,
    expectations as evaluated_expectations,
    expectations - coalesce(failed_errors, 0) - coalesce(failed_warnings, 0)
        as successful_expectations,
    100.0 * (expectations - coalesce(failed_errors, 0) - coalesce(failed_warnings, 0))
        / nullif(expectations, 0) as success_percent,
    row_number() over (partition by suite order by started_at desc) = 1 as is_latest
from dq_validation_runs
order by started_at desc
