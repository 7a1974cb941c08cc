-- How many turns resolved conversations took.
select
    source,
    least(turns_to_resolution, 20) as turns,
    count(*) as conversations
from mart_conversation_outcomes
where turns_to_resolution is not null
group by all
order by source, turns
