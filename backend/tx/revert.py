"""Revert data → a readable reason, e.g. "InsufficientFunds(commitmentId=3, amount=50000000, available=0)".

The contracts revert with custom errors (4-byte selector + ABI-encoded arguments). Every error of
every ABI in the deployment map is indexed by selector once, so a bot's skip reason names the
contract's own error and arguments instead of raw hex.
"""

from __future__ import annotations

from typing import Any, Iterable

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector

STANDARD = {
    bytes.fromhex("08c379a0"): ("Error", ["string"], ["message"]),
    bytes.fromhex("4e487b71"): ("Panic", ["uint256"], ["code"]),
}


def _type(entry: dict) -> str:
    """An ABI input's canonical type (tuples expanded), as selectors are computed."""
    kind = entry["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in entry["components"]) + ")" + kind[len("tuple"):]
    return kind


class RevertDecoder:
    """Selector → (name, types, names) for the errors of the given ABIs."""

    def __init__(self, abis: Iterable[list[dict]]):
        self.errors = dict(STANDARD)
        for abi in abis:
            for entry in abi:
                if entry.get("type") != "error":
                    continue
                types = [_type(i) for i in entry.get("inputs", [])]
                selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
                self.errors[selector] = (entry["name"], types, [i.get("name", "") for i in entry.get("inputs", [])])

    @classmethod
    def from_deployment(cls, deployment: dict) -> "RevertDecoder":
        return cls(entry["abi"] for entry in deployment.get("contracts", {}).values())

    def decode(self, data: bytes | str | None) -> str:
        """The error's name and arguments; unknown data is shown as hex, none as a bare revert."""
        raw = _as_bytes(data)
        if len(raw) < 4:
            return "reverted without a reason"
        known = self.errors.get(raw[:4])
        if known is None:
            return f"unknown error 0x{raw.hex()}"
        name, types, names = known
        try:
            values = abi_decode(types, raw[4:])
        except Exception:  # noqa: BLE001 - malformed arguments still name the error
            return f"{name}(<undecodable 0x{raw[4:].hex()}>)"
        arguments = ", ".join(f"{n}={_show(v)}" if n else _show(v) for n, v in zip(names, values))
        return f"{name}({arguments})"

    def name(self, data: bytes | str | None) -> str | None:
        """Just the error's name (None when unknown)."""
        known = self.errors.get(_as_bytes(data)[:4])
        return known[0] if known else None


def _as_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    text = data[2:] if data.startswith("0x") else data
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        stripped = value.rstrip(b"\0")
        return stripped.decode() if stripped.isascii() and stripped.isalnum() else "0x" + value.hex()
    return str(value)


def revert_data(error: BaseException) -> str | None:
    """The revert data web3.py attached to a call's exception, if any (hex string)."""
    data = getattr(error, "data", None)
    if isinstance(data, dict):  # node-specific shapes: {"data": ...}, Ganache's {"result": ...} or {tx: {"return"}}
        data = data.get("data") or data.get("result") or next(
            (v.get("return") for v in data.values() if isinstance(v, dict)), None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    for arg in getattr(error, "args", ()):
        if isinstance(arg, dict):
            found = arg.get("data") if isinstance(arg.get("data"), str) else arg.get("result")
            if isinstance(found, str) and found.startswith("0x"):
                return found
    return None
