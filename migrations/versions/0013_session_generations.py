"""session generations of admin accounts and people: signing out ends every copy of a cookie

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('admin_user', 'person'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                          server_default='0'))


def downgrade():
    for table in ('person', 'admin_user'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('session_generation')
