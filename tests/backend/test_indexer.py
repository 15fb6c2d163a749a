"""The indexer on a fake chain: decoding, idempotent steps, projections, reorgs, a different chain."""

import json

import pytest
from sqlalchemy import func, select

from backend.db import database
from backend.db.models import ChainEvent, IndexerCheckpoint, Loan, LoanOutcome, NoteHolding, ScoreRecord
from backend.indexer import ChainMismatch, Indexer, SourceUnavailable, step
from backend.indexer.abi import EventDecoder, indexed_contracts
from backend.loan_model import LoanState
from tests.backend import fake_chain as fc
from tests.backend.fake_chain import BOOK, FEED, USDC, VAULT, ZERO, FakeSource, log

DAY = 86400
LENDER_A = "0x" + "a1" * 20
LENDER_B = "0x" + "a2" * 20
BORROWER = "0x" + "bb" * 20
POLICY = [log(BOOK, "FeeSet", feeBps=1000, recipient="0x" + "fe" * 20),
          log(BOOK, "LatePolicySet", gracePeriod=15 * DAY, lateFeeBps=500, defaultAfter=120 * DAY),
          log(BOOK, "GradePolicySet", token=USDC, grade=3, maxPrincipal=30_000 * 10**6, maxAprBps=1800,
              minCollateralRatioBps=0)]


def checksum(address):
    from backend.indexer.abi import checksum as cs
    return cs(address)


@pytest.fixture
def db(app):
    with database(app).session() as session:
        yield session


def listing(loan_id=1, **terms):
    return log(BOOK, "LoanRequested", loanId=loan_id, borrower=BORROWER, token=USDC, terms=fc.terms(**terms),
               grade=3, pdBps=450)


def funding(loan_id, lender, amount, total):
    return [log(BOOK, "Funded", loanId=loan_id, lender=lender, amount=amount, totalFunded=total),
            log(BOOK, "TransferSingle", operator=BOOK, **{"from": ZERO, "to": lender, "id": loan_id,
                                                          "value": amount})]


