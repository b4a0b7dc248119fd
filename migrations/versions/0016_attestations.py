"""attestations of presence and of membership, with their verification codes

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.CheckConstraint("(kind = 'presence' AND registration_id IS NOT NULL AND year IS NULL) "
                       "OR (kind = 'membership' AND year IS NOT NULL "
                       "AND registration_id IS NULL)", name=op.f('ck_attestation_kind_target')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attestation_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_attestation_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestation')),
    sa.UniqueConstraint('code', name=op.f('uq_attestation_code')),
    sa.UniqueConstraint('person_id', 'year', name='uq_attestation_person_year'),
    sa.UniqueConstraint('registration_id', name=op.f('uq_attestation_registration_id'))
    )
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestation_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attestation_person_id'))
    op.drop_table('attestation')
