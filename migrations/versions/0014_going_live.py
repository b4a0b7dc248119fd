"""going live: imports of the former members, acceptances by e-mail, go-live invitations

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('imported_by', sa.String(length=254), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('completed_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import'))
    )
    op.create_table('import_header_mapping',
    sa.Column('header', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('header', name=op.f('pk_import_header_mapping'))
    )
    op.create_table('go_live_invitation',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_go_live_invitation_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_go_live_invitation'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_import_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_member_import_id'), ['member_import_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_member_import_id_member_import'), 'member_import', ['member_import_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('charter_acceptance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=10), nullable=False, server_default='web'))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('charter_acceptance', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('method')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_member_import_id_member_import'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_member_import_id'))
        batch_op.drop_column('member_import_id')
    op.drop_table('go_live_invitation')
    op.drop_table('import_header_mapping')
    op.drop_table('member_import')
