"""A lender's commitments (from chain) and its off-chain filters (from the database).

Which commitments a lender has comes from the indexed `CommitmentCreated` events (the lender is an
indexed topic and never changes); their state (available, budget, rule, expiry) is read from
`AutoLend.commitment` at request time, so it is never staler than the chain. Filters may be set
only by the commitment's lender (ownership from the same events).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.bots.autolend.matching import Commitment, Filters
from backend.chain import get_chain
from backend.db.models import AutoLendFilter, ChainEvent
from backend.errors import Forbidden, NotFound
from backend.indexer.abi import checksum

RULE_VIEW = ("worstGrade", "minAprBps", "maxAprBps", "maxTerm", "minCollateralRatioBps", "maxPerLoan",
             "maxPerBorrower", "expiry", "reinvest", "purposeMask", "maxPdBps", "operator")


def created_by(db: Session, chain_id: int, lender: str | None = None) -> dict[int, str]:
    """{commitment id: lender} from the indexed CommitmentCreated events (optionally one lender's)."""
    events = db.scalars(select(ChainEvent).where(ChainEvent.chain_id == chain_id,
                                                 ChainEvent.event == "CommitmentCreated"))
    found = {int(e.args["commitmentId"]): checksum(e.args["lender"]) for e in events}
    return {cid: who for cid, who in found.items() if lender is None or who == checksum(lender)}


def status(commitment: Commitment, now: int) -> str:
    if commitment.closed:
        return "closed"
    if now > commitment.expiry:
        return "expired"
    if commitment.budget == 0 or commitment.available == 0:
        return "idle"  # open, but nothing to lend until a deposit (available) or a new rule (budget)
    return "open"


def view(commitment_id: int, raw: dict, now: int) -> dict:
    """One commitment for the API: amounts as decimal strings, its rule, its status now."""
    c = Commitment.from_named(commitment_id, raw)
    rule = {name: (raw[name] if name in ("reinvest", "operator") else str(raw[name])) for name in RULE_VIEW}
    return {"id": commitment_id, "lender": c.lender, "token": c.token, "available": str(c.available),
            "budget": str(c.budget), "expiry": c.expiry, "status": status(c, now), "rule": rule}


def lender_commitments(db: Session, chain_id: int, lender: str) -> list[dict]:
    chain = get_chain()
    now = chain.head().timestamp
    return [view(cid, chain.view("AutoLend", "commitment", cid), now)
            for cid in sorted(created_by(db, chain_id, lender))]


def owned(db: Session, chain_id: int, commitment_id: int, wallet: str) -> None:
    """Refuse a commitment the wallet did not create (404 when no such commitment was indexed)."""
    lender = created_by(db, chain_id).get(commitment_id)
    if lender is None:
        raise NotFound(f"no commitment {commitment_id} has been indexed", code="commitment_not_found")
    if lender != checksum(wallet):
        raise Forbidden(f"commitment {commitment_id} belongs to another lender", code="not_commitment_lender")


def filters_view(row: AutoLendFilter | None, commitment_id: int) -> dict:
    if row is None:
        return {"commitment_id": commitment_id, "blocked_borrowers": [], "max_loans_per_day": None,
                "min_score": None, "paused": False, "updated_at": None}
    return {"commitment_id": commitment_id, "blocked_borrowers": row.blocked_borrowers,
            "max_loans_per_day": row.max_loans_per_day, "min_score": row.min_score, "paused": row.paused,
            "updated_at": row.updated_at}


def save_filters(db: Session, chain_id: int, commitment_id: int, lender: str, values: dict) -> AutoLendFilter:
    row = db.get(AutoLendFilter, (chain_id, commitment_id))
    if row is None:
        row = AutoLendFilter(chain_id=chain_id, commitment_id=commitment_id, lender=checksum(lender))
        db.add(row)
    row.blocked_borrowers = sorted({checksum(a) for a in values["blocked_borrowers"]})
    row.max_loans_per_day, row.min_score, row.paused = values["max_loans_per_day"], values["min_score"], values["paused"]
    db.commit()
    return row


def filters_from(values: dict) -> Filters:
    """The bot's (and the backtest's) view of filters as the API takes and shows them."""
    return Filters(frozenset(a.lower() for a in values["blocked_borrowers"]), values["max_loans_per_day"],
                   values["min_score"], values["paused"])


def filters_of(row: AutoLendFilter | None) -> Filters:
    return Filters() if row is None else filters_from(filters_view(row, row.commitment_id))


def load_filters(db: Session, chain_id: int, commitment_ids: list[int]) -> dict[int, Filters]:
    rows = db.scalars(select(AutoLendFilter).where(AutoLendFilter.chain_id == chain_id,
                                                   AutoLendFilter.commitment_id.in_(commitment_ids)))
    found = {row.commitment_id: filters_of(row) for row in rows}
    return {cid: found.get(cid, Filters()) for cid in commitment_ids}
