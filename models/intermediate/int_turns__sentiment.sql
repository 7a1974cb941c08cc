{{ config(materialized='incremental') }}
{#
  VADER sentiment of every distinct customer message text, scored once.

  Sentiment is the costliest column in the warehouse (VADER is pure Python, ~0.3 ms a
  text), so it is keyed by a hash of the exact text: repeated messages are scored once,
  and as an incremental model a rebuild only scores texts it has not seen (`dbt build
  --full-refresh` rescores everything, e.g. after a VADER upgrade). The raw text is
  scored, not the normalised one: VADER reads capitals, "!!!" and emoji.
  Agent replies are not scored: the product question is customer mood, and agent
  templates ("Sorry to hear that! DM us") would only measure politeness boilerplate.
  Without the python_udfs plugin the model is empty and fct_turns' columns are NULL.
#}
{%- set has_sentiment = udf_available('sentiment_label') -%}
{%- if execute and not has_sentiment -%}
  {{ log("int_turns__sentiment: sentiment UDFs not registered (enable supportlens.python_udfs.plugin in profiles.yml); sentiment columns are NULL", info=true) }}
{%- endif %}
with customer_texts as (
  select distinct text
  from {{ ref('int_turns__unioned') }}
  where speaker = 'customer' and text is not null
),

hashed as (
  select {{ dbt.hash('text') }} as text_hash, text
  from customer_texts
),

unscored as (
  select hashed.text_hash, hashed.text
  from hashed
  {% if is_incremental() -%}
  where not exists (
    select 1 from {{ this }} as scored where scored.text_hash = hashed.text_hash
  )
  {%- endif %}
)

select
  cast(text_hash as {{ dbt.type_string() }}) as text_hash,
  {% if has_sentiment -%}
  cast(sentiment(text) as double) as sentiment_score,
  cast(sentiment_label(text) as {{ dbt.type_string() }}) as sentiment_label
  {%- else -%}
  cast(null as double) as sentiment_score,
  cast(null as {{ dbt.type_string() }}) as sentiment_label
  {%- endif %}
from unscored
{% if not has_sentiment -%}
where false
{%- endif %}
