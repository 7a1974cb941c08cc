-- Every alert notification attempt (`supportlens alerts --deliver`).
select
    cast(event_at as timestamp) as event_at,
    cast(event_at as date) as day,
    run_id,
    rule,
    scope,
    severity,
    value,
    threshold,
    state,
    channel,
    attempt,
    status,
    error
from ops_alert_events
order by event_at desc
