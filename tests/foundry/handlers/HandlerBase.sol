// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAutoLend} from "../../../contracts/interfaces/IAutoLend.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {ILoanBook} from "../../../contracts/interfaces/ILoanBook.sol";
import {IPriceOracle} from "../../../contracts/interfaces/IPriceOracle.sol";
import {IScoreRegistry} from "../../../contracts/interfaces/IScoreRegistry.sol";
import {Deployment, IMintable, IMockFeed} from "../utils/Platform.sol";
import {WithVm} from "../utils/Vm.sol";
import {Ghost} from "./Ghost.sol";

/// @title HandlerBase
/// @notice What every handler shares. A handler action calls the real contracts as one of the
///         actors (`vm.prank`) with inputs bounded to useful ranges; a call the contracts refuse
///         reverts the whole action, so the ghost only ever records what happened. Every action
///         starts at the ghost's clock and ends by checking the status ladder (`step`).
abstract contract HandlerBase is WithVm {
    Ghost public immutable ghost;
    Deployment internal immutable platform;
    ILoanBook internal immutable book;
    ICollateralVault internal immutable vault;
    IPriceOracle internal immutable oracle;
    IAutoLend internal immutable autolend;
    IScoreRegistry internal immutable registry;
    IMintable internal immutable usdc;
    IMintable internal immutable weth;
    IMockFeed internal immutable ethFeed;
    IMockFeed internal immutable usdFeed;

    constructor(Ghost ghost_) {
        ghost = ghost_;
        Deployment p = ghost_.platform();
        platform = p;
        book = p.book();
        vault = p.vault();
        oracle = p.oracle();
        autolend = p.autolend();
        registry = p.registry();
        usdc = p.usdc();
        weth = p.weth();
        ethFeed = p.ethFeed();
        usdFeed = p.usdFeed();
    }

    modifier step() {
        ghost.begin();
        vm.warp(ghost.clock());
        _;
        ghost.observe();
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + x % (hi - lo + 1);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return ghost.actor(seed);
    }

    /// @dev A loan id, preferring (from a seed-chosen start) one whose status `wanted` accepts.
    function _pickLoan(uint256 seed, function(ILoanBook.LoanStatus) pure returns (bool) wanted)
        internal
        view
        returns (uint256 loanId, bool found)
    {
        uint256[] memory ids = ghost.allLoans();
        if (ids.length == 0) return (0, false);
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[(seed + i) % ids.length];
            if (wanted(ghost.loan(id).status)) return (id, true);
        }
        return (ids[seed % ids.length], false);
    }

    /// @dev An actor holding notes of `loanId` (from a seed-chosen start), or the seed's actor.
    function _pickHolder(uint256 seed, uint256 loanId) internal view returns (address) {
        uint256 n = ghost.actorCount();
        for (uint256 i; i < n; ++i) {
            address who = ghost.actor(seed + i);
            if (ghost.holder(loanId, who).notes != 0) return who;
        }
        return ghost.actor(seed);
    }

    function _fundMe(address who, uint256 amount) internal {
        uint256 balance = usdc.balanceOf(who);
        if (balance < amount) usdc.mint(who, amount - balance);
    }

    function _feesDue(uint256 loanId) internal view returns (uint256) {
        return book.loanRecord(loanId).schedule.platformFeesDue;
    }

    // Status filters for _pickLoan.
    function isListed(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Listed;
    }

    function isRepayable(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Active || s == ILoanBook.LoanStatus.Defaulted;
    }

    function isActive(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Active;
    }

    function isStarted(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s >= ILoanBook.LoanStatus.Active && s != ILoanBook.LoanStatus.Cancelled
            && s != ILoanBook.LoanStatus.Expired;
    }

    function isRefundable(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Listed || s == ILoanBook.LoanStatus.Cancelled
            || s == ILoanBook.LoanStatus.Expired;
    }

    function isFinished(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Repaid || s == ILoanBook.LoanStatus.Cancelled
            || s == ILoanBook.LoanStatus.Expired || s == ILoanBook.LoanStatus.Closed;
    }

    function isAny(ILoanBook.LoanStatus) internal pure returns (bool) {
        return true;
    }
}
