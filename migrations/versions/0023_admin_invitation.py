"""invitations to the back-office: an account invited from /admin/equipe waits, inactive, until
its owner sets a password through a single-use link valid until a set time

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('invitation_expires_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.drop_column('invitation_expires_at')
        batch_op.drop_column('invitation_nonce')
