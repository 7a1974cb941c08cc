select
  cast(example_id as varchar) as example_id,
  cast(source as varchar) as source,
  cast(label_set as varchar) as label_set,
  cast(text as varchar) as text,
  cast(label as varchar) as label,
  cast(split as varchar) as split
from {{ ref('int_training_examples__split') }}
