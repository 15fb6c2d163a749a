"""Web UI and run-command benchmarks (`make bench-ui`) -> benchmarks/results/ui.json.

    .venv/bin/python benchmarks/ui_bench.py [--only bundle render run] [--trials 11]

What is measured:

- bundle_gzip_kb: the built app's JavaScript and CSS (frontend/dist/assets), each file gzipped
  (level 9, as a server would send it), summed. Target <= 300 KB.
- marketplace_render_p50_ms: 10,000 open listings (LoanRequested events, a third part-funded)
  indexed by the real indexer into a fresh SQLite file, served with the built app by gunicorn on
  loopback (the chain unreachable: pages come from the database). Headless Debian chromium opens
  the marketplace in a new browser context each trial (no cache) and the time is the page's own
  `performance.now()` (from navigation start) when the first page of listings is in the DOM;
  median over `--trials`. Target <= 1,000 ms.
- run_fresh_s / run_warm_s: `make run` from a fresh `git clone` of this repository (set-up, UI
  build, Ganache, deploy, seeded demo, database, services) until it prints
  "Lendchain is running at", then again in the same clone (warm). Ctrl-C (SIGINT) stops each run.
  Ports 8545 and 5000 must be free. Target warm <= 90 s.

The machine's load average is recorded with each measurement: the numbers are upper bounds on a
shared 2-core machine.
"""

from __future__ import annotations

import argparse
import gzip
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
RESULTS = ROOT / "benchmarks" / "results" / "ui.json"
DIST = ROOT / "frontend" / "dist"
LISTINGS = 10_000
API_PORT = 8593
READY = "Lendchain is running at"


def bundle() -> dict:
    subprocess.run([str(ROOT / "toolchain" / "frontend_setup.sh")], check=True)
    files = sorted(p for p in (DIST / "assets").iterdir() if p.suffix in (".js", ".css"))
    sizes = {p.name: len(gzip.compress(p.read_bytes(), 9)) for p in files}
    return {"bundle_gzip_kb": round(sum(sizes.values()) / 1024, 1),
            "bundle_files_gzip_bytes": sizes}


def listings_database(workdir: Path) -> str:
    """A SQLite file holding 10,000 open listings, indexed by the real indexer from fake-chain logs."""
    import random

    from sqlalchemy.orm import Session

    from backend.db import make_engine, migrate
    from backend.indexer import Indexer
    from tests.backend import fake_chain as fc
    from tests.backend.fake_chain import BOOK, USDC, log

    rng = random.Random(11)
    source = fc.FakeSource()
    source.mine(*[log(BOOK, "GradePolicySet", token=USDC, grade=g, maxPrincipal=10**12, maxAprBps=5000,
                      minCollateralRatioBps=0) for g in range(1, 10)])
    source.views = {loan_id: {"feeBps": 1000, "lateFeeBps": 500, "minCollateralRatioBps": 0,
                              "gracePeriod": 15 * 86_400, "defaultAfter": 120 * 86_400}
                    for loan_id in range(1, LISTINGS + 1)}  # LoanLens.loan's snapshot terms, read once a loan
    for first in range(1, LISTINGS + 1, 100):
        logs = []
        for loan_id in range(first, first + 100):
            principal = rng.randint(100, 20_000) * 10**6
            logs.append(log(BOOK, "LoanRequested", loanId=loan_id, borrower="0x" + f"{loan_id + 10**6:040x}",
                            token=USDC, grade=rng.randint(1, 9), pdBps=rng.randint(50, 8000),
                            terms=fc.terms(principal=principal, apr_bps=rng.randint(500, 3_600),
                                           instalments=rng.choice((6, 12, 24, 36)), purpose=rng.randint(0, 9),
                                           deadline=2_000_000_000)))
            if loan_id % 3 == 0:
                part = principal * rng.randint(10, 60) // 100
                lender = "0x" + f"{rng.randint(1, 199):040x}"
                logs.append(log(BOOK, "Funded", loanId=loan_id, lender=lender, amount=part, totalFunded=part))
        source.mine(*logs)
    url = f"sqlite:///{workdir / 'ui.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    indexer = Indexer(fc.deployment())
    with Session(engine) as db:
        while not indexer.step(db, source).caught_up:
            pass
    engine.dispose()
    (workdir / f"{fc.CHAIN_ID}.json").write_text(json.dumps(fc.deployment()))
    return url


def wait_http(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds} s")
            time.sleep(0.2)


def render(trials: int) -> dict:
    from playwright.sync_api import sync_playwright

    from toolchain.chromium import ensure_chromium

    chromium = ensure_chromium()
    if not chromium:
        raise SystemExit("Debian's chromium is missing and could not be installed (needs root and apt-get)")
    subprocess.run([str(ROOT / "toolchain" / "frontend_setup.sh")], check=True)
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        database_url = listings_database(workdir)
        env = dict(os.environ, DATABASE_URL=database_url, DEPLOYMENTS_DIR=str(workdir), CHAIN_ID="1337",
                   RPC_URL="http://127.0.0.1:9", HTTP_TIMEOUT_SECONDS="1", SCORING_MODEL_DIR="/nonexistent")
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-k", "gthread", "--threads",
                                   "4", "-b", f"127.0.0.1:{API_PORT}", "--log-level", "warning",
                                   "backend:create_app()"], cwd=ROOT, env=env, start_new_session=True)
        try:
            wait_http(f"http://127.0.0.1:{API_PORT}/healthz", 60)
            times, load = [], os.getloadavg()[0]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
                for _ in range(trials + 1):  # the first warms the server's workers, not counted
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(f"http://127.0.0.1:{API_PORT}/#/")
                    page.wait_for_selector("tbody tr[data-loan-id]", timeout=30_000)
                    times.append(page.evaluate("performance.now()"))
                    rows = page.locator("tbody tr[data-loan-id]").count()
                    context.close()
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
    measured = times[1:]
    return {"marketplace_render_p50_ms": round(statistics.median(measured)),
            "marketplace_render_ms": [round(t) for t in measured], "marketplace_listings": LISTINGS,
            "marketplace_rows_rendered": rows, "render_load_average_1m": round(load, 2)}


def time_run(directory: Path) -> float:
    """Seconds from `make run` to its "running" line, then Ctrl-C and wait for it to stop."""
    started = time.monotonic()
    process = subprocess.Popen(["make", "run"], cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        for line in process.stdout:
            if READY in line:
                return time.monotonic() - started
        raise RuntimeError(f"make run exited ({process.wait()}) before it was running")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_command() -> dict:
    with tempfile.TemporaryDirectory() as directory:
        clone = Path(directory) / "lendchain"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        load = os.getloadavg()[0]
        fresh = time_run(clone)
        warm = time_run(clone)
    return {"run_fresh_s": round(fresh, 1), "run_warm_s": round(warm, 1), "run_load_average_1m": round(load, 2)}


MEASUREMENTS = {"bundle": lambda args: bundle(), "render": lambda args: render(args.trials),
                "run": lambda args: run_command()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(MEASUREMENTS), help="run only these measurements")
    parser.add_argument("--trials", type=int, default=11)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in args.only or MEASUREMENTS:
        results.update(MEASUREMENTS[name](args))
        results.update({"cpus": os.cpu_count(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # each measurement kept if a later one fails
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
