// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMath} from "./FixedPointMath.sol";

/// @title InstalmentMath
/// @notice The fixed-rate amortisation schedule. A loan of `principal` at `aprBps` simple annual
///         rate is repaid in `count` equal instalments, one every `period` seconds; the rate per
///         period is r = aprBps / 10_000 * period / 365 days. Interest for a period is charged when
///         the period starts. Both functions round up: the borrower owes the fraction of a base
///         unit, never the lenders.
library InstalmentMath {
    using FixedPointMath for uint256;

    uint256 internal constant YEAR = 365 days;

    /// @notice Interest for one period on `outstanding`, rounded up.
    function periodInterestUp(uint256 outstanding, uint256 aprBps, uint256 period) internal pure returns (uint256) {
        return outstanding.mulDivUp(aprBps * period, FixedPointMath.BPS * YEAR);
    }

    /// @notice The equal payment P = principal * r * (1+r)^n / ((1+r)^n - 1), rounded up, plus one
    ///         base unit (principal / n, rounded up, when the rate is zero).
    /// @dev The extra unit absorbs the rounding-up of each period's interest (less than one unit a
    ///      period), so n payments of P always repay the loan; the last one is then a little smaller.
    /// @dev In RAY (1e27) precision, so even a rate of 1 bps over one day (r ~ 2.7e-7) carries 20
    ///      significant digits. r is rounded up and (1+r)^n down; P grows with r and shrinks with
    ///      (1+r)^n, so both roundings push P above the exact value, never below it. Bounded terms
    ///      (APR <= 100%, n * period <= 10 years) keep (1+r)^n <= e^10 and every product in range.
    function instalmentUp(uint256 principal, uint256 aprBps, uint256 period, uint256 count)
        internal
        pure
        returns (uint256)
    {
        if (aprBps == 0) return principal.mulDivUp(1, count);
        uint256 rateRay = (aprBps * period).mulDivUp(FixedPointMath.RAY, FixedPointMath.BPS * YEAR);
        uint256 growthRay = (FixedPointMath.RAY + rateRay).rayPowDown(count);
        return (principal * rateRay).mulDivUp(growthRay, (growthRay - FixedPointMath.RAY) * FixedPointMath.RAY) + 1;
    }
}
