"""Programme items (plenary parts and workshops in rounds) and workshop choices

Revision ID: i16
Revises: 0003_guardian_consent
Create Date: 2026-12-02

A meeting's day: items with times, title, room and speaker; an item with a round number is a
workshop with an optional capacity, optional target roles and a `taken` counter that the
database keeps within capacity, as it does for meetings. A registration has at most one
choice per round: a place in the workshop, or a place on its waiting list.
"""
from alembic import op
import sqlalchemy as sa


revision = 'i16'
down_revision = '0003_guardian_consent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=True),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('room', sa.String(length=200), nullable=True),
    sa.Column('speaker', sa.String(length=200), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('roles', sa.String(length=64), nullable=True),
    sa.Column('taken', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_programme_items_capacity_not_negative')),
    sa.CheckConstraint('capacity IS NULL OR taken <= capacity', name=op.f('ck_programme_items_taken_within_capacity')),
    sa.CheckConstraint('round IS NULL OR round >= 1', name=op.f('ck_programme_items_round_positive')),
    sa.CheckConstraint('taken >= 0', name=op.f('ck_programme_items_taken_not_negative')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_programme_items_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_items'))
    )
    with op.batch_alter_table('programme_items', schema=None) as batch_op:
        batch_op.create_index('ix_programme_items_meeting_start', ['meeting_id', 'start_time'], unique=False)

    op.create_table('workshop_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('waiting_since', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_workshop_choices_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['programme_items.id'], name=op.f('fk_workshop_choices_workshop_id_programme_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_choices')),
    sa.UniqueConstraint('registration_id', 'round', name=op.f('uq_workshop_choices_registration_id_round'))
    )
    with op.batch_alter_table('workshop_choices', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_choices_workshop_status', ['workshop_id', 'status', 'waiting_since'], unique=False)


def downgrade():
    with op.batch_alter_table('workshop_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_workshop_choices_workshop_status')
    op.drop_table('workshop_choices')
    with op.batch_alter_table('programme_items', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_items_meeting_start')
    op.drop_table('programme_items')
