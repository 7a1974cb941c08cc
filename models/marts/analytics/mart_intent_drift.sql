{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Intent-distribution drift per source and day: the training label distribution of the
  label set (ml_training_examples, split train) against the day's predicted intents.
    PSI = sum over intents (p_day - p_train) * ln(p_day / p_train)
    JS  = Jensen-Shannon distance (base 2, in [0, 1]) = sqrt(JSD)
  Probabilities are smoothed with epsilon 1e-4 so unseen intents stay finite.
  drifted = psi > var intent_drift_psi_threshold (0.2, the usual "significant shift").
#}
{%- set epsilon = 0.0001 -%}
with training as (
  select label_set, label as intent, count(*) as n
  from {{ ref('ml_training_examples') }}
  where split = 'train'
  group by all
),

traffic as (
  select source, label_set, activity_date, label as intent, count(*) as n
  from {{ ref('mart_turn_predictions') }}
  where activity_date is not null
  group by all
),

days as (
  select distinct source, label_set, activity_date from traffic
),

grid as (
  -- every training intent (and every predicted one) on every day
  select days.source, days.label_set, days.activity_date, intents.intent
  from days
  inner join (
    select label_set, intent from training
    union
    select label_set, intent from traffic
  ) as intents on intents.label_set = days.label_set
),

probabilities as (
  select
    grid.source,
    grid.label_set,
    grid.activity_date,
    grid.intent,
    (coalesce(training.n, 0) + {{ epsilon }})
      / sum(coalesce(training.n, 0) + {{ epsilon }})
        over (partition by grid.source, grid.label_set, grid.activity_date) as p_train,
    (coalesce(traffic.n, 0) + {{ epsilon }})
      / sum(coalesce(traffic.n, 0) + {{ epsilon }})
        over (partition by grid.source, grid.label_set, grid.activity_date) as p_day,
    coalesce(traffic.n, 0) as day_count
  from grid
  left join training on training.label_set = grid.label_set and training.intent = grid.intent
  left join traffic
    on traffic.source = grid.source
    and traffic.label_set = grid.label_set
    and traffic.activity_date = grid.activity_date
    and traffic.intent = grid.intent
),

divergences as (
  select
    source,
    label_set,
    activity_date,
    sum(day_count) as message_count,
    sum((p_day - p_train) * ln(p_day / p_train)) as psi,
    sum(
      0.5 * p_day * log2(p_day / (0.5 * (p_day + p_train)))
      + 0.5 * p_train * log2(p_train / (0.5 * (p_day + p_train)))
    ) as js_divergence,
    max_by(intent, p_day - p_train) as most_over_represented_intent
  from probabilities
  group by all
)

select
  cast(source as {{ dbt.type_string() }}) as source,
  cast(label_set as {{ dbt.type_string() }}) as label_set,
  cast(activity_date as date) as activity_date,
  cast(message_count as bigint) as message_count,
  cast(psi as double) as psi,
  cast(sqrt(greatest(js_divergence, 0)) as double) as js_distance,
  cast(most_over_represented_intent as {{ dbt.type_string() }}) as most_over_represented_intent,
  cast({{ var('intent_drift_psi_threshold', 0.2) }} as double) as psi_threshold,
  cast(psi > {{ var('intent_drift_psi_threshold', 0.2) }} as boolean) as drifted
from divergences
