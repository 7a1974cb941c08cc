"""Operating SupportLens: run history, alert delivery, backup and restore, process metrics.

Everything here writes one small DuckDB file of its own (`[paths] ops_db`), never the
working warehouse, so recording a run can never contend with dbt or training for the
warehouse's single writer. dbt copies the file into the warehouse (models/marts/ops) so
the report and the alert rules can read it from the published snapshot.

- `store`    — the ops file: tables, short-lived connections, retry on a lock;
- `runs`     — the run/stage recorder the CLI dispatcher and `supportlens run` use;
- `alerts`   — evaluate `mart_alerts`, decide what to notify (new, repeat, resolved);
- `delivery` — the channels (log, webhook, SMTP e-mail) with timeouts and retries;
- `backup`   — verified backups, restore, retention;
- `metrics`  — Prometheus gauges for the API's `/metrics`.
"""
