"""Chain access through web3.py: the deployment map, the head block, and the few reads the API needs.

Addresses and ABIs come only from `deployments/<chainId>.json` (written by scripts/deploy.py) in
DEPLOYMENTS_DIR; the chain id is the map's (CHAIN_ID picks the file). The client is created on
first use (`get_chain()`), never at import. Tests swap in any object with the `ChainReader`
methods through the `CHAIN` config key.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from backend.errors import Unavailable

EXTENSION = "lendchain.chain"
# ScoreRegistry.historyOf field -> scoring signal. Decoded by name, so the 3-field struct and the
# 4-field one (with onTimeInstalments) both work; a field the contract lacks stays missing.
HISTORY_SIGNALS = {
    "loansRepaid": "prior_loans_repaid",
    "lateInstalments": "prior_late_payments",
    "defaults": "prior_defaults",
    "onTimeInstalments": "prior_on_time_payments",
}


class ChainUnavailable(Unavailable):
    code = "chain_unavailable"


@dataclass(frozen=True)
class Head:
    number: int
    timestamp: int


class ChainReader(Protocol):
    chain_id: int

    def head(self) -> Head: ...
    def address_of(self, name: str) -> str: ...
    def score_history(self, wallet: str) -> dict[str, int]: ...
    def score_nonce(self, wallet: str) -> int: ...
    def loan_states(self, loan_ids: list[int]) -> list[dict]: ...
    def claimables(self, loan_ids: list[int], holder: str) -> list[int]: ...


_maps: dict[Path, tuple[tuple[int, int], dict]] = {}  # path -> ((mtime_ns, size), parsed map)


def load_deployment(directory: str | Path, chain_id: int) -> dict:
    """The deployment map, parsed once per file version (requests read it for the chain id; a map
    with every ABI is hundreds of kB). Treat the result as read-only."""
    path = Path(directory) / f"{chain_id}.json"
    try:
        stat = path.stat()
        cached = _maps.get(path)
        if cached is not None and cached[0] == (stat.st_mtime_ns, stat.st_size):
            return cached[1]
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise ChainUnavailable(f"no deployment map at {path}: deploy the contracts (scripts/deploy.py) "
                               "or set DEPLOYMENTS_DIR / CHAIN_ID") from None
    except (OSError, ValueError) as error:
        raise ChainUnavailable(f"deployment map {path} is unreadable: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("contracts"), dict):
        raise ChainUnavailable(f"deployment map {path} has no 'contracts' object")
    _maps[path] = ((stat.st_mtime_ns, stat.st_size), document)
    return document


def decode_named(abi: list[dict], function: str, result: Any) -> dict[str, Any]:
    """A call's result as {output name: value}, using the ABI's names (a single struct is unpacked)."""
    entry = next((e for e in abi if e.get("type") == "function" and e.get("name") == function), None)
    if entry is None:
        raise ChainUnavailable(f"the deployed ABI has no function {function}")
    outputs = entry.get("outputs", [])
    if len(outputs) == 1 and outputs[0].get("type") == "tuple":
        outputs = outputs[0]["components"]
        values = result
    else:
        values = result if len(outputs) > 1 else (result,)
    return {output["name"]: value for output, value in zip(outputs, values)}


def history_signals(named: dict[str, Any]) -> dict[str, int]:
    return {HISTORY_SIGNALS[name]: int(value) for name, value in named.items() if name in HISTORY_SIGNALS}


class Web3Chain:
    """The real chain: web3.py over RPC_URL with the deployment map's contracts."""

    def __init__(self, rpc_url: str, deployment: dict, timeout: int = 10, down_seconds: float = 2.0):
        from web3 import HTTPProvider, Web3

        self.rpc_url = rpc_url
        self.deployment = deployment
        self.chain_id = int(deployment["chainId"])
        # no retries inside web3 (its default retries a refused connection 5 times with backoff,
        # ~4 s per call): a node that cannot be reached is a handled state, reported at once
        self.web3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout},
                                      exception_retry_configuration=None))
        self._contracts: dict[str, Any] = {}
        # after a failure to reach the node, calls fail fast for `down_seconds` instead of each
        # request paying a connection attempt (or a full timeout when the host does not answer)
        self.down_seconds = down_seconds
        self._down: tuple[float, str] | None = None

    def contract(self, name: str):
        if name not in self._contracts:
            entry = self.deployment["contracts"].get(name)
            if entry is None:
                raise ChainUnavailable(f"the deployment map has no contract {name}")
            self._contracts[name] = self.web3.eth.contract(address=entry["address"], abi=entry["abi"])
        return self._contracts[name]

    def address_of(self, name: str) -> str:
        return self.contract(name).address

    def _call(self, what: str, thunk):
        down = self._down
        if down is not None and time.monotonic() < down[0]:
            raise ChainUnavailable(f"{what} skipped: {down[1]} (retried after {self.down_seconds:g} s)")
        try:
            result = thunk()
        except ChainUnavailable:
            raise
        except Exception as error:  # connection refused, timeouts, reverts: all mean "cannot read"
            message = f"{what} failed at {self.rpc_url}: {type(error).__name__}: {error}"
            if isinstance(error, (ConnectionError, TimeoutError, OSError)) or _is_connection_error(error):
                self._down = (time.monotonic() + self.down_seconds, message)
            raise ChainUnavailable(message) from None
        self._down = None
        return result

    def head(self) -> Head:
        block = self._call("reading the latest block", lambda: self.web3.eth.get_block("latest"))
        return Head(int(block["number"]), int(block["timestamp"]))

    def score_history(self, wallet: str) -> dict[str, int]:
        registry = self.contract("ScoreRegistry")
        result = self._call("ScoreRegistry.historyOf", lambda: registry.functions.historyOf(wallet).call())
        return history_signals(decode_named(registry.abi, "historyOf", result))

    def score_nonce(self, wallet: str) -> int:
        registry = self.contract("ScoreRegistry")
        return int(self._call("ScoreRegistry.nonces", lambda: registry.functions.nonces(wallet).call()))

    def view(self, name: str, function: str, *args):
        """A view of a map contract, decoded by the map's ABI into JSON-safe values (backend/indexer/abi.py)."""
        from backend.indexer import abi

        entry = self.deployment["contracts"].get(name)
        if entry is None:
            raise ChainUnavailable(f"the deployment map has no contract {name}")
        data = abi.encode_call(entry["abi"], function, args)
        raw = self._call(f"{name}.{function}", lambda: self.web3.eth.call({"to": entry["address"], "data": data}))
        return abi.decode_result(entry["abi"], function, bytes(raw))

    def loan_states(self, loan_ids: list[int]) -> list[dict]:
        """LoanLens.loanStates: status, amount due, late, health and liquidation price, in one call."""
        return self.view("LoanLens", "loanStates", list(loan_ids))

    def claimables(self, loan_ids: list[int], holder: str) -> list[int]:
        """LoanLens.claimables: what `holder` may claim on each loan, in one call."""
        return [int(v) for v in self.view("LoanLens", "claimables", list(loan_ids), holder)]


