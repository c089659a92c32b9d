"""dossier: the competent office of a dossier received elsewhere; reports' period index

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN and CREATE INDEX need no table rebuild on SQLite, so the search triggers
    # on dossier (store/search_index.TRIGGERS) stay as they are.
    op.add_column('dossier', sa.Column('competent_office_code', sa.String(length=8), nullable=True))
    op.create_index('ix_dossier_competent_office_code', 'dossier', ['competent_office_code'], unique=False)
    op.create_index('ix_dossier_finished_received', 'dossier', ['finished_at', 'received_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dossier_finished_received', table_name='dossier')
    op.drop_index('ix_dossier_competent_office_code', table_name='dossier')
    with op.batch_alter_table('dossier') as batch_op:
        batch_op.drop_column('competent_office_code')
