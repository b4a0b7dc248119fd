"""news: calls for projects, partnership proposals and news; mailings marked as newsletters

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('news_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('link_url', sa.String(length=500), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mailing_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mailing_id'], ['mailing.id'], name=op.f('fk_news_item_mailing_id_mailing'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_item'))
    )
    with op.batch_alter_table('news_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_item_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_item_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_item_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_item_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_item_mailing_id'), ['mailing_id'], unique=False)
    with op.batch_alter_table('mailing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('newsletter', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('mailing', schema=None) as batch_op:
        batch_op.drop_column('newsletter')
    op.drop_table('news_item')