def _is_connection_error(error: Exception) -> bool:
    import requests

    return isinstance(error, (requests.ConnectionError, requests.Timeout))


_lock = threading.Lock()


def get_chain() -> ChainReader:
    """The app's chain reader, created on first use (the map is read then, not at startup)."""
    app = current_app
    if app.config.get("CHAIN") is not None:
        return app.config["CHAIN"]
    with _lock:
        chain = app.extensions.get(EXTENSION)
        if chain is None:
            deployment = load_deployment(app.config["DEPLOYMENTS_DIR"], int(app.config["CHAIN_ID"]))
            chain = Web3Chain(app.config["RPC_URL"], deployment, app.config["HTTP_TIMEOUT_SECONDS"],
                              max(0.5, float(app.config.get("CHAIN_STATE_CACHE_SECONDS", 2))))
            app.extensions[EXTENSION] = chain
    return chain


def expected_chain_id() -> int:
    """The chain id sign-in messages must name: the deployment map's, else CHAIN_ID."""
    app = current_app
    if app.config.get("CHAIN") is not None:
        return int(app.config["CHAIN"].chain_id)
    try:
        return int(load_deployment(app.config["DEPLOYMENTS_DIR"], int(app.config["CHAIN_ID"]))["chainId"])
    except (ChainUnavailable, KeyError, ValueError):
        return int(app.config["CHAIN_ID"])
