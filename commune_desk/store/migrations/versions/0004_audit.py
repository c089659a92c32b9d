"""audit trail

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import commune_desk.store.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Append-only on SQLite: the application never updates or deletes an entry. (Someone with
# a database tool can drop these triggers; the hash chain is what detects that.)
_TRIGGERS = (
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       WHEN OLD.hash IS NOT NEW.hash OR OLD.prev_hash IS NOT NEW.prev_hash OR OLD.seq IS NOT NEW.seq
         OR OLD.details IS NOT NEW.details OR OLD.action IS NOT NEW.action OR OLD.actor IS NOT NEW.actor
         OR OLD.target IS NOT NEW.target OR OLD.at IS NOT NEW.at
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
)


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('installation', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('installation', 'seq', name='uq_audit_entry_installation_seq')
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_office_code'), ['office_code'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for sql in _TRIGGERS:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_office_code'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
