// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILoanBook} from "./interfaces/ILoanBook.sol";
import {IScoreRegistry} from "./interfaces/IScoreRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {InstalmentMath} from "./libraries/InstalmentMath.sol";
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
    uint8 public constant WORST_GRADE = 9;

    struct Config {
        uint16 feeBps;
        uint16 lateFeeBps;
        uint32 gracePeriod;
        uint32 defaultAfter;
        bool paused;
    }

    struct TokenConfig {
        bool allowed;
        uint96 minFunding;
    }

    struct GradePolicy {
        uint96 maxPrincipal;
        uint16 maxAprBps;
    }

    /// @dev A loan's charges brought up to a point in time; see `_accrue`.
    struct Accrual {
        uint256 interestDue;
        uint256 lateFeesDue;
        uint256 periodsCharged;
        uint256 lateChargedThrough;
        uint256 newLateInstalments;
        uint256 newLateFees;
    }

    IScoreRegistry public immutable scoreRegistry;
    address public feeRecipient;
    Config public config;
    mapping(address token => TokenConfig) public loanTokens;
    mapping(address token => mapping(uint8 grade => GradePolicy)) public gradePolicies;
    uint256 public loanCount;
    mapping(uint256 loanId => Loan) internal _loans;

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
        uint8 grade = scoreRegistry.validScore(msg.sender).grade;
        _checkTerms(terms, grade);

        loanId = ++loanCount;
        Loan storage l = _loans[loanId];
        l.token = terms.token;
        l.principal = uint96(terms.principal);
        l.fundingDeadline = uint40(terms.fundingDeadline);
        l.status = LoanStatus.Listed;
        l.grade = grade;
        l.minFillBps = uint16(terms.minFillBps);
        l.aprBps = uint16(terms.aprBps);
        l.instalments = uint16(terms.instalments);
        l.feeBps = cfg.feeBps;
        l.lateFeeBps = cfg.lateFeeBps;
        l.purpose = uint8(terms.purpose);
        l.period = uint32(terms.period);
        l.gracePeriod = cfg.gracePeriod;
        l.defaultAfter = cfg.defaultAfter;
        l.borrower = msg.sender;
        _openAccumulator(loanId);
        emit LoanRequested(loanId, msg.sender, terms.token, terms, grade);
    }

    /// @inheritdoc ILoanBook
    function cancel(uint256 loanId) external nonReentrant {
        Loan storage l = _listed(loanId);
        if (msg.sender != l.borrower) revert NotBorrower(loanId, msg.sender);
        l.status = LoanStatus.Cancelled;
        emit LoanCancelled(loanId);
    }

    /// @inheritdoc ILoanBook
    function start(uint256 loanId) external nonReentrant {
        Loan storage l = _listed(loanId);
        if (msg.sender != l.borrower && block.timestamp <= l.fundingDeadline) revert NotBorrower(loanId, msg.sender);
        uint256 required = _minimumFill(l);
        if (l.funded < required) revert MinimumFillNotReached(loanId, l.funded, required);
        _start(loanId, l);
    }

    /// @inheritdoc ILoanBook
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (amount == 0) revert ZeroAmount();
        Loan storage s = _loans[loanId];
        Loan memory l = s;
        if (l.status != LoanStatus.Active && l.status != LoanStatus.Defaulted) {
            if (l.status == LoanStatus.None) revert UnknownLoan(loanId);
            revert NotRepayable(loanId, l.status);
        }
        Accrual memory a = _accrue(l, block.timestamp);

        // Late fees, then interest, then principal.
        uint256 lateFees = _min(amount, a.lateFeesDue);
        uint256 interest = _min(amount - lateFees, a.interestDue);
        uint256 principal = _min(amount - lateFees - interest, l.outstanding);
        paid = lateFees + interest + principal;
        uint256 platformFee = interest.mulDivDown(l.feeBps, FixedPointMath.BPS);
        uint256 progress = l.paidTowardNext + interest + principal;

        s.outstanding = l.outstanding - uint96(principal);
        s.interestDue = uint96(a.interestDue - interest);
        s.periodsCharged = SafeCast.toUint16(a.periodsCharged);
        s.instalmentsPaid = SafeCast.toUint16(l.instalmentsPaid + progress / l.instalment);
        s.paidTowardNext = uint96(progress % l.instalment);
        s.lateChargedThrough = uint16(a.lateChargedThrough);
        s.lateFeesDue = uint96(a.lateFeesDue - lateFees);
        if (platformFee != 0) s.platformFeesDue = l.platformFeesDue + uint96(platformFee);
        _distribute(loanId, paid - platformFee, l.funded);

        _recordLateInstalments(loanId, l.borrower, a);
        emit Repayment(loanId, msg.sender, lateFees, interest, principal, platformFee, l.outstanding - principal);
        if (principal == l.outstanding) {
            s.status = LoanStatus.Repaid;
            emit LoanRepaid(loanId);
            scoreRegistry.recordRepaid(l.borrower);
        }
        _pull(l.token, msg.sender, paid);
    }

    // ================================================================== lender

    /// @inheritdoc ILoanBook
    function fund(uint256 loanId, uint256 amount) external nonReentrant {
        if (config.paused) revert LendingPaused();
        Loan storage l = _listed(loanId);
        if (block.timestamp > l.fundingDeadline) revert FundingClosed(loanId, l.fundingDeadline);
        if (amount == 0) revert ZeroAmount();
        address token = l.token;
        uint256 funded = l.funded;
        uint256 remaining = l.principal - funded;
        if (amount > remaining) revert FundingExceedsRemaining(loanId, amount, remaining);
        uint256 minimum = loanTokens[token].minFunding;
        if (amount < minimum && amount != remaining) revert BelowMinimumFunding(amount, minimum);

        funded += amount;
        l.funded = uint96(funded);
        _mintNotes(msg.sender, loanId, amount);
        emit Funded(loanId, msg.sender, amount, funded);
        _pull(token, msg.sender, amount);
        if (amount == remaining) _start(loanId, l);
    }

    /// @inheritdoc ILoanBook
    function refund(uint256 loanId) external nonReentrant returns (uint256 amount) {
        Loan storage l = _loans[loanId];
        LoanStatus status = l.status;
        if (status == LoanStatus.None) revert UnknownLoan(loanId);
        if (status == LoanStatus.Listed && block.timestamp > l.fundingDeadline && l.funded < _minimumFill(l)) {
            status = LoanStatus.Expired;
            l.status = status;
            emit LoanExpired(loanId);
        }
        if (status != LoanStatus.Cancelled && status != LoanStatus.Expired) revert NotRefundable(loanId, status);
        amount = _burnAllNotes(msg.sender, loanId);
        if (amount == 0) revert NothingToRefund(loanId, msg.sender);
        l.funded -= uint96(amount);
        emit Refunded(loanId, msg.sender, amount);
        IERC20(l.token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanBook
    function claim(uint256 loanId) external nonReentrant returns (uint256 amount) {
        amount = _takeClaimable(loanId, msg.sender);
        if (amount == 0) revert NothingToClaim(loanId, msg.sender);
        emit Claimed(loanId, msg.sender, amount);
        IERC20(_loans[loanId].token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanBook
    function claimMany(uint256[] calldata loanIds) external nonReentrant returns (uint256 total) {
        for (uint256 i; i < loanIds.length; ++i) {
            uint256 amount = _takeClaimable(loanIds[i], msg.sender);
            if (amount == 0) continue;
            total += amount;
            emit Claimed(loanIds[i], msg.sender, amount);
            IERC20(_loans[loanIds[i]].token).safeTransfer(msg.sender, amount);
        }
        if (total == 0) revert NothingToClaim(0, msg.sender);
    }

    // ================================================================== anyone

    /// @inheritdoc ILoanBook
    function markDefault(uint256 loanId) external nonReentrant {
        Loan storage s = _loans[loanId];
        Loan memory l = s;
        if (l.status == LoanStatus.None) revert UnknownLoan(loanId);
        uint256 eligibleAt = l.startTime + (_satisfiedInstalments(l) + 1) * l.period + l.defaultAfter;
        if (l.status != LoanStatus.Active || block.timestamp < eligibleAt) {
            revert NotDefaultable(loanId, l.status, eligibleAt);
        }
        Accrual memory a = _accrue(l, block.timestamp);
        s.interestDue = SafeCast.toUint96(a.interestDue);
        s.periodsCharged = SafeCast.toUint16(a.periodsCharged);
        s.lateFeesDue = SafeCast.toUint96(a.lateFeesDue);
        s.lateChargedThrough = uint16(a.lateChargedThrough);
        s.status = LoanStatus.Defaulted;
        _recordLateInstalments(loanId, l.borrower, a);
        emit LoanDefaulted(loanId, l.outstanding);
        scoreRegistry.recordDefault(l.borrower);
    }

    // ================================================================== views

    /// @inheritdoc ILoanBook
    function loan(uint256 loanId) external view returns (Loan memory) {
        return _loans[loanId];
    }

    /// @inheritdoc ILoanBook
    function amountDue(uint256 loanId) external view returns (AmountDue memory due) {
        Loan memory l = _loans[loanId];
        if (l.status != LoanStatus.Active && l.status != LoanStatus.Defaulted) return due;
        Accrual memory a = _accrue(l, block.timestamp);
        due.lateFees = a.lateFeesDue;
        due.interest = a.interestDue;
        due.payoff = a.lateFeesDue + a.interestDue + l.outstanding;
        uint256 elapsedPeriods = (block.timestamp - l.startTime) / l.period;
        uint256 scheduled = elapsedPeriods >= l.instalments ? type(uint256).max : elapsedPeriods * l.instalment;
        uint256 paidToSchedule = uint256(l.instalmentsPaid) * l.instalment + l.paidTowardNext;
        uint256 behind = scheduled > paidToSchedule ? scheduled - paidToSchedule : 0;
        due.toBeCurrent = _min(a.lateFeesDue + behind, due.payoff);
        due.nextDueDate = l.startTime + (_satisfiedInstalments(l) + 1) * l.period;
    }

    /// @inheritdoc ILoanBook
    function isLate(uint256 loanId) external view returns (bool) {
        Loan memory l = _loans[loanId];
        if (l.status != LoanStatus.Active && l.status != LoanStatus.Defaulted) return false;
        uint256 firstUnpaidDue = l.startTime + (_satisfiedInstalments(l) + 1) * l.period;
        return block.timestamp > firstUnpaidDue + l.gracePeriod;
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
    function setGradePolicy(address token, uint8 grade, uint256 maxPrincipal, uint256 maxAprBps)
        external
        onlyGovernance
    {
        if (grade == 0 || grade > WORST_GRADE) revert IScoreRegistry.InvalidGrade(grade);
        if (maxAprBps > MAX_APR_BPS) revert AboveHardCap("maxAprBps", maxAprBps, MAX_APR_BPS);
        gradePolicies[token][grade] = GradePolicy(SafeCast.toUint96(maxPrincipal), uint16(maxAprBps));
        emit GradePolicySet(token, grade, maxPrincipal, maxAprBps);
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
            Loan storage l = _loans[loanIds[i]];
            uint256 amount = l.platformFeesDue;
            if (amount == 0) continue;
            l.platformFeesDue = 0;
            total += amount;
            emit FeesWithdrawn(loanIds[i], recipient, amount);
            IERC20(l.token).safeTransfer(recipient, amount);
        }
    }

    // ================================================================== internals

    function _listed(uint256 loanId) private view returns (Loan storage l) {
        l = _loans[loanId];
        if (l.status != LoanStatus.Listed) {
            if (l.status == LoanStatus.None) revert UnknownLoan(loanId);
            revert LoanNotListed(loanId, l.status);
        }
    }

    function _checkTerms(LoanTerms calldata t, uint8 grade) private view {
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
        if (t.purpose > type(uint8).max) revert InvalidPurpose(t.purpose);
    }

    /// @dev Activate a funded listing: fix the schedule on the funded amount, charge the first
    ///      period's interest and send the principal to the borrower.
    function _start(uint256 loanId, Loan storage l) private {
        uint256 principal = l.funded;
        uint256 instalment = InstalmentMath.instalmentUp(principal, l.aprBps, l.period, l.instalments);
        l.status = LoanStatus.Active;
        l.startTime = uint40(block.timestamp);
        l.outstanding = uint96(principal);
        l.instalment = SafeCast.toUint96(instalment);
        l.periodsCharged = 1;
        l.interestDue = SafeCast.toUint96(InstalmentMath.periodInterestUp(principal, l.aprBps, l.period));
        emit LoanStarted(loanId, principal, instalment, block.timestamp);
        IERC20(l.token).safeTransfer(l.borrower, principal);
    }

    /// @dev Charges up to time `t`: interest for every period started since the last charge (on the
    ///      principal outstanding, which has not changed since), and a late fee for every instalment
    ///      newly past due + grace that is not satisfied. Pure, so views and transactions agree.
    function _accrue(Loan memory l, uint256 t) private pure returns (Accrual memory a) {
        a.interestDue = l.interestDue;
        a.lateFeesDue = l.lateFeesDue;
        a.periodsCharged = l.periodsCharged;
        a.lateChargedThrough = l.lateChargedThrough;
        uint256 elapsed = t - l.startTime;
        uint256 started = elapsed / l.period + 1;
        if (started > a.periodsCharged) {
            uint256 perPeriod = InstalmentMath.periodInterestUp(l.outstanding, l.aprBps, l.period);
            a.interestDue += (started - a.periodsCharged) * perPeriod;
            a.periodsCharged = started;
        }
        if (elapsed <= l.gracePeriod) return a;
        uint256 assessable = _min((elapsed - l.gracePeriod) / l.period, l.instalments);
        uint256 alreadyDealt = _max(_satisfiedInstalments(l), a.lateChargedThrough);
        if (assessable > alreadyDealt) {
            a.newLateInstalments = assessable - alreadyDealt;
            a.newLateFees = a.newLateInstalments * uint256(l.instalment).mulDivUp(l.lateFeeBps, FixedPointMath.BPS);
            a.lateFeesDue += a.newLateFees;
            a.lateChargedThrough = assessable;
        }
    }

    /// @dev Instalments satisfied by payments; the last one only by paying the loan off.
    function _satisfiedInstalments(Loan memory l) private pure returns (uint256) {
        if (l.outstanding == 0) return l.instalments;
        return _min(l.instalmentsPaid, l.instalments - 1);
    }

    function _minimumFill(Loan storage l) private view returns (uint256) {
        return uint256(l.principal).mulDivUp(l.minFillBps, FixedPointMath.BPS);
    }

    function _recordLateInstalments(uint256 loanId, address borrower, Accrual memory a) private {
        if (a.newLateInstalments == 0) return;
        emit LateFeesCharged(loanId, a.newLateInstalments, a.newLateFees);
        scoreRegistry.recordLateInstalments(borrower, uint32(a.newLateInstalments));
    }

    /// @dev Pull exactly `amount`: a token that delivers less (fee on transfer) reverts the call.
    function _pull(address token, address from, uint256 amount) private {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert TransferAmountMismatch(token, amount, received);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }
}
