"""Loans, note holdings and outcomes rebuilt from their events (`rebuild_loans`).

Every projection is a pure function of the stored events of one loan (plus the book's policy
events before its listing), so a batch, a repeated step and a reorg rollback all end in the same
rows. Where an event lacks a field:

- the fee, late fee, grace period and default delay a listing copied are the book's policy in
  force at the listing (the last FeeSet/LatePolicySet before it), and its collateral ratio the
  GradePolicySet for its token and grade; when the indexer did not see that policy, the lens's
  `loan(id)` view is read once and its answer kept (`terms_source = "view"`);
- a token's symbol and decimals are read once from the token (`tokens` table).

The repayment state is replayed through backend.loan_model (each Repayment applied at its block
time); the contract's own numbers in each event are checked against it and, where they differ,
the event wins and `model_mismatch` is set. Holdings are summed from the ERC-1155 transfers only.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from backend.db.models import ChainEvent, Loan, LoanOutcome, NoteHolding, ScoreRecord, Token
from backend.indexer import abi
from backend.loan_model import LoanState

BPS = 10_000
ZERO = "0x0000000000000000000000000000000000000000"
AMOUNT_DIGITS = 78
STATUS_EVENTS = {"LoanStarted": "active", "LoanCancelled": "cancelled", "LoanExpired": "expired",
                 "LoanRepaid": "repaid", "LoanDefaulted": "defaulted", "LoanClosed": "closed"}
POLICY_EVENTS = ("FeeSet", "LatePolicySet", "GradePolicySet")
RESOLVED = ("repaid", "defaulted", "closed")
MONTH = 365 * 24 * 3600 / 12
CHUNK = 400


def pad(value: int) -> str:
    return str(int(value)).zfill(AMOUNT_DIGITS)


def amount(stored: str | None) -> int | None:
    return None if stored is None else int(stored)


def purpose_name(code: int) -> str:
    from scoring.schema import PURPOSES

    return PURPOSES[code] if 0 <= code < len(PURPOSES) else "other"


class ViewReader:
    """Reads a view once through the indexer's source with the map's ABIs."""

    def __init__(self, source, contracts: dict[str, dict]):
        self.source = source
        self.contracts = contracts

    def call(self, contract: str, function: str, *args) -> Any:
        entry = self.contracts[contract]
        raw = self.source.call(entry["address"], abi.encode_call(entry["abi"], function, args))
        return abi.decode_result(entry["abi"], function, raw)

    def token(self, address: str) -> tuple[str, int]:
        symbol_abi = [{"type": "function", "name": "symbol", "inputs": [], "outputs": [{"type": "string", "name": ""}]},
                      {"type": "function", "name": "decimals", "inputs": [],
                       "outputs": [{"type": "uint8", "name": ""}]}]
        symbol = abi.decode_result(symbol_abi, "symbol", self.source.call(address, abi.encode_call(symbol_abi, "symbol")))
        decimals = abi.decode_result(symbol_abi, "decimals",
                                     self.source.call(address, abi.encode_call(symbol_abi, "decimals")))
        return str(symbol)[:32], int(decimals)


def loan_ids_of(event: str | None, args: dict | None) -> list[int]:
    """The loans an event concerns (TransferBatch may name several)."""
    if not args or not event:
        return []
    if "loanId" in args:
        return [int(args["loanId"])]
    if event == "TransferSingle":
        return [int(args["id"])]
    if event == "TransferBatch":
        return sorted({int(i) for i in args["ids"]})
    return []


def _policy_at(policy: list[ChainEvent], position: tuple[int, int], token: str, grade: int) -> dict | None:
    fee = late = ratio = None
    for event in policy:
        if (event.block_number, event.log_index) >= position:
            break
        if event.event == "FeeSet":
            fee = event.args
        elif event.event == "LatePolicySet":
            late = event.args
        elif (event.event == "GradePolicySet" and int(event.args["grade"]) == grade
              and event.args["token"].lower() == token.lower()):
            ratio = event.args
    if fee is None or late is None or ratio is None:
        return None
    return {"fee_bps": int(fee["feeBps"]), "late_fee_bps": int(late["lateFeeBps"]),
            "grace_period": int(late["gracePeriod"]), "default_after": int(late["defaultAfter"]),
            "min_collateral_ratio_bps": int(ratio["minCollateralRatioBps"])}


def project_loan(loan_id: int, events: list[ChainEvent], policy: list[ChainEvent], previous: dict | None,
                 views: ViewReader | None, chain_id: int) -> dict | None:
    """The `loans` row of one loan from its events (in chain order); None before its listing."""
    row: dict | None = None
    state: LoanState | None = None
    for ev in events:
        row, state = apply_event(row, state, ev, loan_id, policy, previous, views, chain_id)
    return None if row is None else finish(row, state)


def apply_event(row: dict | None, state: LoanState | None, ev, loan_id: int, policy: list, previous: dict | None,
                views: ViewReader | None, chain_id: int) -> tuple[dict | None, LoanState | None]:
    """One event of the loan applied to its working row (integer amounts) and repayment state.

    The one transition function of the projection: the full replay (`project_loan`) folds it over
    all of a loan's events, the indexer's step (`apply_new_events`) over the new ones only,
    starting from the stored row (`unfinish`), so both end in the same row."""
    a, name = ev.args or {}, ev.event
    ts = ev.block_timestamp or 0
    if name == "LoanRequested":
        terms = a["terms"]
        grade = int(a["grade"])
        row = {
            "chain_id": chain_id, "loan_id": loan_id, "borrower": a["borrower"], "token": a["token"],
            "status": "listed", "grade": grade, "pd_bps": int(a["pdBps"]), "purpose": int(terms["purpose"]),
            "principal": int(terms["principal"]), "funded": 0, "apr_bps": int(terms["aprBps"]),
            "instalments": int(terms["instalments"]), "period": int(terms["period"]),
            "term": int(terms["instalments"]) * int(terms["period"]),
            "funding_deadline": int(terms["fundingDeadline"]), "min_fill_bps": int(terms["minFillBps"]),
            "collateral_token": None if terms["collateralToken"] == ZERO else terms["collateralToken"],
            "collateral_amount": 0, "listed_at": ts, "listed_block": ev.block_number, "start_time": None,
            "instalment": None, "outstanding": 0, "principal_repaid": 0, "interest_repaid": 0,
            "late_fees_repaid": 0, "platform_fees": 0, "late_instalments": 0, "defaulted_at": None,
            "defaulted_outstanding": None, "recovered": 0, "written_off": 0, "resolved_at": None,
            "model_mismatch": False, "terms_source": "events",
        }
        fixed = _policy_at(policy, (ev.block_number, ev.log_index), a["token"], grade)
        if fixed is None and previous and previous.get("terms_source") == "view" \
                and previous.get("listed_block") == ev.block_number:
            fixed = {k: previous[k] for k in ("fee_bps", "late_fee_bps", "grace_period", "default_after",
                                              "min_collateral_ratio_bps")}
            row["terms_source"] = "view"
        if fixed is None and views is not None:
            view = views.call("LoanLens", "loan", loan_id)  # read once; kept in the row
            fixed = {"fee_bps": int(view["feeBps"]), "late_fee_bps": int(view["lateFeeBps"]),
                     "grace_period": int(view["gracePeriod"]), "default_after": int(view["defaultAfter"]),
                     "min_collateral_ratio_bps": int(view["minCollateralRatioBps"])}
            row["terms_source"] = "view"
        row.update(fixed or dict.fromkeys(("fee_bps", "late_fee_bps", "grace_period", "default_after",
                                           "min_collateral_ratio_bps")))
        return row, None
    if row is None:
        return row, state  # events of a loan listed before the indexed range: nothing to attach them to
    if name == "Funded":
        row["funded"] = int(a["totalFunded"])
    elif name == "LoanStarted":
        row.update(status="active", start_time=int(a["startTime"]), instalment=int(a["instalment"]),
                   outstanding=int(a["principal"]))
        if row["fee_bps"] is not None:
            state = LoanState.started(int(a["principal"]), row["apr_bps"], row["instalments"], row["period"],
                                      int(a["startTime"]), row["fee_bps"], row["late_fee_bps"],
                                      row["grace_period"], row["default_after"], instalment=int(a["instalment"]))
    elif name == "Repayment":
        late_fees, interest, principal = int(a["lateFees"]), int(a["interest"]), int(a["principal"])
        paid = late_fees + interest + principal
        row["principal_repaid"] += principal
        row["interest_repaid"] += interest
        row["late_fees_repaid"] += late_fees
        row["platform_fees"] += int(a["platformFee"])
        row["outstanding"] = int(a["outstanding"])
        if row["status"] == "defaulted":
            row["recovered"] += paid
        if state is not None:
            state, parts = state.repaid(ts, paid)
            if (parts["late_fees"], parts["interest"], parts["principal"], parts["platform_fee"],
                    state.outstanding) != (late_fees, interest, principal, int(a["platformFee"]),
                                           int(a["outstanding"])):
                row["model_mismatch"] = True
    elif name == "LateFeesCharged":
        row["late_instalments"] += int(a["instalments"])
    elif name in STATUS_EVENTS and name != "LoanStarted":
        row["status"] = STATUS_EVENTS[name]
        if name == "LoanDefaulted":
            row.update(defaulted_at=ts, defaulted_outstanding=int(a["outstanding"]))
            if state is not None:
                state, _ = state.accrued(ts)
        elif name == "LoanClosed":
            row["written_off"] = int(a["debtWrittenOff"])
        if row["status"] in RESOLVED or row["status"] in ("cancelled", "expired"):
            row["resolved_at"] = ts
    elif ev.contract == "CollateralVault":
        if name == "CollateralLocked":
            row["collateral_token"], row["collateral_amount"] = a["token"], int(a["amount"])
        elif name in ("CollateralAdded", "CollateralWithdrawn"):
            row["collateral_amount"] = int(a["total"])
        elif name == "CollateralReleased":
            row["collateral_amount"] = 0
        elif name == "Liquidated":
            row["collateral_amount"] = max(0, row["collateral_amount"] - int(a["seized"]))
    return row, state


AMOUNT_KEYS = ("principal", "funded", "collateral_amount", "instalment", "outstanding", "principal_repaid",
               "interest_repaid", "late_fees_repaid", "platform_fees", "defaulted_outstanding", "recovered",
               "written_off")
DERIVED_KEYS = ("funded_bps", "state", "late_at", "default_eligible_at")


def finish(row: dict, state: LoanState | None) -> dict:
    """The stored form of a working row: derived fields, amounts padded."""
    row = dict(row)
    row["funded_bps"] = row["funded"] * BPS // row["principal"] if row["principal"] else 0
    row["state"] = state.as_dict() if state is not None else None
    owing = row["status"] in ("active", "defaulted") and state is not None
    row["late_at"] = state.late_at() if owing else None
    row["default_eligible_at"] = state.default_eligible_at() if owing else None
    for key in AMOUNT_KEYS:
        if row[key] is not None:
            row[key] = pad(row[key])
    return row


def unfinish(stored: dict) -> tuple[dict, LoanState | None]:
    """The working row and repayment state of a stored `loans` row (the inverse of `finish`)."""
    row = {k: v for k, v in stored.items() if k not in DERIVED_KEYS}
    for key in AMOUNT_KEYS:
        if row[key] is not None:
            row[key] = int(row[key])
    return row, LoanState.from_dict(stored["state"]) if stored["state"] is not None else None


def note_moves(ev) -> Iterable[tuple[int, str, str, int]]:
    """(loan id, from, to, value) of each note an ERC-1155 transfer event moves."""
    if ev.event == "TransferSingle":
        yield int(ev.args["id"]), ev.args["from"], ev.args["to"], int(ev.args["value"])
    elif ev.event == "TransferBatch":
        for token_id, value in zip(ev.args["ids"], ev.args["values"]):
            yield int(token_id), ev.args["from"], ev.args["to"], int(value)


def move_notes(balances: dict[tuple[int, str], int], ev, loan_ids) -> None:
    """Apply a transfer event to balances {(loan id, holder): amount} of the loans in `loan_ids`."""
    for loan_id, source, target, value in note_moves(ev):
        if loan_id not in loan_ids:
            continue
        if source != ZERO:
            balances[(loan_id, source)] = balances.get((loan_id, source), 0) - value
        if target != ZERO:
            balances[(loan_id, target)] = balances.get((loan_id, target), 0) + value


def holdings_of(loan_id: int, events: Iterable) -> dict[str, int]:
    balances: dict[tuple[int, str], int] = {}
    for ev in events:
        move_notes(balances, ev, (loan_id,))
    return {holder: value for (_, holder), value in balances.items() if value}


def _outcome(db: Session, chain_id: int, row: dict, decimals: int | None, symbol: str | None) -> dict | None:
    if row["status"] not in RESOLVED and row["defaulted_at"] is None:
        return None
    outcome = "defaulted" if row["defaulted_at"] is not None else ("closed" if row["status"] == "closed" else "repaid")
    score_id = db.scalar(select(ScoreRecord.id).where(
        ScoreRecord.wallet == row["borrower"], ScoreRecord.grade_code == row["grade"],
        ScoreRecord.pd_bps == row["pd_bps"]).order_by(ScoreRecord.id.desc()).limit(1))
    usd = None
    if decimals is not None and symbol and "USD" in symbol.upper():
        usd = int(row["principal"]) / 10**decimals
    resolved = row["defaulted_at"] if outcome == "defaulted" else row["resolved_at"]
    return {"chain_id": chain_id, "loan_id": row["loan_id"], "borrower": row["borrower"], "score_id": score_id,
            "outcome": outcome, "loan_amount_usd": usd,
            "term_months": max(1, min(600, round(row["term"] / MONTH))), "purpose": purpose_name(row["purpose"]),
            "resolved_at": datetime.fromtimestamp(resolved or 0, timezone.utc)}


def ensure_tokens(db: Session, chain_id: int, addresses: set[str], views: ViewReader | None) -> dict[str, Token]:
    known = {t.address: t for t in db.scalars(select(Token).where(Token.chain_id == chain_id))}
    for address in sorted(addresses - set(known)):
        if views is None:
            continue
        try:
            symbol, decimals = views.token(address)
        except Exception:  # noqa: BLE001 - a token without metadata: shown by address only
            continue
        token = Token(chain_id=chain_id, address=address, symbol=symbol, decimals=decimals)
        db.add(token)
        known[address] = token
    db.flush()
    return known


EVENT_COLUMNS = (ChainEvent.block_number, ChainEvent.log_index, ChainEvent.event, ChainEvent.args,
                 ChainEvent.contract, ChainEvent.block_timestamp, ChainEvent.loan_id)
EventView = namedtuple("EventView", "block_number log_index event args contract block_timestamp loan_id")


def _policy_events(db: Session, chain_id: int) -> list:
    return list(db.execute(select(*EVENT_COLUMNS).where(
        ChainEvent.chain_id == chain_id, ChainEvent.contract == "LoanBook", ChainEvent.event.in_(POLICY_EVENTS))
        .order_by(ChainEvent.block_number, ChainEvent.log_index)))


def _stored_loans(db: Session, chain_id: int, chunk: list[int]) -> dict[int, dict]:
    table = Loan.__table__
    return {r["loan_id"]: dict(r) for r in db.execute(select(table).where(
        table.c.chain_id == chain_id, table.c.loan_id.in_(chunk))).mappings()}


def _previous_terms(stored: dict | None) -> dict | None:
    if stored is None:
        return None
    return {k: stored[k] for k in ("terms_source", "listed_block", "fee_bps", "late_fee_bps", "grace_period",
                                   "default_after", "min_collateral_ratio_bps")}


def _write(db: Session, chain_id: int, chunk: list[int], rows: list[dict], holdings: list[dict],
           views: ViewReader | None) -> None:
    """Replace the loans, note holdings and outcomes of `chunk` by `rows` and `holdings` (Core, executemany)."""
    tokens = ensure_tokens(db, chain_id, {r["token"] for r in rows} | {r["collateral_token"] for r in rows
                                                                       if r["collateral_token"]}, views)
    outcomes = []
    for row in rows:
        token = tokens.get(row["token"])
        outcome = _outcome(db, chain_id, row, token and token.decimals, token and token.symbol)
        if outcome:
            outcomes.append(outcome)
    db.execute(delete(Loan).where(Loan.chain_id == chain_id, Loan.loan_id.in_(chunk)))
    db.execute(delete(NoteHolding).where(NoteHolding.chain_id == chain_id, NoteHolding.loan_id.in_(chunk)))
    db.execute(delete(LoanOutcome).where(LoanOutcome.chain_id == chain_id, LoanOutcome.loan_id.in_(chunk)))
    connection = db.connection()  # Core executemany, not the ORM's bulk path
    if rows:
        connection.execute(insert(Loan.__table__), rows)
    if holdings:
        connection.execute(insert(NoteHolding.__table__), holdings)
    if outcomes:
        connection.execute(insert(LoanOutcome.__table__), outcomes)


def rebuild_loans(db: Session, chain_id: int, loan_ids: Iterable[int], views: ViewReader | None) -> int:
    """Recompute the rows of `loan_ids` (loans, note_holdings, loan_outcomes) from all their stored
    events (the reorg rollback's path, and the reference the incremental path must equal)."""
    loan_ids = sorted(set(loan_ids))
    if not loan_ids:
        return 0
    policy = _policy_events(db, chain_id)
    batches: dict[int, list] = {}  # TransferBatch events naming several loans (loan_id NULL), by loan
    for ev in db.execute(select(*EVENT_COLUMNS).where(
            ChainEvent.chain_id == chain_id, ChainEvent.event == "TransferBatch", ChainEvent.loan_id.is_(None))
            .order_by(ChainEvent.block_number, ChainEvent.log_index)):
        for loan_id in loan_ids_of(ev.event, ev.args):
            batches.setdefault(loan_id, []).append(ev)
    for start in range(0, len(loan_ids), CHUNK):
        chunk = loan_ids[start:start + CHUNK]
        by_loan: dict[int, list] = {i: [] for i in chunk}
        for ev in db.execute(select(*EVENT_COLUMNS).where(ChainEvent.chain_id == chain_id,
                                                          ChainEvent.loan_id.in_(chunk))
                             .order_by(ChainEvent.block_number, ChainEvent.log_index)):
            by_loan[ev.loan_id].append(ev)
        stored = _stored_loans(db, chain_id, chunk)
        rows, holdings = [], []
        for loan_id in chunk:
            events = by_loan[loan_id]
            row = project_loan(loan_id, events, policy, _previous_terms(stored.get(loan_id)), views, chain_id)
            if row is not None:
                rows.append(row)
            merged = sorted(events + batches.get(loan_id, []), key=lambda e: (e.block_number, e.log_index))
            holdings += [{"chain_id": chain_id, "loan_id": loan_id, "holder": holder, "amount": pad(value)}
                         for holder, value in holdings_of(loan_id, merged).items()]
        _write(db, chain_id, chunk, rows, holdings, views)
    return len(loan_ids)


def apply_new_events(db: Session, chain_id: int, events: list[dict], views: ViewReader | None) -> int:
    """The indexer's step: fold only the newly stored `events` (dicts in chain order, as inserted)
    into the stored rows of the loans they touch, instead of replaying each loan's history.

    Same transition (`apply_event`) and transfer rules as `rebuild_loans`, from the stored row
    (`unfinish`) and holdings, so the result is the full replay's. Returns the loans touched."""
    views_of = [EventView(e["block_number"], e["log_index"], e["event"], e["args"], e["contract"],
                          e["block_timestamp"], e["loan_id"]) for e in events]
    views_of.sort(key=lambda e: (e.block_number, e.log_index))
    touched = sorted({i for ev in views_of for i in loan_ids_of(ev.event, ev.args)})
    if not touched:
        return 0
    if any(ev.event in POLICY_EVENTS and ev.contract == "LoanBook" for ev in views_of) or \
            any(ev.event == "LoanRequested" for ev in views_of):
        policy = _policy_events(db, chain_id)  # stored before this call: includes the new ones
    else:
        policy = []
    for start in range(0, len(touched), CHUNK):
        chunk = touched[start:start + CHUNK]
        wanted = set(chunk)
        stored = _stored_loans(db, chain_id, chunk)
        working = {loan_id: unfinish(row) for loan_id, row in stored.items()}
        balances = {(h.loan_id, h.holder): int(h.amount) for h in db.execute(
            select(NoteHolding.loan_id, NoteHolding.holder, NoteHolding.amount).where(
                NoteHolding.chain_id == chain_id, NoteHolding.loan_id.in_(chunk)))}
        for ev in views_of:
            if ev.event in ("TransferSingle", "TransferBatch"):
                move_notes(balances, ev, wanted)
            loan_id = ev.loan_id
            if loan_id is None or loan_id not in wanted:
                continue
            row, state = working.get(loan_id, (None, None))
            row, state = apply_event(row, state, ev, loan_id, policy, _previous_terms(stored.get(loan_id)), views,
                                     chain_id)
            if row is not None:
                working[loan_id] = (row, state)
        rows = [finish(row, state) for _, (row, state) in sorted(working.items())]
        holdings = [{"chain_id": chain_id, "loan_id": loan_id, "holder": holder, "amount": pad(value)}
                    for (loan_id, holder), value in sorted(balances.items()) if value]
        _write(db, chain_id, chunk, rows, holdings, views)
    return len(touched)
