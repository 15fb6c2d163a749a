"""Building blocks for driving a loan's lifecycle from Python: signed score attestations and
loan terms. Used by the demo, the gas benchmark and the contract tests."""

from brownie import chain

from backend.attest import ScoreAttestation, sign_attestation

DAY = 24 * 3600
DEMO_MODEL_ID = "0x" + "ab" * 32


def attestation(registry, signer_key, who, grade=3, pd_bps=450, lifetime=30 * DAY, nonce=None, issued_at=None,
                chain_id=None, verifying_contract=None, model_id=DEMO_MODEL_ID):
    """(attestation tuple, signature) for `who`, by default valid now for `registry` on this chain."""
    issued = chain.time() - 60 if issued_at is None else issued_at
    record = ScoreAttestation(
        borrower=str(who),
        grade=grade,
        pd_bps=pd_bps,
        issued_at=issued,
        expires_at=issued + lifetime,
        nonce=registry.nonces(who) if nonce is None else nonce,
        model_id=model_id,
    )
    signature = sign_attestation(
        record,
        signer_key,
        chain_id=chain.id if chain_id is None else chain_id,
        registry_address=str(verifying_contract or registry.address),
    )
    return record.to_abi_tuple(), signature


ZERO_ADDRESS = "0x" + "00" * 20
NO_COLLATERAL = ZERO_ADDRESS


def terms(token, principal=1_000 * 10**6, apr_bps=1_200, instalments=12, period=30 * DAY, deadline=None,
          min_fill_bps=7_000, purpose=1, collateral_token=NO_COLLATERAL, collateral_amount=0):
    """A LoanTerms tuple (amounts in base units); the funding deadline defaults to a week from now."""
    deadline = chain.time() + 7 * DAY if deadline is None else deadline
    return (str(token), principal, apr_bps, instalments, period, deadline, min_fill_bps, purpose,
            str(collateral_token), collateral_amount)


ALL_PURPOSES = 2**32 - 1  # purpose codes 0 .. 31


def rule(worst_grade=9, min_apr_bps=0, max_apr_bps=10_000, max_term=3650 * DAY, min_collateral_ratio_bps=0,
         max_per_loan=2**96 - 1, max_per_borrower=2**96 - 1, budget=2**96 - 1, expiry=None, reinvest=False,
         purpose_mask=ALL_PURPOSES, max_pd_bps=10_000, operator=ZERO_ADDRESS):
    """An auto-lend Rule tuple (IAutoLend.Rule); by default it accepts any loan for 30 days, funded by anyone."""
    expiry = chain.time() + 30 * DAY if expiry is None else expiry
    return (worst_grade, min_apr_bps, max_apr_bps, max_term, min_collateral_ratio_bps, max_per_loan,
            max_per_borrower, budget, expiry, reinvest, purpose_mask, max_pd_bps, str(operator))
