// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title ExactTransfer
/// @notice Pull tokens and insist on receiving exactly the amount asked for, so a token that
///         takes a fee on transfer (or changes its behaviour later) cannot credit value that never
///         arrived.
library ExactTransfer {
    using SafeERC20 for IERC20;

    /// @notice The contract received a different amount than it pulled.
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);

    function pullExact(address token, address from, uint256 amount) internal {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert TransferAmountMismatch(token, amount, received);
    }
}
