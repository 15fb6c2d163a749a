// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILoanBook} from "./ILoanBook.sol";

/// @title ILoanLens
/// @notice Read-only answers about many loans in one `eth_call`, for the backend, the bots and the
///         UI: what is due, lateness, health and liquidation price, time to default, and holders'
///         claimable income. It holds no state and moves nothing; it computes with the same
///         libraries as the loan book (LoanMath) and the collateral vault (HealthMath), so its
///         answers are exactly the contracts' own. Prices are read once per token per call, and an
///         unusable price never reverts a sweep: the loan reports `priceUsable = false`.
///
/// Units as in ILoanBook and ICollateralVault: loan-token base units, WAD (1e18) for health and
/// USD prices, seconds.
interface ILoanLens {
    /// @notice One loan's state now.
    /// @param due What the borrower owes now (all zero unless Active or Defaulted).
    /// @param late True when an instalment is unpaid past its due date plus the grace period.
    /// @param secondsUntilDefault Seconds until the first unpaid instalment is `defaultAfter`
    ///        overdue (0 once it is, or when the loan is neither Active nor Defaulted), as
    ///        `ICollateralVault.health` reports it.
    /// @param collateralToken The escrowed collateral token (zero when none).
    /// @param collateralAmount Collateral escrowed, base units.
    /// @param healthWad Health as the vault computes it (max when nothing is owed, no ratio is
    ///        required or the loan has no debt); 0 when a price is unusable.
    /// @param liquidationPriceWad Collateral price (USD WAD per whole token) at which health is 1
    ///        (0 when no collateral or no ratio, or a price is unusable).
    /// @param priceUsable False when the loan token's or the collateral's price is unusable
    ///        (liquidations and withdrawals are paused for this loan).
    struct LoanState {
        uint256 loanId;
        ILoanBook.LoanStatus status;
        ILoanBook.AmountDue due;
        bool late;
        uint256 secondsUntilDefault;
        address collateralToken;
        uint256 collateralAmount;
        uint256 healthWad;
        uint256 liquidationPriceWad;
        bool priceUsable;
    }

    /// @notice The state of each of `loanIds` (unknown ids answer status None).
    function loanStates(uint256[] calldata loanIds) external view returns (LoanState[] memory states);

    /// @notice `holder`'s claimable income from each of `loanIds`, loan-token base units.
    function claimables(uint256[] calldata loanIds, address holder) external view returns (uint256[] memory amounts);

    /// @notice Loan `loanId` flattened (ILoanBook.loanRecord with named fields; all zero when unknown).
    function loan(uint256 loanId) external view returns (ILoanBook.Loan memory);

    /// @notice What the borrower of `loanId` owes now.
    function amountDue(uint256 loanId) external view returns (ILoanBook.AmountDue memory);

    /// @notice True when an instalment of `loanId` is unpaid past its due date plus grace period.
    function isLate(uint256 loanId) external view returns (bool);
}
