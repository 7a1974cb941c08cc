select
    model_version,
    label_set,
    split,
    label,
    "precision",
    recall,
    f1,
    support
from ml_per_class_metrics
order by model_version, split, f1
