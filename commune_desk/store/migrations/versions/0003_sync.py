"""sync: keys, enrolled offices, bundles, import summaries, conflicts

Revision ID: 0003
Revises: 0002

Written by hand to match commune_desk/store/models/sync.py (none of these tables travel).
"""
from alembic import op
import sqlalchemy as sa
import commune_desk.store.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

UTC = commune_desk.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'sync_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('installation_id', sa.Uuid(), nullable=False),
        sa.Column('sign_private', sa.LargeBinary(), nullable=False),
        sa.Column('sign_public', sa.LargeBinary(), nullable=False),
        sa.Column('box_private', sa.LargeBinary(), nullable=False),
        sa.Column('box_public', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_identity')),
    )
    op.create_table(
        'sync_peer',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('office_code', sa.String(length=16), nullable=False),
        sa.Column('office_name', sa.String(length=200), nullable=False),
        sa.Column('installation_id', sa.Uuid(), nullable=False),
        sa.Column('sign_public', sa.LargeBinary(), nullable=False),
        sa.Column('box_public', sa.LargeBinary(), nullable=False),
        sa.Column('fingerprint', sa.String(length=40), nullable=False),
        sa.Column('webdav_url', sa.String(length=500), nullable=True),
        sa.Column('enrolled_at', UTC(), nullable=False),
        sa.Column('enrolled_by', sa.String(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('last_seq_in', sa.Integer(), nullable=False),
        sa.Column('last_hash_in', sa.String(length=64), nullable=True),
        sa.Column('last_bundle_at', UTC(), nullable=True),
        sa.Column('alarm', sa.Text(), nullable=True),
        sa.Column('down_change_seq', sa.Integer(), nullable=False),
        sa.Column('down_relay_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_peer')),
        sa.UniqueConstraint('installation_id', name=op.f('uq_sync_peer_installation_id')),
    )
    with op.batch_alter_table('sync_peer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_peer_office_code'), ['office_code'], unique=False)

    op.create_table(
        'sync_outgoing',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('bundle_hash', sa.String(length=64), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('part_count', sa.Integer(), nullable=False),
        sa.Column('change_count', sa.Integer(), nullable=False),
        sa.Column('record_count', sa.Integer(), nullable=False),
        sa.Column('first_change_seq', sa.Integer(), nullable=True),
        sa.Column('last_change_seq', sa.Integer(), nullable=True),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('sent_at', UTC(), nullable=True),
        sa.Column('sent_via', sa.String(length=16), nullable=True),
        sa.Column('sent_to', sa.String(length=500), nullable=True),
        sa.Column('acked_at', UTC(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['peer_id'], ['sync_peer.id'], name=op.f('fk_sync_outgoing_peer_id_sync_peer')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_outgoing')),
        sa.UniqueConstraint('peer_id', 'seq', name='uq_sync_outgoing_peer_seq'),
    )
    with op.batch_alter_table('sync_outgoing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_outgoing_peer_id'), ['peer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_outgoing_status'), ['status'], unique=False)

    op.create_table(
        'sync_upload',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('outgoing_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=500), nullable=False),
        sa.Column('part', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', UTC(), nullable=False),
        sa.ForeignKeyConstraint(['outgoing_id'], ['sync_outgoing.id'],
                                name=op.f('fk_sync_upload_outgoing_id_sync_outgoing')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_upload')),
        sa.UniqueConstraint('outgoing_id', 'target', 'part', name='uq_sync_upload_part'),
    )
    with op.batch_alter_table('sync_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_upload_outgoing_id'), ['outgoing_id'], unique=False)

    op.create_table(
        'sync_incoming',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('bundle_hash', sa.String(length=64), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('file_name', sa.String(length=300), nullable=True),
        sa.Column('created_at', UTC(), nullable=True),
        sa.Column('received_at', UTC(), nullable=False),
        sa.Column('applied_at', UTC(), nullable=True),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['sync_peer.id'], name=op.f('fk_sync_incoming_peer_id_sync_peer')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_incoming')),
    )
    with op.batch_alter_table('sync_incoming', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_incoming_bundle_hash'), ['bundle_hash'], unique=False)
        batch_op.create_index('ix_sync_incoming_peer_seq', ['peer_id', 'seq'], unique=False)

    op.create_table(
        'sync_held',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('incoming_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['incoming_id'], ['sync_incoming.id'],
                                name=op.f('fk_sync_held_incoming_id_sync_incoming')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_held')),
        sa.UniqueConstraint('incoming_id', name=op.f('uq_sync_held_incoming_id')),
    )
    op.create_table(
        'sync_conflict',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=True),
        sa.Column('incoming_id', sa.Integer(), nullable=True),
        sa.Column('entity', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('local_row', sa.JSON(), nullable=True),
        sa.Column('incoming_row', sa.JSON(), nullable=True),
        sa.Column('detected_at', UTC(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('resolution', sa.String(length=24), nullable=True),
        sa.Column('resolved_at', UTC(), nullable=True),
        sa.Column('resolved_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['incoming_id'], ['sync_incoming.id'],
                                name=op.f('fk_sync_conflict_incoming_id_sync_incoming')),
        sa.ForeignKeyConstraint(['peer_id'], ['sync_peer.id'], name=op.f('fk_sync_conflict_peer_id_sync_peer')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict')),
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflict_peer_id'), ['peer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_conflict_status'), ['status'], unique=False)

    op.create_table(
        'sync_alias',
        sa.Column('entity', sa.String(length=64), nullable=False),
        sa.Column('foreign_id', sa.String(length=36), nullable=False),
        sa.Column('local_id', sa.String(length=36), nullable=False),
        sa.Column('applied_at', UTC(), nullable=False),
        sa.PrimaryKeyConstraint('entity', 'foreign_id', name=op.f('pk_sync_alias')),
    )
    op.create_table(
        'sync_relay',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('target_office', sa.String(length=16), nullable=False),
        sa.Column('entity', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_relay')),
    )
    with op.batch_alter_table('sync_relay', schema=None) as batch_op:
        batch_op.create_index('ix_sync_relay_target', ['target_office', 'id'], unique=False)

    op.create_table(
        'sync_transport',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=True),
        sa.Column('username', sa.String(length=200), nullable=True),
        sa.Column('folder', sa.String(length=500), nullable=True),
        sa.Column('last_attempt_at', UTC(), nullable=True),
        sa.Column('last_ok_at', UTC(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_transport')),
    )


def downgrade() -> None:
    op.drop_table('sync_transport')
    with op.batch_alter_table('sync_relay', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_relay_target')
    op.drop_table('sync_relay')
    op.drop_table('sync_alias')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflict_status'))
        batch_op.drop_index(batch_op.f('ix_sync_conflict_peer_id'))
    op.drop_table('sync_conflict')
    op.drop_table('sync_held')
    with op.batch_alter_table('sync_incoming', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_incoming_peer_seq')
        batch_op.drop_index(batch_op.f('ix_sync_incoming_bundle_hash'))
    op.drop_table('sync_incoming')
    with op.batch_alter_table('sync_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_upload_outgoing_id'))
    op.drop_table('sync_upload')
    with op.batch_alter_table('sync_outgoing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_outgoing_status'))
        batch_op.drop_index(batch_op.f('ix_sync_outgoing_peer_id'))
    op.drop_table('sync_outgoing')
    with op.batch_alter_table('sync_peer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_peer_office_code'))
    op.drop_table('sync_peer')
    op.drop_table('sync_identity')
