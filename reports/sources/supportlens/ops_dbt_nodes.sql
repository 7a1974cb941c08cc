-- dbt's per-node results of every recorded dbt invocation (run_results.json).
select
    nodes.run_id,
    cast(runs.started_at as timestamp) as run_started_at,
    nodes.unique_id,
    split_part(nodes.unique_id, '.', 3) as node,
    nodes.resource_type,
    nodes.status,
    nodes.execution_seconds,
    nodes.rows_affected
from ops_dbt_nodes as nodes
inner join ops_runs as runs using (run_id)
order by runs.started_at desc, nodes.execution_seconds desc
