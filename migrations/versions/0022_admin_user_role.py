"""the role of each back-office account: lecture, animation or administrateur (every account
made before could do everything: administrateur)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False,
                                      server_default='administrateur'))


def downgrade():
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.drop_column('role')
