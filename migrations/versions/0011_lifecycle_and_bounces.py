"""pending applications of known addresses, bounced addresses, personal renewal deadlines

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_application', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('email_bounced_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('email_bounce_reason', sa.String(length=300),
                                      nullable=True))
    with op.batch_alter_table('renewal_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('renewal_campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_sent_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('renewal_campaign', schema=None) as batch_op:
        batch_op.drop_column('review_sent_at')
    with op.batch_alter_table('renewal_request', schema=None) as batch_op:
        batch_op.drop_column('deadline')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('email_bounce_reason')
        batch_op.drop_column('email_bounced_at')
        batch_op.drop_column('pending_application')
