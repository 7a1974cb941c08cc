select
  cast(example_id as {{ dbt.type_string() }}) as example_id,
  cast(source as {{ dbt.type_string() }}) as source,
  cast(label_set as {{ dbt.type_string() }}) as label_set,
  cast(text as {{ dbt.type_string() }}) as text,
  cast(label as {{ dbt.type_string() }}) as label,
  cast(split as {{ dbt.type_string() }}) as split
from {{ ref('int_training_examples__split') }}
