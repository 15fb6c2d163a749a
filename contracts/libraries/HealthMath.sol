// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMath} from "./FixedPointMath.sol";

/// @title HealthMath
/// @notice A secured loan's health and liquidation price from values already read (see
///         ICollateralVault): health = collateral value / (debt value * R * T), where R is the
///         collateral ratio the loan requires and T the liquidation threshold, both in bps. Callers
///         value the collateral rounded down and the debt rounded up; these functions round so
///         that health is never overstated and the liquidation price never understated.
library HealthMath {
    using FixedPointMath for uint256;

    /// @dev BPS * BPS: R and T are both in bps.
    uint256 private constant BPS_SQUARED = FixedPointMath.BPS * FixedPointMath.BPS;

    /// @notice Health, WAD, rounded down; type(uint256).max when nothing is owed or the loan
    ///         requires no collateral (ratioBps == 0).
    /// @param collateralWad Collateral value, USD WAD (rounded down by the caller).
    /// @param debtWad Debt value, USD WAD (rounded up by the caller).
    /// @param ratioBps The loan's required collateral ratio R, bps.
    /// @param thresholdBps The liquidation threshold T, bps.
    function healthWad(uint256 collateralWad, uint256 debtWad, uint256 ratioBps, uint256 thresholdBps)
        internal
        pure
        returns (uint256)
    {
        if (debtWad == 0 || ratioBps == 0) return type(uint256).max;
        return collateralWad.mulDivDown(BPS_SQUARED * FixedPointMath.WAD, debtWad * ratioBps * thresholdBps);
    }

    /// @notice The collateral price (USD WAD per whole token) at which health reaches 1, rounded
    ///         up; 0 when there is no collateral or the loan requires none.
    /// @param debtWad Debt value, USD WAD (rounded up by the caller).
    /// @param ratioBps The loan's required collateral ratio R, bps.
    /// @param thresholdBps The liquidation threshold T, bps.
    /// @param collateralUnit 10 ** the collateral token's decimals.
    /// @param amount Collateral held, base units.
    function liquidationPriceWad(
        uint256 debtWad,
        uint256 ratioBps,
        uint256 thresholdBps,
        uint256 collateralUnit,
        uint256 amount
    ) internal pure returns (uint256) {
        if (amount == 0 || ratioBps == 0) return 0;
        // price * amount / unit = debt value * R * T  =>  solve for price.
        return debtWad.mulDivUp(ratioBps * thresholdBps * collateralUnit, BPS_SQUARED * amount);
    }
}