def active_loan(source, loan_id=1, principal=1_000 * 10**6):
    """Policy, a listing and two fundings that start the loan; returns the model state at start."""
    source.mine(*POLICY)
    source.mine(listing(loan_id, principal=principal))
    source.mine(*funding(loan_id, LENDER_A, principal * 6 // 10, principal * 6 // 10))
    start = source.blocks[-1].timestamp + 15
    state = LoanState.started(principal, 1200, 12, 30 * DAY, start, 1000, 500, 15 * DAY, 120 * DAY)
    source.mine(*funding(loan_id, LENDER_B, principal * 4 // 10, principal),
                log(BOOK, "LoanStarted", loanId=loan_id, principal=principal, instalment=state.instalment,
                    startTime=start), time=start)
    return state


def repay(source, loan_id, state, when, amount):
    state, parts = state.repaid(when, amount)
    source.mine(log(BOOK, "Repayment", loanId=loan_id, payer=BORROWER, lateFees=parts["late_fees"],
                    interest=parts["interest"], principal=parts["principal"], platformFee=parts["platform_fee"],
                    outstanding=state.outstanding), time=when)
    return state


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_decoder_covers_every_event_and_keeps_values_exact():
    decoder = EventDecoder(indexed_contracts(fc.deployment()["contracts"]))
    assert {name for _, name in [(k, v.name) for k, v in decoder.table.items()]} >= {"LoanRequested", "AnswerUpdated"}
    contract, name, args = decoder.decode(dict(log(FEED, "AnswerUpdated", current=-5, roundId=2**80,
                                                    updatedAt=7)))
    assert (contract, name, args) == ("EthUsdFeed", "AnswerUpdated", {"current": "-5", "roundId": str(2**80),
                                                                       "updatedAt": "7"})
    _, name, args = decoder.decode(listing(principal=2**96 - 1))
    assert name == "LoanRequested" and args["terms"]["principal"] == str(2**96 - 1)
    assert args["borrower"] == checksum(BORROWER) and args["terms"]["collateralToken"] == ZERO
    bad = dict(log(BOOK, "Funded", loanId=1, lender=LENDER_A, amount=1, totalFunded=1), data="0x12")
    assert decoder.decode(bad) == ("LoanBook", None, None)
    unknown = {"address": BOOK, "topics": ["0x" + "00" * 32], "data": "0x"}
    assert decoder.decode(unknown) == ("LoanBook", None, None)
    assert LENDER_A not in [a.lower() for a in decoder.addresses] and fc.LENS not in decoder.addresses


def test_lifecycle_projection_holdings_from_transfers_and_outcome(db):
    source = FakeSource()
    state = active_loan(source)
    db.add(ScoreRecord(wallet=checksum(BORROWER), model_id="m", pd=0.045, pd_bps=450, grade="B+", grade_code=3,
                       score=60, signals={"email_verified": True}, reasons=[]))
    db.commit()
    source.mine(log(BOOK, "TransferSingle", operator=LENDER_A, **{"from": LENDER_A, "to": LENDER_B, "id": 1,
                                                                  "value": 100 * 10**6}))
    state = repay(source, 1, state, state.start_time + 30 * DAY, state.instalment)
    result = step(db, source, fc.deployment())
    assert result.caught_up and result.undecoded == 0 and result.events == count(db, ChainEvent) == 11
    loan = db.get(Loan, (fc.CHAIN_ID, 1))
    assert (loan.status, int(loan.funded), loan.funded_bps, loan.grade, loan.pd_bps) == ("active", 10**9, 10_000, 3, 450)
    assert (loan.fee_bps, loan.late_fee_bps, loan.grace_period, loan.terms_source) == (1000, 500, 15 * DAY, "events")
    assert int(loan.outstanding) == state.outstanding and not loan.model_mismatch
    assert loan.late_at == state.late_at() == state.start_time + 60 * DAY + 15 * DAY
    assert LoanState.from_dict(loan.state) == state
    holdings = {h.holder: int(h.amount) for h in db.scalars(select(NoteHolding))}
    assert holdings == {checksum(LENDER_A): 500 * 10**6, checksum(LENDER_B): 500 * 10**6}
    assert count(db, LoanOutcome) == 0
    for k in range(2, 13):
        state = repay(source, 1, state, state.start_time + k * 30 * DAY, state.payoff(state.start_time + k * 30 * DAY)
                      if k == 12 else state.instalment)
    source.mine(log(BOOK, "LoanRepaid", loanId=1))
    step(db, source, fc.deployment())
    loan = db.get(Loan, (fc.CHAIN_ID, 1))
    assert loan.status == "repaid" and int(loan.outstanding) == 0 and loan.late_at is None
    outcome = db.get(LoanOutcome, (fc.CHAIN_ID, 1))
    assert (outcome.outcome, outcome.term_months, outcome.loan_amount_usd, outcome.purpose) == \
        ("repaid", 12, 1000.0, "home_improvement")
    assert outcome.score_id is not None


def test_steps_are_bounded_and_idempotent(db):
    source = FakeSource()
    active_loan(source)
    indexer = Indexer(fc.deployment(), batch_blocks=2, confirmations=1)
    results = [indexer.step(db, source) for _ in range(3)]
    assert [(r.from_block, r.to_block) for r in results[:2]] == [(0, 1), (2, 3)]
    assert results[-1].caught_up and db.get(IndexerCheckpoint, "lendchain").block_number == 3  # head 4, 1 behind
    before = count(db, ChainEvent)
    checkpoint = db.get(IndexerCheckpoint, "lendchain")
    checkpoint.block_number, checkpoint.recent_hashes = 0, checkpoint.recent_hashes[:1]  # replay from block 1
    db.commit()
    Indexer(fc.deployment()).step(db, source)
    assert count(db, ChainEvent) == before + 3 and count(db, Loan) == 1  # only block 4's new events were added
    assert sorted(int(h.amount) for h in db.scalars(select(NoteHolding))) == [400 * 10**6, 600 * 10**6]


def test_undecodable_logs_are_kept_raw(db):
    source = FakeSource()
    source.mine({"address": BOOK, "topics": ["0x" + "ee" * 32], "data": "0xdeadbeef"},
                dict(log(BOOK, "Funded", loanId=1, lender=LENDER_A, amount=1, totalFunded=1), data="0x01"))
    result = step(db, source, fc.deployment())
    assert result.undecoded == 2
    raw = db.scalars(select(ChainEvent).order_by(ChainEvent.log_index)).all()
    assert [(r.event, r.contract, r.data) for r in raw] == [(None, "LoanBook", "0xdeadbeef"), (None, "LoanBook", "0x01")]


def test_reorg_rolls_back_to_the_fork_point(db):
    source = FakeSource()
    state = active_loan(source)
    fork = source.block_number()
    repay(source, 1, state, state.start_time + 30 * DAY, state.instalment)
    source.mine(log(BOOK, "TransferSingle", operator=LENDER_A, **{"from": LENDER_A, "to": LENDER_B, "id": 1,
                                                                  "value": 600 * 10**6}))
    step(db, source, fc.deployment())
    assert int(db.get(Loan, (fc.CHAIN_ID, 1)).principal_repaid) > 0
    source.reorg(keep=fork, fork="b")
    source.mine()
    source.mine(listing(loan_id=2))
    result = step(db, source, fc.deployment())
    assert result.rolled_back_to == fork and result.removed == 2
    assert int(db.get(Loan, (fc.CHAIN_ID, 1)).principal_repaid) == 0
    assert {h.holder: int(h.amount) for h in db.scalars(select(NoteHolding))} == {
        checksum(LENDER_A): 600 * 10**6, checksum(LENDER_B): 400 * 10**6}
    assert db.get(Loan, (fc.CHAIN_ID, 2)).status == "listed"
    hashes = {h.hash for h in source.blocks}
    assert all(e.block_hash in hashes for e in db.scalars(select(ChainEvent)))
    assert count(db, ChainEvent) == len({(e.block_hash, e.log_index) for e in db.scalars(select(ChainEvent))}) == 10
    assert db.get(IndexerCheckpoint, "lendchain").block_hash == source.blocks[-1].hash


def test_a_different_chain_is_refused_and_nothing_is_written(db):
    source = FakeSource()
    active_loan(source)
    step(db, source, fc.deployment())
    events = count(db, ChainEvent)
    restarted = FakeSource(fork="restarted")
    active_loan(restarted)
    with pytest.raises(ChainMismatch, match="indexer reset"):
        step(db, restarted, fc.deployment())
    assert count(db, ChainEvent) == events
    source.down = True
    with pytest.raises(SourceUnavailable):
        step(db, source, fc.deployment())


def test_missing_policy_reads_the_lens_once(db):
    source = FakeSource()
    source.views[1] = {"feeBps": 900, "lateFeeBps": 400, "minCollateralRatioBps": 0, "gracePeriod": 10 * DAY,
                       "defaultAfter": 90 * DAY}
    source.mine(listing())
    step(db, source, fc.deployment())
    calls = source.calls
    source.mine(*funding(1, LENDER_A, 10**8, 10**8))
    step(db, source, fc.deployment())
    loan = db.get(Loan, (fc.CHAIN_ID, 1))
    assert (loan.fee_bps, loan.grace_period, loan.terms_source, int(loan.funded)) == (900, 10 * DAY, "view", 10**8)
    assert source.calls == calls  # the lens was read once, the token metadata once


def test_cli_refuses_a_restarted_chain_with_exit_status_2(app, tmp_path):
    (tmp_path / "1337.json").write_text(json.dumps(fc.deployment()))
    source = FakeSource()
    active_loan(source)
    app.config.update(DEPLOYMENTS_DIR=str(tmp_path), INDEXER_SOURCE=source)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["indexer", "run", "--once"]).exit_code == 0
    app.config["INDEXER_SOURCE"] = FakeSource(fork="restarted")
    outcome = runner.invoke(args=["indexer", "run", "--once"])
    assert outcome.exit_code == 2 and "indexer reset --yes" in outcome.output
    assert runner.invoke(args=["indexer", "reset", "--yes"]).exit_code == 0
    assert runner.invoke(args=["indexer", "run", "--once"]).exit_code == 0


def tables(db):
    from backend.db.models import Base

    return {name: sorted((json.dumps(dict(r), sort_keys=True, default=str) for r in
                          db.execute(select(Base.metadata.tables[name])).mappings()))
            for name in ("loans", "note_holdings", "loan_outcomes")}


def test_incremental_steps_equal_the_full_replay(db):
    """Each step folds only its new events into the stored rows; the result must be what replaying
    every loan from all its events gives (rebuild_loans, the rollback's path)."""
    from backend.indexer.projection import rebuild_loans

    source = FakeSource()
    state = active_loan(source)
    source.mine(listing(loan_id=2, principal=500 * 10**6), *funding(2, LENDER_A, 100 * 10**6, 100 * 10**6))
    source.mine(log(BOOK, "TransferBatch", operator=LENDER_A, **{"from": LENDER_A, "to": LENDER_B, "ids": [1, 2],
                                                                 "values": [50 * 10**6, 30 * 10**6]}))
    source.mine(log(BOOK, "TransferBatch", operator=LENDER_B, **{"from": LENDER_B, "to": BORROWER, "ids": [1],
                                                                 "values": [5 * 10**6]}))
    for k in (1, 2):
        state = repay(source, 1, state, state.start_time + k * 30 * DAY, state.instalment)
    source.mine(log(BOOK, "LoanCancelled", loanId=2))
    source.mine(log(BOOK, "LoanDefaulted", loanId=1, outstanding=state.outstanding), time=state.start_time + 300 * DAY)
    state = repay(source, 1, state, state.start_time + 301 * DAY, 7 * 10**6)
    indexer = Indexer(fc.deployment(), batch_blocks=1)
    while not indexer.step(db, source).caught_up:
        pass
    incremental = tables(db)
    holdings = {(h.loan_id, h.holder): int(h.amount) for h in db.scalars(select(NoteHolding))}
    assert holdings == {(1, checksum(LENDER_A)): 550 * 10**6, (1, checksum(LENDER_B)): 445 * 10**6,
                        (1, checksum(BORROWER)): 5 * 10**6, (2, checksum(LENDER_A)): 70 * 10**6,
                        (2, checksum(LENDER_B)): 30 * 10**6}
    loan = db.get(Loan, (fc.CHAIN_ID, 1))
    assert loan.status == "defaulted" and int(loan.recovered) == 7 * 10**6 and not loan.model_mismatch
    assert db.get(Loan, (fc.CHAIN_ID, 2)).status == "cancelled"
    rebuild_loans(db, fc.CHAIN_ID, [1, 2], None)
    db.commit()
    assert tables(db) == incremental
