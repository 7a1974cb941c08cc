"""Data quality with Great Expectations: suites as code, checkpoints, warehouse results.

Modules: `spec`/`checks` (vocabulary), `landing_suites`/`mart_suites` (the suites),
`project` (the GX file context under gx/), `data` (frames from DuckDB), `parameters`
(run-time values), `runner` (validation), `results` (dq_* tables), `scores`
(completeness/consistency per source and load), `docs_assets` (offline Data Docs),
`command` (`supportlens quality`).
"""
