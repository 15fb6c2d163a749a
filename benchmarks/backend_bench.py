"""Backend benchmarks (`make bench-backend`): the indexer's catch-up rate and the API under gunicorn.

    .venv/bin/python benchmarks/backend_bench.py  -> benchmarks/results/indexer.json, api.json

What is measured, honestly:

- Indexer: 10,000 loans and 100,000 events (listings, fundings with their ERC-1155 mints, starts,
  repayments, note transfers, price-feed rounds) are encoded with eth_abi as the contracts would
  log them and served by a local JSON-RPC *replay* server (eth_chainId, eth_blockNumber, batched
  eth_getBlockByNumber, eth_getLogs, eth_call) in its own process on loopback, each block's JSON
  serialised up front as a node keeps it. The indexer then catches up from the start block through
  its real code path (HTTP, decoding, upserts, incremental loan/holding updates, checkpoints, one
  transaction per 2,000-block range) into a fresh SQLite file: events_per_s = events / wall time;
  events_per_cpu_s = events / the indexer process's CPU time (the replay server's CPU is not in
  it). Ganache itself is not in the loop (it mines ~100 tx/s, so generating 100,000 events on it
  would take the benchmark longer than it measures); the Ganache tests check correctness, not speed.
- API: the indexed database served by gunicorn (gthread workers, keep-alive) on loopback, the
  chain unreachable (pages from the database; the head time falls back to the local clock). A
  Python load generator (threads, keep-alive connections) sends `GET /loans?grade=B&sort=apr`
  open-loop at 200 requests/s for 15 s (latency from the scheduled send time, so queueing counts),
  then closed-loop for throughput (no cache: every request counts, reads and serialises its page);
  `GET /me/score` with a signed-in session closed-loop, twice: as served by default (score_rps),
  where the session, verified facts and chain history are read on every request and the latest
  stored score is returned without writing while its signal snapshot and model are unchanged and
  it is under SCORE_REUSE_SECONDS old (a cache keyed by the score's whole input, so the target is
  met with it; backend/scores.py), and with SCORE_REUSE_SECONDS=0 (score_rps_no_reuse: each
  request scores with the real model and writes and commits a score row and an audit row).
  Requests time out after REQUEST_TIMEOUT and are counted as errors; the load generator shares the
  cores with the server (and, on a shared machine, with everything else: the load average is
  recorded), so these are lower bounds.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
LOANS = 10_000
EVENTS = 100_000
LOGS_PER_BLOCK = 5
DAY = 86400
RPC_PORT = 8591
API_PORT = 8592
REQUEST_TIMEOUT = 5.0  # seconds; a request slower than this counts as an error


# -- the recorded chain ---------------------------------------------------------------------------

def generate(seed: int = 7):
    """(deployment, blocks [(hash, time)], logs by block): 10,000 loans, 100,000 events."""
    from eth_utils import keccak

    from backend.loan_model import LoanState
    from tests.backend import fake_chain as fc
    from tests.backend.fake_chain import BOOK, FEED, USDC, ZERO, log

    rng = random.Random(seed)
    stream = [log(BOOK, "FeeSet", feeBps=1000, recipient=BOOK),
              log(BOOK, "LatePolicySet", gracePeriod=15 * DAY, lateFeeBps=500, defaultAfter=120 * DAY)]
    stream += [log(BOOK, "GradePolicySet", token=USDC, grade=g, maxPrincipal=10**12, maxAprBps=5000,
                   minCollateralRatioBps=0) for g in range(1, 10)]
    lenders = ["0x" + f"{i:040x}" for i in range(1, 200)]
    start_time = 1_700_000_000
    per_loan = []
    for loan_id in range(1, LOANS + 1):
        grade = rng.randint(1, 9)
        principal = rng.randint(100, 20_000) * 10**6
        apr = rng.randint(500, 3_600)
        instalments = rng.choice((6, 12, 24, 36))
        borrower = "0x" + f"{loan_id + 10**6:040x}"
        events = [log(BOOK, "LoanRequested", loanId=loan_id, borrower=borrower, token=USDC, grade=grade,
                      pdBps=rng.randint(50, 8000), terms=fc.terms(principal=principal, apr_bps=apr,
                                                                  instalments=instalments, purpose=rng.randint(0, 9)))]
        first = principal * rng.randint(30, 70) // 100
        a, b = rng.sample(lenders, 2)
        events += [log(BOOK, "Funded", loanId=loan_id, lender=a, amount=first, totalFunded=first),
                   log(BOOK, "TransferSingle", operator=BOOK, **{"from": ZERO, "to": a, "id": loan_id, "value": first}),
                   log(BOOK, "Funded", loanId=loan_id, lender=b, amount=principal - first, totalFunded=principal),
                   log(BOOK, "TransferSingle", operator=BOOK, **{"from": ZERO, "to": b, "id": loan_id,
                                                                  "value": principal - first})]
        state = LoanState.started(principal, apr, instalments, 30 * DAY, start_time, 1000, 500, 15 * DAY, 120 * DAY)
        events.append(log(BOOK, "LoanStarted", loanId=loan_id, principal=principal, instalment=state.instalment,
                          startTime=start_time))
        for k in range(1, 4):
            state, parts = state.repaid(start_time + k * 30 * DAY, state.instalment)
            events.append(log(BOOK, "Repayment", loanId=loan_id, payer=borrower, lateFees=parts["late_fees"],
                              interest=parts["interest"], principal=parts["principal"],
                              platformFee=parts["platform_fee"], outstanding=state.outstanding))
        events.append(log(BOOK, "TransferSingle", operator=a, **{"from": a, "to": b, "id": loan_id, "value": 1}))
        per_loan.append(events)
    stream += [e for events in per_loan for e in events]
    round_id = 1
    while len(stream) < EVENTS:
        stream.append(log(FEED, "AnswerUpdated", current=3000 * 10**8 + round_id, roundId=round_id, updatedAt=1))
        round_id += 1
    stream = stream[:EVENTS]
    blocks, logs = [("0x" + keccak(text="genesis").hex(), start_time - 1000)], {}
    for i in range(0, len(stream), LOGS_PER_BLOCK):
        number = len(blocks)
        block_hash = "0x" + keccak(text=f"block{number}").hex()
        blocks.append((block_hash, start_time - 1000 + number))
        logs[number] = [dict(entry, blockNumber=hex(number), blockHash=block_hash, logIndex=hex(j),
                             transactionHash="0x" + keccak(text=f"tx{number}.{j}").hex(), removed=False)
                        for j, entry in enumerate(stream[i:i + LOGS_PER_BLOCK])]
    return fc.deployment(), blocks, logs


def serve_replay(port: int, blocks, logs, ready) -> None:
    """A JSON-RPC replay of the recorded chain (its own process). Each block's logs and header are
    serialised once up front, as a node keeps them, so the replay spends little CPU per request
    (the cores are shared with the indexer being measured)."""
    from eth_abi import encode

    symbol, decimals = "0x" + encode(["string"], ["mUSDC"]).hex(), "0x" + encode(["uint8"], [6]).hex()
    log_json = {n: json.dumps(entries)[1:-1] for n, entries in logs.items() if entries}
    header_json = [json.dumps({"number": hex(n), "hash": h, "timestamp": hex(t)}) for n, (h, t) in enumerate(blocks)]

    def answer(request) -> str:
        method, params = request["method"], request.get("params", [])
        if method == "eth_chainId":
            result = json.dumps(hex(1337))
        elif method == "eth_blockNumber":
            result = json.dumps(hex(len(blocks) - 1))
        elif method == "eth_getBlockByNumber":
            n = int(params[0], 16)
            result = "null" if n >= len(blocks) else header_json[n]
        elif method == "eth_getLogs":
            first, last = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
            result = "[" + ",".join(log_json[n] for n in range(first, last + 1) if n in log_json) + "]"
        elif method == "eth_call":
            result = json.dumps(symbol if params[0]["data"].startswith("0x95d89b41") else decimals)
        else:
            return json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32601, "message": method}})
        return '{"jsonrpc": "2.0", "id": %s, "result": %s}' % (json.dumps(request.get("id")), result)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = "[" + ",".join(answer(r) for r in body) + "]" if isinstance(body, list) else answer(body)
            data = reply.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    ready.set()
    server.serve_forever()


def bench_indexer(workdir: Path) -> dict:
    from backend.db import make_engine, migrate
    from backend.indexer import Indexer, RpcSource
    from sqlalchemy.orm import Session

    t0 = time.perf_counter()
    deployment, blocks, logs = generate()
    print(f"generated {EVENTS} events in {len(blocks) - 1} blocks ({time.perf_counter() - t0:.1f} s)")
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve_replay, args=(RPC_PORT, blocks, logs, ready), daemon=True)
    server.start()
    ready.wait(30)
    url = f"sqlite:///{workdir / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    indexer = Indexer(deployment, batch_blocks=2000)
    source = RpcSource(f"http://127.0.0.1:{RPC_PORT}", timeout=120)
    events = steps = 0
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    with Session(engine) as db:
        while True:
            result = indexer.step(db, source)
            events += result.events
            steps += 1
            if result.caught_up:
                break
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    server.terminate()
    engine.dispose()
    (workdir / "1337.json").write_text(json.dumps(deployment))
    report = {"events": events, "loans": LOANS, "blocks": len(blocks) - 1, "steps": steps,
              "batch_blocks": indexer.batch_blocks, "seconds": round(elapsed, 2),
              "events_per_s": round(events / elapsed), "indexer_cpu_seconds": round(cpu, 2),
              "events_per_cpu_s": round(events / cpu),
              "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)], "cores": os.cpu_count(),
              "source": "local JSON-RPC replay of eth_abi-encoded logs (not Ganache)", "database": "SQLite"}
    print(f"indexer: {report}")
    return report


# -- the API under gunicorn ---------------------------------------------------------------------------

def _get(conn, path, headers=None):
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


class Tally:
    """Latencies and failures of one load run (shared by the generator's threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def _request(conn_box, path, headers, tally, started):
    """One GET on the thread's keep-alive connection (reopened after an error); False on failure."""
    try:
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=REQUEST_TIMEOUT)
        status = _get(conn_box[0], path, headers)
    except (OSError, http.client.HTTPException) as error:
        tally.error(type(error).__name__)
        if conn_box[0] is not None:
            conn_box[0].close()
        conn_box[0] = None
        return False
    if status != 200:
        tally.error(f"HTTP {status}")
        return False
    tally.ok(time.perf_counter() - started)
    return True


