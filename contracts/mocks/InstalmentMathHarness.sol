// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InstalmentMath} from "../libraries/InstalmentMath.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";

/// @title InstalmentMathHarness
/// @notice Exposes the internal math libraries to tests through eth_call.
contract InstalmentMathHarness {
    function instalmentUp(uint256 principal, uint256 aprBps, uint256 period, uint256 count)
        external
        pure
        returns (uint256)
    {
        return InstalmentMath.instalmentUp(principal, aprBps, period, count);
    }

    function periodInterestUp(uint256 outstanding, uint256 aprBps, uint256 period) external pure returns (uint256) {
        return InstalmentMath.periodInterestUp(outstanding, aprBps, period);
    }

    function rayPowDown(uint256 base, uint256 exponent) external pure returns (uint256) {
        return FixedPointMath.rayPowDown(base, exponent);
    }
}
