"""Services behind the routes: models, warehouse reads, analytics, jobs, uploads."""
