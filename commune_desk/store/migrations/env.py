"""Alembic environment. The application passes its connection in
``config.attributes["connection"]``; there is no alembic.ini."""

from alembic import context

from commune_desk.store.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ARG001
    # FTS5 virtual tables and their shadow tables are made by hand in migrations
    if type_ == "table" and name and (name.endswith("_fts") or "_fts_" in name):
        return False
    return True


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
