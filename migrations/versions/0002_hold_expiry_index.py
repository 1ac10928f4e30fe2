"""Index expired holds by meeting, status and expiry

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Every booking first asks whether the meeting has holds past their expiry. With an index on
(meeting_id, status) alone that question reads every held registration of the meeting; adding
hold_expires_at makes it a range seek. The new index has the old one as its prefix, so the
old one goes.
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_meeting_status_expiry',
                              ['meeting_id', 'status', 'hold_expires_at'], unique=False)
        batch_op.drop_index('ix_registrations_meeting_status')


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_meeting_status', ['meeting_id', 'status'],
                              unique=False)
        batch_op.drop_index('ix_registrations_meeting_status_expiry')
