// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @title FeeOnTransferToken
/// @notice Malicious-token mock: burns `feeBps` of every transfer, so the receiver gets less than
///         sent. The fee can be switched on after loans exist, as an upgradeable token could.
contract FeeOnTransferToken is MockERC20 {
    uint256 public feeBps;

    constructor() MockERC20("Fee Token", "FEE", 6) {}

    function setFee(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value * feeBps / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
