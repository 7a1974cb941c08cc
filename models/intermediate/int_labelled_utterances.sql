{#
  BANKING77 and Bitext rows as single-turn conversations: one customer message with its
  gold intent. Ids are prefixed by source so they never collide.
#}
with banking77 as (
  select
    'banking77' as source,
    utterance_id,
    source_split,
    text,
    text_normalized,
    intent,
    cast(null as {{ dbt.type_string() }}) as category
  from {{ ref('stg_banking77__utterances') }}
),

bitext as (
  select
    'bitext' as source,
    utterance_id,
    cast(null as {{ dbt.type_string() }}) as source_split,
    text,
    text_normalized,
    intent,
    category
  from {{ ref('stg_bitext__utterances') }}
),

unioned as (
  select * from banking77
  union all
  select * from bitext
)

select
  source || ':' || utterance_id as conversation_id,
  source || ':' || utterance_id || ':0' as turn_id,
  source,
  utterance_id,
  source_split,
  text,
  text_normalized,
  intent,
  category,
  source as intent_label_set
from unioned
