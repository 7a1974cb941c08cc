with turns as (
  select
    *,
    -- Computed as a column so the join below is an equi-join on two columns: DuckDB
    -- plans a join on an expression with a filter as a nested loop (3 M x 0.5 M rows).
    case when speaker = 'customer' then {{ dbt.hash('text') }} end as customer_text_hash
  from {{ ref('int_turns__unioned') }}
),

text_sentiment as (
  select * from {{ ref('int_turns__sentiment') }}
),

turns_with_sentiment as (
  select turns.*, text_sentiment.sentiment_score, text_sentiment.sentiment_label
  from turns
  left join text_sentiment on text_sentiment.text_hash = turns.customer_text_hash
)

select
  cast(turn_id as {{ dbt.type_string() }}) as turn_id,
  cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(source as {{ dbt.type_string() }}) as source,
  cast(turn_index as integer) as turn_index,
  cast(speaker as {{ dbt.type_string() }}) as speaker,
  cast(author_id as {{ dbt.type_string() }}) as author_id,
  cast(sent_at as {{ type_timestamptz() }}) as sent_at,
  cast(text as {{ dbt.type_string() }}) as text,
  cast(text_normalized as {{ dbt.type_string() }}) as text_normalized,
  cast(parent_turn_id as {{ dbt.type_string() }}) as parent_turn_id,
  cast(reply_delay_seconds as bigint) as reply_delay_seconds,
  cast(gold_intent as {{ dbt.type_string() }}) as gold_intent,
  cast(intent_label_set as {{ dbt.type_string() }}) as intent_label_set,
  cast(case when gold_intent is not null then intent_label_set || ':' || gold_intent end as {{ dbt.type_string() }})
    as intent_id,
  cast(gold_sentiment as {{ dbt.type_string() }}) as gold_sentiment,
  cast(acts as {{ type_array(dbt.type_string()) }}) as acts,
  cast(services as {{ type_array(dbt.type_string()) }}) as services,
  cast(sentiment_score as double) as sentiment_score,
  cast(sentiment_label as {{ dbt.type_string() }}) as sentiment_label
from turns_with_sentiment
