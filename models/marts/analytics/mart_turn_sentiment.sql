{{ config(tags=['analytics']) }}
{#
  Sentiment of every customer message in conversational sources (TWCS, synthetic, SGD),
  scored in SQL with the python_udfs functions `sentiment(text)` (VADER compound in
  [-1, 1]) and `sentiment_label(text)` (>= 0.05 positive, <= -0.05 negative). The UDFs
  come from the dbt-duckdb plugin `python_udfs.plugin` (profiles.yml); when a run has no
  plugin the columns are NULL rather than the build failing.
#}
{%- set has_sentiment = false -%}
{%- if execute -%}
  {%- set probe = run_query(
    "select count(*) from duckdb_functions() where function_name = 'sentiment_label'"
  ) -%}
  {%- set has_sentiment = probe.columns[0].values()[0] > 0 -%}
  {%- if not has_sentiment -%}
    {{ log("mart_turn_sentiment: sentiment UDFs not registered (enable python_udfs.plugin in profiles.yml); sentiment columns are NULL", info=true) }}
  {%- endif -%}
{%- endif %}
with turns as (
  select turn_id, conversation_id, source, turn_index, sent_at, text
  from {{ ref('fct_turns') }}
  where speaker = 'customer' and source in ('twcs', 'synthetic', 'sgd')
),

conversations as (
  select conversation_id, company, service from {{ ref('fct_conversations') }}
),

ordered as (
  select
    turns.*,
    row_number() over (partition by turns.conversation_id order by turns.turn_index)
      as customer_turn_number,
    count(*) over (partition by turns.conversation_id) as customer_turn_count
  from turns
)

select
  cast(ordered.turn_id as varchar) as turn_id,
  cast(ordered.conversation_id as varchar) as conversation_id,
  cast(ordered.source as varchar) as source,
  cast(coalesce(conversations.company, conversations.service) as varchar) as company,
  cast(ordered.turn_index as integer) as turn_index,
  cast(ordered.customer_turn_number as integer) as customer_turn_number,
  cast(ordered.customer_turn_number = 1 as boolean) as is_first_customer_turn,
  cast(ordered.customer_turn_number = ordered.customer_turn_count as boolean)
    as is_last_customer_turn,
  cast(ordered.sent_at as date) as activity_date,
  {% if has_sentiment -%}
  cast(sentiment(ordered.text) as double) as sentiment_score,
  cast(sentiment_label(ordered.text) as varchar) as sentiment_label
  {%- else -%}
  cast(null as double) as sentiment_score,
  cast(null as varchar) as sentiment_label
  {%- endif %}
from ordered
left join conversations on conversations.conversation_id = ordered.conversation_id
