// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";
import {IScoreRegistry} from "../interfaces/IScoreRegistry.sol";

/// @title BulkBorrower
/// @notice Benchmark helper: a borrower contract that lists many identical loans and funds each in
///         full, in one transaction, so a thousand active loans take a few transactions instead of
///         two thousand, holding the notes itself. Its score must be submitted to the registry beforehand (an attestation for
///         this contract's address), and it needs the loan and collateral tokens minted to it.
contract BulkBorrower {
    /// @notice Approve the book (loan token) and the vault (collateral) once.
    function approve(IERC20 token, address spender) external {
        token.approve(spender, type(uint256).max);
    }

    /// @notice Accept the notes of its own fundings (ERC-1155 receiver).
    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    /// @notice List `count` loans with `terms` and fund each one in full, which starts it.
    /// @return ids The new loans' ids.
    function listAndFund(ILoanBook book, ILoanBook.LoanTerms calldata terms, uint256 count)
        external
        returns (uint256[] memory ids)
    {
        IScoreRegistry.ScoreAttestation memory none;
        ids = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            ids[i] = book.requestLoan(terms, none, "");
            book.fund(ids[i], terms.principal);
        }
    }
}
