-- Evaluation metrics per model version and split, with the model's registry facts.
select
    models.model_version,
    models.label_set,
    models.model_type,
    coalesce(nullif(models.base_model, ''), '-') as base_model,
    cast(models.created_at as timestamp) as created_at,
    models.is_active,
    models.train_rows,
    metrics.split,
    metrics.metric,
    metrics.value
from ml_model_metrics as metrics
inner join ml_models as models using (model_version, label_set)
order by models.label_set, models.created_at, metrics.split, metrics.metric
