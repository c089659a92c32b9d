"""Sync between a commune office and its upper level (the hub), DESIGN.md section 3.

- ``keys``: each installation's Ed25519 and X25519 keys, fingerprints, signed public files.
- ``schema``: which tables travel (every ``Synced`` model) and how a row is serialised.
- ``records``: the body of a bundle (JSON lines grouped by table).
- ``exporter``: from change-log entries to a body; ``importer``: a body into the database.
- ``bundle``: the one-file container (signed manifest, encrypted parts).
- ``ack``: the hub's signed acknowledgement; ``transport``: folder and WebDAV.

No Qt here and no services: the services (``services/sync*.py``) own the transactions.
"""
