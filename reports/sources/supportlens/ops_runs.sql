-- Recorded runs of `supportlens` commands (run history, supportlens/ops/runs.py).
select
    run_id,
    command,
    args,
    status,
    cast(started_at as timestamp) as started_at,
    cast(started_at as date) as day,
    epoch(ended_at) - epoch(started_at) as seconds,
    cpu_seconds,
    peak_rss_mib,
    rows_out,
    error,
    version,
    git_sha
from ops_runs
order by started_at desc
