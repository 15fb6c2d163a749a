// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGoverned
/// @notice Two-step governance hand-over shared by every Lendchain contract.
interface IGoverned {
    /// @notice The caller is not the governance address.
    error NotGovernance(address caller);
    /// @notice The caller is not the pending governance address.
    error NotPendingGovernance(address caller);
    /// @notice A required address was zero.
    error ZeroAddress();

    event GovernanceProposed(address indexed current, address indexed proposed);
    event GovernanceTransferred(address indexed previous, address indexed current);

    /// @notice The address allowed to change policy, allow-lists, signer, fees and pause.
    function governance() external view returns (address);

    /// @notice The address that may call `acceptGovernance`, or zero.
    function pendingGovernance() external view returns (address);

    /// @notice Propose `proposed` as the next governance; it takes over when it accepts.
    function proposeGovernance(address proposed) external;

    /// @notice Accept a pending proposal; the caller becomes governance.
    function acceptGovernance() external;
}
