"""Registrations keep a folded search key and a phone-book sort key

Revision ID: i14_search_keys
Revises: i15b
Create Date: 2026-12-02

Searching names with lower() misses accented capitals on SQLite, and ordering by the name
puts "Łukasz" after "Zoë". Both keys are derived from the name, address and organisation
(regio.registrations.search); existing rows are filled in here.
"""
import sqlalchemy as sa
from alembic import op

revision = 'i14_search_keys'
down_revision = 'i15b'
branch_labels = None
depends_on = None


def upgrade():
    from regio.registrations.search import keys_for

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.String(length=700), nullable=True))
        batch_op.add_column(sa.Column('sort_key', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_registrations_meeting_sort', ['meeting_id', 'sort_key'],
                              unique=False)
    registrations = sa.table('registrations', sa.column('id', sa.Integer),
                             sa.column('name', sa.String), sa.column('email', sa.String),
                             sa.column('organisation', sa.String),
                             sa.column('search_key', sa.String), sa.column('sort_key', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(registrations.c.id, registrations.c.name,
                                        registrations.c.email, registrations.c.organisation)
                              .where(registrations.c.name.is_not(None))).all()
    for row_id, name, email, organisation in rows:
        connection.execute(registrations.update().where(registrations.c.id == row_id)
                           .values(**keys_for(name, email, organisation)))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_meeting_sort')
        batch_op.drop_column('sort_key')
        batch_op.drop_column('search_key')
