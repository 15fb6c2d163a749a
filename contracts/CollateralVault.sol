// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {ILoanBook} from "./interfaces/ILoanBook.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {ExactTransfer} from "./libraries/ExactTransfer.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {HealthMath} from "./libraries/HealthMath.sol";
import {Governed} from "./Governed.sol";

/// @title CollateralVault
/// @notice See {ICollateralVault}.
contract CollateralVault is ICollateralVault, Governed, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using FixedPointMath for uint256;

    uint256 public constant MAX_LIQUIDATION_THRESHOLD_BPS = 9_500;
    uint256 public constant MAX_LIQUIDATION_BONUS_BPS = 2_000;
    uint256 public constant MIN_CLOSE_FACTOR_BPS = 1_000;

    ILoanBook public immutable book;
    IPriceOracle public immutable oracle;
    uint256 public closeFactorBps = 5_000;
    mapping(address token => CollateralConfig) public collaterals;
    mapping(uint256 loanId => Position) public positions;

    constructor(address governance_, ILoanBook book_, IPriceOracle oracle_) Governed(governance_) {
        book = book_;
        oracle = oracle_;
    }

    modifier onlyBook() {
        if (msg.sender != address(book)) revert NotLoanBook(msg.sender);
        _;
    }

    // ================================================================== loan book

    /// @inheritdoc ICollateralVault
    function lock(
        uint256 loanId,
        address borrower,
        address token,
        uint256 amount,
        address loanToken,
        uint256 principal,
        uint256 minRatioBps
    ) external onlyBook nonReentrant {
        CollateralConfig memory config = collaterals[token];
        if (amount != 0 && !config.allowed) revert CollateralNotAllowed(token);
        if (minRatioBps != 0) _requireRatio(loanId, token, amount, loanToken, principal, minRatioBps);
        if (amount == 0) return;
        uint16 closeFactor = uint16(closeFactorBps); // <= BPS, checked by setCloseFactor
        positions[loanId] = Position({
            token: token,
            amount: SafeCast.toUint96(amount),
            loanToken: loanToken,
            minCollateralRatioBps: SafeCast.toUint16(minRatioBps),
            liquidationThresholdBps: config.liquidationThresholdBps,
            liquidationBonusBps: config.liquidationBonusBps,
            closeFactorBps: closeFactor
        });
        emit CollateralLocked(
            loanId, token, amount, config.liquidationThresholdBps, config.liquidationBonusBps, closeFactor
        );
        ExactTransfer.pullExact(token, borrower, amount);
    }

    // ================================================================== borrower

    /// @inheritdoc ICollateralVault
    function topUp(uint256 loanId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        ILoanBook.LoanStatus status = book.collateralState(loanId).status;
        if (
            status != ILoanBook.LoanStatus.Listed && status != ILoanBook.LoanStatus.Active
                && status != ILoanBook.LoanStatus.Defaulted
        ) revert WrongLoanStatus(loanId, uint8(status));
        Position storage p = positions[loanId];
        if (p.token == address(0)) revert NoCollateral(loanId);
        uint256 total = p.amount + amount;
        p.amount = SafeCast.toUint96(total);
        emit CollateralAdded(loanId, msg.sender, amount, total);
        ExactTransfer.pullExact(p.token, msg.sender, amount);
    }

    /// @inheritdoc ICollateralVault
    function withdraw(uint256 loanId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Position storage p = positions[loanId];
        if (p.token == address(0)) revert NoCollateral(loanId);
        ILoanBook.CollateralState memory loan = book.collateralState(loanId);
        if (msg.sender != loan.borrower) revert NotBorrower(loanId, msg.sender);
        // Never while listed: lenders fund against the collateral escrowed at listing.
        if (loan.status != ILoanBook.LoanStatus.Active) revert WrongLoanStatus(loanId, uint8(loan.status));
        uint256 held = p.amount;
        if (amount > held) revert WithdrawalExceedsCollateral(loanId, amount, held);
        uint256 remaining = held - amount;
        if (p.minCollateralRatioBps != 0) {
            _requireRatio(loanId, p.token, remaining, p.loanToken, loan.debt, p.minCollateralRatioBps);
        }
        p.amount = uint96(remaining);
        emit CollateralWithdrawn(loanId, amount, remaining);
        IERC20(p.token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ICollateralVault
    function release(uint256 loanId) external nonReentrant returns (uint256 amount) {
        ILoanBook.CollateralState memory loan = book.collateralState(loanId);
        ILoanBook.LoanStatus status = loan.status;
        if (status == ILoanBook.LoanStatus.None || status == ILoanBook.LoanStatus.Listed
            || status == ILoanBook.LoanStatus.Active || status == ILoanBook.LoanStatus.Defaulted) {
            revert WrongLoanStatus(loanId, uint8(status));
        }
        amount = _releaseAll(loanId, loan.borrower);
        if (amount == 0) revert NoCollateral(loanId);
    }

    // ================================================================== liquidation

    /// @inheritdoc ICollateralVault
    function liquidate(uint256 loanId, uint256 repayAmount) external nonReentrant returns (uint256 seized) {
        if (repayAmount == 0) revert ZeroAmount();
        Position memory p = positions[loanId];
        if (p.amount == 0) revert NoCollateral(loanId);
        Valuation memory v = _prices(p.loanToken, p.token);
        v.collateralWad = uint256(p.amount).mulDivDown(v.collateralPriceWad, v.collateralUnit);
        uint256 requested = repayAmount;
        seized = _collateralFor(repayAmount, v, p.liquidationBonusBps);
        if (seized >= p.amount) {
            // Not enough collateral for the repayment plus bonus: take all of it for the
            // repayment it covers, rounded up so the liquidator never underpays.
            seized = p.amount;
            repayAmount = _repaymentFor(seized, v, p.liquidationBonusBps);
        }
        positions[loanId].amount = uint96(p.amount - seized);
        // The book applies the payment and returns the loan as it was just before it; the checks
        // below run on that state and revert the whole liquidation (payment included) if it was
        // not liquidatable. One call to the book instead of a read and then a write.
        (ILoanBook.LoanStatus status, uint256 debt, uint256 paid) =
            book.applyLiquidation(loanId, repayAmount, msg.sender);
        bool defaulted = status == ILoanBook.LoanStatus.Defaulted;
        v.debtWad = debt.mulDivUp(v.loanPriceWad, v.loanUnit);
        uint256 healthWad =
            HealthMath.healthWad(v.collateralWad, v.debtWad, p.minCollateralRatioBps, p.liquidationThresholdBps);
        if (!defaulted && healthWad >= FixedPointMath.WAD) revert Healthy(loanId, healthWad);
        uint256 maxRepay = defaulted ? debt : debt.mulDivUp(p.closeFactorBps, FixedPointMath.BPS);
        if (requested > maxRepay) revert RepayAboveMaximum(loanId, requested, maxRepay);
        emit Liquidated(loanId, msg.sender, repayAmount, seized, healthWad);
        IERC20(p.token).safeTransfer(msg.sender, seized);
        // Surplus collateral of a loan closed here is returned by `release` (pull, so a borrower
        // who cannot receive the token cannot block liquidations). Only a defaulted loan's debt is
        // written off when its collateral runs out; an active loan stays owed, unsecured.
        if (defaulted && debt != paid && seized == p.amount) book.writeOff(loanId);
    }

    // ================================================================== views

    /// @inheritdoc ICollateralVault
    function health(uint256 loanId)
        external
        view
        returns (uint256 healthWad, uint256 liquidationPriceWad, uint256 secondsUntilDefault)
    {
        ILoanBook.CollateralState memory loan = book.collateralState(loanId);
        Position memory p = positions[loanId];
        if (p.token == address(0)) return (type(uint256).max, 0, _secondsUntil(loan.defaultEligibleAt));
        Valuation memory v = _prices(p.loanToken, p.token);
        v.collateralWad = uint256(p.amount).mulDivDown(v.collateralPriceWad, v.collateralUnit);
        v.debtWad = loan.debt.mulDivUp(v.loanPriceWad, v.loanUnit);
        uint256 ratio = p.minCollateralRatioBps;
        healthWad = HealthMath.healthWad(v.collateralWad, v.debtWad, ratio, p.liquidationThresholdBps);
        liquidationPriceWad =
            HealthMath.liquidationPriceWad(v.debtWad, ratio, p.liquidationThresholdBps, v.collateralUnit, p.amount);
        secondsUntilDefault = _secondsUntil(loan.defaultEligibleAt);
    }

    // ================================================================== governance

    /// @inheritdoc ICollateralVault
    function setCollateral(address token, bool allowed, uint256 liquidationThresholdBps, uint256 liquidationBonusBps)
        external
        onlyGovernance
    {
        if (
            liquidationThresholdBps == 0 || liquidationThresholdBps > MAX_LIQUIDATION_THRESHOLD_BPS
                || liquidationBonusBps > MAX_LIQUIDATION_BONUS_BPS
                || liquidationThresholdBps * (FixedPointMath.BPS + liquidationBonusBps)
                    >= FixedPointMath.BPS * FixedPointMath.BPS
        ) revert InvalidCollateralSetting(token, liquidationThresholdBps, liquidationBonusBps);
        collaterals[token] = CollateralConfig(allowed, uint16(liquidationThresholdBps), uint16(liquidationBonusBps));
        emit CollateralSet(token, allowed, liquidationThresholdBps, liquidationBonusBps);
    }

    /// @inheritdoc ICollateralVault
    function setCloseFactor(uint256 closeFactorBps_) external onlyGovernance {
        if (closeFactorBps_ < MIN_CLOSE_FACTOR_BPS || closeFactorBps_ > FixedPointMath.BPS) {
            revert InvalidCloseFactor(closeFactorBps_);
        }
        closeFactorBps = closeFactorBps_;
        emit CloseFactorSet(closeFactorBps_);
    }

    // ================================================================== internals

    /// @dev Prices and values of one loan, read once.
    struct Valuation {
        uint256 collateralPriceWad;
        uint256 loanPriceWad;
        uint256 collateralWad; // value of the collateral, rounded down
        uint256 debtWad; // value of the debt, rounded up
        uint256 collateralUnit; // 10 ** decimals
        uint256 loanUnit;
    }

    /// @dev Both prices in one oracle call; only the loan token's when there is no collateral token.
    function _prices(address loanToken, address collateralToken) private view returns (Valuation memory v) {
        if (collateralToken == address(0)) {
            (v.loanPriceWad, v.loanUnit) = oracle.quote(loanToken);
        } else {
            (v.loanPriceWad, v.loanUnit, v.collateralPriceWad, v.collateralUnit) =
                oracle.quotePair(loanToken, collateralToken);
        }
    }

    /// @dev Collateral (base units) worth `repayAmount` of the loan token plus the bonus, rounded down.
    function _collateralFor(uint256 repayAmount, Valuation memory v, uint256 bonusBps) private pure returns (uint256) {
        uint256 valueWad = repayAmount.mulDivDown(v.loanPriceWad, v.loanUnit);
        valueWad = valueWad.mulDivDown(FixedPointMath.BPS + bonusBps, FixedPointMath.BPS);
        return valueWad.mulDivDown(v.collateralUnit, v.collateralPriceWad);
    }

    /// @dev Repayment (loan-token base units) that `seized` collateral covers with the bonus, rounded up.
    function _repaymentFor(uint256 seized, Valuation memory v, uint256 bonusBps) private pure returns (uint256) {
        uint256 valueWad = seized.mulDivUp(v.collateralPriceWad, v.collateralUnit);
        valueWad = valueWad.mulDivUp(FixedPointMath.BPS, FixedPointMath.BPS + bonusBps);
        return valueWad.mulDivUp(v.loanUnit, v.loanPriceWad);
    }

    function _requireRatio(
        uint256 loanId,
        address token,
        uint256 amount,
        address loanToken,
        uint256 debt,
        uint256 minRatioBps
    ) private view {
        if (amount == 0) token = address(0); // nothing to value
        Valuation memory v = _prices(loanToken, token);
        uint256 valueWad = token == address(0) ? 0 : amount.mulDivDown(v.collateralPriceWad, v.collateralUnit);
        uint256 requiredWad = v.loanPriceWad.mulDivUp(debt * minRatioBps, v.loanUnit * FixedPointMath.BPS);
        if (valueWad < requiredWad) revert InsufficientCollateral(loanId, valueWad, requiredWad);
    }

    function _releaseAll(uint256 loanId, address borrower) private returns (uint256 amount) {
        Position memory p = positions[loanId];
        amount = p.amount;
        if (amount == 0) return 0;
        positions[loanId].amount = 0;
        emit CollateralReleased(loanId, borrower, amount);
        IERC20(p.token).safeTransfer(borrower, amount);
    }

    function _secondsUntil(uint256 time) private view returns (uint256) {
        return time > block.timestamp ? time - block.timestamp : 0;
    }
}
