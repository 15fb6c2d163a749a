"""loan listing indexes: each ends in the sort's tie-break (loan_id), so a filtered, sorted page is
read in index order (no sort of the matching rows) and its COUNT from the index alone

- ix_loans_grade_apr (chain_id, grade, apr_bps, loan_id): ?grade=B&sort=apr
- ix_loans_status (chain_id, status, listed_block, loan_id): ?status=listed, newest first
- ix_loans_newest (chain_id, listed_block, loan_id): the default sort, unfiltered
- ix_loans_apr (chain_id, apr_bps, loan_id): ?sort=apr, unfiltered

Revision ID: 0005
Revises: 0004
Created: 2026-12-08 10:40:00
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('ix_loans_grade_apr')
        batch_op.drop_index('ix_loans_status')
        batch_op.create_index('ix_loans_grade_apr', ['chain_id', 'grade', 'apr_bps', 'loan_id'], unique=False)
        batch_op.create_index('ix_loans_status', ['chain_id', 'status', 'listed_block', 'loan_id'], unique=False)
        batch_op.create_index('ix_loans_newest', ['chain_id', 'listed_block', 'loan_id'], unique=False)
        batch_op.create_index('ix_loans_apr', ['chain_id', 'apr_bps', 'loan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('ix_loans_apr')
        batch_op.drop_index('ix_loans_newest')
        batch_op.drop_index('ix_loans_status')
        batch_op.drop_index('ix_loans_grade_apr')
        batch_op.create_index('ix_loans_status', ['chain_id', 'status'], unique=False)
        batch_op.create_index('ix_loans_grade_apr', ['chain_id', 'grade', 'apr_bps'], unique=False)
