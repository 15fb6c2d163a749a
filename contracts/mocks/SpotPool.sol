// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title SpotPool
/// @notice Attack mock: the smallest constant-product AMM (x * y = k, no fee) between a base token
///         (e.g. mWETH) and a quote token (e.g. mUSDC). Its reserves are its balances (seed it by
///         minting to it), so one large trade moves its spot price as far as the trader likes, in
///         the same transaction. The platform must never value anything at such a price.
contract SpotPool {
    using SafeERC20 for IERC20;

    IERC20 public immutable base;
    IERC20 public immutable quote;

    error UnknownToken(address token);

    constructor(IERC20 base_, IERC20 quote_) {
        base = base_;
        quote = quote_;
    }

    /// @notice Spot price: quote base units per 1e18 base units (for mWETH/mUSDC: USDC base units per WETH).
    function spotPrice() external view returns (uint256) {
        return quote.balanceOf(address(this)) * 1e18 / base.balanceOf(address(this));
    }

    /// @notice Sell `amountIn` of `tokenIn` (base or quote) for the other token at the curve's price.
    function swap(IERC20 tokenIn, uint256 amountIn) external returns (uint256 amountOut) {
        if (tokenIn != base && tokenIn != quote) revert UnknownToken(address(tokenIn));
        IERC20 tokenOut = tokenIn == base ? quote : base;
        uint256 reserveIn = tokenIn.balanceOf(address(this));
        uint256 reserveOut = tokenOut.balanceOf(address(this));
        amountOut = reserveOut * amountIn / (reserveIn + amountIn);
        tokenIn.safeTransferFrom(msg.sender, address(this), amountIn);
        tokenOut.safeTransfer(msg.sender, amountOut);
    }
}
