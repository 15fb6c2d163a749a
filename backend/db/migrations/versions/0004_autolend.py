"""auto-lend: autolend_filters (a lender's off-chain filters per commitment)

Revision ID: 0004
Revises: 0003
Created: 2026-12-05 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('autolend_filters',
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('commitment_id', sa.BigInteger(), nullable=False),
    sa.Column('lender', sa.String(length=42), nullable=False),
    sa.Column('blocked_borrowers', sa.JSON(), nullable=False),
    sa.Column('max_loans_per_day', sa.Integer(), nullable=True),
    sa.Column('min_score', sa.Integer(), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('updated_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chain_id', 'commitment_id')
    )
    op.create_index('ix_autolend_filters_lender', 'autolend_filters', ['lender'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_autolend_filters_lender', table_name='autolend_filters')
    op.drop_table('autolend_filters')
