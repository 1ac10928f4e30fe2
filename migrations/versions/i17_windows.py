"""Registration window per meeting; opening time per workshop round

Revision ID: i17_windows
Revises: i16
Create Date: 2026-12-02

A meeting can take registrations from and until a moment (NULL: no limit). A round of
workshops can be announced before people can choose in it (programme_rounds.opens_at).
"""
from alembic import op
import sqlalchemy as sa


revision = 'i17_windows'
down_revision = 'i16'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_opens_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('registration_closes_at', sa.DateTime(), nullable=True))

    op.create_table('programme_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_programme_rounds_number_positive')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_programme_rounds_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_rounds')),
    sa.UniqueConstraint('meeting_id', 'number', name=op.f('uq_programme_rounds_meeting_id_number'))
    )


def downgrade():
    op.drop_table('programme_rounds')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('registration_closes_at')
        batch_op.drop_column('registration_opens_at')
