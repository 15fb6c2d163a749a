"""The one transaction sender the bots (and the backend) share.

`TxSender.send(action_key, fn)` takes one intended action from decision to receipt:

1. claim: insert the action's `bot_actions` row (backend/tx/claims.py). A conflict means another
   replica or an earlier run owns the action: nothing is sent ("duplicate"); an earlier run's
   transaction is resolved by its receipt, never signed again.
2. estimate gas (once per contract function, then reused: see `_gas`) and refuse above `max_gas`.
3. simulate with eth_call at the gas limit: a revert becomes "skipped" with the contract's custom
   error decoded from the deployment map's ABIs (backend/tx/revert.py). An optional
   `check(result, gas, fee_per_gas)` (e.g. the liquidator's profit check) may skip it too.
4. sign with a locally managed nonce (the node's pending count at start, re-synced when the node
   says the nonce is used) and EIP-1559 fees covering the next base fee (legacy gasPrice on nodes
   without a base fee); record the signed bytes, then broadcast them.
5. wait for the receipt and record confirmed / failed.

RPC errors and timeouts are retried with exponential backoff. If the node stays unreachable before
anything is signed the claim is released ("failed", a later step may try again); after signing the
row stays 'sent' and `resolve_pending()` settles it later (re-broadcasting the same bytes if the
node lost them). So a crash at any point neither loses an action nor sends it twice.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from web3.exceptions import ContractLogicError, TransactionNotFound

from backend.tx.claims import Claim, Claims
from backend.tx.revert import RevertDecoder, revert_data

GWEI = 10**9
NONCE_USED = ("nonce too low", "correct nonce", "replacement transaction underpriced", "nonce has already been used")
ALREADY_KNOWN = ("already known", "already imported", "known transaction")
OUT_OF_GAS = ("out of gas", "intrinsic gas", "gas required exceeds")


@dataclass(frozen=True)
class ActionResult:
    """What became of an action. status: confirmed | failed | skipped | duplicate | sent (broadcast,
    receipt not seen yet: the row is settled by a later `resolve_pending`)."""

    status: str
    tx_hash: str | None = None
    reason: str = ""
    gas_used: int | None = None


class RpcUnavailable(RuntimeError):
    """The node did not answer after all retries."""


class Reverted(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Check = Callable[[Any, int, int], "str | None"]


class TxSender:
    def __init__(self, web3, account, session_factory, bot: str, *, max_gas: int, retries: int = 3,
                 backoff_seconds: float = 0.5, decoder: RevertDecoder | None = None,
                 stale_claim_seconds: float = 120.0, receipt_timeout: float = 60.0, poll_seconds: float = 0.1,
                 priority_fee_wei: int = GWEI):
        self.web3 = web3
        self.account = account
        self.bot = bot
        self.max_gas = max_gas
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.decoder = decoder or RevertDecoder([])
        self.receipt_timeout = receipt_timeout
        self.poll_seconds = poll_seconds
        self.priority_fee_wei = priority_fee_wei
        owner = f"{bot}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.claims = Claims(session_factory, bot, owner, stale_claim_seconds)
        self._nonce: int | None = None
        self._lock = threading.Lock()
        self._chain_id: int | None = None
        self._estimates: dict[tuple[str, str], int] = {}  # (contract, function) -> gas estimate

    # ------------------------------------------------------------------ public

    def send(self, action_key: str, fn, *, reason: str = "", check: Check | None = None) -> ActionResult:
        """Take the action `fn` (a bound web3 ContractFunction) once, whoever else tries the same key."""
        claim = self.claims.claim(action_key)
        if not claim.owned:
            return self._duplicate(claim)
        try:
            tx_hash, raw, fields = self._prepare_and_sign(claim, fn, check)
        except Reverted as skipped:
            self.claims.finish(claim.row_id, "skipped", f"{reason}: {skipped.reason}" if reason else skipped.reason)
            return ActionResult("skipped", reason=skipped.reason)
        except RpcUnavailable as error:
            self.claims.release(claim.row_id)
            return ActionResult("failed", reason=f"not sent: {error}")
        if tx_hash is None:
            return ActionResult("duplicate", reason="the claim was taken over before signing")
        try:
            tx_hash = self._broadcast(claim.row_id, tx_hash, raw, fn, fields)
        except RpcUnavailable as error:
            return ActionResult("sent", tx_hash, f"broadcast unconfirmed: {error}")
        return self._settle(claim.row_id, tx_hash, reason)

    def resolve_pending(self) -> list[ActionResult]:
        """Settle this bot's transactions recorded as sent (after a crash or a receipt timeout)."""
        return [self._resolve(claim) for claim in self.claims.sent_rows()]

    @property
    def address(self) -> str:
        return self.account.address

    # ------------------------------------------------------------------ steps

    def _prepare_and_sign(self, claim: Claim, fn, check: Check | None) -> tuple[str | None, str, dict]:
        sender = {"from": self.account.address}
        gas = self._gas(fn, sender)
        try:
            result = self._simulate(fn, {**sender, "gas": self._limit(gas)})
        except Reverted as error:
            if not any(text in error.reason.lower() for text in OUT_OF_GAS):
                raise
            gas = self._gas(fn, sender, fresh=True)  # this call needs more than its function did so far
            result = self._simulate(fn, {**sender, "gas": self._limit(gas)})
        fees = self._rpc("reading fees", self._fees)
        refusal = check(result, gas, fees.get("maxFeePerGas", fees.get("gasPrice"))) if check else None
        if refusal:
            raise Reverted(refusal)
        fields = {**sender, "gas": self._limit(gas), **fees}
        with self._lock:
            nonce = self._next_nonce()
            tx_hash, raw = self._sign(fn, fields, nonce)
            if not self.claims.mark_sent(claim.row_id, tx_hash, nonce, raw, self.account.address):
                return None, raw, fields
            self._nonce = nonce + 1
        return tx_hash, raw, fields

    def _simulate(self, fn, sender: dict):
        """eth_call of the action with its gas limit; its decoded return value (for `check`).
        Reverts (and running out of the limit) raise Reverted."""
        return self._rpc("simulating", lambda: fn.call(sender), reverts=True)

    def _gas(self, fn, sender: dict, fresh: bool = False) -> int:
        """Gas for a call of `fn`'s function: estimated on its first use (or `fresh`), then reused.
        eth_estimateGas re-executes the call many times (seconds on Ganache); the simulation at
        the derived limit proves each call fits, and one that does not is estimated again."""
        key = (fn.address, fn.fn_name)
        if fresh or key not in self._estimates:
            gas = self._rpc("estimating gas", lambda: fn.estimate_gas(sender), reverts=True)
            if gas > self.max_gas:
                raise Reverted(f"gas estimate {gas} above the limit {self.max_gas}")
            self._estimates[key] = gas
        return self._estimates[key]

    def _limit(self, gas: int) -> int:
        """Half again plus 10,000 over the estimate (capped): the reused estimate may be of a cheaper
        call, and the node estimates on its latest block, not the one that will include the call."""
        return min(self.max_gas, gas * 3 // 2 + 10_000)

    def _sign(self, fn, fields: dict, nonce: int) -> tuple[str, str]:
        tx = fn.build_transaction({**fields, "nonce": nonce, "chainId": self._chain()})
        signed = self.account.sign_transaction(tx)
        return signed.hash.to_0x_hex(), signed.raw_transaction.to_0x_hex()

    def _broadcast(self, row_id: int, tx_hash: str, raw: str, fn, fields: dict) -> str:
        """Send the recorded bytes; if the node says the nonce is used, re-sync, re-sign, re-record."""
        for _ in range(self.retries + 1):
            error = self._try_broadcast(raw)
            if error is None:
                return tx_hash
            if self._receipt(tx_hash) is not None:  # our own transaction took the nonce
                return tx_hash
            with self._lock:
                self._nonce = None
                nonce = self._next_nonce()
                new_hash, new_raw = self._sign(fn, fields, nonce)
                if not self.claims.mark_sent(row_id, new_hash, nonce, new_raw, self.account.address, tx_hash):
                    raise RpcUnavailable("the action's row changed while re-syncing the nonce")
                self._nonce = nonce + 1
            tx_hash, raw = new_hash, new_raw
        raise RpcUnavailable(f"nonce still refused after {self.retries + 1} re-syncs")

    def _try_broadcast(self, raw: str) -> str | None:
        """None when the node has the transaction; the node's message when the nonce is used."""
        try:
            self._rpc("broadcasting", lambda: self.web3.eth.send_raw_transaction(raw), nonce_errors=True)
            return None
        except NonceUsed as used:
            message = str(used)
            return None if any(text in message.lower() for text in ALREADY_KNOWN) else message

    def _settle(self, row_id: int, tx_hash: str, reason: str) -> ActionResult:
        deadline = time.monotonic() + self.receipt_timeout
        while time.monotonic() < deadline:
            receipt = self._receipt(tx_hash)
            if receipt is not None:
                return self._record(row_id, tx_hash, receipt, reason)
            time.sleep(self.poll_seconds)
        return ActionResult("sent", tx_hash, f"no receipt within {self.receipt_timeout:g} s")

    def _record(self, row_id: int, tx_hash: str, receipt, reason: str) -> ActionResult:
        gas_used = int(receipt["gasUsed"])
        if receipt["status"] == 1:
            self.claims.finish(row_id, "confirmed", reason, gas_used)
            return ActionResult("confirmed", tx_hash, reason, gas_used)
        why = f"reverted on chain in block {receipt['blockNumber']}"
        self.claims.finish(row_id, "failed", f"{reason}: {why}" if reason else why, gas_used)
        return ActionResult("failed", tx_hash, why, gas_used)

    def _duplicate(self, claim: Claim) -> ActionResult:
        if claim.status == "sent" and not self.claims.settles(claim):
            return ActionResult("duplicate", claim.tx_hash, "in flight in another process")
        if claim.status == "sent":
            settled = self._resolve(claim)
            return ActionResult("duplicate", settled.tx_hash, f"already sent ({settled.status})", settled.gas_used)
        return ActionResult("duplicate", claim.tx_hash, f"already {claim.status}", claim.gas_used)

    def _resolve(self, claim: Claim) -> ActionResult:
        """A 'sent' row: its receipt decides; a transaction the node lost is re-broadcast as signed."""
        try:
            receipt = self._receipt(claim.tx_hash)
            if receipt is not None:
                return self._record(claim.row_id, claim.tx_hash, receipt, claim.reason or "")
            if self._known(claim.tx_hash):
                return ActionResult("sent", claim.tx_hash, "waiting for its receipt")
            refused = self._try_broadcast(claim.raw_tx)
        except RpcUnavailable as error:
            return ActionResult("sent", claim.tx_hash, f"unresolved: {error}")
        if refused is None:
            return ActionResult("sent", claim.tx_hash, "re-broadcast")
        receipt = self._receipt(claim.tx_hash)
        if receipt is not None:
            return self._record(claim.row_id, claim.tx_hash, receipt, claim.reason or "")
        self.claims.finish(claim.row_id, "failed", f"dropped: its nonce was used by another transaction ({refused})")
        return ActionResult("failed", claim.tx_hash, "dropped")

    # ------------------------------------------------------------------ chain helpers

    def _receipt(self, tx_hash: str):
        def read():
            try:
                return self.web3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                return None
        return self._rpc("reading a receipt", read)

    def _known(self, tx_hash: str) -> bool:
        def read():
            try:
                return self.web3.eth.get_transaction(tx_hash) is not None
            except TransactionNotFound:
                return False
        return self._rpc("reading a transaction", read)

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self._rpc("reading the nonce",
                                    lambda: self.web3.eth.get_transaction_count(self.account.address, "pending"))
        return self._nonce

    def _chain(self) -> int:
        if self._chain_id is None:
            self._chain_id = self._rpc("reading the chain id", lambda: self.web3.eth.chain_id)
        return self._chain_id

    def _fees(self) -> dict:
        """EIP-1559 fees covering the next block's base fee (it rises at most 12.5% a block), or a
        legacy gas price on a node without one."""
        base = self.web3.eth.get_block("latest").get("baseFeePerGas")
        if base is None:
            return {"gasPrice": int(self.web3.eth.gas_price)}
        return {"maxFeePerGas": 2 * int(base) + self.priority_fee_wei, "maxPriorityFeePerGas": self.priority_fee_wei}

    def _rpc(self, what: str, thunk, *, reverts: bool = False, nonce_errors: bool = False):
        """Run one RPC with retries on transport errors; reverts and used nonces are answers, not errors."""
        for attempt in range(self.retries + 1):
            try:
                return thunk()
            except ContractLogicError as error:
                if reverts:
                    raise Reverted(self.decoder.decode(revert_data(error)) if revert_data(error)
                                   else str(error)) from None
                raise
            except Exception as error:  # noqa: BLE001 - classified below
                message = str(error).lower()
                if nonce_errors and any(text in message for text in NONCE_USED + ALREADY_KNOWN):
                    raise NonceUsed(str(error)) from None
                if reverts and ("revert" in message or any(text in message for text in OUT_OF_GAS)):
                    raise Reverted(self.decoder.decode(revert_data(error)) if revert_data(error)
                                   else str(error)) from None
                if attempt == self.retries:
                    raise RpcUnavailable(f"{what} failed {self.retries + 1} times: {type(error).__name__}: "
                                         f"{error}") from None
                time.sleep(self.backoff_seconds * 2**attempt)
        raise AssertionError("unreachable")


class NonceUsed(Exception):
    """The node refused a transaction because its nonce is taken (or already has it)."""

