select
    cast(day as date) as day,
    label_set,
    psi,
    js_distance,
    threshold,
    is_drift
from mart_intent_drift
order by day, label_set
