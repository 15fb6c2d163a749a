"""EIP-712 score attestations, signed by the scoring service and verified by ScoreRegistry.

The typed data must match contracts/ScoreRegistry.sol byte for byte:
domain (name "Lendchain ScoreRegistry", version "1", chainId, verifyingContract) and
ScoreAttestation(address borrower,uint8 grade,uint16 pdBps,uint64 issuedAt,uint64 expiresAt,
uint256 nonce,bytes32 modelId). The signature is 65 bytes r || s || v with v in {27, 28}.
"""

from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

DOMAIN_NAME = "Lendchain ScoreRegistry"
DOMAIN_VERSION = "1"
ATTESTATION_FIELDS = [
    {"name": "borrower", "type": "address"},
    {"name": "grade", "type": "uint8"},
    {"name": "pdBps", "type": "uint16"},
    {"name": "issuedAt", "type": "uint64"},
    {"name": "expiresAt", "type": "uint64"},
    {"name": "nonce", "type": "uint256"},
    {"name": "modelId", "type": "bytes32"},
]


@dataclass(frozen=True)
class ScoreAttestation:
    """A score for one borrower. `model_id` is 32 bytes as 0x-prefixed hex."""

    borrower: str
    grade: int
    pd_bps: int
    issued_at: int
    expires_at: int
    nonce: int
    model_id: str

    def message(self) -> dict:
        return {
            "borrower": to_checksum_address(self.borrower),
            "grade": self.grade,
            "pdBps": self.pd_bps,
            "issuedAt": self.issued_at,
            "expiresAt": self.expires_at,
            "nonce": self.nonce,
            "modelId": bytes.fromhex(self.model_id.removeprefix("0x")),
        }

    def to_abi_tuple(self) -> tuple:
        """The struct as a tuple in field order, for a contract call."""
        return (to_checksum_address(self.borrower), self.grade, self.pd_bps, self.issued_at, self.expires_at,
                self.nonce, self.model_id)


def typed_data(attestation: ScoreAttestation, chain_id: int, registry_address: str) -> dict:
    return {
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(registry_address),
        },
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "ScoreAttestation": ATTESTATION_FIELDS,
        },
        "primaryType": "ScoreAttestation",
        "message": attestation.message(),
    }


def attestation_digest(attestation: ScoreAttestation, chain_id: int, registry_address: str) -> bytes:
    """The 32-byte EIP-712 digest the signer signs."""
    signable = encode_typed_data(full_message=typed_data(attestation, chain_id, registry_address))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_attestation(attestation: ScoreAttestation, private_key: str, chain_id: int, registry_address: str) -> bytes:
    """65-byte signature r || s || v."""
    signable = encode_typed_data(full_message=typed_data(attestation, chain_id, registry_address))
    return bytes(Account.sign_message(signable, private_key).signature)
