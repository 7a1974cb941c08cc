{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Distribution and daily trend of predicted intents on unlabelled traffic (customer
  messages of TWCS and synthetic conversations), with mean confidence and the share of
  low-confidence ("missed") messages (confidence < var missed_confidence_threshold, 0.5).
#}
with predictions as (
  select * from {{ ref('mart_turn_predictions') }}
)

select
  cast(source as {{ dbt.type_string() }}) as source,
  cast(label_set as {{ dbt.type_string() }}) as label_set,
  cast(label as {{ dbt.type_string() }}) as intent,
  cast(activity_date as date) as activity_date,
  cast(count(*) as bigint) as message_count,
  cast(
    count(*) * 1.0 / sum(count(*)) over (partition by source, label_set, activity_date) as double
  ) as share_of_day,
  cast(avg(confidence) as double) as mean_confidence,
  cast(
    avg(case when confidence < {{ var('missed_confidence_threshold', 0.5) }} then 1 else 0 end)
    as double
  ) as missed_share
from predictions
group by source, label_set, label, activity_date
