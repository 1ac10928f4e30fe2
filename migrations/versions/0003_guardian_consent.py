"""Guardian consent as the guardian's own act

Revision ID: 0003_guardian_consent
Revises: i14_search_keys
Create Date: 2026-12-02

A pupil under 16 is confirmed only once the guardian says yes through a link of their own.
The link's token is stored hashed (`guardian_token_hash`); the last decision and its time are
kept with the registration and erased with it. Registrations made before this revision keep
`has_guardian_consent` as it was (the pupil's own tick) and get no guardian link.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_guardian_consent'
down_revision = 'i14_search_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guardian_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('guardian_decision', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('guardian_decided_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_registrations_guardian_token_hash',
                                          ['guardian_token_hash'])


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registrations_guardian_token_hash', type_='unique')
        batch_op.drop_column('guardian_decided_at')
        batch_op.drop_column('guardian_decision')
        batch_op.drop_column('guardian_token_hash')
