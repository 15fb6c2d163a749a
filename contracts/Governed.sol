// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./interfaces/IGoverned.sol";

/// @title Governed
/// @notice Governance role with a two-step hand-over, so a mistyped address cannot lose control.
abstract contract Governed is IGoverned {
    /// @inheritdoc IGoverned
    address public governance;
    /// @inheritdoc IGoverned
    address public pendingGovernance;

    constructor(address initialGovernance) {
        if (initialGovernance == address(0)) revert ZeroAddress();
        governance = initialGovernance;
        emit GovernanceTransferred(address(0), initialGovernance);
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        _;
    }

    /// @inheritdoc IGoverned
    function proposeGovernance(address proposed) external onlyGovernance {
        pendingGovernance = proposed;
        emit GovernanceProposed(governance, proposed);
    }

    /// @inheritdoc IGoverned
    function acceptGovernance() external {
        if (msg.sender != pendingGovernance || msg.sender == address(0)) revert NotPendingGovernance(msg.sender);
        emit GovernanceTransferred(governance, msg.sender);
        governance = msg.sender;
        pendingGovernance = address(0);
    }
}
