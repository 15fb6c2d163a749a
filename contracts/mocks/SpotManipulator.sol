// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SpotPool} from "./SpotPool.sol";

/// @title SpotManipulator
/// @notice Attack mock: in ONE transaction, trades against a SpotPool to skew its spot price and
///         then calls a target (the vault) while the price is skewed. It records the spot prices it
///         saw and the target's result or revert data instead of reverting, so a test can check
///         both the skew and the exact error. Through `execute` it also acts as an ordinary account
///         (borrower, liquidator) for its owner.
contract SpotManipulator {
    using SafeERC20 for IERC20;

    address public immutable owner;
    uint256 public spotBefore;
    uint256 public spotDuring;
    bool public lastCallSucceeded;
    bytes public lastCallResult;

    error NotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Call `target` with `data` as this contract; bubbles up the target's revert data.
    function execute(address target, bytes calldata data) external onlyOwner returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /// @notice Sell `amountIn` of `tokenIn` into `pool`, then call `target` with `data` at the skewed price.
    function skewAndCall(SpotPool pool, IERC20 tokenIn, uint256 amountIn, address target, bytes calldata data)
        external
        onlyOwner
    {
        spotBefore = pool.spotPrice();
        tokenIn.forceApprove(address(pool), amountIn);
        pool.swap(tokenIn, amountIn);
        spotDuring = pool.spotPrice();
        (lastCallSucceeded, lastCallResult) = target.call(data);
    }
}
