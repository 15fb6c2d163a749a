"""Initial schema: sign-in nonces and sessions, profiles, verified facts, verification challenges,
OAuth states, social accounts, documents, bank links, audit events, scores, attestations, indexer
checkpoints and resolved-loan outcomes.

Revision ID: 0001
Revises: 
Created: 2026-12-02 10:29:42.584177
"""

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=42), nullable=True),
    sa.Column('subject', sa.String(length=42), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_subject'), ['subject'], unique=False)

    op.create_table('auth_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_sessions_wallet'), ['wallet'], unique=False)

    op.create_table('bank_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('account_ref', sa.String(length=128), nullable=False),
    sa.Column('checking_balance', sa.Float(), nullable=False),
    sa.Column('savings_balance', sa.Float(), nullable=True),
    sa.Column('overdrafts_12m', sa.Integer(), nullable=False),
    sa.Column('linked_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bank_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_links_wallet'), ['wallet'], unique=False)

    op.create_table('challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=254), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('verified_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenges_wallet'), ['wallet'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('monthly_income_usd', sa.Float(), nullable=True),
    sa.Column('submitted_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=42), nullable=True),
    sa.Column('reviewed_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_wallet'), ['wallet'], unique=False)

    op.create_table('indexer_checkpoints',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('block_number', sa.BigInteger(), nullable=False),
    sa.Column('block_hash', sa.String(length=66), nullable=True),
    sa.Column('updated_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('oauth_states',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('state_hash')
    )
    op.create_table('profiles',
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('wallet')
    )
    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('model_id', sa.String(length=64), nullable=False),
    sa.Column('pd', sa.Float(), nullable=False),
    sa.Column('pd_bps', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=False),
    sa.Column('grade_code', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('next_verification', sa.JSON(), nullable=True),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_wallet'), ['wallet'], unique=False)

    op.create_table('siwe_nonces',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.String(length=42), nullable=True),
    sa.PrimaryKeyConstraint('nonce')
    )
    op.create_table('social_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=128), nullable=False),
    sa.Column('account_created_at', backend.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('linked_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'account_id')
    )
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_accounts_wallet'), ['wallet'], unique=False)

    op.create_table('verified_facts',
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('signal', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('verified_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('wallet', 'signal')
    )
    op.create_table('attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('score_id', sa.Integer(), nullable=False),
    sa.Column('wallet', sa.String(length=42), nullable=False),
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('registry_address', sa.String(length=42), nullable=False),
    sa.Column('nonce', sa.String(length=78), nullable=False),
    sa.Column('issued_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('signature', sa.String(length=132), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['score_id'], ['scores.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestations_wallet'), ['wallet'], unique=False)

    op.create_table('loan_outcomes',
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('loan_id', sa.BigInteger(), nullable=False),
    sa.Column('borrower', sa.String(length=42), nullable=False),
    sa.Column('score_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('loan_amount_usd', sa.Float(), nullable=True),
    sa.Column('term_months', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=32), nullable=True),
    sa.Column('resolved_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['score_id'], ['scores.id'], ),
    sa.PrimaryKeyConstraint('chain_id', 'loan_id')
    )
    with op.batch_alter_table('loan_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loan_outcomes_borrower'), ['borrower'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('loan_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loan_outcomes_borrower'))

    op.drop_table('loan_outcomes')
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attestations_wallet'))

    op.drop_table('attestations')
    op.drop_table('verified_facts')
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_accounts_wallet'))

    op.drop_table('social_accounts')
    op.drop_table('siwe_nonces')
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scores_wallet'))

    op.drop_table('scores')
    op.drop_table('profiles')
    op.drop_table('oauth_states')
    op.drop_table('indexer_checkpoints')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_wallet'))

    op.drop_table('documents')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenges_wallet'))

    op.drop_table('challenges')
    with op.batch_alter_table('bank_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_links_wallet'))

    op.drop_table('bank_links')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_sessions_wallet'))

    op.drop_table('auth_sessions')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_subject'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
