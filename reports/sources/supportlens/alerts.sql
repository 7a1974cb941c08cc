-- Alert checks as dbt evaluates them (models/marts/ops/mart_alerts.sql); thresholds live in
-- seeds/alert_rules.csv, not here. One row per rule and scope, breached or not.
select
    rule,
    scope,
    severity,
    value,
    baseline_value,
    threshold,
    is_breached,
    description,
    data_window_end,
    cast(evaluated_at as timestamp) as evaluated_at
from mart_alerts
order by is_breached desc, severity, rule, scope
