// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FixedPointMath
/// @notice Integer arithmetic whose names carry the rounding direction, so every call site shows
///         which side a rounding error falls on. WAD = 1e18 and RAY = 1e27 fixed point; BPS = 10_000.
library FixedPointMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant RAY = 1e27;
    uint256 internal constant BPS = 10_000;

    /// @dev floor(x * y / d), exact in 512 bits.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    /// @dev ceil(x * y / d), exact in 512 bits.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @dev (base / RAY)^exponent * RAY, each squaring and product rounded down, so the result
    ///      never exceeds the exact power.
    function rayPowDown(uint256 base, uint256 exponent) internal pure returns (uint256 result) {
        result = RAY;
        while (exponent != 0) {
            if (exponent & 1 == 1) result = mulDivDown(result, base, RAY);
            exponent >>= 1;
            if (exponent != 0) base = mulDivDown(base, base, RAY);
        }
    }
}
