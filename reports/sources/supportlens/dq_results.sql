-- Expectation results with their run's time and whether the run is its suite's latest.
with runs as (
    select
        run_id,
        stage,
        started_at,
        row_number() over (partition by suite order by started_at desc) = 1 as is_latest
    from dq_validation_runs
)

select
    results.run_id,
    runs.stage,
    results.suite as suite_name,
    cast(runs.started_at as timestamp) as started_at,
    cast(runs.started_at as date) as day,
    runs.is_latest,
    results.expectation_type,
    coalesce(results.column_name, '(table)') as column_name,
    results.severity,
    results.success,
    results.observed_value
from dq_expectation_results as results
inner join runs using (run_id)
order by runs.started_at desc, results.suite
