{#
  Every label with at least 10 examples in a label set without official test rows has
  each split within one example of its configured share.
#}
{%- set ratios = var('split_ratios') %}
with per_label as (
  select
    label_set,
    label,
    count(*) as n,
    sum(case when split = 'train' then 1 else 0 end) as train_n,
    sum(case when split = 'validation' then 1 else 0 end) as validation_n,
    sum(case when split = 'test' then 1 else 0 end) as test_n
  from {{ ref('int_training_examples__split') }}
  group by label_set, label
),

official_test_sets as (
  select distinct intent_label_set as label_set
  from {{ ref('int_labelled_utterances') }}
  where source_split = 'test'
)

select per_label.*
from per_label
where per_label.n >= 10
  and per_label.label_set not in (select label_set from official_test_sets)
  and (
    abs(train_n - n * {{ ratios['train'] }}) > 1
    or abs(validation_n - n * {{ ratios['validation'] }}) > 1
    or abs(test_n - n * {{ ratios['test'] }}) > 1
  )
