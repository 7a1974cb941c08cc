"""SupportLens HTTP API (Litestar): `api.app.create_app(settings)`; `supportlens serve`."""
