"""Landing machinery shared by every loader: discovery, lineage, quarantine, manifest.

Loaders (in `supportlens.ingest.loaders`) only parse and validate; everything they have in common —
where files go, the lineage columns, the quarantine table, atomic writes and the
manifest — lives here, once.
"""
