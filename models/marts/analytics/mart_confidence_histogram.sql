{{ config(tags=['uses_predictions', 'analytics']) }}
{# Confidence of the active model's predictions in ten bins of 0.1, per source and label set. #}
with predictions as (
  select * from {{ ref('mart_turn_predictions') }}
),

binned as (
  select source, label_set, least(floor(confidence * 10), 9) as bin from predictions
)

select
  cast(source as {{ dbt.type_string() }}) as source,
  cast(label_set as {{ dbt.type_string() }}) as label_set,
  cast(bin / 10.0 as double) as confidence_from,
  cast((bin + 1) / 10.0 as double) as confidence_to,
  cast(count(*) as bigint) as message_count,
  cast(count(*) * 1.0 / sum(count(*)) over (partition by source, label_set) as double)
    as share
from binned
group by source, label_set, bin
