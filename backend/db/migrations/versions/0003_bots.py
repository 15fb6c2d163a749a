"""bots: bot_actions (the transaction sender's per-action lock) and notifications

Revision ID: 0003
Revises: 0002
Created: 2026-12-05 03:30:00
"""

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('bot_actions',
    sa.Column('id', ID, nullable=False),
    sa.Column('action_key', sa.String(length=200), nullable=False),
    sa.Column('bot', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tx_hash', sa.String(length=66), nullable=True),
    sa.Column('nonce', sa.BigInteger(), nullable=True),
    sa.Column('sender', sa.String(length=42), nullable=True),
    sa.Column('raw_tx', sa.Text(), nullable=True),
    sa.Column('gas_used', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=False),
    sa.Column('claimed_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_key')
    )
    op.create_index('ix_bot_actions_bot_status', 'bot_actions', ['bot', 'status'], unique=False)
    op.create_table('notifications',
    sa.Column('id', ID, nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('loan_id', sa.BigInteger(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    op.create_index('ix_notifications_wallet_id', 'notifications', ['wallet', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_wallet_id', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index('ix_bot_actions_bot_status', table_name='bot_actions')
    op.drop_table('bot_actions')
