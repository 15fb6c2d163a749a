"""Helpers shared by the contract tests."""

from contextlib import contextmanager

import pytest
from brownie.exceptions import VirtualMachineError

from scripts import lifecycle
from scripts.lifecycle import DAY, terms  # noqa: F401  (re-exported for tests)

USDC = 10**6
# Test-only key for the scoring service (never used outside tests).
SIGNER_KEY = "0x" + "5c" * 32
MODEL_ID = lifecycle.DEMO_MODEL_ID

def attestation(registry, signer, who, key=None, **fields):
    """A signed attestation for `who` by the test signer (or by `key`); see scripts.lifecycle."""
    return lifecycle.attestation(registry, key or signer.private_key, who, **fields)


def _format_arg(value) -> str:
    text = str(value)
    return text.lower() if text.startswith("0x") else text


@contextmanager
def reverts(error, *args):
    """Expect a revert with custom error `error`; with `args`, exactly those parameters."""
    with pytest.raises(VirtualMachineError) as info:
        yield
    message = info.value.revert_msg or ""
    name, _, params = message.partition(":")
    assert name == error, f"expected {error}, reverted with {message!r}"
    if args:
        assert params.strip() == ", ".join(_format_arg(a) for a in args), message


def as_ints(values) -> list[int]:
    return [int(v) for v in values]
