"""ScoreRegistry: EIP-712 attestations from the scoring service, replay protection, history."""

import pytest
from brownie import chain

from backend.attest import ScoreAttestation, attestation_digest
from tests.contracts import helpers
from tests.contracts.helpers import as_ints, reverts

DAY = helpers.DAY


def test_valid_attestation_is_stored_and_nonce_consumed(registry, signer, borrower, attest, outsider):
    attestation, signature = attest(borrower, grade=2, pd_bps=321)
    tx = registry.submit(attestation, signature, {"from": outsider})  # anyone may submit
    score = registry.validScore(borrower)
    assert (score["grade"], score["pdBps"], score["expiresAt"]) == (2, 321, attestation[4])
    assert score["modelId"] == helpers.MODEL_ID and score["signerEpoch"] == registry.signerEpoch() == 1
    assert registry.nonces(borrower) == 1
    assert tx.events["ScoreSubmitted"]["borrower"] == borrower
    assert tx.events["ScoreSubmitted"]["grade"] == 2


def test_python_digest_matches_contract_byte_for_byte(registry, borrower):
    record = ScoreAttestation(str(borrower), 4, 1234, 1_700_000_000, 1_700_086_400, 7, helpers.MODEL_ID)
    assert registry.attestationDigest(record.to_abi_tuple()) == "0x" + attestation_digest(
        record, chain.id, registry.address
    ).hex()


def test_replay_of_an_older_attestation_reverts(registry, borrower, attest):
    old, old_signature = attest(borrower, grade=1)
    registry.submit(old, old_signature)
    current, signature = attest(borrower, grade=6)
    registry.submit(current, signature)
    with reverts("InvalidNonce", borrower, 2, 0):
        registry.submit(old, old_signature)
    assert registry.validScore(borrower)["grade"] == 6


def test_resubmitting_the_current_attestation_changes_nothing(registry, borrower, attest, outsider):
    attestation, signature = attest(borrower, grade=4)
    registry.submit(attestation, signature)
    before = tuple(registry.validScore(borrower)), registry.nonces(borrower)
    tx = registry.submit(attestation, signature, {"from": outsider})
    assert "ScoreSubmitted" not in tx.events
    assert (tuple(registry.validScore(borrower)), registry.nonces(borrower)) == before


def test_current_nonce_with_other_fields_is_a_replay(registry, borrower, signer, attest):
    attestation, signature = attest(borrower, grade=4)
    registry.submit(attestation, signature)
    other, other_signature = helpers.attestation(registry, signer, borrower, grade=2, nonce=0)
    with reverts("InvalidNonce", borrower, 1, 0):
        registry.submit(other, other_signature)


def test_wrong_chain_reverts(registry, borrower, signer):
    attestation, signature = helpers.attestation(registry, signer, borrower, chain_id=1)
    with reverts("InvalidSignature"):
        registry.submit(attestation, signature)
    assert registry.nonces(borrower) == 0


def test_wrong_contract_reverts(ScoreRegistry, registry, gov, borrower, signer):
    other = ScoreRegistry.deploy(gov, signer.address, {"from": gov})
    attestation, signature = helpers.attestation(registry, signer, borrower, verifying_contract=other.address)
    with reverts("InvalidSignature"):
        registry.submit(attestation, signature)
    other.submit(attestation, signature)  # valid exactly where it was meant for
    assert other.validScore(borrower)[0] == 3


def test_wrong_key_reverts(registry, borrower, signer):
    attestation, signature = helpers.attestation(registry, signer, borrower, key="0x" + "77" * 32)
    with reverts("InvalidSignature"):
        registry.submit(attestation, signature)


def test_tampered_field_reverts(registry, borrower, attest):
    attestation, signature = attest(borrower, grade=5)
    tampered = (attestation[0], 1, *attestation[2:])  # claim A+ with a C signature
    with reverts("InvalidSignature"):
        registry.submit(tampered, signature)


def test_malformed_signature_reverts(registry, borrower, attest):
    attestation, _ = attest(borrower)
    with reverts("InvalidSignature", "0x" + "00" * 20):
        registry.submit(attestation, b"\x01" * 64)


