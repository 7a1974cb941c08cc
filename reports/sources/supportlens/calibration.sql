-- Reliability diagram: mean confidence against accuracy per confidence bin.
select
    model_version,
    label_set,
    split,
    bin_index,
    bin_lower,
    bin_upper,
    n,
    mean_confidence,
    accuracy
from ml_calibration
order by model_version, split, bin_index
