-- Step-to-next-step transitions for the Sankey. The mart's step graph has cycles (agent →
-- customer → agent …) and a Sankey must be acyclic, so the diagram shows two layers: each
-- step on the left, the step that follows it on the right ("→ step").
with step_volume as (
    select
        source,
        from_step,
        sum(edge_count) as step_edges
    from mart_conversation_flows
    group by all
),

ranked_steps as (
    select
        source,
        from_step,
        row_number() over (partition by source order by step_edges desc, from_step) - 1
            as step_index
    from step_volume
)

select
    flows.source,
    coalesce(flows.service, 'all') as service,
    ranked_steps.step_index,
    flows.from_step as from_node,
    '→ ' || flows.to_step as to_node,
    flows.from_step,
    flows.to_step,
    flows.edge_count as n_conversations,
    flows.share_of_from_step as share,
    flows.from_step_drop_off_rate as dropoff_rate
from mart_conversation_flows as flows
inner join ranked_steps using (source, from_step)
order by flows.source, ranked_steps.step_index, n_conversations desc
