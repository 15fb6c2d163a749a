// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {ILoanBook} from "./interfaces/ILoanBook.sol";
import {ILoanLens} from "./interfaces/ILoanLens.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {HealthMath} from "./libraries/HealthMath.sol";
import {LoanMath} from "./libraries/LoanMath.sol";

/// @title LoanLens
/// @notice See {ILoanLens}. Stateless; deployed beside the book and listed in the deployment map.
contract LoanLens is ILoanLens {
    using FixedPointMath for uint256;

    /// @dev Distinct tokens whose prices one call remembers; further tokens are read each time.
    uint256 private constant PRICE_CACHE_SIZE = 16;

    ILoanBook public immutable book;
    ICollateralVault public immutable vault;
    IPriceOracle public immutable oracle;

    /// @dev One token's price as read in this call.
    struct Quote {
        address token;
        bool usable;
        uint256 priceWad;
        uint256 unit;
    }

    constructor(ILoanBook book_, ICollateralVault vault_, IPriceOracle oracle_) {
        book = book_;
        vault = vault_;
        oracle = oracle_;
    }

    /// @inheritdoc ILoanLens
    function loanStates(uint256[] calldata loanIds) external view returns (LoanState[] memory states) {
        states = new LoanState[](loanIds.length);
        Quote[] memory cache = new Quote[](PRICE_CACHE_SIZE);
        for (uint256 i; i < loanIds.length; ++i) {
            states[i] = _state(loanIds[i], cache);
        }
    }

    /// @inheritdoc ILoanLens
    function claimables(uint256[] calldata loanIds, address holder) external view returns (uint256[] memory amounts) {
        amounts = new uint256[](loanIds.length);
        for (uint256 i; i < loanIds.length; ++i) {
            amounts[i] = book.claimable(loanIds[i], holder);
        }
    }

    /// @inheritdoc ILoanLens
    function loan(uint256 loanId) external view returns (ILoanBook.Loan memory) {
        ILoanBook.LoanRecord memory r = book.loanRecord(loanId);
        (ILoanBook.Terms memory t, ILoanBook.Schedule memory s) = (r.terms, r.schedule);
        return ILoanBook.Loan({
            token: r.funding.token,
            funded: r.funding.funded,
            principal: t.principal,
            fundingDeadline: t.fundingDeadline,
            status: t.status,
            grade: t.grade,
            minFillBps: t.minFillBps,
            aprBps: t.aprBps,
            instalments: t.instalments,
            feeBps: t.feeBps,
            lateFeeBps: t.lateFeeBps,
            purpose: t.purpose,
            minCollateralRatioBps: t.minCollateralRatioBps,
            outstanding: s.outstanding,
            interestDue: s.interestDue,
            startTime: s.startTime,
            periodsCharged: s.periodsCharged,
            instalment: s.instalment,
            paidTowardNext: s.paidTowardNext,
            period: s.period,
            instalmentsPaid: s.instalmentsPaid,
            lateChargedThrough: s.lateChargedThrough,
            lateFeesDue: s.lateFeesDue,
            gracePeriod: s.gracePeriod,
            defaultAfter: s.defaultAfter,
            platformFeesDue: s.platformFeesDue,
            borrower: r.borrower,
            pdBps: r.pdBps,
            lateInstalments: r.lateInstalments
        });
    }

    /// @inheritdoc ILoanLens
    function amountDue(uint256 loanId) external view returns (ILoanBook.AmountDue memory due) {
        ILoanBook.LoanRecord memory r = book.loanRecord(loanId);
        if (!_owing(r.terms.status)) return due;
        return LoanMath.amountDue(r.schedule, r.terms, block.timestamp);
    }

    /// @inheritdoc ILoanLens
    function isLate(uint256 loanId) external view returns (bool) {
        ILoanBook.LoanRecord memory r = book.loanRecord(loanId);
        return _owing(r.terms.status) && LoanMath.isLate(r.schedule, r.terms, block.timestamp);
    }

    // ================================================================== internals

    function _state(uint256 loanId, Quote[] memory cache) private view returns (LoanState memory st) {
        ILoanBook.LoanRecord memory r = book.loanRecord(loanId);
        (ILoanBook.Terms memory t, ILoanBook.Schedule memory s) = (r.terms, r.schedule);
        st.loanId = loanId;
        st.status = t.status;
        st.priceUsable = true;
        if (_owing(t.status)) {
            st.late = LoanMath.isLate(s, t, block.timestamp);
            uint256 eligibleAt = LoanMath.defaultEligibleAt(s, t);
            if (eligibleAt > block.timestamp) st.secondsUntilDefault = eligibleAt - block.timestamp;
            st.due = LoanMath.amountDue(s, t, block.timestamp);
        }
        (address token, uint96 amount,,, uint16 thresholdBps,,) = vault.positions(loanId);
        (st.collateralToken, st.collateralAmount) = (token, amount);
        if (token == address(0)) {
            st.healthWad = type(uint256).max;
            return st;
        }
        _valueCollateral(st, r.funding.token, t.minCollateralRatioBps, thresholdBps, cache);
    }

    /// @dev Health and liquidation price of a loan with collateral, as the vault computes them.
    function _valueCollateral(
        LoanState memory st,
        address loanToken,
        uint256 ratioBps,
        uint256 thresholdBps,
        Quote[] memory cache
    ) private view {
        Quote memory debtQuote = _quote(loanToken, cache);
        Quote memory collateralQuote = _quote(st.collateralToken, cache);
        st.priceUsable = debtQuote.usable && collateralQuote.usable;
        if (!st.priceUsable) return;
        uint256 debtWad = st.due.payoff.mulDivUp(debtQuote.priceWad, debtQuote.unit);
        uint256 collateralWad = st.collateralAmount.mulDivDown(collateralQuote.priceWad, collateralQuote.unit);
        st.healthWad = HealthMath.healthWad(collateralWad, debtWad, ratioBps, thresholdBps);
        st.liquidationPriceWad =
            HealthMath.liquidationPriceWad(debtWad, ratioBps, thresholdBps, collateralQuote.unit, st.collateralAmount);
    }

    /// @dev `token`'s price, read from the oracle once per call while the cache has room.
    function _quote(address token, Quote[] memory cache) private view returns (Quote memory q) {
        for (uint256 i; i < cache.length; ++i) {
            if (cache[i].token == token) return cache[i];
            if (cache[i].token == address(0)) {
                q = _readQuote(token);
                cache[i] = q;
                return q;
            }
        }
        return _readQuote(token);
    }

    function _readQuote(address token) private view returns (Quote memory q) {
        q.token = token;
        (q.usable, q.priceWad, q.unit) = oracle.tryQuote(token);
    }

    function _owing(ILoanBook.LoanStatus status) private pure returns (bool) {
        return status == ILoanBook.LoanStatus.Active || status == ILoanBook.LoanStatus.Defaulted;
    }
}