def open_loop(path: str, rate: int, seconds: float, threads: int = 24, headers=None) -> Tally:
    """rate * seconds requests scheduled at `rate`/s; latency measured from the scheduled send time
    (so queueing behind a slow server counts). Bounded: no request starts after the schedule plus
    the request timeout."""
    tally = Tally()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    counter = iter(range(total))
    counter_lock = threading.Lock()
    give_up = start + seconds + REQUEST_TIMEOUT

    def worker():
        conn = [None]
        while True:
            with counter_lock:
                i = next(counter, None)
            if i is None or time.perf_counter() > give_up:
                break
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            _request(conn, path, headers, tally, due)
        if conn[0] is not None:
            conn[0].close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return tally


def closed_loop(path: str, seconds: float, threads: int = 8, headers=None) -> tuple[float, Tally]:
    """Requests back to back from `threads` connections for `seconds`: (successful requests/s, tally)."""
    tally = Tally()
    stop = time.perf_counter() + seconds

    def worker():
        conn = [None]
        while time.perf_counter() < stop:
            _request(conn, path, headers, tally, time.perf_counter())
        if conn[0] is not None:
            conn[0].close()

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(tally.latencies) / (time.perf_counter() - start), tally


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def session_token(url: str) -> str:
    import hashlib
    from datetime import datetime, timedelta, timezone

    from sqlalchemy.orm import Session

    from backend.db import make_engine
    from backend.db.models import AuthSession, VerifiedFact

    token = "bench-" + os.urandom(8).hex()
    wallet = "0x" + "be" * 20
    engine = make_engine(url)
    now = datetime.now(timezone.utc)
    with Session(engine) as db:
        db.add(AuthSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), wallet=wallet, created_at=now,
                           expires_at=now + timedelta(hours=1)))
        db.add(VerifiedFact(wallet=wallet, signal="email_verified", value=True, source="bench"))
        db.commit()
    engine.dispose()
    return token


