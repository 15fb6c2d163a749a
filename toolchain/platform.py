"""The local platform in one foreground command (`make run`, after `make setup`).

    python -m toolchain.platform

It starts a fresh Ganache on 8545, deploys the contracts and seeds the demo (scripts/seed_demo.py),
creates a fresh database (instance/platform.db) holding the demo borrowers' verified facts and
listing scores, then runs the indexer, the auto-lend bot, the liquidation keeper, the local price
publisher and the web app (gunicorn on 127.0.0.1:5000) under one supervisor. Once /healthz shows
the indexer caught up with the chain it prints the URL, the chain and the demo accounts. A service that dies is
restarted (after 1 s, doubling up to 30 s while it keeps dying). Ctrl-C stops everything it
started. Each process logs to .toolchain/platform/<name>.log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from toolchain.local_chain import CHAIN_ID, PORTS, account_key, ganache_command
from toolchain.start_chain import answers

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LOGS = ROOT / ".toolchain" / "platform"
DATABASE = ROOT / "instance" / "platform.db"
ACCOUNTS_FILE = ROOT / ".toolchain" / "demo-accounts.json"
CHAIN_PORT = PORTS["lendchain-local"]
WEB = "127.0.0.1:5000"
FLASK = [str(BIN / "flask"), "--app", "backend"]
# Long-running services, started in this order once the chain is seeded and the database is fresh.
SERVICES = {
    "web": [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind", WEB, "backend:create_app()"],
    "indexer": FLASK + ["indexer", "run"],
    "prices": FLASK + ["bots", "prices", "run"],
    "liquidator": FLASK + ["bots", "liquidator", "run"],
    "autolend": FLASK + ["bots", "autolend", "run"],
}


def environment() -> dict[str, str]:
    """What every process sees: the local chain, its deployment map, the demo database and keys."""
    return dict(
        os.environ,
        PYTHONWARNINGS="ignore::FutureWarning",
        PATH=f"{ROOT / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        DATABASE_URL=f"sqlite:///{DATABASE}",
        RPC_URL=f"http://127.0.0.1:{CHAIN_PORT}",
        DEPLOYMENTS_DIR=str(ROOT / "deployments"),
        CHAIN_ID=str(CHAIN_ID),
        SCORE_SIGNER_KEY=account_key(9),
        SIWE_DOMAIN=WEB,
        CONFIRMATIONS="0",
    )


@dataclass
class Service:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    essential: bool = False  # its death stops the platform (a restarted Ganache is another chain)
    backoff: float = 1.0
    restart_at: float = 0.0


class Supervisor:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.services: list[Service] = []
        LOGS.mkdir(parents=True, exist_ok=True)

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (LOGS / f"{name}.log").open("a")
        # Own process group, so stopping a service stops what it started (Ganache's node, workers).
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def run_once(self, name: str, command: list[str]) -> None:
        """A step that must succeed before anything else starts."""
        print(f"  {name} ...", flush=True)
        if self.spawn(name, command).wait() != 0:
            raise SystemExit(f"{name} failed; see {LOGS / (name + '.log')}")

    def start(self, name: str, command: list[str], essential: bool = False) -> Service:
        service = Service(name, command, self.spawn(name, command), essential)
        self.services.append(service)
        return service

    def watch_once(self) -> None:
        """Restart services that died, with a doubling delay while they keep dying."""
        now = time.monotonic()
        for service in self.services:
            if service.process is not None and service.process.poll() is None:
                if now - service.restart_at > 60:
                    service.backoff = 1.0  # up for a minute: healthy again
                continue
            if service.process is not None and service.essential:
                raise SystemExit(f"{service.name} exited ({service.process.returncode}); see "
                                 f"{LOGS / (service.name + '.log')}")
            if service.process is not None:
                code = service.process.returncode
                print(f"  {service.name} exited ({code}); restarting in {service.backoff:.0f} s "
                      f"(log {LOGS / (service.name + '.log')})", flush=True)
                service.process, service.restart_at = None, now + service.backoff
                service.backoff = min(service.backoff * 2, 30.0)
            elif now >= service.restart_at:
                service.process = self.spawn(service.name, service.command)

    def stop(self) -> None:
        for stop_signal in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
            signal.signal(stop_signal, signal.SIG_IGN)
        for service in reversed(self.services):
            if service.process is not None and service.process.poll() is None:
                os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for service in self.services:
            if service.process is None:
                continue
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)


def healthz() -> dict | None:
    try:
        with urllib.request.urlopen(f"http://{WEB}/healthz", timeout=2) as response:
            return json.load(response)
    except (OSError, ValueError):
        return None


def caught_up(health: dict | None) -> bool:
    """The indexer has processed the chain's head (its lag is 0 blocks)."""
    indexer = (health or {}).get("indexer") or {}
    return indexer.get("lag") == 0


def banner() -> str:
    demo = json.loads(ACCOUNTS_FILE.read_text())
    width = max(len(person["role"]) for person in demo["people"])
    lines = [
        "",
        f"Lendchain is running at http://{WEB}",
        f"Chain: Ganache, chain id {demo['chainId']}, RPC http://127.0.0.1:{CHAIN_PORT}",
        f"Test mnemonic (public; for MetaMask on this chain only): {demo['mnemonic']}",
        "Demo accounts (the app's development wallet picks them too):",
    ]
    lines += [f"  {p['name']:<9} {p['role']:<{width}}  {p['address']}  {p['holds']}" for p in demo["people"]]
    lines += [f"Loans by state: {', '.join(f'{state} #{loan}' for state, loan in demo['loans'].items())}",
              f"Logs: {LOGS}. Ctrl-C stops everything.", ""]
    return "\n".join(lines)


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    if answers(CHAIN_PORT):
        raise SystemExit(f"something already answers on port {CHAIN_PORT}; stop it first ('make stop')")
    started = time.monotonic()
    supervisor = Supervisor(environment())
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it like Ctrl-C
    try:
        print("Starting the local platform:", flush=True)
        chain = supervisor.start("chain", ganache_command(CHAIN_PORT), essential=True)
        while not answers(CHAIN_PORT):
            if chain.process.poll() is not None:
                raise SystemExit(f"Ganache exited; see {LOGS / 'chain.log'}")
            time.sleep(0.2)
        supervisor.run_once("seed", [str(BIN / "brownie"), "run", "scripts/seed_demo.py", "--network", "lendchain-local"])
        DATABASE.unlink(missing_ok=True)
        supervisor.run_once("database", FLASK + ["lendchain-db", "upgrade"])
        supervisor.run_once("profiles", FLASK + ["demo", "import", str(ACCOUNTS_FILE)])
        for name, command in SERVICES.items():
            supervisor.start(name, command)
        while not caught_up(healthz()):
            supervisor.watch_once()
            time.sleep(0.5)
        print(banner(), flush=True)
        print(f"(up in {time.monotonic() - started:.0f} s)", flush=True)
        while True:
            supervisor.watch_once()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
