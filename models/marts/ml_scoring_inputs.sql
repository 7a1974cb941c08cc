{#
  Customer turns the classifier should score: sources without usable gold intents.
  TWCS is scored against the Bitext label set (retail/e-commerce service vocabulary);
  synthetic conversations against BANKING77 (their ground truth uses BANKING77 names and
  is kept for evaluation only, never for training).
#}
with turns as (
  select * from {{ ref('fct_turns') }}
)

select
  cast(turn_id as {{ dbt.type_string() }}) as turn_id,
  cast(source as {{ dbt.type_string() }}) as source,
  cast(case source when 'twcs' then 'bitext' when 'synthetic' then 'banking77' end as {{ dbt.type_string() }})
    as label_set,
  cast(text_normalized as {{ dbt.type_string() }}) as text
from turns
where speaker = 'customer'
  and source in ('twcs', 'synthetic')
  and text_normalized is not null
  and text_normalized <> ''
