"""Bots as real processes (`flask bots <name> run`), for the scenarios that kill, restart or
replicate them: the command and environment against a test node and database, start, kill -9,
and a wait that fails as soon as a bot dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.bots.chain import ROOT


def bot_command(app, node, bot: str) -> tuple[list[str], dict]:
    """`flask bots <bot> run` against the test node and database, polling fast, claims stale after 2 s."""
    env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], RPC_URL=node.url,
               DEPLOYMENTS_DIR=str(node.directory), CHAIN_ID="1337", BOT_STALE_CLAIM_SECONDS="2",
               BOT_POLL_SECONDS="0.2", NOTIFY_CHANNELS="", PYTHONWARNINGS="ignore")
    return [sys.executable, "-m", "flask", "--app", "backend", "bots", bot, "run"], env


def start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def run_once(command: list[str], env: dict) -> None:
    done = subprocess.run(command + ["--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_for(condition, processes, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        assert all(p.poll() is None for p in processes), "a bot died"
        time.sleep(0.1)
