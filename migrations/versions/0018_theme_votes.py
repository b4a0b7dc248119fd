"""theme votes: calls for workshop themes, the members' proposals and votes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('theme_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('votes_per_member', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_round'))
    )
    with op.batch_alter_table('theme_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_round_opens_at'), ['opens_at'], unique=False)

    op.create_table('theme_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_theme_proposal_event_id_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_theme_proposal_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['theme_round.id'], name=op.f('fk_theme_proposal_round_id_theme_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_proposal'))
    )
    with op.batch_alter_table('theme_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_proposal_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_proposal_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_proposal_round_id'), ['round_id'], unique=False)

    op.create_table('theme_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_theme_vote_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['theme_proposal.id'], name=op.f('fk_theme_vote_proposal_id_theme_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['theme_round.id'], name=op.f('fk_theme_vote_round_id_theme_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_vote')),
    # One vote per proposal and member; a member's votes in a round take distinct slots, 1 to N.
    sa.UniqueConstraint('proposal_id', 'person_id', name='uq_theme_vote_proposal_id_person_id'),
    sa.UniqueConstraint('round_id', 'person_id', 'slot', name='uq_theme_vote_round_id_person_id_slot')
    )
    with op.batch_alter_table('theme_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_vote_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_vote_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    op.drop_table('theme_vote')
    op.drop_table('theme_proposal')
    op.drop_table('theme_round')
