"""the automatic e-mails' texts edited by the GT QVT (the files stay the defaults), and the
unsaved text an admin last previewed

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_text')),
    sa.UniqueConstraint('name', name=op.f('uq_email_text_name'))
    )
    op.create_table('email_text_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admin_user.id'], name=op.f('fk_email_text_draft_admin_id_admin_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_text_draft')),
    sa.UniqueConstraint('admin_id', 'name', name='uq_email_text_draft_admin_id')
    )


def downgrade():
    op.drop_table('email_text_draft')
    op.drop_table('email_text')