def test_expired_attestation_reverts(registry, borrower, signer):
    issued = chain.time() - 10 * DAY
    attestation, signature = helpers.attestation(registry, signer, borrower, issued_at=issued, lifetime=DAY)
    with reverts("AttestationExpired"):
        registry.submit(attestation, signature)


def test_future_attestation_reverts(registry, borrower, signer):
    attestation, signature = helpers.attestation(registry, signer, borrower, issued_at=chain.time() + 3600)
    with reverts("AttestationFromFuture"):
        registry.submit(attestation, signature)


def test_overlong_lifetime_reverts(registry, borrower, signer):
    attestation, signature = helpers.attestation(registry, signer, borrower, lifetime=91 * DAY)
    with reverts("AttestationLifetimeTooLong", 91 * DAY, 90 * DAY):
        registry.submit(attestation, signature)


@pytest.mark.parametrize("grade", [0, 10])
def test_invalid_grade_reverts(registry, borrower, attest, grade):
    attestation, signature = attest(borrower, grade=grade)
    with reverts("InvalidGrade", grade):
        registry.submit(attestation, signature)


def test_invalid_pd_reverts(registry, borrower, attest):
    attestation, signature = attest(borrower, pd_bps=10_001)
    with reverts("InvalidPd", 10_001):
        registry.submit(attestation, signature)


def test_score_expires(registry, borrower, attest):
    attestation, signature = attest(borrower, lifetime=DAY)
    registry.submit(attestation, signature)
    chain.sleep(DAY + 60)
    chain.mine()
    with reverts("NoValidScore", borrower):
        registry.validScore(borrower)


def test_signer_rotation(registry, gov, borrower, attest, accounts, outsider):
    old_attestation, old_signature = attest(borrower)
    new_signer = accounts.add("0x" + "6d" * 32)
    tx = registry.setSigner(new_signer.address, {"from": gov})
    assert tx.events["SignerChanged"]["current"] == new_signer.address
    assert tx.events["SignerChanged"]["epoch"] == registry.signerEpoch() == 2
    with reverts("InvalidSignature"):
        registry.submit(old_attestation, old_signature)
    attestation, signature = helpers.attestation(registry, new_signer, borrower)
    registry.submit(attestation, signature)
    assert registry.validScore(borrower)[0] == 3
    with reverts("NotGovernance", outsider):
        registry.setSigner(outsider, {"from": outsider})
    with reverts("ZeroAddress"):
        registry.setSigner("0x" + "00" * 20, {"from": gov})


def test_only_recorders_write_history(registry, borrower, outsider, gov):
    with reverts("NotRecorder", outsider):
        registry.recordDefault(borrower, 0, {"from": outsider})
    registry.setRecorder(outsider, True, {"from": gov})
    registry.recordLateInstalments(borrower, 2, {"from": outsider})
    registry.recordRepaid(borrower, 10, {"from": outsider})
    tx = registry.recordDefault(borrower, 3, {"from": outsider})
    assert as_ints(registry.historyOf(borrower)) == [1, 2, 1, 13]
    assert as_ints(tx.events["RepaymentRecorded"].values()[1:]) == [1, 2, 1, 13]


def test_rotation_revokes_submitted_scores(registry, gov, borrower, attest, accounts):
    """A score submitted under a replaced key stops being valid at once (regression: it stayed
    valid until it expired, up to 90 days, so a leaked key's scores kept listing loans)."""
    attestation, signature = attest(borrower, grade=2)
    registry.submit(attestation, signature)
    assert registry.validScore(borrower)["signerEpoch"] == 1
    registry.setSigner(accounts.add("0x" + "6d" * 32).address, {"from": gov})
    with reverts("ScoreSignerReplaced", borrower, 1, 2):
        registry.validScore(borrower)


def test_listing_with_a_replaced_keys_score_reverts(book, registry, gov, borrower, attest, accounts, usdc):
    attestation, signature = attest(borrower)
    registry.submit(attestation, signature)
    registry.setSigner(accounts.add("0x" + "6d" * 32).address, {"from": gov})
    count = book.loanCount()
    with reverts("ScoreSignerReplaced", borrower, 1, 2):
        book.requestLoan(helpers.terms(usdc), attestation, b"", {"from": borrower})
    assert book.loanCount() == count
