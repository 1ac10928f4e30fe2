"""Meetings can be archived: hidden from the home page, kept in the back office

Revision ID: i15b
Revises: i15a
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = 'i15b'
down_revision = 'i15a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_archived', sa.Boolean(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('is_archived')
