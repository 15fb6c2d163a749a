// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";
import {FixedPointMath} from "./FixedPointMath.sol";
import {InstalmentMath} from "./InstalmentMath.sol";

/// @title LoanMath
/// @notice The pure schedule arithmetic over a loan's stored layout (ILoanBook.LoanRecord):
///         interest and late-fee accrual, due dates, the amounts due. The loan book runs it on
///         storage it has just read; the lens runs the same code on `ILoanBook.loanRecord`, so
///         views and transactions always agree.
library LoanMath {
    using FixedPointMath for uint256;

    /// @dev Bring `s` up to time `now_`: interest for every period started since the last charge
    ///      (on the principal outstanding, which has not changed since), and a late fee for every
    ///      instalment newly past due + grace that is not satisfied. Returns the newly late
    ///      instalments and their fees.
    function accrue(ILoanBook.Schedule memory s, ILoanBook.Terms memory t, uint256 now_)
        internal
        pure
        returns (uint256 newLate, uint256 newLateFees)
    {
        uint256 elapsed = elapsedSince(s, now_);
        uint256 started = elapsed / s.period + 1;
        if (started > s.periodsCharged) {
            uint256 perPeriod = InstalmentMath.periodInterestUp(s.outstanding, t.aprBps, s.period);
            s.interestDue = SafeCast.toUint96(s.interestDue + (started - s.periodsCharged) * perPeriod);
            s.periodsCharged = SafeCast.toUint16(started);
        }
        if (elapsed <= s.gracePeriod) return (0, 0);
        uint256 assessable = _min((elapsed - s.gracePeriod) / s.period, t.instalments);
        uint256 alreadyDealt = _max(satisfiedInstalments(s, t), s.lateChargedThrough);
        if (assessable <= alreadyDealt) return (0, 0);
        newLate = assessable - alreadyDealt;
        newLateFees = newLate * uint256(s.instalment).mulDivUp(t.lateFeeBps, FixedPointMath.BPS);
        s.lateFeesDue = SafeCast.toUint96(s.lateFeesDue + newLateFees);
        s.lateChargedThrough = uint16(assessable);
    }

    /// @dev Instalments satisfied by payments; the last one only by paying the loan off.
    function satisfiedInstalments(ILoanBook.Schedule memory s, ILoanBook.Terms memory t) internal pure returns (uint256) {
        if (s.outstanding == 0) return t.instalments;
        return _min(s.instalmentsPaid, t.instalments - 1);
    }

    /// @dev Late fees + interest + principal owed (after `accrue`).
    function payoff(ILoanBook.Schedule memory s) internal pure returns (uint256) {
        return uint256(s.lateFeesDue) + s.interestDue + s.outstanding;
    }

    /// @dev When `markDefault` becomes possible: `defaultAfter` past the first unpaid due date.
    function defaultEligibleAt(ILoanBook.Schedule memory s, ILoanBook.Terms memory t) internal pure returns (uint256) {
        return dueDate(s, satisfiedInstalments(s, t) + 1) + s.defaultAfter;
    }

    /// @dev True when the first unsatisfied instalment is unpaid past its due date plus grace.
    function isLate(ILoanBook.Schedule memory s, ILoanBook.Terms memory t, uint256 now_) internal pure returns (bool) {
        return now_ > dueDate(s, satisfiedInstalments(s, t) + 1) + s.gracePeriod;
    }

    /// @dev See {ILoanBook.AmountDue}. Accrues `s` to `now_`.
    function amountDue(ILoanBook.Schedule memory s, ILoanBook.Terms memory t, uint256 now_)
        internal
        pure
        returns (ILoanBook.AmountDue memory due)
    {
        uint256 paidToSchedule = uint256(s.instalmentsPaid) * s.instalment + s.paidTowardNext;
        uint256 satisfied = satisfiedInstalments(s, t);
        accrue(s, t, now_);
        due.lateFees = s.lateFeesDue;
        due.interest = s.interestDue;
        due.payoff = payoff(s);
        uint256 elapsedPeriods = elapsedSince(s, now_) / s.period;
        if (elapsedPeriods >= t.instalments) {
            due.toBeCurrent = due.payoff; // at maturity only paying off brings the loan up to date
        } else {
            uint256 scheduled = elapsedPeriods * s.instalment;
            uint256 behind = scheduled > paidToSchedule ? scheduled - paidToSchedule : 0;
            due.toBeCurrent = _min(s.lateFeesDue + behind, due.payoff);
        }
        due.nextDueDate = dueDate(s, satisfied + 1);
    }

    /// @dev Seconds since the start, never negative: a node may evaluate a view (eth_call) with a
    ///      clock behind the block that started the loan.
    function elapsedSince(ILoanBook.Schedule memory s, uint256 now_) internal pure returns (uint256) {
        return now_ > s.startTime ? now_ - s.startTime : 0;
    }

    function dueDate(ILoanBook.Schedule memory s, uint256 instalmentNumber) internal pure returns (uint256) {
        return s.startTime + instalmentNumber * s.period;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }
}
