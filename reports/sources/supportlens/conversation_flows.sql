-- Step-to-step flows for the Sankey. Node names carry the step number so that a flow
-- that returns to an earlier step cannot form a cycle (a Sankey must be acyclic).
select
    source,
    coalesce(service, 'all') as service,
    step_index,
    (step_index + 1) || '. ' || from_step as from_node,
    case
        when to_step = '(end)' then 'end after ' || (step_index + 1)
        else (step_index + 2) || '. ' || to_step
    end as to_node,
    from_step,
    to_step,
    n_conversations,
    share,
    dropoff_rate
from mart_conversation_flows
where step_index < 6
order by source, step_index, n_conversations desc
