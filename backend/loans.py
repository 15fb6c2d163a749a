"""Loans as the API shows them (DESIGN.md flow 3/4): listings with filters, detail, borrower and
lender views, grade statistics — all from the indexer's tables, plus live lens reads.

Amounts are base units as decimal strings (never floats). "Now" for states with no event (late,
amounts due) is the chain's head time, read at most every CHAIN_STATE_CACHE_SECONDS; when the
chain cannot be read, the later of the wall clock and the last indexed block time.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from backend.chain import ChainUnavailable, get_chain, load_deployment
from backend.db.models import ChainEvent, IndexerCheckpoint, Loan, NoteHolding, Token
from backend.errors import NotFound
from backend.indexer.abi import checksum
from backend.indexer.projection import pad, purpose_name
from backend.loan_model import LoanState

GRADES = ("A+", "A", "B+", "B", "C+", "C", "D+", "D", "E")  # scoring.grades.GRADES, codes 1..9
STATUSES = ("listed", "active", "repaid", "defaulted", "cancelled", "expired", "closed")
YEAR = 365 * 24 * 3600
MAX_ID = 2**63 - 1
LOANS = Loan.__table__
L = LOANS.c  # table columns: the listing queries are Core (cheaper to build than with ORM attributes)
SORTS = {
    "apr": (L.apr_bps,), "amount": (L.principal,), "funded": (L.funded_bps,), "grade": (L.grade,),
    "term": (L.term,), "newest": (L.listed_block,), "collateral": (L.min_collateral_ratio_bps,),
}
_clock_lock = threading.Lock()
CLOCK = "lendchain.chain_clock"  # app.extensions: (wall time read, head time - wall time or None when down)


def chain_id() -> int:
    from backend.chain import expected_chain_id

    return expected_chain_id()


_LAST_INDEXED_TIME = select(func.max(IndexerCheckpoint.block_timestamp))


def now_on_chain(db: Session) -> tuple[int, bool]:
    """(unix time, live): the head block's time (cached briefly) or a local estimate when the chain is down."""
    app = current_app
    ttl = float(app.config.get("CHAIN_STATE_CACHE_SECONDS", 2))
    fetched = app.extensions.get(CLOCK)
    wall = time.time()
    if fetched is None or wall - fetched[0] > ttl:
        with _clock_lock:
            try:
                head_time = get_chain().head().timestamp
                fetched = (wall, head_time - int(wall))
            except ChainUnavailable:
                fetched = (wall, None)
            app.extensions[CLOCK] = fetched
    if fetched[1] is not None:
        return int(wall) + fetched[1], True
    indexed = db.connection().scalar(_LAST_INDEXED_TIME) or 0
    return max(int(wall), int(indexed)), False


def grade_letter(code: int) -> str | None:
    return GRADES[code - 1] if 1 <= code <= len(GRADES) else None


_TOKENS = select(Token.address, Token.symbol, Token.decimals).where(Token.chain_id == bindparam("chain_id"))


def _tokens(db: Session, cid: int) -> dict[str, Any]:
    """address -> (address, symbol, decimals) rows (attribute access, like Token; no ORM objects)."""
    return {t.address: t for t in db.connection().execute(_TOKENS, {"chain_id": cid})}


def _token_view(tokens: dict[str, Token], address: str) -> dict:
    token = tokens.get(address)
    return {"address": address, "symbol": token.symbol if token else None, "decimals": token.decimals if token else None}


def is_late(loan: Loan, now: int) -> bool:
    return loan.status in ("active", "defaulted") and loan.late_at is not None and now > loan.late_at


def summary(loan: Loan, tokens: dict[str, Token], now: int) -> dict:
    return {
        "id": loan.loan_id, "borrower": loan.borrower, "token": _token_view(tokens, loan.token),
        "status": loan.status, "late": is_late(loan, now), "grade": loan.grade, "grade_letter": grade_letter(loan.grade),
        "pd_bps": loan.pd_bps, "purpose": loan.purpose, "purpose_name": purpose_name(loan.purpose),
        "principal": str(int(loan.principal)), "funded": str(int(loan.funded)), "funded_bps": loan.funded_bps,
        "apr_bps": loan.apr_bps, "instalments": loan.instalments, "period": loan.period, "term_days": loan.term // 86400,
        "min_collateral_ratio_bps": loan.min_collateral_ratio_bps,
        "collateral": None if not loan.collateral_token else {
            "token": _token_view(tokens, loan.collateral_token), "amount": str(int(loan.collateral_amount))},
        "funding_deadline": loan.funding_deadline, "listed_at": loan.listed_at, "start_time": loan.start_time,
        "outstanding": str(int(loan.outstanding)),
        "instalment": None if loan.instalment is None else str(int(loan.instalment)),
    }


