"""EIP-712 score attestations: the digest rebuilt by hand from the spec, signatures recover to the signer.

The byte-for-byte match with the deployed ScoreRegistry is checked in tests/contracts; here the
digest is recomputed independently of eth-account's typed-data encoder:
keccak256(0x1901 || domainSeparator || keccak256(abi.encode(TYPEHASH, fields...))).
"""

import pytest
from eth_abi import encode
from eth_account import Account
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

from backend.attest import (MAX_LIFETIME_SECONDS, AttestationError, ScoreAttestation, attestation_digest,
                            issue_attestation, recover_signer, sign_attestation, signer_key_from_env, typed_data)

KEY = "0x" + "4f" * 32  # test-only key
CHAIN_ID = 1337
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
BORROWER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
MODEL_ID = "a7a730ee2d1361ec63098975e50280ad019696da2a3e9467f7accfb9030ca19a"


def attestation(**overrides) -> ScoreAttestation:
    fields = dict(borrower=BORROWER, grade=4, pd_bps=873, issued_at=1_700_000_000, expires_at=1_702_592_000,
                  nonce=3, model_id=MODEL_ID)
    return ScoreAttestation(**{**fields, **overrides})


def digest_by_hand(a: ScoreAttestation, chain_id: int, registry: str) -> bytes:
    domain_typehash = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    domain_separator = keccak(encode(
        ["bytes32", "bytes32", "bytes32", "uint256", "address"],
        [domain_typehash, keccak(text="Lendchain ScoreRegistry"), keccak(text="1"), chain_id, registry],
    ))
    typehash = keccak(text="ScoreAttestation(address borrower,uint8 grade,uint16 pdBps,uint64 issuedAt,"
                           "uint64 expiresAt,uint256 nonce,bytes32 modelId)")
    struct_hash = keccak(encode(
        ["bytes32", "address", "uint8", "uint16", "uint64", "uint64", "uint256", "bytes32"],
        [typehash, a.borrower, a.grade, a.pd_bps, a.issued_at, a.expires_at, a.nonce, bytes.fromhex(MODEL_ID)],
    ))
    return keccak(b"\x19\x01" + domain_separator + struct_hash)


def test_digest_matches_the_hand_built_eip712_digest():
    a = attestation()
    assert attestation_digest(a, CHAIN_ID, REGISTRY) == digest_by_hand(a, CHAIN_ID, REGISTRY)


@pytest.mark.parametrize("change", [
    {"grade": 5}, {"pd_bps": 874}, {"issued_at": 1_700_000_001}, {"expires_at": 1_702_592_001}, {"nonce": 4},
    {"model_id": "00" * 32}, {"borrower": "0x" + "11" * 20},
])
def test_every_field_is_bound_by_the_digest(change):
    assert attestation_digest(attestation(**change), CHAIN_ID, REGISTRY) != attestation_digest(
        attestation(), CHAIN_ID, REGISTRY)


def test_domain_binds_chain_and_contract():
    a = attestation()
    base = attestation_digest(a, CHAIN_ID, REGISTRY)
    assert attestation_digest(a, 1, REGISTRY) != base
    assert attestation_digest(a, CHAIN_ID, "0x" + "22" * 20) != base
    assert digest_by_hand(a, 1, REGISTRY) == attestation_digest(a, 1, REGISTRY)


def test_signature_is_65_bytes_and_recovers_to_the_signer():
    a = attestation()
    signature = sign_attestation(a, KEY, CHAIN_ID, REGISTRY)
    assert len(signature) == 65 and signature[64] in (27, 28)
    signer = Account.from_key(KEY).address
    assert recover_signer(a, signature, CHAIN_ID, REGISTRY) == signer
    # recovered from the raw digest and r, s, v alone (what the contract's ecrecover does)
    r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
    public_key = keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(
        attestation_digest(a, CHAIN_ID, REGISTRY))
    assert public_key.to_checksum_address() == signer
    assert recover_signer(attestation(grade=1), signature, CHAIN_ID, REGISTRY) != signer


