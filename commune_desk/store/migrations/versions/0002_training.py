"""training log: staff, courses, sessions, attendance, results, certificates

Revision ID: 0002
Revises: 0001
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import commune_desk.store.base  # noqa: F401

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # written from store/models/training.py (regenerate with care)
    op.create_table('course',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('name_folded', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('organiser', sa.String(length=300), nullable=True),
    sa.Column('trainers', sa.String(length=500), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('planned_periods', sa.Integer(), nullable=False),
    sa.Column('funding_source', sa.String(length=200), nullable=True),
    sa.Column('funding_vnd', sa.Integer(), nullable=True),
    sa.Column('certificate_kind', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('office_code', 'code', name='uq_course_office_code')
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_start_date'), ['start_date'], unique=False)

    op.create_table('staff',
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=12), nullable=True),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('job_position', sa.String(length=200), nullable=True),
    sa.Column('grade', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('office_code', 'id_number', name='uq_staff_office_id_number')
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_office_code'), ['office_code'], unique=False)

    op.create_table('assessment',
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_assessment_course_id_course')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_assessment_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('course_id', 'staff_id', name='uq_assessment_course_staff')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_staff_id'), ['staff_id'], unique=False)

    op.create_table('certificate',
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_certificate_course_id_course')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_certificate_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('course_id', 'staff_id', name='uq_certificate_course_staff'),
    sa.UniqueConstraint('office_code', 'number', name='uq_certificate_office_number')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_staff_id'), ['staff_id'], unique=False)

    op.create_table('enrolment',
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_enrolment_course_id_course')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_enrolment_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment')),
    sa.UniqueConstraint('course_id', 'staff_id', name='uq_enrolment_course_staff')
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_staff_id'), ['staff_id'], unique=False)

    op.create_table('training_session',
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('periods', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=500), nullable=True),
    sa.Column('trainer', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_training_session_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_session'))
    )
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_session_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_session_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_session_office_code'), ['office_code'], unique=False)

    op.create_table('attendance',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=1), nullable=False),
    sa.Column('periods_attended', sa.Integer(), nullable=True),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', commune_desk.store.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_attendance_session_id_training_session')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_attendance_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'staff_id', name='uq_attendance_session_staff')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_staff_id'), ['staff_id'], unique=False)


def downgrade() -> None:
    # the reverse, children first
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_staff_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_office_code'))

    op.drop_table('attendance')
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_session_office_code'))
        batch_op.drop_index(batch_op.f('ix_training_session_day'))
        batch_op.drop_index(batch_op.f('ix_training_session_course_id'))

    op.drop_table('training_session')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_staff_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_office_code'))
        batch_op.drop_index(batch_op.f('ix_enrolment_course_id'))

    op.drop_table('enrolment')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_staff_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_office_code'))
        batch_op.drop_index(batch_op.f('ix_certificate_course_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_staff_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_office_code'))
        batch_op.drop_index(batch_op.f('ix_assessment_course_id'))

    op.drop_table('assessment')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_office_code'))
        batch_op.drop_index(batch_op.f('ix_staff_name_folded'))

    op.drop_table('staff')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_start_date'))
        batch_op.drop_index(batch_op.f('ix_course_office_code'))
        batch_op.drop_index(batch_op.f('ix_course_name_folded'))

    op.drop_table('course')
