"""The indexer's step: one bounded, idempotent pass from the checkpoint towards the head.

    step(db, source, deployment) -> StepResult

1. Identity: the node's chain id must be the map's, and the hash of the map's `startBlock` the one
   the checkpoint recorded; otherwise `ChainMismatch` (a restarted Ganache is a new chain with the
   same id: its blocks have other hashes). Nothing is written; the documented way out is
   `flask --app backend indexer reset --yes`, which drops the indexed chain data.
2. Reorg: the checkpoint keeps the hashes of the last `reorg_depth` blocks it processed; if the
   node's hash of the checkpoint block differs, the highest block whose hash still agrees is the
   fork point: events above it are deleted, the loans they touched rebuilt, and the step goes on
   from there. A fork older than the kept hashes is a `ChainMismatch` too.
3. Range: at most `batch_blocks` blocks after the checkpoint, ending `confirmations` blocks behind
   the head; one `eth_getLogs` over every indexed contract, plus the headers (hash, time) of the
   blocks that have logs and of the last blocks of the range, in batched requests. A log whose
   block hash differs from its header's (a reorg while reading) aborts the step unwritten.
4. Decode by (address, topic0) with eth_abi (backend/indexer/abi.py); undecodable logs are kept
   raw. Insert keyed by (block hash, log index), ignoring rows already there, so repeating a step
   changes nothing.
5. Fold the new events into the stored rows of the loans they touch (incrementally, with the
   same transition as the full replay: backend/indexer/projection.py), then save the checkpoint
   (block, hash, time, recent hashes) in the same transaction: one transaction per bounded range.
   A rollback (2.) replays the loans it touched from their remaining events instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import json
from operator import itemgetter

from sqlalchemy import column, delete, select, table
from sqlalchemy.orm import Session

from backend.db.models import ChainEvent, IndexerCheckpoint, Loan, LoanOutcome, NoteHolding, Token
from backend.indexer.abi import EventDecoder, indexed_contracts
from backend.indexer.projection import ViewReader, apply_new_events, loan_ids_of, rebuild_loans
from backend.indexer.rpc import SourceUnavailable

DEFAULT_NAME = "lendchain"
INSERT_CHUNK = 1000
RESET_HINT = ("to index the new chain, stop the indexer and run `flask --app backend indexer reset --yes` "
              "(drops the indexed chain data), after redeploying the contracts if the map is stale")


class ChainMismatch(Exception):
    """The node is not the chain the database indexed (or the map describes); the indexer must stop."""


class ReorgDuringStep(SourceUnavailable):
    """The chain changed while the step read it; nothing was written, the next step retries."""


@dataclass
class StepResult:
    from_block: int | None = None
    to_block: int | None = None
    head: int = 0
    events: int = 0
    undecoded: int = 0
    loans: int = 0
    rolled_back_to: int | None = None
    removed: int = 0
    caught_up: bool = False
    notes: list = field(default_factory=list)


class Indexer:
    """The configuration of a stream: the deployment map, the decoder and the limits."""

    def __init__(self, deployment: dict, *, confirmations: int = 0, batch_blocks: int = 2000,
                 reorg_depth: int = 64, name: str = DEFAULT_NAME):
        self.deployment = deployment
        self.chain_id = int(deployment["chainId"])
        self.start_block = int(deployment.get("startBlock", 0))
        self.contracts = deployment["contracts"]
        self.decoder = EventDecoder(indexed_contracts(self.contracts))
        self.confirmations = confirmations
        self.batch_blocks = max(1, batch_blocks)
        self.reorg_depth = max(2, reorg_depth)
        self.name = name

    def step(self, db: Session, source) -> StepResult:
        """One pass; commits on success, rolls back (and re-raises) on any failure."""
        try:
            result = self._step(db, source)
            db.commit()
            return result
        except BaseException:
            db.rollback()
            raise

    # -- the parts -------------------------------------------------------------------------------

    def _step(self, db: Session, source) -> StepResult:
        result = StepResult()
        node_chain = source.chain_id()
        if node_chain != self.chain_id:
            raise ChainMismatch(f"the node at the RPC URL is chain {node_chain}, the deployment map is for chain "
                                f"{self.chain_id}")
        head = source.block_number()
        result.head = head
        checkpoint = db.get(IndexerCheckpoint, self.name)
        start = source.headers([self.start_block]).get(self.start_block)
        if start is None:
            raise ChainMismatch(f"the node has no block {self.start_block} (the map's startBlock): it is not the "
                                f"chain the contracts were deployed on; {RESET_HINT}")
        if checkpoint is not None:
            if (checkpoint.chain_id, checkpoint.start_block, checkpoint.start_hash) != \
                    (self.chain_id, self.start_block, start.hash):
                raise ChainMismatch(
                    f"the node at the RPC URL is not the chain this database indexed: block {self.start_block} is "
                    f"{start.hash} there, {checkpoint.start_hash} (block {checkpoint.start_block}, chain "
                    f"{checkpoint.chain_id}) here — a restarted local node is a new chain; {RESET_HINT}")
            fork = self._fork_point(source, checkpoint)
            if fork is not None:
                result.rolled_back_to = fork
                result.removed = self.roll_back(db, checkpoint, fork, source)
        else:
            checkpoint = IndexerCheckpoint(name=self.name, chain_id=self.chain_id, block_number=self.start_block - 1,
                                           block_hash=None, start_block=self.start_block, start_hash=start.hash,
                                           block_timestamp=None, recent_hashes=[])
            db.add(checkpoint)
        first = checkpoint.block_number + 1
        last = min(head - self.confirmations, first + self.batch_blocks - 1)
        if last < first:
            result.caught_up = True
            db.flush()
            return result
        logs = source.logs(first, last, self.decoder.addresses)
        wanted = {log["blockNumber"] for log in logs} | set(range(max(first, last - self.reorg_depth + 1), last + 1))
        headers = source.headers(wanted)
        if last not in headers:
            raise ReorgDuringStep(f"block {last} vanished while reading")
        rows, touched = [], set()
        for log in logs:
            header = headers.get(log["blockNumber"])
            if header is None or header.hash != log["blockHash"]:
                raise ReorgDuringStep(f"block {log['blockNumber']} changed while reading its logs")
            contract, event, args = self.decoder.decode(log)
            ids = loan_ids_of(event, args)
            touched.update(ids)
            result.undecoded += event is None
            rows.append({"chain_id": self.chain_id, "block_number": log["blockNumber"], "block_hash": log["blockHash"],
                         "block_timestamp": header.timestamp, "log_index": log["logIndex"],
                         "tx_hash": log["transactionHash"], "address": self.decoder.addresses_by_lower(log["address"]),
                         "contract": contract, "event": event, "loan_id": ids[0] if len(ids) == 1 else None,
                         "args": args, "topics": log["topics"], "data": log["data"]})
        views = ViewReader(source, self.contracts)
        present = {(h, i) for h, i in db.execute(select(ChainEvent.block_hash, ChainEvent.log_index).where(
            ChainEvent.chain_id == self.chain_id, ChainEvent.block_number.between(first, last)))}
        new_rows = [r for r in rows if (r["block_hash"], r["log_index"]) not in present]
        result.events = insert_events(db, new_rows)
        if present:  # events above the checkpoint already stored (never by a normal step): replay those loans
            result.loans = rebuild_loans(db, self.chain_id, touched, views)
        else:  # the normal case: fold only the new events into the stored rows
            result.loans = apply_new_events(db, self.chain_id, new_rows, views)
        recent = [pair for pair in (checkpoint.recent_hashes or []) if pair[0] < first]
        recent += [[n, headers[n].hash] for n in sorted(headers) if n >= max(first, last - self.reorg_depth + 1)]
        checkpoint.recent_hashes = recent[-self.reorg_depth:]
        checkpoint.block_number, checkpoint.block_hash = last, headers[last].hash
        checkpoint.block_timestamp = headers[last].timestamp
        result.from_block, result.to_block = first, last
        result.caught_up = last >= head - self.confirmations
        db.flush()
        return result

    def _fork_point(self, source, checkpoint: IndexerCheckpoint) -> int | None:
        """None when the checkpoint block is still on the chain, else the highest kept block that is."""
        recent = checkpoint.recent_hashes or []
        if not recent:
            return None
        now = source.headers([n for n, _ in recent])
        if recent[-1][0] in now and now[recent[-1][0]].hash == recent[-1][1]:
            return None
        for number, block_hash in reversed(recent):
            if number in now and now[number].hash == block_hash:
                return number
        if recent[0][0] <= self.start_block:
            return self.start_block - 1
        raise ChainMismatch(f"a reorg deeper than the {len(recent)} block hashes kept (below block {recent[0][0]}); "
                            f"{RESET_HINT}")

    def roll_back(self, db: Session, checkpoint: IndexerCheckpoint, fork: int, source=None) -> int:
        """Delete what was indexed above `fork` and rebuild the loans it touched; returns the events removed."""
        gone = list(db.execute(select(ChainEvent.event, ChainEvent.args, ChainEvent.loan_id).where(
            ChainEvent.chain_id == self.chain_id, ChainEvent.block_number > fork)))
        touched = set()
        for event, args, loan_id in gone:
            touched.update(loan_ids_of(event, args) or ([loan_id] if loan_id is not None else []))
        db.execute(delete(ChainEvent).where(ChainEvent.chain_id == self.chain_id, ChainEvent.block_number > fork))
        rebuild_loans(db, self.chain_id, touched, ViewReader(source, self.contracts) if source else None)
        checkpoint.recent_hashes = [pair for pair in (checkpoint.recent_hashes or []) if pair[0] <= fork]
        kept = checkpoint.recent_hashes[-1] if checkpoint.recent_hashes else None
        checkpoint.block_number = fork
        checkpoint.block_hash = kept[1] if kept and kept[0] == fork else None
        db.flush()
        return len(gone)


# chain_events for bulk inserts: the same columns without SQLAlchemy's per-value type processing
# (the JSON columns get text serialised once here, as the JSON type would). The INSERT .. ON
# CONFLICT DO NOTHING is compiled once per dialect and handed to the driver's executemany with
# plain tuples (or dicts, for drivers with named parameters): no per-row parameter processing.
_INSERT_TABLE = table("chain_events", *(column(c.name) for c in ChainEvent.__table__.columns if c.name != "id"))
_COLUMNS = tuple(c.name for c in _INSERT_TABLE.columns)
_JSON_COLUMNS = ("args", "topics")
_compiled: dict[str, tuple[str, tuple[int, ...] | None]] = {}


def _insert_sql(dialect) -> tuple[str, tuple[int, ...] | None]:
    """(SQL, positions of the columns in its positional parameters, or None for named parameters)."""
    cached = _compiled.get(dialect.name)
    if cached is None:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = dialect_insert(_INSERT_TABLE).on_conflict_do_nothing(index_elements=["block_hash", "log_index"])
        compiled = statement.compile(dialect=dialect, column_keys=list(_COLUMNS))
        order = compiled.positiontup
        cached = (compiled.string, None if order is None else tuple(_COLUMNS.index(name) for name in order))
        _compiled[dialect.name] = cached
    return cached


def insert_events(db: Session, rows: list[dict]) -> int:
    """Insert, skipping (block hash, log index) pairs already stored; returns the rows inserted."""
    if not rows:
        return 0
    connection = db.connection()
    sql, positions = _insert_sql(connection.dialect)
    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    columns = itemgetter(*_COLUMNS)
    json_at = [_COLUMNS.index(k) for k in _JSON_COLUMNS]
    values = []
    for row in rows:
        value = list(columns(row))
        for i in json_at:
            if value[i] is not None:
                value[i] = dumps(value[i])
        values.append(tuple(value))
    if positions is not None:
        if positions != tuple(range(len(_COLUMNS))):
            values = [tuple(v[i] for i in positions) for v in values]
    else:
        values = [dict(zip(_COLUMNS, v)) for v in values]
    count = 0
    for start in range(0, len(values), INSERT_CHUNK):
        chunk = values[start:start + INSERT_CHUNK]
        affected = connection.exec_driver_sql(sql, chunk).rowcount
        count += affected if affected is not None and affected >= 0 else len(chunk)
    return count


def reset(db: Session, chain_id: int | None = None, name: str = DEFAULT_NAME) -> dict:
    """Forget the indexed chain (events, loans, holdings, tokens, outcomes of that chain, the checkpoint)."""
    counts = {}
    for model in (ChainEvent, NoteHolding, Loan, Token, LoanOutcome):
        statement = delete(model)
        if chain_id is not None:
            statement = statement.where(model.chain_id == chain_id)
        counts[model.__tablename__] = db.execute(statement).rowcount
    counts["indexer_checkpoints"] = db.execute(delete(IndexerCheckpoint).where(IndexerCheckpoint.name == name)).rowcount
    db.commit()
    return counts