def test_signing_is_deterministic():
    a = attestation()
    assert sign_attestation(a, KEY, CHAIN_ID, REGISTRY) == sign_attestation(a, KEY, CHAIN_ID, REGISTRY)


def test_abi_tuple_is_in_contract_field_order():
    a = attestation()
    assert a.to_abi_tuple() == (to_checksum_address(BORROWER), 4, 873, 1_700_000_000, 1_702_592_000, 3,
                                "0x" + MODEL_ID)


def test_typed_data_document_shape():
    document = typed_data(attestation(), CHAIN_ID, REGISTRY)
    assert document["primaryType"] == "ScoreAttestation"
    assert [f["name"] for f in document["types"]["ScoreAttestation"]] == [
        "borrower", "grade", "pdBps", "issuedAt", "expiresAt", "nonce", "modelId"]
    assert "salt" not in document["domain"]


@pytest.mark.parametrize("field, value", [
    ("grade", 256), ("pd_bps", 65_536), ("nonce", -1), ("issued_at", 2**64), ("grade", 3.0),
    ("borrower", "0x1234"), ("model_id", "ab" * 31), ("model_id", "zz" * 32),
])
def test_values_the_abi_cannot_hold_are_rejected(field, value):
    with pytest.raises(AttestationError):
        attestation(**{field: value})


def test_model_id_forms_are_normalised():
    assert attestation(model_id="0x" + MODEL_ID.upper()).model_id == "0x" + MODEL_ID
    assert attestation(model_id=bytes.fromhex(MODEL_ID)).model_id == "0x" + MODEL_ID


def test_issue_attestation_derives_the_grade_from_pd_bps():
    a = issue_attestation(BORROWER, pd_bps=873, model_id=MODEL_ID, nonce=0, issued_at=1_700_000_000,
                          lifetime_seconds=7 * 24 * 3600)
    assert a.grade == 4  # B: 527..1000 bps
    assert issue_attestation(BORROWER, 136, MODEL_ID, 0, 1, 60).grade == 1  # A+
    assert issue_attestation(BORROWER, 10_000, MODEL_ID, 0, 1, 60).grade == 9  # E


def test_issue_attestation_refuses_what_the_registry_would_reject():
    with pytest.raises(AttestationError, match="lifetime"):
        issue_attestation(BORROWER, 500, MODEL_ID, 0, 1_700_000_000, MAX_LIFETIME_SECONDS + 1)
    with pytest.raises(AttestationError, match="expires_at"):
        issue_attestation(BORROWER, 500, MODEL_ID, 0, 1_700_000_000, 0)
    with pytest.raises(AttestationError):
        issue_attestation(BORROWER, 10_001, MODEL_ID, 0, 1_700_000_000, 60)
    # the plain record still allows them, so contract tests can check the registry's own refusals
    assert attestation(grade=0, pd_bps=10_001).registry_problems()


def test_key_only_from_the_environment():
    with pytest.raises(AttestationError, match="SCORE_SIGNER_KEY"):
        signer_key_from_env({})
    assert signer_key_from_env({"SCORE_SIGNER_KEY": KEY}) == KEY


def test_score_from_a_trained_model_round_trips(tmp_path):
    """A real score: PD from a model, pdBps rounded up, grade from the bands, model id from the artifact."""
    from scoring.adapters import german
    from scoring.grades import grade_code, pd_to_bps_up
    from scoring.schema import SignalRecord
    from scoring.serving import Scorer
    from scoring.train import train

    trained, _ = train(german.load())
    result = Scorer(trained).score_record(SignalRecord(loan_amount=3000, term_months=24, homeowner=True))
    a = issue_attestation(BORROWER, result.pd_bps, trained.model_id, nonce=0, issued_at=1_700_000_000,
                          lifetime_seconds=86_400)
    assert a.pd_bps == pd_to_bps_up(result.pd) and a.grade == grade_code(result.grade)
    assert a.model_id == "0x" + trained.model_id
    signature = sign_attestation(a, KEY, CHAIN_ID, REGISTRY)
    assert recover_signer(a, signature, CHAIN_ID, REGISTRY) == Account.from_key(KEY).address
