"""Bot benchmarks (`make bench-bots`) on a fresh local node (port 8615, `lendchain-bots`) with the
platform deployed by scripts/deploy.py -> benchmarks/results/bots.json.

    .venv/bin/python benchmarks/bots_bench.py [--node ganache|anvil] [--loans 1000] [--trials 3]

Each node's results are kept under `by_node`; the headline keys are the reactions on Ganache (the
users' local chain) and the sweep on both (`sweep_1000_s` on anvil, `sweep_1000_s_ganache`).

What is measured:

- liquidation_reaction_blocks / _s: an active secured loan is indexed, the liquidator runs as its
  own process (`flask bots liquidator run`, polling the head every 0.2 s) next to the indexer
  process; then one price update makes the loan unhealthy. Blocks and wall seconds from the block
  of that price update to the block of the loan's Liquidated event (median of `--trials`). Ganache
  mines every transaction in its own block, so 1 block means the very next transaction after the
  price update was the liquidation.
- autolend_reaction_blocks / _s: a lender's commitment is indexed, the auto-lend bot runs as its
  own process (`flask bots autolend run`) next to the indexer process; then a matching listing is
  requested. Blocks and wall seconds from the block of the LoanRequested to the block of its
  FundedFromCommitment (median of `--trials`); 1 block means the bot's funding was the very next
  transaction.
- sweep_1000_s: one liquidator step over `--loans` active secured loans (listed and funded in bulk
  by BulkBorrower, all healthy, so nothing is sent): the LoanLens.loanStates sweep in calls of
  LIQUIDATOR_SWEEP_CHUNK loans at one block, the decisions and the alert checks. Reported with its
  parts: lens_sweep_s (the eth_calls) and decide_s (decisions for the swept states, pure Python).

MEASUREMENTS maps a name (`--only`) to the function measuring it. The machine's load average
is recorded: Ganache executes the EVM in JavaScript on the shared cores, so the numbers are upper
bounds for a node like geth or anvil.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bots.chain import USDC, Node, Platform, commit, index  # noqa: E402 - after the path set-up

RESULTS = ROOT / "benchmarks" / "results" / "bots.json"


class Bench:
    """The chain, the platform driver, a migrated database and an app wired to them."""

    def __init__(self, directory: Path, node: str):
        from backend import create_app
        from backend.db import migrate

        self.node = Node("lendchain-bots", directory, anvil=node == "anvil").start()
        self.node.deployment = self.node.deploy()
        self.platform = Platform(self.node.url, self.node.deployment)
        for who in [self.platform.borrower, *self.platform.lenders, self.platform.liquidator]:
            self.platform.equip(who)
        self.database_url = f"sqlite:///{directory / 'bench.db'}"
        migrate.upgrade(self.database_url)
        # a LoanLens call of 250 loans takes Ganache over 10 s on the shared machine: a long HTTP timeout
        self.config = {"DATABASE_URL": self.database_url, "RPC_URL": self.node.url, "CHAIN_ID": "1337",
                       "HTTP_TIMEOUT_SECONDS": "300",
                       "DEPLOYMENTS_DIR": str(directory), "NOTIFY_CHANNELS": "", "BOT_POLL_SECONDS": "0.2",
                       "INDEXER_POLL_SECONDS": "0.2"}
        self.app = create_app({**self.config, "CHAIN_ID": 1337, "HTTP_TIMEOUT_SECONDS": 300,
                               "SCORING_MODEL_DIR": "/nonexistent"})

    def process(self, *command: str) -> subprocess.Popen:
        env = dict(os.environ, PYTHONWARNINGS="ignore", **self.config)
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "backend", *command], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def close(self) -> None:
        from backend.db import database

        database(self.app).dispose()
        self.node.stop()


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def liquidation_reaction(bench: Bench, trials: int) -> dict:
    p = bench.platform
    vault = p.c["CollateralVault"]
    blocks, seconds = [], []
    workers = [bench.process("indexer", "run"), bench.process("bots", "liquidator", "run")]
    try:
        for _ in range(trials):
            p.set_eth_price(3_000)
            loan = p.active_loan(principal=1_000 * USDC)
            deadline = time.monotonic() + 60
            while not _indexed(bench, loan):
                assert time.monotonic() < deadline, "the indexer did not index the loan"
                time.sleep(0.1)
            time.sleep(1.0)  # the liquidator has swept the healthy loan
            started = time.monotonic()
            receipt = p.send(p.c["EthUsdFeed"].functions.setAnswer(350 * 10**8), p.gov)
            while not (events := [e for e in vault.events.Liquidated.get_logs(from_block=receipt.blockNumber)
                                  if e["args"]["loanId"] == loan]):
                assert time.monotonic() < started + 120, "no liquidation within 120 s"
                time.sleep(0.05)
            seconds.append(time.monotonic() - started)
            blocks.append(events[0]["blockNumber"] - receipt.blockNumber)
    finally:
        for worker in workers:
            stop(worker)
    return {"liquidation_reaction_blocks": statistics.median(blocks),
            "liquidation_reaction_s": round(statistics.median(seconds), 3),
            "liquidation_reaction_trials": {"blocks": blocks, "seconds": [round(s, 3) for s in seconds]}}


def autolend_reaction(bench: Bench, trials: int) -> dict:
    p = bench.platform
    autolend = p.c["AutoLend"]
    commitment = commit(p, p.lenders[1], 10_000 * USDC, max_per_loan=100 * USDC)
    index(bench.app, bench.node.deployment, bench.node.url)
    blocks, seconds = [], []
    workers = [bench.process("indexer", "run"), bench.process("bots", "autolend", "run")]
    try:
        time.sleep(3.0)  # both have started and stepped on the chain as it is
        for _ in range(trials):
            started = time.monotonic()
            loan = p.list_loan(100 * USDC)
            listed = p.web3.eth.block_number
            while not (events := [e for e in autolend.events.FundedFromCommitment.get_logs(from_block=listed)
                                  if e["args"]["loanId"] == loan]):
                assert time.monotonic() < started + 120, "no funding within 120 s"
                time.sleep(0.05)
            seconds.append(time.monotonic() - started)
            blocks.append(events[0]["blockNumber"] - listed)
            assert events[0]["args"]["commitmentId"] == commitment
    finally:
        for worker in workers:
            stop(worker)
    return {"autolend_reaction_blocks": statistics.median(blocks),
            "autolend_reaction_s": round(statistics.median(seconds), 3),
            "autolend_reaction_trials": {"blocks": blocks, "seconds": [round(s, 3) for s in seconds]}}


def _indexed(bench: Bench, loan_id: int) -> bool:
    from backend.db import database
    from backend.db.models import Loan

    with database(bench.app).session() as db:
        row = db.get(Loan, (1337, loan_id))
        return row is not None and row.status == "active"


def sweep(bench: Bench, loans: int) -> dict:
    from backend.bots.liquidator import context_from_app, step
    from backend.bots.liquidator.decisions import decide

    p = bench.platform
    p.set_eth_price(3_000)
    started = time.monotonic()
    p.bulk_loans(loans)
    setup_s = time.monotonic() - started
    p.set_eth_price(3_000)
    index(bench.app, bench.node.deployment, bench.node.url)
    ctx = context_from_app(bench.app)
    head = ctx.client.head()
    started = time.monotonic()
    states = ctx.client.loan_states(range(1, ctx.client["LoanBook"].functions.loanCount().call() + 1),
                                    block=head.number, chunk=ctx.chunk)
    lens_s = time.monotonic() - started
    started = time.monotonic()
    decided = [decide(state, None, head.timestamp) for state in states]
    decide_s = time.monotonic() - started
    report = step(ctx)
    assert report.actions == [] and not any(decided), "the swept loans should all be healthy"
    return {"sweep_1000_s": round(report.seconds, 3), "sweep_loans": report.swept,
            "lens_sweep_s": round(lens_s, 3), "decide_s": round(decide_s, 4), "sweep_chunk": ctx.chunk,
            "bulk_setup_s": round(setup_s, 1)}


MEASUREMENTS = {
    "autolend": lambda bench, args: autolend_reaction(bench, args.trials),
    "liquidation": lambda bench, args: liquidation_reaction(bench, args.trials),
    "sweep": lambda bench, args: sweep(bench, args.loans),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", choices=("ganache", "anvil"), default="ganache")
    parser.add_argument("--loans", type=int, default=1_000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=sorted(MEASUREMENTS), help="run only these measurements")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    measured = results.setdefault("by_node", {}).setdefault(args.node, {})
    with tempfile.TemporaryDirectory() as directory:
        bench = Bench(Path(directory), args.node)
        try:
            for name in args.only or MEASUREMENTS:
                measured.update(MEASUREMENTS[name](bench, args))
                measured.update({"chain": NODES[args.node], "load_average_1m": round(os.getloadavg()[0], 2),
                                 "cpus": os.cpu_count(),
                                 "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
                write(results)  # each measurement is kept even if a later one fails
        finally:
            bench.close()
    print(json.dumps(results, indent=2))


NODES = {"ganache": "ganache 7.9.2 (instamine: one block per transaction)",
         "anvil": "anvil 1.7.1 (automine: one block per transaction)"}
HEADLINES = {"autolend_reaction_blocks": "ganache", "autolend_reaction_s": "ganache",
             "liquidation_reaction_blocks": "ganache", "liquidation_reaction_s": "ganache",
             "sweep_1000_s": "anvil"}


def write(results: dict) -> None:
    nodes = results["by_node"]
    for key, node in HEADLINES.items():
        if key in nodes.get(node, {}):
            results[key] = nodes[node][key]
    if "sweep_1000_s" in nodes.get("ganache", {}):
        results["sweep_1000_s_ganache"] = nodes["ganache"]["sweep_1000_s"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
