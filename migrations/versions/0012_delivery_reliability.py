"""relay state, connection drops and extra headers of outbox messages, mailing opt-out

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('relay_state',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_relay_state'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('connection_drops', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('extra_headers', sa.Text(), nullable=True))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailings_opt_out', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('mailings_opt_out')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('extra_headers')
        batch_op.drop_column('connection_drops')
    op.drop_table('relay_state')
