// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILoanBook} from "../../../contracts/interfaces/ILoanBook.sol";
import {Launch} from "../utils/Platform.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @title VaultHandler
/// @notice CollateralVault actions: top-ups, withdrawals (random and at the exact edge of the
///         required ratio), releases and liquidations (random amounts, the maximum, one above it).
///         Every successful withdrawal and liquidation is checked against the health the ghost
///         computes from the feeds' answers.
contract VaultHandler is HandlerBase {
    constructor(Ghost ghost_) HandlerBase(ghost_) {}

    function topUp(uint256 actorSeed, uint256 loanSeed, uint256 amountSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isTopUppable);
        if (!found) return;
        Ghost.LoanG memory l = ghost.loan(loanId);
        if (l.collateral == 0 && amountSeed % 2 == 0) return; // no position: would revert
        uint256 amount = _bound(amountSeed >> 1, 1, 5 * Launch.WETH);
        address payer = actorSeed % 2 == 0 ? l.borrower : _actor(actorSeed >> 1);
        weth.mint(payer, amount);
        vm.startPrank(payer);
        weth.approve(address(vault), amount);
        vault.topUp(loanId, amount);
        vm.stopPrank();
        ghost.setCollateral(loanId, l.collateral + amount);
    }

    /// @notice The borrower withdraws collateral; a success must leave the loan's required ratio covered.
    function withdraw(uint256 loanSeed, uint256 amountSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isWithdrawable);
        if (!found) return;
        Ghost.LoanG memory l = ghost.loan(loanId);
        if (l.collateral == 0) return;
        uint256 debt = book.collateralState(loanId).debt;
        uint256 amount;
        uint256 mode = amountSeed % 4;
        if (mode == 0) {
            // the edge: everything above the required collateral, or one unit more
            uint256 needed = _requiredCollateral(debt, l.minRatioBps);
            if (needed >= l.collateral) return;
            amount = l.collateral - needed + ((amountSeed >> 2) % 2);
        } else {
            amount = _bound(amountSeed >> 2, 1, mode == 1 ? l.collateral : l.collateral / 10 + 1);
        }
        uint256 before = weth.balanceOf(l.borrower);
        vm.prank(l.borrower);
        vault.withdraw(loanId, amount);
        uint256 remaining = l.collateral - amount;
        ghost.setCollateral(loanId, remaining);
        if (weth.balanceOf(l.borrower) - before != amount) ghost.violate("withdrawal paid other than asked", loanId, amount, 0);
        if (l.minRatioBps != 0 && !ghost.covers(remaining, debt, l.minRatioBps)) {
            ghost.violate("withdrawal left the loan below its required ratio", loanId, remaining, debt);
        }
    }

    function release(uint256 actorSeed, uint256 loanSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isFinished);
        if (!found) return;
        Ghost.LoanG memory l = ghost.loan(loanId);
        if (l.collateral == 0 && loanSeed % 2 == 0) return;
        uint256 before = weth.balanceOf(l.borrower);
        vm.prank(_actor(actorSeed));
        uint256 amount = vault.release(loanId);
        if (amount != l.collateral || weth.balanceOf(l.borrower) - before != amount) {
            ghost.violate("release returned other than the position", loanId, amount, l.collateral);
        }
        ghost.setCollateral(loanId, 0);
    }

    struct Liquidation {
        uint256 loanId;
        uint256 collateral;
        uint256 debt;
        bool defaulted;
        bool healthy;
        uint256 maxRepay;
        uint256 amount;
        address liquidator;
        uint256 feesBefore;
        uint256 usdcBefore;
        uint256 wethBefore;
    }

    /// @notice Anyone liquidates; a success on an active loan must find it below health 1.
    function liquidate(uint256 actorSeed, uint256 loanSeed, uint256 amountSeed) external step {
        Liquidation memory q;
        bool found;
        (q.loanId, found) = _pickLoan(loanSeed, isRepayable);
        if (!found) return;
        Ghost.LoanG memory l = ghost.loan(q.loanId);
        q.collateral = l.collateral;
        if (q.collateral == 0) return;
        ILoanBook.CollateralState memory state = book.collateralState(q.loanId);
        q.debt = state.debt;
        q.defaulted = state.status == ILoanBook.LoanStatus.Defaulted;
        q.healthy = ghost.healthy(q.collateral, q.debt, l.minRatioBps, l.thresholdBps);
        q.maxRepay = q.defaulted ? q.debt : _ceilDiv(q.debt * l.closeFactorBps, Launch.BPS);
        uint256 mode = amountSeed % 4;
        q.amount = mode == 0 ? q.maxRepay : mode == 1 ? q.maxRepay + 1 : _bound(amountSeed >> 2, 1, q.maxRepay);
        q.liquidator = _actor(actorSeed);
        _fundMe(q.liquidator, q.amount);
        q.feesBefore = _feesDue(q.loanId);
        q.usdcBefore = usdc.balanceOf(q.liquidator);
        q.wethBefore = weth.balanceOf(q.liquidator);
        vm.prank(q.liquidator);
        uint256 seized = vault.liquidate(q.loanId, q.amount);
        _afterLiquidation(q, seized);
    }

    function _afterLiquidation(Liquidation memory q, uint256 seized) private {
        uint256 paid = q.usdcBefore - usdc.balanceOf(q.liquidator);
        if (!q.defaulted && q.healthy) ghost.violate("liquidation at health >= 1", q.loanId, q.collateral, q.debt);
        if (q.amount > q.maxRepay) ghost.violate("liquidation above the close factor", q.loanId, q.amount, q.maxRepay);
        if (paid > q.amount) ghost.violate("liquidation pulled more than asked", q.loanId, paid, q.amount);
        if (weth.balanceOf(q.liquidator) - q.wethBefore != seized || seized > q.collateral) {
            ghost.violate("liquidation seized other than reported", q.loanId, seized, q.collateral);
        }
        ghost.setCollateral(q.loanId, q.collateral - seized);
        ghost.pay(q.loanId, paid, _feesDue(q.loanId) - q.feesBefore);
    }

    // ------------------------------------------------------------------ internals

    /// @dev WETH base units worth at least `ratioBps` of `debt` at the feeds' answers (rounded up).
    function _requiredCollateral(uint256 debt, uint256 ratioBps) private view returns (uint256) {
        uint256 ethWad = ghost.priceWad(true);
        if (ethWad == 0) return type(uint256).max;
        uint256 requiredWad = _ceilDiv(ghost.priceWad(false) * debt * ratioBps, Launch.USDC * Launch.BPS);
        return _ceilDiv(requiredWad * Launch.WETH, ethWad);
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    function isTopUppable(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Listed || s == ILoanBook.LoanStatus.Active
            || s == ILoanBook.LoanStatus.Defaulted;
    }

    function isWithdrawable(ILoanBook.LoanStatus s) internal pure returns (bool) {
        return s == ILoanBook.LoanStatus.Active;
    }

    /// @notice Governance changes the collateral's liquidation threshold and bonus and the close
    ///         factor; loans listed before keep the settings the vault snapshotted for them.
    function setCollateralSettings(uint256 thresholdSeed, uint256 bonusSeed, uint256 closeFactorSeed) external step {
        uint256 bonus = _bound(bonusSeed, 0, 2_000);
        uint256 maxThreshold = _min(9_500, (Launch.BPS * Launch.BPS - 1) / (Launch.BPS + bonus));
        uint256 threshold = _bound(thresholdSeed, 5_000, maxThreshold);
        uint256 closeFactor = _bound(closeFactorSeed, 1_000, Launch.BPS);
        vm.startPrank(address(platform));
        vault.setCollateral(address(weth), true, threshold, bonus);
        vault.setCloseFactor(closeFactor);
        vm.stopPrank();
        ghost.setCollateralSettings(threshold, bonus, closeFactor);
    }
}
