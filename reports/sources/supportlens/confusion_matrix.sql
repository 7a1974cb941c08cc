select
    model_version,
    label_set,
    split,
    true_label,
    predicted_label,
    n
from ml_confusion_matrix
order by model_version, split, true_label, predicted_label