# what `summary` reads: the list pages select these columns only (no ORM objects, and not the
# JSON `state`, which would be decoded for every row)
SUMMARY_COLUMNS = tuple(L[name] for name in (
    "loan_id", "borrower", "token", "status", "late_at", "grade", "pd_bps", "purpose", "principal", "funded",
    "funded_bps", "apr_bps", "instalments", "period", "term", "min_collateral_ratio_bps", "collateral_token",
    "collateral_amount", "funding_deadline", "listed_at", "start_time", "outstanding", "instalment"))
# built once (coercing 23 columns per request costs more than the query); `.where()` copies them
_PAGE_ROWS = select(*SUMMARY_COLUMNS)
_PAGE_TOTAL = select(func.count()).select_from(LOANS)


def loan_filters(filters: dict, cid: int, now: int) -> list:
    """The WHERE clauses of a loan listing query."""
    where = [L.chain_id == cid]
    if filters.get("grade"):
        where.append(L.grade.in_(filters["grade"]))
    if filters.get("status"):
        wanted = set(filters["status"])
        clauses = []
        plain = wanted & set(STATUSES)
        if plain:
            clauses.append(L.status.in_(sorted(plain)))
        if "late" in wanted:
            clauses.append(and_(L.status == "active", L.late_at < now))
        where.append(or_(*clauses))
    bounds = [("min_apr_bps", L.apr_bps, "ge"), ("max_apr_bps", L.apr_bps, "le"),
              ("min_collateral_ratio_bps", L.min_collateral_ratio_bps, "ge"),
              ("min_funded_bps", L.funded_bps, "ge")]
    for name, column, op in bounds:
        if filters.get(name) is not None:
            where.append(column >= filters[name] if op == "ge" else column <= filters[name])
    if filters.get("max_term_days") is not None:
        where.append(L.term <= filters["max_term_days"] * 86400)
    if filters.get("min_amount") is not None:
        where.append(L.principal >= pad(filters["min_amount"]))
    if filters.get("max_amount") is not None:
        where.append(L.principal <= pad(filters["max_amount"]))
    if filters.get("borrower"):
        where.append(L.borrower == checksum(filters["borrower"]))
    return where


def page_of_loans(db: Session, filters: dict) -> dict:
    """One page of a listing: the summary columns of the page's rows (ordered by the sort's indexed
    column then the loan id, so the migration 0005 indexes serve both) and the filter's total (a
    COUNT over the same WHERE, answered from an index when the filters are indexed)."""
    cid = chain_id()
    now, _live = now_on_chain(db)
    where = loan_filters(filters, cid, now)
    query = _PAGE_ROWS.where(*where)
    connection = db.connection()  # Core statements on the request's connection: no ORM layer per query
    total = connection.scalar(_PAGE_TOTAL.where(*where))
    sort = filters.get("sort") or "newest"
    descending = sort.startswith("-") ^ (sort in ("newest",))
    name = sort.lstrip("-")
    if name == "oldest":
        name, descending = "newest", False
    columns = SORTS[name]
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(L.loan_id.desc() if descending else L.loan_id.asc())
    page, per_page = filters.get("page", 1), filters.get("per_page", 20)
    rows = connection.execute(query.order_by(*order).offset((page - 1) * per_page).limit(per_page)).all()
    tokens = _tokens(db, cid)
    return {"items": [summary(r, tokens, now) for r in rows], "total": total, "page": page, "per_page": per_page}


