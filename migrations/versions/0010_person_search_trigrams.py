"""trigram indexes for the back-office search of people (PostgreSQL's pg_trgm)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SEARCHED_COLUMNS = ("first_name", "last_name", "email", "organisation")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table('person', schema=None) as batch_op:
        for column in SEARCHED_COLUMNS:
            batch_op.create_index(f'ix_person_{column}_trigrams', [column], unique=False,
                                  postgresql_using='gin',
                                  postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        for column in SEARCHED_COLUMNS:
            batch_op.drop_index(f'ix_person_{column}_trigrams')
