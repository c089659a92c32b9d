"""Storage: SQLAlchemy models, the engine, Alembic migrations and backups. No widgets here."""
