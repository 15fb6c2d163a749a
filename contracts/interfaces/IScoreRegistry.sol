// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IScoreRegistry
/// @notice Holds each borrower's current credit score, accepted only as an EIP-712 attestation
///         signed by the scoring service, and the borrower's on-chain repayment history.
/// @dev EIP-712 domain: name "Lendchain ScoreRegistry", version "1", chainId, verifyingContract.
///      Grades are codes 1 (A+) .. 9 (E): A+, A, B+, B, C+, C, D+, D, E. Code 0 means "no grade".
interface IScoreRegistry {
    /// @notice A score as signed by the scoring service.
    /// @param borrower The wallet the score is for.
    /// @param grade Grade code, 1 (A+, best) .. 9 (E, worst).
    /// @param pdBps Probability of default in basis points (0 .. 10_000), rounded up by the signer.
    /// @param issuedAt Unix seconds when the score was computed.
    /// @param expiresAt Unix seconds after which the score may no longer be used.
    /// @param nonce Must equal `nonces(borrower)`; consumed on submission, so each attestation works once.
    /// @param modelId Identifier of the model artifact that produced the score.
    struct ScoreAttestation {
        address borrower;
        uint8 grade;
        uint16 pdBps;
        uint64 issuedAt;
        uint64 expiresAt;
        uint256 nonce;
        bytes32 modelId;
    }

    /// @notice A borrower's current score, as stored after a valid submission.
    /// @param signerEpoch The `signerEpoch` whose key signed it: the score stops being valid when
    ///        the signer is rotated, as a rotation is what follows a key leak.
    struct Score {
        uint8 grade;
        uint16 pdBps;
        uint64 issuedAt;
        uint64 expiresAt;
        uint32 signerEpoch;
        bytes32 modelId;
    }

    /// @notice What the borrower's loans have done on this platform; it feeds back into scoring.
    /// @param onTimeInstalments Instalments satisfied without a late fee, counted when each loan
    ///        ends (repaid in full or defaulted).
    struct RepaymentHistory {
        uint32 loansRepaid;
        uint32 lateInstalments;
        uint32 defaults;
        uint32 onTimeInstalments;
    }

    /// @notice The attestation's expiry has passed (or it is used at/after `expiresAt`).
    error AttestationExpired(uint64 expiresAt, uint256 nowSeconds);
    /// @notice The attestation claims to be issued in the future.
    error AttestationFromFuture(uint64 issuedAt, uint256 nowSeconds);
    /// @notice expiresAt - issuedAt exceeds the registry's maximum lifetime.
    error AttestationLifetimeTooLong(uint256 lifetime, uint256 maxLifetime);
    /// @notice The grade code is outside 1..9.
    error InvalidGrade(uint8 grade);
    /// @notice The probability of default exceeds 10_000 bps.
    error InvalidPd(uint16 pdBps);
    /// @notice The signature does not recover to the current signer (wrong key, chain, contract or fields).
    error InvalidSignature(address recovered);
    /// @notice The attestation's nonce is not the borrower's next nonce (replayed or out of order).
    error InvalidNonce(address borrower, uint256 expected, uint256 given);
    /// @notice The borrower has no score, or it has expired.
    error NoValidScore(address borrower);
    /// @notice The borrower's score was signed by a key that has since been replaced.
    error ScoreSignerReplaced(address borrower, uint256 scoreEpoch, uint256 currentEpoch);
    /// @notice The caller is not an allowed history recorder (the loan contracts).
    error NotRecorder(address caller);

    event ScoreSubmitted(
        address indexed borrower,
        uint8 grade,
        uint16 pdBps,
        uint64 issuedAt,
        uint64 expiresAt,
        uint256 nonce,
        bytes32 modelId,
        uint32 signerEpoch
    );
    event SignerChanged(address indexed previous, address indexed current, uint256 epoch);
    event RecorderSet(address indexed recorder, bool allowed);
    event RepaymentRecorded(
        address indexed borrower, uint32 loansRepaid, uint32 lateInstalments, uint32 defaults, uint32 onTimeInstalments
    );

    /// @notice Verify `attestation` against the current signer and store it as the borrower's score.
    ///         Nonces are sequential per borrower. Submitting the borrower's current attestation
    ///         again is accepted and changes nothing (so copying it from a pending listing and
    ///         submitting it first cannot make that listing revert); any older one reverts.
    /// @dev Anyone may submit; the signature binds it to the borrower, chain and this contract.
    function submit(ScoreAttestation calldata attestation, bytes calldata signature) external;

    /// @notice The borrower's unexpired score signed under the current signer; reverts with
    ///         `NoValidScore` or `ScoreSignerReplaced` otherwise.
    function validScore(address borrower) external view returns (Score memory);

    /// @notice The EIP-712 digest that the signer signs for `attestation`.
    function attestationDigest(ScoreAttestation calldata attestation) external view returns (bytes32);

    /// @notice The next nonce an attestation for `borrower` must carry.
    function nonces(address borrower) external view returns (uint256);

    /// @notice The scoring service's signing address.
    function signer() external view returns (address);

    /// @notice Incremented at every signer rotation; scores carry the epoch they were signed in.
    function signerEpoch() external view returns (uint96);

    /// @notice The borrower's repayment history on this platform.
    function historyOf(address borrower) external view returns (RepaymentHistory memory);

    /// @notice Record that one of the borrower's loans was repaid in full, with its instalments
    ///         paid on time (0 for a recovered default, already counted). Recorders only.
    function recordRepaid(address borrower, uint32 onTimeInstalments) external;

    /// @notice Record `count` instalments that went past their grace period. Recorders only.
    function recordLateInstalments(address borrower, uint32 count) external;

    /// @notice Record that one of the borrower's loans defaulted, with its instalments paid on
    ///         time before. Recorders only.
    function recordDefault(address borrower, uint32 onTimeInstalments) external;

    /// @notice Governance: rotate the scoring service's key. Attestations signed by the old key stop
    ///         verifying, and scores already submitted under it stop being valid (new epoch).
    function setSigner(address newSigner) external;

    /// @notice Governance: allow or disallow a contract to record repayment history.
    function setRecorder(address recorder, bool allowed) external;
}
