// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILoanBook} from "./interfaces/ILoanBook.sol";
import {IScoreRegistry} from "./interfaces/IScoreRegistry.sol";
import {ExactTransfer} from "./libraries/ExactTransfer.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {InstalmentMath} from "./libraries/InstalmentMath.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {Governed} from "./Governed.sol";
import {LoanNotes} from "./LoanNotes.sol";

/// @title LoanBook
/// @notice See {ILoanBook}. Every entry point follows: checks -> accrue -> effects -> events ->
///         token transfers last, under a reentrancy guard; every token pulled is checked against
///         the balance actually received, so fee-on-transfer tokens cannot create unbacked notes.
contract LoanBook is ILoanBook, LoanNotes, Governed {
    using SafeERC20 for IERC20;
    using FixedPointMath for uint256;

    // ------------------------------------------------------------------ hard caps (governance cannot exceed)
    uint256 public constant MAX_APR_BPS = 10_000;
    uint256 public constant MAX_FEE_BPS = 2_500; // of repaid interest
    uint256 public constant MAX_LATE_FEE_BPS = 1_000; // of one instalment
    uint256 public constant MAX_GRACE_PERIOD = 30 days;
    uint256 public constant MAX_DEFAULT_AFTER = 365 days;
    uint256 public constant MIN_PERIOD = 1 days;
    uint256 public constant MAX_PERIOD = 365 days;
    uint256 public constant MAX_INSTALMENTS = 360;
    uint256 public constant MAX_TERM = 3650 days;
    uint256 public constant MAX_LISTING_DURATION = 60 days;
    /// @notice A listing not started this long after its deadline expires whatever its fill, so
    ///         lenders' funds cannot be stuck by a start that keeps failing (e.g. a blocked borrower).
    uint256 public constant START_WINDOW = 7 days;
    uint8 public constant WORST_GRADE = 9;
    uint256 public constant MAX_COLLATERAL_RATIO_BPS = 50_000;
    /// @notice Purpose codes are 0 .. 31, so an auto-lend rule can accept any set of them in one
    ///         32-bit mask (see IAutoLend).
    uint256 public constant MAX_PURPOSE = 31;

    struct Config {
        uint16 feeBps;
        uint16 lateFeeBps;
        uint32 gracePeriod;
        uint32 defaultAfter;
        bool paused;
    }

    IScoreRegistry public immutable scoreRegistry;
    ICollateralVault public collateralVault;
    address public feeRecipient;
    Config public config;
    mapping(address token => TokenConfig) public loanTokens;
    mapping(address token => mapping(uint8 grade => GradePolicy)) public gradePolicies;
    uint256 public loanCount;
    mapping(uint256 loanId => LoanRecord) internal _loans;

    constructor(address governance_, IScoreRegistry registry, address feeRecipient_) Governed(governance_) {
        if (address(registry) == address(0) || feeRecipient_ == address(0)) revert ZeroAddress();
        scoreRegistry = registry;
        feeRecipient = feeRecipient_;
        // Prosper's published terms: late fee after a 15-day grace period, charge-off at 120 days past due.
        config = Config({feeBps: 0, lateFeeBps: 500, gracePeriod: 15 days, defaultAfter: 120 days, paused: false});
    }

    // ================================================================== borrower

    /// @inheritdoc ILoanBook
    function requestLoan(
        LoanTerms calldata terms,
        IScoreRegistry.ScoreAttestation calldata attestation,
        bytes calldata signature
    ) external nonReentrant returns (uint256 loanId) {
        Config memory cfg = config;
        if (cfg.paused) revert LendingPaused();
        if (signature.length != 0) scoreRegistry.submit(attestation, signature);
        IScoreRegistry.Score memory score = scoreRegistry.validScore(msg.sender);
        uint8 grade = score.grade;
        uint256 minCollateralRatioBps = _checkTerms(terms, grade);

        loanId = ++loanCount;
        LoanRecord storage l = _loans[loanId];
        l.funding.token = terms.token;
        l.terms = Terms({
            principal: uint96(terms.principal),
            fundingDeadline: uint40(terms.fundingDeadline),
            status: LoanStatus.Listed,
            grade: grade,
            minFillBps: uint16(terms.minFillBps),
            aprBps: uint16(terms.aprBps),
            instalments: uint16(terms.instalments),
            feeBps: cfg.feeBps,
            lateFeeBps: cfg.lateFeeBps,
            purpose: uint8(terms.purpose),
            minCollateralRatioBps: uint16(minCollateralRatioBps)
        });
        l.schedule.period = uint32(terms.period);
        l.schedule.gracePeriod = cfg.gracePeriod;
        l.schedule.defaultAfter = cfg.defaultAfter;
        l.borrower = msg.sender;
        l.pdBps = score.pdBps;
        _openAccumulator(loanId);
        emit LoanRequested(loanId, msg.sender, terms.token, terms, grade, score.pdBps);
        if (terms.collateralAmount != 0 || minCollateralRatioBps != 0) {
            ICollateralVault vault = collateralVault;
            if (address(vault) == address(0)) revert CollateralVaultNotSet();
            vault.lock(
                loanId,
                msg.sender,
                terms.collateralToken,
                terms.collateralAmount,
                terms.token,
                terms.principal,
                minCollateralRatioBps
            );
        }
    }

    /// @inheritdoc ILoanBook
    function cancel(uint256 loanId) external nonReentrant {
        LoanRecord storage l = _loans[loanId];
        _requireListed(loanId, l.terms.status);
        if (msg.sender != l.borrower) revert NotBorrower(loanId, msg.sender);
        l.terms.status = LoanStatus.Cancelled;
        emit LoanCancelled(loanId);
    }

    /// @inheritdoc ILoanBook
    function start(uint256 loanId) external nonReentrant {
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        _requireListed(loanId, t.status);
        if (msg.sender != l.borrower && block.timestamp <= t.fundingDeadline) revert NotBorrower(loanId, msg.sender);
        uint256 funded = l.funding.funded;
        // Past the start window the listing is expired, even before a refund records it.
        if (block.timestamp > uint256(t.fundingDeadline) + START_WINDOW) {
            revert LoanNotListed(loanId, LoanStatus.Expired);
        }
        uint256 required = _minimumFill(t);
        if (funded < required) revert MinimumFillNotReached(loanId, funded, required);
        _start(loanId, l, t, funded);
    }

    /// @inheritdoc ILoanBook
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (amount == 0) revert ZeroAmount();
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        _requireRepayable(loanId, t.status);
        (uint256 applied,, uint256 outstanding, address token) = _applyPayment(loanId, l, t, amount, msg.sender);
        if (outstanding == 0) {
            l.terms.status = LoanStatus.Repaid;
            emit LoanRepaid(loanId);
            // Repaid in full, every instalment is satisfied: those never charged late were on time
            // (a recovered default's instalments were counted when it defaulted).
            uint256 onTime = t.status == LoanStatus.Active ? t.instalments - l.lateInstalments : 0;
            scoreRegistry.recordRepaid(l.borrower, uint32(onTime));
        }
        ExactTransfer.pullExact(token, msg.sender, applied);
        return applied;
    }

    // ================================================================== lender

    /// @inheritdoc ILoanBook
    function fund(uint256 loanId, uint256 amount) external {
        fundFor(loanId, amount, msg.sender);
    }

    /// @inheritdoc ILoanBook
    function fundFor(uint256 loanId, uint256 amount, address lender) public nonReentrant {
        if (config.paused) revert LendingPaused();
        if (lender == address(0)) revert ZeroAddress();
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        _requireListed(loanId, t.status);
        if (block.timestamp > t.fundingDeadline) revert FundingClosed(loanId, t.fundingDeadline);
        if (amount == 0) revert ZeroAmount();
        Funding memory f = l.funding;
        uint256 remaining = t.principal - f.funded;
        if (amount > remaining) revert FundingExceedsRemaining(loanId, amount, remaining);
        uint256 minimum = loanTokens[f.token].minFunding;
        if (amount < minimum && amount != remaining) revert BelowMinimumFunding(amount, minimum);

        uint256 funded = f.funded + amount;
        l.funding.funded = uint96(funded);
        _mintNotes(lender, loanId, amount);
        emit Funded(loanId, lender, amount, funded);
        ExactTransfer.pullExact(f.token, msg.sender, amount);
        if (amount == remaining) _start(loanId, l, t, funded);
    }

    /// @inheritdoc ILoanBook
    function refund(uint256 loanId) external nonReentrant returns (uint256 amount) {
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        if (t.status == LoanStatus.None) revert UnknownLoan(loanId);
        if (t.status == LoanStatus.Listed && _expired(t, l.funding.funded)) {
            t.status = LoanStatus.Expired;
            _markExpired(loanId, l);
        }
        if (t.status != LoanStatus.Cancelled && t.status != LoanStatus.Expired) revert NotRefundable(loanId, t.status);
        amount = _burnAllNotes(msg.sender, loanId);
        if (amount == 0) revert NothingToRefund(loanId, msg.sender);
        l.funding.funded -= uint96(amount);
        emit Refunded(loanId, msg.sender, amount);
        IERC20(l.funding.token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanBook
    function claim(uint256 loanId) external nonReentrant returns (uint256 amount) {
        amount = _takeClaimable(loanId, msg.sender);
        if (amount == 0) revert NothingToClaim(loanId, msg.sender);
        emit Claimed(loanId, msg.sender, amount);
        IERC20(_loans[loanId].funding.token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanBook
    function claimMany(uint256[] calldata loanIds) external returns (uint256 total) {
        return claimFor(msg.sender, loanIds);
    }

    /// @inheritdoc ILoanBook
    function claimFor(address holder, uint256[] calldata loanIds) public nonReentrant returns (uint256 total) {
        if (holder != msg.sender && !isApprovedForAll[holder][msg.sender]) {
            revert ERC1155MissingApprovalForAll(msg.sender, holder);
        }
        for (uint256 i; i < loanIds.length; ++i) {
            uint256 amount = _takeClaimable(loanIds[i], holder);
            if (amount == 0) continue;
            total += amount;
            emit Claimed(loanIds[i], holder, amount);
            IERC20(_loans[loanIds[i]].funding.token).safeTransfer(msg.sender, amount);
        }
        if (total == 0) revert NothingToClaim(0, holder);
    }

    // ================================================================== anyone

    /// @inheritdoc ILoanBook
    function expire(uint256 loanId) external nonReentrant {
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        _requireListed(loanId, t.status);
        if (!_expired(t, l.funding.funded)) revert NotExpired(loanId, t.fundingDeadline);
        _markExpired(loanId, l);
        ICollateralVault vault = collateralVault;
        if (address(vault) == address(0)) return;
        (, uint96 collateral,,,,,) = vault.positions(loanId);
        if (collateral != 0) vault.release(loanId);
    }

    /// @inheritdoc ILoanBook
    function markDefault(uint256 loanId) external nonReentrant {
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        if (t.status == LoanStatus.None) revert UnknownLoan(loanId);
        Schedule memory s = l.schedule;
        uint256 eligibleAt = LoanMath.defaultEligibleAt(s, t);
        if (t.status != LoanStatus.Active || block.timestamp < eligibleAt) {
            revert NotDefaultable(loanId, t.status, eligibleAt);
        }
        (uint256 newLate, uint256 newLateFees) = LoanMath.accrue(s, t, block.timestamp);
        l.schedule = s;
        l.terms.status = LoanStatus.Defaulted;
        if (newLate != 0) _recordLate(loanId, l, newLate, newLateFees);
        emit LoanDefaulted(loanId, s.outstanding);
        scoreRegistry.recordDefault(l.borrower, _onTimeInstalments(l, s, t));
    }

    // ================================================================== collateral vault

    /// @inheritdoc ILoanBook
    function applyLiquidation(uint256 loanId, uint256 amount, address payer)
        external
        nonReentrant
        returns (LoanStatus status, uint256 debt, uint256 paid)
    {
        if (msg.sender != address(collateralVault)) revert NotCollateralVault(msg.sender);
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        _requireRepayable(loanId, t.status);
        uint256 outstanding;
        address token;
        (paid, debt, outstanding, token) = _applyPayment(loanId, l, t, amount, payer);
        if (outstanding == 0) {
            l.terms.status = LoanStatus.Closed;
            emit LoanClosed(loanId, 0);
        }
        ExactTransfer.pullExact(token, payer, paid);
        return (t.status, debt, paid);
    }

    /// @inheritdoc ILoanBook
    function writeOff(uint256 loanId) external nonReentrant {
        if (msg.sender != address(collateralVault)) revert NotCollateralVault(msg.sender);
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        _requireRepayable(loanId, t.status);
        Schedule memory s = l.schedule;
        (uint256 newLate, uint256 newLateFees) = LoanMath.accrue(s, t, block.timestamp);
        l.schedule = s;
        l.terms.status = LoanStatus.Closed;
        if (newLate != 0) _recordLate(loanId, l, newLate, newLateFees);
        emit LoanClosed(loanId, LoanMath.payoff(s));
        if (t.status == LoanStatus.Active) scoreRegistry.recordDefault(l.borrower, _onTimeInstalments(l, s, t));
    }

    // ================================================================== views

    /// @inheritdoc ILoanBook
    function collateralState(uint256 loanId) external view returns (CollateralState memory state) {
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        state.status = t.status;
        state.borrower = l.borrower;
        if (t.status != LoanStatus.Active && t.status != LoanStatus.Defaulted) return state;
        Schedule memory s = l.schedule;
        state.defaultEligibleAt = LoanMath.defaultEligibleAt(s, t);
        LoanMath.accrue(s, t, block.timestamp);
        state.debt = LoanMath.payoff(s);
    }

    /// @inheritdoc ILoanBook
    function loanRecord(uint256 loanId) external view returns (LoanRecord memory) {
        return _loans[loanId];
    }

    /// @inheritdoc ILoanBook
    function listing(uint256 loanId) external view returns (Listing memory) {
        LoanRecord storage l = _loans[loanId];
        Terms memory t = l.terms;
        return Listing({
            token: l.funding.token,
            borrower: l.borrower,
            status: t.status,
            grade: t.grade,
            aprBps: t.aprBps,
            term: uint256(t.instalments) * l.schedule.period,
            minCollateralRatioBps: t.minCollateralRatioBps,
            purpose: t.purpose,
            pdBps: l.pdBps
        });
    }

    /// @inheritdoc ILoanBook
    function claimable(uint256 loanId, address holder) external view returns (uint256) {
        return _claimable(loanId, holder);
    }

    // ================================================================== governance

    /// @inheritdoc ILoanBook
    function setLoanToken(address token, bool allowed, uint256 minFunding) external onlyGovernance {
        if (token == address(0)) revert ZeroAddress();
        loanTokens[token] = TokenConfig(allowed, SafeCast.toUint96(minFunding));
        emit LoanTokenSet(token, allowed, minFunding);
    }

    /// @inheritdoc ILoanBook
    function setGradePolicy(
        address token,
        uint8 grade,
        uint256 maxPrincipal,
        uint256 maxAprBps,
        uint256 minCollateralRatioBps
    ) external onlyGovernance {
        if (grade == 0 || grade > WORST_GRADE) revert IScoreRegistry.InvalidGrade(grade);
        if (maxAprBps > MAX_APR_BPS) revert AboveHardCap("maxAprBps", maxAprBps, MAX_APR_BPS);
        if (minCollateralRatioBps > MAX_COLLATERAL_RATIO_BPS) {
            revert AboveHardCap("minCollateralRatioBps", minCollateralRatioBps, MAX_COLLATERAL_RATIO_BPS);
        }
        gradePolicies[token][grade] =
            GradePolicy(SafeCast.toUint96(maxPrincipal), uint16(maxAprBps), uint16(minCollateralRatioBps));
        emit GradePolicySet(token, grade, maxPrincipal, maxAprBps, minCollateralRatioBps);
    }

    /// @inheritdoc ILoanBook
    function setCollateralVault(address vault) external onlyGovernance {
        if (vault == address(0)) revert ZeroAddress();
        if (address(collateralVault) != address(0)) revert CollateralVaultAlreadySet(address(collateralVault));
        collateralVault = ICollateralVault(vault);
        emit CollateralVaultSet(vault);
    }

    /// @inheritdoc ILoanBook
    function setLatePolicy(uint256 gracePeriod, uint256 lateFeeBps, uint256 defaultAfter) external onlyGovernance {
        if (gracePeriod > MAX_GRACE_PERIOD) revert AboveHardCap("gracePeriod", gracePeriod, MAX_GRACE_PERIOD);
        if (lateFeeBps > MAX_LATE_FEE_BPS) revert AboveHardCap("lateFeeBps", lateFeeBps, MAX_LATE_FEE_BPS);
        if (defaultAfter > MAX_DEFAULT_AFTER) revert AboveHardCap("defaultAfter", defaultAfter, MAX_DEFAULT_AFTER);
        if (defaultAfter <= gracePeriod) revert AboveHardCap("gracePeriod", gracePeriod, defaultAfter);
        config.gracePeriod = uint32(gracePeriod);
        config.lateFeeBps = uint16(lateFeeBps);
        config.defaultAfter = uint32(defaultAfter);
        emit LatePolicySet(gracePeriod, lateFeeBps, defaultAfter);
    }

    /// @inheritdoc ILoanBook
    function setFee(uint256 feeBps, address recipient) external onlyGovernance {
        if (feeBps > MAX_FEE_BPS) revert AboveHardCap("feeBps", feeBps, MAX_FEE_BPS);
        if (recipient == address(0)) revert ZeroAddress();
        config.feeBps = uint16(feeBps);
        feeRecipient = recipient;
        emit FeeSet(feeBps, recipient);
    }

    /// @inheritdoc ILoanBook
    function setPaused(bool paused) external onlyGovernance {
        config.paused = paused;
        emit PausedSet(paused);
    }

    /// @inheritdoc ILoanBook
    function withdrawFees(uint256[] calldata loanIds) external onlyGovernance nonReentrant returns (uint256 total) {
        address recipient = feeRecipient;
        for (uint256 i; i < loanIds.length; ++i) {
            LoanRecord storage l = _loans[loanIds[i]];
            uint256 amount = l.schedule.platformFeesDue;
            if (amount == 0) continue;
            l.schedule.platformFeesDue = 0;
            total += amount;
            emit FeesWithdrawn(loanIds[i], recipient, amount);
            IERC20(l.funding.token).safeTransfer(recipient, amount);
        }
    }

    // ================================================================== internals

    function _noteSupply(uint256 loanId) internal view override returns (uint256) {
        return _loans[loanId].funding.funded;
    }

    function _requireListed(uint256 loanId, LoanStatus status) private pure {
        if (status != LoanStatus.Listed) {
            if (status == LoanStatus.None) revert UnknownLoan(loanId);
            revert LoanNotListed(loanId, status);
        }
    }

    /// @dev Returns the grade policy's minimum collateral ratio.
    function _requireRepayable(uint256 loanId, LoanStatus status) private pure {
        if (status != LoanStatus.Active && status != LoanStatus.Defaulted) {
            if (status == LoanStatus.None) revert UnknownLoan(loanId);
            revert NotRepayable(loanId, status);
        }
    }

    /// @dev Apply up to `amount` (late fees, then interest, then principal), take the platform fee
    ///      from the interest, distribute the rest to note holders. The caller pulls `paid`.
    ///      `debt` is the payoff before the payment.
    function _applyPayment(uint256 loanId, LoanRecord storage l, Terms memory t, uint256 amount, address payer)
        private
        returns (uint256 paid, uint256 debt, uint256 outstanding, address token)
    {
        Funding memory f = l.funding;
        Schedule memory s = l.schedule;
        (uint256 newLate, uint256 newLateFees) = LoanMath.accrue(s, t, block.timestamp);
        debt = LoanMath.payoff(s);
        uint256 lateFees = _min(amount, s.lateFeesDue);
        uint256 interest = _min(amount - lateFees, s.interestDue);
        uint256 principal = _min(amount - lateFees - interest, s.outstanding);
        paid = lateFees + interest + principal;
        uint256 platformFee = interest.mulDivDown(t.feeBps, FixedPointMath.BPS);
        uint256 progress = s.paidTowardNext + interest + principal;
        s.lateFeesDue -= uint96(lateFees);
        s.interestDue -= uint96(interest);
        s.outstanding -= uint96(principal);
        s.instalmentsPaid = SafeCast.toUint16(s.instalmentsPaid + progress / s.instalment);
        s.paidTowardNext = uint96(progress % s.instalment);
        s.platformFeesDue += uint96(platformFee);
        l.schedule = s;
        _distribute(loanId, paid - platformFee, f.funded);
        emit Repayment(loanId, payer, lateFees, interest, principal, platformFee, s.outstanding);
        if (newLate != 0) _recordLate(loanId, l, newLate, newLateFees);
        return (paid, debt, s.outstanding, f.token);
    }

    function _checkTerms(LoanTerms calldata t, uint8 grade) private view returns (uint256) {
        if (!loanTokens[t.token].allowed) revert TokenNotAllowed(t.token);
        GradePolicy memory policy = gradePolicies[t.token][grade];
        if (policy.maxPrincipal == 0) revert GradeNotAllowed(t.token, grade);
        if (t.principal == 0) revert ZeroAmount();
        if (t.principal > policy.maxPrincipal) revert PrincipalAboveLimit(t.principal, policy.maxPrincipal);
        if (t.aprBps > policy.maxAprBps) revert AprAboveLimit(t.aprBps, policy.maxAprBps);
        if (t.instalments == 0 || t.instalments > MAX_INSTALMENTS) revert InvalidInstalments(t.instalments);
        if (t.period < MIN_PERIOD || t.period > MAX_PERIOD) revert InvalidPeriod(t.period);
        if (t.instalments * t.period > MAX_TERM) revert TermTooLong(t.instalments * t.period, MAX_TERM);
        if (t.fundingDeadline <= block.timestamp || t.fundingDeadline > block.timestamp + MAX_LISTING_DURATION) {
            revert InvalidFundingDeadline(t.fundingDeadline);
        }
        if (t.minFillBps == 0 || t.minFillBps > FixedPointMath.BPS) revert InvalidMinFill(t.minFillBps);
        if (t.purpose > MAX_PURPOSE) revert InvalidPurpose(t.purpose);
        return policy.minCollateralRatioBps;
    }

    /// @dev Activate a funded listing: fix the schedule on the funded amount, charge the first
    ///      period's interest and send the principal to the borrower.
    function _start(uint256 loanId, LoanRecord storage l, Terms memory t, uint256 principal) private {
        Schedule memory s = l.schedule;
        s.outstanding = uint96(principal);
        s.instalment = SafeCast.toUint96(InstalmentMath.instalmentUp(principal, t.aprBps, s.period, t.instalments));
        s.interestDue = SafeCast.toUint96(InstalmentMath.periodInterestUp(principal, t.aprBps, s.period));
        s.startTime = uint40(block.timestamp);
        s.periodsCharged = 1;
        l.schedule = s;
        l.terms.status = LoanStatus.Active;
        emit LoanStarted(loanId, principal, s.instalment, block.timestamp);
        IERC20(l.funding.token).safeTransfer(l.borrower, principal);
    }

    /// @dev A listing past its deadline below its minimum fill, or past the start window.
    function _expired(Terms memory t, uint256 funded) private view returns (bool) {
        if (block.timestamp <= t.fundingDeadline) return false;
        return funded < _minimumFill(t) || block.timestamp > t.fundingDeadline + START_WINDOW;
    }

    function _minimumFill(Terms memory t) private pure returns (uint256) {
        return uint256(t.principal).mulDivUp(t.minFillBps, FixedPointMath.BPS);
    }

    function _recordLate(uint256 loanId, LoanRecord storage l, uint256 newLate, uint256 newLateFees) private {
        l.lateInstalments += uint16(newLate); // at most the loan's instalments
        emit LateFeesCharged(loanId, newLate, newLateFees);
        scoreRegistry.recordLateInstalments(l.borrower, uint32(newLate));
    }

    /// @dev Satisfied instalments never charged late. Every instalment from the first unsatisfied
    ///      one through `lateChargedThrough` was charged late, so the late ones among the satisfied
    ///      are the loan's late count less those.
    function _onTimeInstalments(LoanRecord storage l, Schedule memory s, Terms memory t)
        private
        view
        returns (uint32)
    {
        uint256 satisfied = LoanMath.satisfiedInstalments(s, t);
        uint256 lateUnpaid = s.lateChargedThrough > satisfied ? s.lateChargedThrough - satisfied : 0;
        return uint32(satisfied + lateUnpaid - l.lateInstalments);
    }

    function _markExpired(uint256 loanId, LoanRecord storage l) private {
        l.terms.status = LoanStatus.Expired;
        emit LoanExpired(loanId);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
