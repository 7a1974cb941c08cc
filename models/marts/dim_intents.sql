{#
  Every intent across sources. Catalogued intents come from the seeds (BANKING77 groups,
  Bitext categories) and the SGD schema (category = service domain, description from the
  schema). Gold intents seen in the data but in no catalogue (e.g. the synthetic data's
  planted intent) are kept with category 'uncatalogued' so that every gold label resolves.
#}
with banking77 as (
  select
    'banking77' as label_set,
    intent,
    category,
    description,
    cast(null as {{ type_array(dbt.type_string()) }}) as services,
    cast(null as boolean) as is_transactional
  from {{ ref('banking77_intent_catalogue') }}
),

bitext_observed_categories as (
  select intent, min(category) as category
  from {{ ref('stg_bitext__utterances') }}
  group by intent
),

bitext as (
  select
    'bitext' as label_set,
    catalogue.intent,
    coalesce(observed.category, catalogue.category) as category,
    catalogue.description,
    cast(null as {{ type_array(dbt.type_string()) }}) as services,
    cast(null as boolean) as is_transactional
  from {{ ref('bitext_intent_catalogue') }} as catalogue
  left join bitext_observed_categories as observed on observed.intent = catalogue.intent
),

sgd as (
  select
    'sgd' as label_set,
    intent_name as intent,
    min(split_part(service_name, '_', 1)) as category,
    min(description) as description,
    array_sort(array_distinct(array_agg(service_name))) as services,
    bool_or(is_transactional) as is_transactional
  from {{ ref('stg_sgd__schema_intents') }}
  group by intent_name
),

catalogued as (
  select *, true as in_catalogue from banking77
  union all
  select *, true as in_catalogue from bitext
  union all
  select *, true as in_catalogue from sgd
),

observed as (
  select distinct intent_label_set as label_set, gold_intent as intent
  from {{ ref('int_turns__unioned') }}
  where gold_intent is not null
  union
  select distinct intent_label_set as label_set, gold_intent as intent
  from {{ ref('int_conversations__attributes') }}
  where gold_intent is not null
  union
  select distinct label_set, label as intent
  from {{ ref('int_training_examples__split') }}
),

uncatalogued as (
  select
    observed.label_set,
    observed.intent,
    'uncatalogued' as category,
    cast(null as {{ dbt.type_string() }}) as description,
    cast(null as {{ type_array(dbt.type_string()) }}) as services,
    cast(null as boolean) as is_transactional,
    false as in_catalogue
  from observed
  left join catalogued
    on catalogued.label_set = observed.label_set and catalogued.intent = observed.intent
  where catalogued.intent is null
),

all_intents as (
  select * from catalogued
  union all
  select * from uncatalogued
),

example_counts as (
  select label_set, label as intent, count(*) as training_example_count
  from {{ ref('int_training_examples__split') }}
  group by label_set, label
)

select
  cast(all_intents.label_set || ':' || all_intents.intent as {{ dbt.type_string() }}) as intent_id,
  cast(all_intents.label_set as {{ dbt.type_string() }}) as label_set,
  cast(all_intents.intent as {{ dbt.type_string() }}) as intent,
  cast(all_intents.category as {{ dbt.type_string() }}) as category,
  cast(all_intents.description as {{ dbt.type_string() }}) as description,
  cast(all_intents.services as {{ type_array(dbt.type_string()) }}) as services,
  cast(all_intents.is_transactional as boolean) as is_transactional,
  cast(all_intents.in_catalogue as boolean) as in_catalogue,
  cast(coalesce(example_counts.training_example_count, 0) as bigint) as training_example_count
from all_intents
left join example_counts
  on example_counts.label_set = all_intents.label_set
  and example_counts.intent = all_intents.intent
