-- Great Expectations runs; `is_latest` marks each suite's newest run.
select
    run_id,
    stage,
    suite_name,
    cast(started_at as timestamp) as started_at,
    cast(started_at as date) as day,
    success,
    evaluated_expectations,
    successful_expectations,
    success_percent,
    row_number() over (partition by suite_name order by started_at desc) = 1 as is_latest
from dq_validation_runs
order by started_at desc
