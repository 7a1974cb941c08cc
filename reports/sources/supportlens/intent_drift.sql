-- Daily intent drift per label set and source.
select
    cast(activity_date as date) as day,
    label_set || ' / ' || source as label_set,
    psi,
    js_distance,
    psi_threshold as threshold,
    drifted as is_drift
from mart_intent_drift
where activity_date is not null
order by day, label_set
