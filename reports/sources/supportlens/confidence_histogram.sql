-- Confidence distribution of active-model predictions, in bins.
select
    label_set,
    round(confidence_from, 2) as bin_lower,
    sum(message_count) as predictions
from mart_confidence_histogram
group by all
order by label_set, bin_lower
