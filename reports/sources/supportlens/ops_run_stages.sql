-- Stages of each run (one per step of `supportlens run`), with their run's start time.
select
    stages.run_id,
    cast(runs.started_at as timestamp) as run_started_at,
    stages.stage_index,
    stages.stage,
    stages.status,
    epoch(stages.ended_at) - epoch(stages.started_at) as seconds,
    stages.cpu_seconds,
    stages.peak_rss_mib,
    stages.rows_out,
    stages.error
from ops_run_stages as stages
inner join ops_runs as runs using (run_id)
order by runs.started_at desc, stages.stage_index