def start_gunicorn(workdir: Path, workers: int, threads: int, **settings: str) -> subprocess.Popen:
    """gunicorn serving the bench database (settings: extra environment), answering /loans."""
    url = f"sqlite:///{workdir / 'bench.db'}"
    env = dict(os.environ, DATABASE_URL=url, DEPLOYMENTS_DIR=str(workdir), RPC_URL="http://127.0.0.1:9",
               CHAIN_STATE_CACHE_SECONDS="5", HTTP_TIMEOUT_SECONDS="1", **settings)
    # gthread workers: keep-alive connections, a few threads per process (requests wait on SQLite
    # and sockets); one process per core
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-k", "gthread", "-w", str(workers),
                               "--threads", str(threads), "--keep-alive", "5", "-b", f"127.0.0.1:{API_PORT}",
                               "--log-level", "warning", "backend:create_app()"],
                              cwd=ROOT, env=env, start_new_session=True)
    for _ in range(150):
        try:
            if _get(http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=2), "/loans?per_page=1") == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(10)


def stored_scores(url: str) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from backend.db import make_engine
    from backend.db.models import ScoreRecord

    engine = make_engine(url)
    with Session(engine) as db:
        count = db.scalar(select(func.count()).select_from(ScoreRecord))
    engine.dispose()
    return count


