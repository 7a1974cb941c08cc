{# What each source knows about a conversation as a whole (company, outcome, gold intent). #}
with labelled as (
  select
    conversation_id,
    source,
    utterance_id as source_conversation_id,
    cast(null as {{ dbt.type_string() }}) as channel,
    cast(null as {{ dbt.type_string() }}) as company,
    cast(null as {{ dbt.type_string() }}) as service,
    cast(null as {{ dbt.type_string() }}) as outcome,
    intent as gold_intent,
    intent_label_set
  from {{ ref('int_labelled_utterances') }}
)

select * from {{ ref('int_twcs__conversations') }}
union all
select * from {{ ref('int_sgd__conversations') }}
union all
select * from labelled
union all
select * from {{ ref('int_synthetic__conversations') }}
