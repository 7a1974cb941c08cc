{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Most-confused intent pairs (Rasa's `confused_with`) from the evaluation confusion matrix
  of each active model: off-diagonal counts, as a share of the true intent's examples,
  ranked within the model and split.
#}
with active_models as (
  select model_version, label_set from {{ source('ml', 'ml_models') }} where is_active
),

matrix as (
  select matrix.*
  from {{ source('ml', 'ml_confusion_matrix') }} as matrix
  inner join active_models
    on active_models.model_version = matrix.model_version
    and active_models.label_set = matrix.label_set
),

true_totals as (
  select model_version, split, true_label, sum(n) as true_count
  from matrix
  group by all
)

select
  cast(matrix.model_version as {{ dbt.type_string() }}) as model_version,
  cast(matrix.label_set as {{ dbt.type_string() }}) as label_set,
  cast(matrix.split as {{ dbt.type_string() }}) as split,
  cast(matrix.true_label as {{ dbt.type_string() }}) as true_intent,
  cast(matrix.predicted_label as {{ dbt.type_string() }}) as confused_with,
  cast(matrix.n as bigint) as confusion_count,
  cast(matrix.n * 1.0 / nullif(true_totals.true_count, 0) as double) as share_of_true_intent,
  cast(
    row_number() over (
      partition by matrix.model_version, matrix.split order by matrix.n desc, matrix.true_label,
        matrix.predicted_label
    ) as integer
  ) as confusion_rank
from matrix
inner join true_totals
  on true_totals.model_version = matrix.model_version
  and true_totals.split = matrix.split
  and true_totals.true_label = matrix.true_label
where matrix.true_label <> matrix.predicted_label and matrix.n > 0
