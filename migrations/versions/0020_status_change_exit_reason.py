"""the exit reason of each exit in the membership history, for the annual report

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# The exits written before: the person's exit_reason is the reason of their latest exit, as long
# as they have not come back since (coming back clears it, and moves exited_at on). An older
# exit of someone who came back keeps no reason: the annual report says « motif non enregistré ».
BACKFILL = """
UPDATE status_change SET exit_reason = (
    SELECT person.exit_reason FROM person
    WHERE person.id = status_change.person_id AND person.exited_at = status_change.changed_at)
WHERE from_status = 'member' AND to_status = 'exited'
"""


def upgrade():
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exit_reason', sa.String(length=30), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_column('exit_reason')