def _events(db: Session, cid: int, loan_ids: list[int], names: tuple[str, ...]) -> list[ChainEvent]:
    if not loan_ids:
        return []
    return list(db.scalars(select(ChainEvent).where(
        ChainEvent.chain_id == cid, ChainEvent.loan_id.in_(loan_ids), ChainEvent.event.in_(names))
        .order_by(ChainEvent.block_number, ChainEvent.log_index)))


def _at(ev: ChainEvent) -> dict:
    return {"block": ev.block_number, "tx_hash": ev.tx_hash, "at": ev.block_timestamp}


def _model_due(loan: Loan, now: int) -> tuple[dict | None, bool]:
    if loan.state is None or loan.status not in ("active", "defaulted"):
        zero = {"late_fees": "0", "interest": "0", "to_be_current": "0", "payoff": "0", "next_due_date": None}
        return zero, False
    state = LoanState.from_dict(loan.state)
    due = state.amount_due(now)
    return {k: (v if k == "next_due_date" else str(v)) for k, v in due.items()}, state.is_late(now)


def loan_detail(db: Session, loan_id: int) -> dict:
    cid = chain_id()
    loan = db.get(Loan, (cid, loan_id)) if 0 <= loan_id <= MAX_ID else None
    if loan is None:
        raise NotFound(f"no loan {loan_id} on chain {cid}", code="unknown_loan")
    now, live = now_on_chain(db)
    tokens = _tokens(db, cid)
    view = summary(loan, tokens, now)
    events = _events(db, cid, [loan_id], ("Funded", "Repayment", "Liquidated", "FundedFromCommitment"))
    from_commitment = {(e.tx_hash, e.args["amount"]): e.args["commitmentId"] for e in events
                       if e.event == "FundedFromCommitment"}
    view["terms"] = {"fee_bps": loan.fee_bps, "late_fee_bps": loan.late_fee_bps, "grace_period": loan.grace_period,
                     "default_after": loan.default_after, "min_fill_bps": loan.min_fill_bps,
                     "funding_deadline": loan.funding_deadline, "period": loan.period, "instalments": loan.instalments,
                     "source": loan.terms_source}
    state = LoanState.from_dict(loan.state) if loan.state else None
    view["schedule"] = {
        "start_time": loan.start_time, "instalment": view["instalment"],
        "instalments_paid": state.satisfied_instalments() if state else 0,
        "due_dates": state.schedule() if state else [],
    }
    view["fundings"] = [dict(_at(e), lender=e.args["lender"], amount=e.args["amount"], total_funded=e.args["totalFunded"],
                             commitment_id=from_commitment.get((e.tx_hash, e.args["amount"])))
                        for e in events if e.event == "Funded"]
    view["repayments"] = [dict(_at(e), payer=e.args["payer"], late_fees=e.args["lateFees"], interest=e.args["interest"],
                               principal=e.args["principal"], platform_fee=e.args["platformFee"],
                               outstanding=e.args["outstanding"]) for e in events if e.event == "Repayment"]
    view["liquidations"] = [dict(_at(e), liquidator=e.args.get("liquidator"), repaid=e.args.get("repaid"),
                                 seized=e.args.get("seized"), health_wad=e.args.get("healthWad"))
                            for e in events if e.event == "Liquidated"]
    due, late = _model_due(loan, now)
    health = {"health_wad": None, "liquidation_price_wad": None, "seconds_until_default":
              None if loan.default_eligible_at is None else max(0, loan.default_eligible_at - now),
              "price_usable": None}
    live_state = None
    if live:
        try:
            live_state = get_chain().loan_states([loan_id])[0]
        except ChainUnavailable:
            live = False
    if live_state is not None:
        d = live_state["due"]
        owing = loan.status in ("active", "defaulted")
        due = {"late_fees": d["lateFees"], "interest": d["interest"], "to_be_current": d["toBeCurrent"],
               "payoff": d["payoff"], "next_due_date": int(d["nextDueDate"]) if owing else None}
        late = bool(live_state["late"])
        health = {"health_wad": live_state["healthWad"], "liquidation_price_wad": live_state["liquidationPriceWad"],
                  "seconds_until_default": int(live_state["secondsUntilDefault"]),
                  "price_usable": bool(live_state["priceUsable"])}
    view.update(amount_due=due, late=late, health=health, live=live, now=now,
                default_eligible_at=loan.default_eligible_at, late_instalments=loan.late_instalments,
                repaid={"principal": str(int(loan.principal_repaid)), "interest": str(int(loan.interest_repaid)),
                        "late_fees": str(int(loan.late_fees_repaid)), "platform_fees": str(int(loan.platform_fees))},
                written_off=str(int(loan.written_off)), model_mismatch=loan.model_mismatch,
                holders=db.scalar(select(func.count()).select_from(NoteHolding).where(
                    NoteHolding.chain_id == cid, NoteHolding.loan_id == loan_id)))
    return view


