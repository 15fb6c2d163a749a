"""Backend benchmarks (`make bench-backend`): the indexer's catch-up rate and the API under gunicorn.

    .venv/bin/python benchmarks/backend_bench.py  -> benchmarks/results/indexer.json, api.json

What is measured, honestly:

- Indexer: 10,000 loans and 100,000 events (listings, fundings with their ERC-1155 mints, starts,
  repayments, note transfers, price-feed rounds) are encoded with eth_abi as the contracts would
  log them and served by a local JSON-RPC *replay* server (eth_chainId, eth_blockNumber, batched
  eth_getBlockByNumber, eth_getLogs, eth_call) in its own process on loopback. The indexer then
  catches up from the start block through its real code path (HTTP, decoding, upserts, loan
  rebuilds, checkpoints) into a fresh SQLite file: events_per_s = events / wall time. Ganache
  itself is not in the loop (it mines ~100 tx/s, so generating 100,000 events on it would take
  the benchmark longer than it measures).
- API: the indexed database served by gunicorn (sync workers) on loopback, the chain unreachable
  (pages come from the database; the head time falls back to the local clock). A Python
  load generator (threads, keep-alive connections) sends `GET /loans?grade=B&sort=apr` open-loop
  at 200 requests/s (latency percentiles), then closed-loop for throughput; `GET /me/score` with
  a signed-in session closed-loop (each request scores with the real model and stores the score).
  The load generator shares the 2 cores with the server, so these are lower bounds.
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
    """A JSON-RPC replay of the recorded chain (its own process)."""
    from eth_abi import encode

    symbol, decimals = "0x" + encode(["string"], ["mUSDC"]).hex(), "0x" + encode(["uint8"], [6]).hex()

    def answer(request):
        method, params = request["method"], request.get("params", [])
        if method == "eth_chainId":
            result = hex(1337)
        elif method == "eth_blockNumber":
            result = hex(len(blocks) - 1)
        elif method == "eth_getBlockByNumber":
            n = int(params[0], 16)
            result = None if n >= len(blocks) else {"number": hex(n), "hash": blocks[n][0],
                                                    "timestamp": hex(blocks[n][1])}
        elif method == "eth_getLogs":
            first, last = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
            result = [entry for n in range(first, last + 1) for entry in logs.get(n, [])]
        elif method == "eth_call":
            result = symbol if params[0]["data"].startswith("0x95d89b41") else decimals
        else:
            return {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32601, "message": method}}
        return {"jsonrpc": "2.0", "id": request.get("id"), "result": result}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = [answer(r) for r in body] if isinstance(body, list) else answer(body)
            data = json.dumps(reply).encode()
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
    start = time.perf_counter()
    with Session(engine) as db:
        while True:
            result = indexer.step(db, source)
            events += result.events
            steps += 1
            if result.caught_up:
                break
    elapsed = time.perf_counter() - start
    server.terminate()
    engine.dispose()
    (workdir / "1337.json").write_text(json.dumps(deployment))
    report = {"events": events, "loans": LOANS, "blocks": len(blocks) - 1, "steps": steps,
              "seconds": round(elapsed, 2), "events_per_s": round(events / elapsed),
              "source": "local JSON-RPC replay of eth_abi-encoded logs (not Ganache)", "database": "SQLite"}
    print(f"indexer: {report}")
    return report


# -- the API under gunicorn ---------------------------------------------------------------------------

def _get(conn, path, headers=None):
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


def open_loop(path: str, rate: int, seconds: float, threads: int = 16) -> list[float]:
    """Requests scheduled at `rate`/s; latency measured from the scheduled send time."""
    latencies, lock = [], threading.Lock()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    counter = iter(range(total))
    counter_lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=10)
        while True:
            with counter_lock:
                i = next(counter, None)
            if i is None:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _get(conn, path)
            assert status == 200, status
            with lock:
                latencies.append(time.perf_counter() - due)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies


def closed_loop(path: str, seconds: float, threads: int = 8, headers=None) -> float:
    done, stop = [0], time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=10)
        n = 0
        while time.perf_counter() < stop:
            status = _get(conn, path, headers)
            assert status == 200, status
            n += 1
        with lock:
            done[0] += n

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done[0] / (time.perf_counter() - start)


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


def bench_api(workdir: Path, workers: int) -> dict:
    url = f"sqlite:///{workdir / 'bench.db'}"
    token = session_token(url)
    env = dict(os.environ, DATABASE_URL=url, DEPLOYMENTS_DIR=str(workdir), RPC_URL="http://127.0.0.1:9",
               CHAIN_STATE_CACHE_SECONDS="5", HTTP_TIMEOUT_SECONDS="1")
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b",
                               f"127.0.0.1:{API_PORT}", "--log-level", "warning", "backend:create_app()"],
                              cwd=ROOT, env=env, start_new_session=True)
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=2)
                if _get(conn, "/loans?grade=B&sort=apr") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        path = "/loans?grade=B&sort=apr"
        closed_loop(path, 2, threads=4)  # warm every worker (model, engine, caches)
        closed_loop("/me/score", 2, threads=4, headers={"Authorization": f"Bearer {token}"})
        latencies = sorted(open_loop(path, 200, 15))
        rps = closed_loop(path, 8)
        score_rps = closed_loop("/me/score", 8, headers={"Authorization": f"Bearer {token}"})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    report = {
        "loans_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "loans_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "loans_rps": round(rps), "score_rps": round(score_rps),
        "open_loop_rate": 200, "open_loop_requests": len(latencies), "gunicorn_workers": workers,
        "database": "SQLite (10,000 loans, 100,000 events, indexed by the indexer benchmark)",
        "load_generator": "Python threads on loopback, sharing the machine's cores with the server",
        "chain": "unreachable (pages from the database)",
    }
    print(f"api: {report}")
    return report


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        indexer = bench_indexer(workdir)
        (RESULTS / "indexer.json").write_text(json.dumps(indexer, indent=2) + "\n")
        api = bench_api(workdir, workers=int(os.environ.get("BENCH_WORKERS", "3")))
        (RESULTS / "api.json").write_text(json.dumps(api, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
