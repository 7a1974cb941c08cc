"""SupportLens HTTP API (Litestar): `supportlens.api.app.create_app(settings)`;
`supportlens serve` runs it."""