def _month(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m")


def portfolio(db: Session, lender: str) -> dict:
    """A lender's notes and what they earned.

    Shares: a holder's share of a loan is notes / note supply (the funded amount; one note per base
    unit), applied to the loan's repayments as if the notes were held since the start.

    Net annualised return (BTCJam's convention, late loans counted as losses):

        NAR = (earned - losses) / sum(share * principal * years held)

    with earned = share of interest and late fees repaid, less the platform fee; losses = share of
    the principal still outstanding on loans that are late, defaulted or closed by write-off (as
    if none of it came back); years held = from the loan's start to its resolution, or to now, and
    at least one period: interest is charged a period at a time, so an instalment paid early in the
    first period would otherwise annualise to hundreds of percent. A simple, not compounded, rate;
    null until a held loan has started.
    """
    cid = chain_id()
    holder = checksum(lender)
    now, live = now_on_chain(db)
    held = {h.loan_id: int(h.amount) for h in db.scalars(select(NoteHolding).where(
        NoteHolding.chain_id == cid, NoteHolding.holder == holder))}
    loans = {l.loan_id: l for l in db.scalars(select(Loan).where(Loan.chain_id == cid, Loan.loan_id.in_(list(held))))}
    ids = sorted(loans)
    claimable: dict[int, int] | None = None
    if live and ids:
        try:
            claimable = dict(zip(ids, get_chain().claimables(ids, holder)))
        except ChainUnavailable:
            live = False
    tokens = _tokens(db, cid)
    events = _events(db, cid, ids, ("Repayment", "Claimed"))
    claimed: dict[int, int] = defaultdict(int)
    monthly: dict[str, dict[str, int]] = defaultdict(lambda: {"repaid": 0, "claimed": 0})
    shares = {i: (held[i], int(loans[i].funded)) for i in ids}
    for e in events:
        if e.event == "Claimed" and e.args["holder"] == holder:
            claimed[e.loan_id] += int(e.args["amount"])
            monthly[_month(e.block_timestamp or 0)]["claimed"] += int(e.args["amount"])
        elif e.event == "Repayment":
            notes, supply = shares[e.loan_id]
            paid = int(e.args["lateFees"]) + int(e.args["interest"]) + int(e.args["principal"]) - int(e.args["platformFee"])
            monthly[_month(e.block_timestamp or 0)]["repaid"] += paid * notes // supply if supply else 0
    items, totals = [], defaultdict(int)
    by_grade: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    exposure = earned_total = loss_total = 0
    for loan_id in ids:
        loan, notes = loans[loan_id], held[loan_id]
        supply = int(loan.funded) or 1
        late = is_late(loan, now)
        bucket = ("late" if late and loan.status == "active" else
                  {"active": "current", "cancelled": "refundable", "expired": "refundable"}.get(loan.status, loan.status))
        earned = (int(loan.interest_repaid) + int(loan.late_fees_repaid) - int(loan.platform_fees)) * notes // supply
        outstanding_share = int(loan.outstanding) * notes // supply
        loss = outstanding_share if bucket in ("late", "defaulted") or (loan.status == "closed"
                                                                        and int(loan.written_off)) else 0
        refundable = notes if loan.status in ("cancelled", "expired") else 0
        if loan.start_time:
            end = loan.resolved_at if loan.status in ("repaid", "closed") and loan.resolved_at else now
            years = max(end - loan.start_time, loan.period or 86400) / YEAR
            exposure += int(loan.principal) * notes / supply * years
            earned_total += earned
            loss_total += loss
        entry = summary(loan, tokens, now)
        entry.update(notes=str(notes), share_bps=notes * 10_000 // supply, bucket=bucket, earned=str(earned),
                     outstanding_share=str(outstanding_share), loss=str(loss), claimed=str(claimed[loan_id]),
                     claimable=None if claimable is None else str(claimable[loan_id]), refundable=str(refundable))
        items.append(entry)
        for key, value in (("notes", notes), ("earned", earned), ("outstanding", outstanding_share), ("losses", loss),
                           ("claimed", claimed[loan_id]), ("refundable", refundable),
                           ("claimable", (claimable or {}).get(loan_id, 0))):
            totals[key] += value
            by_grade[loan.grade][key] += value
        by_grade[loan.grade]["loans"] += 1
        totals[f"loans_{bucket}"] += 1
    nar = None if exposure == 0 else (earned_total - loss_total) / exposure
    return {
        "lender": holder, "live": live, "now": now, "items": items,
        "totals": {k: (str(v) if not k.startswith("loans_") else v) for k, v in totals.items()} | {
            "claimable": None if claimable is None else str(totals["claimable"])},
        "net_annualised_return": nar,
        "by_grade": [{"grade": g, "grade_letter": grade_letter(g), "loans": v.pop("loans"),
                      **{k: str(x) for k, x in v.items() if k != "claimable"}} for g, v in sorted(by_grade.items())],
        "monthly": [{"month": m, "repaid": str(v["repaid"]), "claimed": str(v["claimed"])}
                    for m, v in sorted(monthly.items())],
    }


def grade_stats(db: Session) -> list[dict]:
    """Per grade, over loans that started: count, volume (principal, base units), default rate
    (loans that defaulted / started), realised default rate (defaulted / resolved), recovery rate
    (paid after default / outstanding at default), and the mean PD predicted at listing."""
    cid = chain_id()
    stats: dict[int, dict[str, Any]] = {g: {"count": 0, "volume": 0, "defaulted": 0, "resolved": 0, "pd_sum": 0,
                                            "recovered": 0, "defaulted_outstanding": 0} for g in range(1, 10)}
    query = select(Loan.grade, Loan.principal, Loan.status, Loan.defaulted_at, Loan.defaulted_outstanding,
                   Loan.recovered, Loan.pd_bps, Loan.funded).where(Loan.chain_id == cid, Loan.start_time.is_not(None))
    for grade, principal, status, defaulted_at, defaulted_outstanding, recovered, pd_bps, funded in db.execute(query):
        s = stats.setdefault(grade, {"count": 0, "volume": 0, "defaulted": 0, "resolved": 0, "pd_sum": 0,
                                     "recovered": 0, "defaulted_outstanding": 0})
        s["count"] += 1
        s["volume"] += int(funded)
        s["pd_sum"] += pd_bps
        if defaulted_at is not None:
            s["defaulted"] += 1
            s["defaulted_outstanding"] += int(defaulted_outstanding or 0)
            s["recovered"] += int(recovered)
        if status in ("repaid", "defaulted", "closed") or defaulted_at is not None:
            s["resolved"] += 1
    out = []
    for grade, s in sorted(stats.items()):
        out.append({
            "grade": grade, "grade_letter": grade_letter(grade), "count": s["count"], "volume": str(s["volume"]),
            "defaulted": s["defaulted"], "resolved": s["resolved"],
            "default_rate": s["defaulted"] / s["count"] if s["count"] else None,
            "realised_default_rate": s["defaulted"] / s["resolved"] if s["resolved"] else None,
            "recovery_rate": s["recovered"] / s["defaulted_outstanding"] if s["defaulted_outstanding"] else None,
            "mean_predicted_pd": s["pd_sum"] / s["count"] / 10_000 if s["count"] else None,
        })
    return out


def chain_document() -> dict:
    config = current_app.config
    deployment = load_deployment(config["DEPLOYMENTS_DIR"], int(config["CHAIN_ID"]))
    return {"chainId": int(deployment["chainId"]), "rpcUrl": config.get("PUBLIC_RPC_URL") or config["RPC_URL"],
            "startBlock": int(deployment.get("startBlock", 0)),
            "contracts": {name: {"address": entry["address"], "abi": entry["abi"]}
                          for name, entry in deployment["contracts"].items()}}