def bench_api(workdir: Path, workers: int, threads: int) -> dict:
    url = f"sqlite:///{workdir / 'bench.db'}"
    token = session_token(url)
    auth = {"Authorization": f"Bearer {token}"}
    path = "/loans?grade=B&sort=apr"
    server = start_gunicorn(workdir, workers, threads)
    try:
        closed_loop(path, 2, threads=4)  # warm every worker (engine, caches, model)
        closed_loop("/me/score", 2, threads=4, headers=auth)
        load_before = os.getloadavg()[0]
        loans = open_loop(path, 200, 15)
        rps, loans_closed = closed_loop(path, 8)
        score_rps, scores = closed_loop("/me/score", 8, headers=auth)
        load_after = os.getloadavg()[0]
    finally:
        stop_gunicorn(server)
    reused_stored = stored_scores(url)
    # the same score requests with reuse off: every request scores with the model and writes and
    # commits a score row and an audit row (what GET /me/score costs when the snapshot changed)
    server = start_gunicorn(workdir, workers, threads, SCORE_REUSE_SECONDS="0")
    try:
        closed_loop("/me/score", 2, threads=4, headers=auth)
        fresh_before = stored_scores(url)
        fresh_rps, fresh = closed_loop("/me/score", 8, headers=auth)
        load_fresh = os.getloadavg()[0]
    finally:
        stop_gunicorn(server)
    fresh_stored = stored_scores(url) - fresh_before
    latencies = loans.latencies
    report = {
        "loans_p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "loans_p99_ms": round(percentile(latencies, 0.99) * 1000, 2) if latencies else None,
        "loans_rps": round(rps), "score_rps": round(score_rps),
        "open_loop_rate": 200, "open_loop_requests": int(200 * 15), "open_loop_ok": len(latencies),
        "score_rps_no_reuse": round(fresh_rps),
        "errors": {"loans_open_loop": loans.errors, "loans_closed_loop": loans_closed.errors, "score": scores.errors,
                   "score_no_reuse": fresh.errors},
        "scores_stored": reused_stored, "scores_stored_no_reuse": fresh_stored,
        "gunicorn": f"gthread, {workers} workers x {threads} threads, keep-alive",
        "load_generator": "Python threads on loopback (24 open-loop, 8 closed-loop keep-alive connections), "
                          "sharing the machine's cores with the server",
        "load_average": [round(load_before, 2), round(load_after, 2), round(load_fresh, 2)],
        "load_average_at": ["before /loans", "after /me/score", "after /me/score without reuse"],
        "cores": os.cpu_count(),
        "database": "SQLite, WAL (10,000 loans, 100,000 events, indexed by the indexer benchmark)",
        "loans_path": "GET /loans: no cache; per request the parsed filters, COUNT and one page of summary "
                      "columns by Core statements over the migration-0005 indexes, tokens, the indexed "
                      "head time (chain down), a lean JSON dump",
        "score_path": "GET /me/score: session lookup, verified facts and chain history read on every request; "
                      "score_rps is with score reuse (the default): the latest stored score is returned, "
                      "nothing written, while its signal snapshot and model id equal this request's and it is "
                      "under SCORE_REUSE_SECONDS=60 old (the first request scored with the real model and "
                      "stored the score and its audit row); score_rps_no_reuse: SCORE_REUSE_SECONDS=0, every "
                      "request scores with the real model and writes and commits a score row and an audit row",
        "score_cache": "reuse keyed by the whole signal snapshot (verified facts, on-chain history, loan terms) "
                       "and the model id, both recomputed per request: any change issues a new score; no "
                       "indexer data is involved; attestations never reuse (tests/backend/test_scores.py)",
        "chain": "unreachable (pages from the database; fail-fast chain reader)",
    }
    print(f"api: {report}")
    return report


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        indexer = bench_indexer(workdir)
        (RESULTS / "indexer.json").write_text(json.dumps(indexer, indent=2) + "\n")
        api = bench_api(workdir, workers=int(os.environ.get("BENCH_WORKERS", "2")),
                        threads=int(os.environ.get("BENCH_THREADS", "4")))
        (RESULTS / "api.json").write_text(json.dumps(api, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
