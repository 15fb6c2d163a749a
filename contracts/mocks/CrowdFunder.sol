// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";

/// @title CrowdFunder
/// @notice Test helper: funds one loan on behalf of many lenders in a single transaction through
///         `LoanBook.fundFor` (each lender receives its own notes; this contract pays), and reads
///         many holders' claimable income in one call, so tests with a thousand lenders stay fast.
///         Holds no notes and needs loan tokens minted to it beforehand.
contract CrowdFunder {
    /// @notice Fund `amounts[i]` of `loanId` for `lenders[i]`, paying from this contract's balance.
    function fundMany(ILoanBook book, IERC20 token, uint256 loanId, address[] calldata lenders,
        uint256[] calldata amounts) external
    {
        token.approve(address(book), type(uint256).max);
        for (uint256 i; i < lenders.length; ++i) {
            book.fundFor(loanId, amounts[i], lenders[i]);
        }
    }

    /// @notice `book.claimable(loanId, holders[i])` for every holder.
    function claimables(ILoanBook book, uint256 loanId, address[] calldata holders)
        external
        view
        returns (uint256[] memory amounts)
    {
        amounts = new uint256[](holders.length);
        for (uint256 i; i < holders.length; ++i) {
            amounts[i] = book.claimable(loanId, holders[i]);
        }
    }
}
