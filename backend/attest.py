"""EIP-712 score attestations, signed by the scoring service and verified by ScoreRegistry.

The typed data matches contracts/ScoreRegistry.sol byte for byte:

    domain   EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
             name "Lendchain ScoreRegistry", version "1", no salt
    message  ScoreAttestation(address borrower,uint8 grade,uint16 pdBps,uint64 issuedAt,
                              uint64 expiresAt,uint256 nonce,bytes32 modelId)
    digest   keccak256("\\x19\\x01" || domainSeparator || hashStruct(message))
    signature 65 bytes r || s || v, v in {27, 28}

Fields: `grade` is the on-chain code 1 (A+) .. 9 (E) (scoring.grades); `pd_bps` the probability
of default in basis points rounded up; times are unix seconds; `nonce` must be the borrower's
current `ScoreRegistry.nonces(borrower)`, read by the caller; `model_id` is the 32-byte sha256
of the scoring artifact (scoring.artifact), as hex.

`ScoreAttestation` only enforces what the ABI types can hold, so tests can sign attestations
the registry must reject; `issue_attestation` builds one the registry will accept (grade derived
from the PD, lifetime within the registry's maximum). The signing key is always an argument;
`signer_key_from_env` reads it from SCORE_SIGNER_KEY for services. No key is stored here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import is_address, keccak, to_checksum_address

DOMAIN_NAME = "Lendchain ScoreRegistry"
DOMAIN_VERSION = "1"
PRIMARY_TYPE = "ScoreAttestation"
ATTESTATION_FIELDS = (
    {"name": "borrower", "type": "address"},
    {"name": "grade", "type": "uint8"},
    {"name": "pdBps", "type": "uint16"},
    {"name": "issuedAt", "type": "uint64"},
    {"name": "expiresAt", "type": "uint64"},
    {"name": "nonce", "type": "uint256"},
    {"name": "modelId", "type": "bytes32"},
)
DOMAIN_FIELDS = (
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
)
SIGNER_KEY_ENV = "SCORE_SIGNER_KEY"
# Mirrors ScoreRegistry: grade codes 1..9, PD at most 10_000 bps, lifetime at most 90 days.
WORST_GRADE = 9
MAX_PD_BPS = 10_000
MAX_LIFETIME_SECONDS = 90 * 24 * 3600


class AttestationError(ValueError):
    """An attestation that cannot be encoded, or that the registry would reject."""


@dataclass(frozen=True)
class ScoreAttestation:
    """One signed-score message, fields in the contract's order.

    `borrower` is any-case hex (stored checksummed), `model_id` 32 bytes as hex with or without
    0x (stored as lower-case 0x-hex).
    """

    borrower: str
    grade: int
    pd_bps: int
    issued_at: int
    expires_at: int
    nonce: int
    model_id: str

    def __post_init__(self) -> None:
        if not isinstance(self.borrower, str) or not is_address(self.borrower):
            raise AttestationError(f"borrower is not an address: {self.borrower!r}")
        object.__setattr__(self, "borrower", to_checksum_address(self.borrower))
        for name, bits in (("grade", 8), ("pd_bps", 16), ("issued_at", 64), ("expires_at", 64), ("nonce", 256)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
                raise AttestationError(f"{name} must be an integer that fits uint{bits}, got {value!r}")
        object.__setattr__(self, "model_id", _model_id_hex(self.model_id))

    def message(self) -> dict:
        """The EIP-712 message (eth-account field names and types)."""
        return {
            "borrower": self.borrower,
            "grade": self.grade,
            "pdBps": self.pd_bps,
            "issuedAt": self.issued_at,
            "expiresAt": self.expires_at,
            "nonce": self.nonce,
            "modelId": bytes.fromhex(self.model_id[2:]),
        }

    def to_abi_tuple(self) -> tuple:
        """The struct as a tuple in field order, for a contract call (modelId as 0x-hex)."""
        return (self.borrower, self.grade, self.pd_bps, self.issued_at, self.expires_at, self.nonce, self.model_id)

    def registry_problems(self) -> list[str]:
        """Why ScoreRegistry.submit would reject this (apart from time, nonce and signature checks)."""
        problems = []
        if not 1 <= self.grade <= WORST_GRADE:
            problems.append(f"grade code {self.grade} is outside 1..{WORST_GRADE}")
        if self.pd_bps > MAX_PD_BPS:
            problems.append(f"pd_bps {self.pd_bps} exceeds {MAX_PD_BPS}")
        if self.expires_at <= self.issued_at:
            problems.append("expires_at must be after issued_at")
        elif self.expires_at - self.issued_at > MAX_LIFETIME_SECONDS:
            problems.append(f"lifetime {self.expires_at - self.issued_at}s exceeds {MAX_LIFETIME_SECONDS}s")
        return problems


def issue_attestation(borrower: str, pd_bps: int, model_id: str, nonce: int, issued_at: int,
                      lifetime_seconds: int) -> ScoreAttestation:
    """An attestation the registry accepts: the grade follows from `pd_bps` (scoring.grades)."""
    from scoring.grades import grade_code, grade_for_pd_bps  # the one place grades are defined

    try:
        code = grade_code(grade_for_pd_bps(pd_bps))
    except ValueError as error:
        raise AttestationError(str(error)) from error
    attestation = ScoreAttestation(borrower, code, pd_bps, issued_at, issued_at + lifetime_seconds, nonce, model_id)
    problems = attestation.registry_problems()
    if problems:
        raise AttestationError("; ".join(problems))
    return attestation


def typed_data(attestation: ScoreAttestation, chain_id: int, registry_address: str) -> dict:
    """The full EIP-712 typed-data document (as eth-account and wallets take it)."""
    if not is_address(registry_address):
        raise AttestationError(f"registry_address is not an address: {registry_address!r}")
    return {
        "types": {"EIP712Domain": list(DOMAIN_FIELDS), PRIMARY_TYPE: list(ATTESTATION_FIELDS)},
        "primaryType": PRIMARY_TYPE,
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(registry_address),
        },
        "message": attestation.message(),
    }


def attestation_digest(attestation: ScoreAttestation, chain_id: int, registry_address: str) -> bytes:
    """The 32-byte EIP-712 digest that is signed (ScoreRegistry.attestationDigest)."""
    signable = encode_typed_data(full_message=typed_data(attestation, chain_id, registry_address))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_attestation(attestation: ScoreAttestation, private_key: str | bytes, chain_id: int,
                     registry_address: str) -> bytes:
    """65-byte signature r || s || v (v = 27 or 28) over the attestation's EIP-712 digest."""
    signable = encode_typed_data(full_message=typed_data(attestation, chain_id, registry_address))
    return bytes(Account.sign_message(signable, private_key).signature)


def recover_signer(attestation: ScoreAttestation, signature: bytes, chain_id: int, registry_address: str) -> str:
    """The checksummed address that produced `signature` for this attestation."""
    signable = encode_typed_data(full_message=typed_data(attestation, chain_id, registry_address))
    return Account.recover_message(signable, signature=signature)


def signer_key_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """The scoring service's private key from SCORE_SIGNER_KEY (never logged, never defaulted)."""
    key = environ.get(SIGNER_KEY_ENV, "").strip()
    if not key:
        raise AttestationError(f"{SIGNER_KEY_ENV} is not set: the signer key comes only from the environment")
    return key


def _model_id_hex(model_id: str | bytes) -> str:
    if isinstance(model_id, (bytes, bytearray)):
        raw = bytes(model_id)
    else:
        text = str(model_id).lower().removeprefix("0x")
        try:
            raw = bytes.fromhex(text)
        except ValueError as error:
            raise AttestationError(f"model_id is not hex: {model_id!r}") from error
    if len(raw) != 32:
        raise AttestationError(f"model_id must be 32 bytes, got {len(raw)}")
    return "0x" + raw.hex()
