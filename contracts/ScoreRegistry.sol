// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IScoreRegistry} from "./interfaces/IScoreRegistry.sol";
import {Governed} from "./Governed.sol";

/// @title ScoreRegistry
/// @notice See {IScoreRegistry}.
contract ScoreRegistry is IScoreRegistry, EIP712, Governed {
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "ScoreAttestation(address borrower,uint8 grade,uint16 pdBps,uint64 issuedAt,uint64 expiresAt,uint256 nonce,bytes32 modelId)"
    );
    uint8 public constant WORST_GRADE = 9;
    /// @notice Longest validity an attestation may claim; a stale score must be re-computed.
    uint256 public constant MAX_LIFETIME = 90 days;

    /// @inheritdoc IScoreRegistry
    address public signer;
    /// @inheritdoc IScoreRegistry
    uint96 public signerEpoch; // packed with `signer`: listing reads both in one slot
    /// @inheritdoc IScoreRegistry
    mapping(address borrower => uint256) public nonces;
    mapping(address recorder => bool) public isRecorder;
    mapping(address borrower => Score) internal _scores;
    mapping(address borrower => RepaymentHistory) internal _history;

    constructor(address governance_, address signer_) EIP712("Lendchain ScoreRegistry", "1") Governed(governance_) {
        _setSigner(signer_);
    }

    modifier onlyRecorder() {
        if (!isRecorder[msg.sender]) revert NotRecorder(msg.sender);
        _;
    }

    /// @inheritdoc IScoreRegistry
    function submit(ScoreAttestation calldata a, bytes calldata signature) external {
        if (a.expiresAt <= block.timestamp) revert AttestationExpired(a.expiresAt, block.timestamp);
        if (a.issuedAt > block.timestamp) revert AttestationFromFuture(a.issuedAt, block.timestamp);
        if (a.expiresAt - a.issuedAt > MAX_LIFETIME) {
            revert AttestationLifetimeTooLong(a.expiresAt - a.issuedAt, MAX_LIFETIME);
        }
        if (a.grade == 0 || a.grade > WORST_GRADE) revert InvalidGrade(a.grade);
        if (a.pdBps > 10_000) revert InvalidPd(a.pdBps);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(_digest(a), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) revert InvalidSignature(recovered);
        uint256 expected = nonces[a.borrower];
        if (a.nonce != expected) {
            // The borrower's current attestation submitted again (e.g. copied from a pending
            // listing and submitted first by someone else) changes nothing: accept it, so
            // front-running cannot make the borrower's listing revert. Any older one is a replay.
            if (a.nonce + 1 == expected && _isCurrent(a)) return;
            revert InvalidNonce(a.borrower, expected, a.nonce);
        }
        nonces[a.borrower] = expected + 1;
        uint32 epoch = uint32(signerEpoch);
        _scores[a.borrower] = Score(a.grade, a.pdBps, a.issuedAt, a.expiresAt, epoch, a.modelId);
        emit ScoreSubmitted(a.borrower, a.grade, a.pdBps, a.issuedAt, a.expiresAt, a.nonce, a.modelId, epoch);
    }

    /// @inheritdoc IScoreRegistry
    function validScore(address borrower) external view returns (Score memory score) {
        score = _scores[borrower];
        if (score.expiresAt <= block.timestamp) revert NoValidScore(borrower);
        uint256 epoch = signerEpoch;
        if (score.signerEpoch != epoch) revert ScoreSignerReplaced(borrower, score.signerEpoch, epoch);
    }

    /// @inheritdoc IScoreRegistry
    function attestationDigest(ScoreAttestation calldata a) external view returns (bytes32) {
        return _digest(a);
    }

    /// @notice The EIP-712 domain separator for this chain and contract.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IScoreRegistry
    function historyOf(address borrower) external view returns (RepaymentHistory memory) {
        return _history[borrower];
    }

    /// @inheritdoc IScoreRegistry
    function recordRepaid(address borrower, uint32 onTimeInstalments) external onlyRecorder {
        RepaymentHistory storage h = _history[borrower];
        h.loansRepaid += 1;
        h.onTimeInstalments += onTimeInstalments;
        _emitHistory(borrower);
    }

    /// @inheritdoc IScoreRegistry
    function recordLateInstalments(address borrower, uint32 count) external onlyRecorder {
        _history[borrower].lateInstalments += count;
        _emitHistory(borrower);
    }

    /// @inheritdoc IScoreRegistry
    function recordDefault(address borrower, uint32 onTimeInstalments) external onlyRecorder {
        RepaymentHistory storage h = _history[borrower];
        h.defaults += 1;
        h.onTimeInstalments += onTimeInstalments;
        _emitHistory(borrower);
    }

    /// @inheritdoc IScoreRegistry
    function setSigner(address newSigner) external onlyGovernance {
        _setSigner(newSigner);
    }

    /// @inheritdoc IScoreRegistry
    function setRecorder(address recorder, bool allowed) external onlyGovernance {
        if (recorder == address(0)) revert ZeroAddress();
        isRecorder[recorder] = allowed;
        emit RecorderSet(recorder, allowed);
    }

    function _setSigner(address newSigner) internal {
        if (newSigner == address(0)) revert ZeroAddress();
        uint96 epoch = signerEpoch + 1;
        emit SignerChanged(signer, newSigner, epoch);
        (signer, signerEpoch) = (newSigner, epoch);
    }

    function _digest(ScoreAttestation calldata a) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ATTESTATION_TYPEHASH, a.borrower, a.grade, a.pdBps, a.issuedAt, a.expiresAt, a.nonce, a.modelId
                )
            )
        );
    }

    function _emitHistory(address borrower) internal {
        RepaymentHistory memory h = _history[borrower];
        emit RepaymentRecorded(borrower, h.loansRepaid, h.lateInstalments, h.defaults, h.onTimeInstalments);
    }

    /// @dev `a` carries exactly the stored score's fields (its nonce is checked by the caller).
    function _isCurrent(ScoreAttestation calldata a) private view returns (bool) {
        Score memory s = _scores[a.borrower];
        return s.grade == a.grade && s.pdBps == a.pdBps && s.issuedAt == a.issuedAt && s.expiresAt == a.expiresAt
            && s.modelId == a.modelId;
    }
}
