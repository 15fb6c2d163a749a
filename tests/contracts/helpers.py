"""Helpers shared by contract tests, the gas benchmark and the invariant test."""

from contextlib import contextmanager

import pytest
from brownie import chain
from brownie.exceptions import VirtualMachineError

from backend.attest import ScoreAttestation, sign_attestation

USDC = 10**6
DAY = 24 * 3600
# Test-only key for the scoring service (never used outside tests).
SIGNER_KEY = "0x" + "5c" * 32
MODEL_ID = "0x" + "ab" * 32

# Per-grade policy used in tests: grade code -> (max principal in whole USDC, max APR bps).
GRADE_POLICY = {1: (50_000, 1_200), 2: (40_000, 1_500), 3: (30_000, 1_800), 4: (20_000, 2_200),
                5: (15_000, 2_600), 6: (10_000, 3_000), 7: (7_500, 3_600), 8: (5_000, 4_200), 9: (2_000, 5_000)}
FEE_BPS = 1_000
MIN_FUNDING = 1 * USDC


def configure(book, registry, token, gov, fee_recipient, min_funding=MIN_FUNDING):
    """Allow `token`, set every grade's policy and the fee, and let the book record history."""
    registry.setRecorder(book, True, {"from": gov})
    book.setLoanToken(token, True, min_funding, {"from": gov})
    for grade, (max_whole, max_apr) in GRADE_POLICY.items():
        book.setGradePolicy(token, grade, max_whole * 10 ** token.decimals(), max_apr, {"from": gov})
    book.setFee(FEE_BPS, fee_recipient, {"from": gov})


def attestation(registry, signer, who, grade=3, pd_bps=450, lifetime=30 * DAY, nonce=None, issued_at=None,
                chain_id=None, verifying_contract=None, key=None):
    """A signed score attestation for `who`, by default valid now for the given registry and chain."""
    issued = chain.time() - 60 if issued_at is None else issued_at
    record = ScoreAttestation(
        borrower=str(who),
        grade=grade,
        pd_bps=pd_bps,
        issued_at=issued,
        expires_at=issued + lifetime,
        nonce=registry.nonces(who) if nonce is None else nonce,
        model_id=MODEL_ID,
    )
    signature = sign_attestation(
        record,
        key or signer.private_key,
        chain_id=chain.id if chain_id is None else chain_id,
        registry_address=str(verifying_contract or registry.address),
    )
    return record.to_abi_tuple(), signature


def terms(token, principal=1_000 * USDC, apr_bps=1_200, instalments=12, period=30 * DAY, deadline=None,
          min_fill_bps=7_000, purpose=1):
    """A LoanTerms tuple; the funding deadline defaults to a week from now."""
    deadline = chain.time() + 7 * DAY if deadline is None else deadline
    return (str(token), principal, apr_bps, instalments, period, deadline, min_fill_bps, purpose)


def snapshot_balances(token, *holders):
    return {str(h): token.balanceOf(h) for h in holders}


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
