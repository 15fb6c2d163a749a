// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @title ReentrantToken
/// @notice Malicious-token mock: once armed, every transfer first calls `target` with `payload`
///         (for example `claim` or `fund` on the loan book) and bubbles up any revert.
contract ReentrantToken is MockERC20 {
    address public target;
    bytes public payload;

    constructor() MockERC20("Reentrant Token", "REE", 6) {}

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        address callee = target;
        if (callee != address(0) && from != address(0) && to != address(0)) {
            target = address(0); // one shot, so the re-entered call's own transfers do not loop
            (bool ok, bytes memory reason) = callee.call(payload);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(reason, 32), mload(reason))
                }
            }
        }
        super._update(from, to, value);
    }
}
