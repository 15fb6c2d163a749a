// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IAutoLend} from "./interfaces/IAutoLend.sol";
import {ILoanBook} from "./interfaces/ILoanBook.sol";
import {ExactTransfer} from "./libraries/ExactTransfer.sol";

/// @title AutoLend
/// @notice See {IAutoLend}. Holds each commitment's unused funds; lends them only through
///         `LoanBook.fundFor`, which mints the notes to the lender.
contract AutoLend is IAutoLend, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 private constant WORST_GRADE = 9;
    uint256 private constant MAX_APR_BPS = 10_000;
    uint256 private constant MAX_COLLATERAL_RATIO_BPS = 50_000;
    uint256 private constant MAX_PD_BPS = 10_000;

    ILoanBook public immutable book;
    uint256 public commitmentCount;
    mapping(uint256 commitmentId => Commitment) internal _commitments;
    mapping(uint256 commitmentId => mapping(address borrower => uint256)) public lentToBorrower;

    constructor(ILoanBook book_) {
        book = book_;
    }

    modifier onlyLender(uint256 commitmentId) {
        address lender = _commitments[commitmentId].lender;
        if (lender == address(0)) revert UnknownCommitment(commitmentId);
        if (msg.sender != lender) revert NotLender(commitmentId, msg.sender);
        _;
    }

    // ================================================================== lender

    /// @inheritdoc IAutoLend
    function createCommitment(address token, Rule calldata rule, uint256 amount)
        external
        nonReentrant
        returns (uint256 commitmentId)
    {
        if (token == address(0)) revert InvalidRule("token", 0);
        commitmentId = ++commitmentCount;
        Commitment storage c = _commitments[commitmentId];
        c.lender = msg.sender;
        c.token = token;
        _setRule(commitmentId, c, rule);
        emit CommitmentCreated(commitmentId, msg.sender, token);
        // The book pulls from this contract; an unlimited allowance is never decremented by
        // OpenZeppelin-style tokens, which saves a storage write on every funding.
        if (IERC20(token).allowance(address(this), address(book)) != type(uint256).max) {
            IERC20(token).forceApprove(address(book), type(uint256).max);
        }
        if (amount != 0) _deposit(commitmentId, c, amount);
    }

    /// @inheritdoc IAutoLend
    function setRule(uint256 commitmentId, Rule calldata rule) external onlyLender(commitmentId) {
        _setRule(commitmentId, _commitments[commitmentId], rule);
    }

    /// @inheritdoc IAutoLend
    function deposit(uint256 commitmentId, uint256 amount) external nonReentrant onlyLender(commitmentId) {
        _deposit(commitmentId, _commitments[commitmentId], amount);
    }

    /// @inheritdoc IAutoLend
    function withdraw(uint256 commitmentId, uint256 amount) external nonReentrant onlyLender(commitmentId) {
        if (amount == 0) revert ZeroAmount();
        Commitment storage c = _commitments[commitmentId];
        uint256 available = c.available;
        if (amount > available) revert InsufficientFunds(commitmentId, amount, available);
        c.available = uint96(available - amount);
        emit Withdrawn(commitmentId, amount, available - amount);
        IERC20(c.token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IAutoLend
    function close(uint256 commitmentId) external nonReentrant onlyLender(commitmentId) returns (uint256 refunded) {
        Commitment storage c = _commitments[commitmentId];
        refunded = c.available;
        address token = c.token;
        delete _commitments[commitmentId];
        emit CommitmentClosed(commitmentId, refunded);
        if (refunded != 0) IERC20(token).safeTransfer(msg.sender, refunded);
    }

    // ================================================================== anyone

    /// @inheritdoc IAutoLend
    function fundFromCommitment(uint256 commitmentId, uint256 loanId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Commitment memory c = _commitments[commitmentId];
        if (c.lender == address(0)) revert UnknownCommitment(commitmentId);
        if (c.operator != address(0) && msg.sender != c.operator && msg.sender != c.lender) {
            revert NotOperator(commitmentId, msg.sender);
        }
        if (block.timestamp > c.expiry) revert CommitmentExpired(commitmentId, c.expiry);
        ILoanBook.Listing memory l = book.listing(loanId);
        _checkLoan(commitmentId, c, loanId, l);
        if (amount > c.available) revert InsufficientFunds(commitmentId, amount, c.available);
        if (amount > c.budget) revert BudgetExceeded(commitmentId, amount, c.budget);
        uint256 holding = IERC1155(address(book)).balanceOf(c.lender, loanId) + amount;
        if (holding > c.maxPerLoan) revert LoanLimitExceeded(commitmentId, loanId, holding, c.maxPerLoan);
        uint256 lent = lentToBorrower[commitmentId][l.borrower] + amount;
        if (lent > c.maxPerBorrower) revert BorrowerLimitExceeded(commitmentId, l.borrower, lent, c.maxPerBorrower);

        lentToBorrower[commitmentId][l.borrower] = lent;
        Commitment storage stored = _commitments[commitmentId];
        // Both fit: amount <= available and amount <= budget, each a uint96.
        (stored.available, stored.budget) = (uint96(c.available - amount), uint96(c.budget - amount));
        emit FundedFromCommitment(commitmentId, loanId, msg.sender, amount, c.available - amount);
        book.fundFor(loanId, amount, c.lender);
    }

    /// @inheritdoc IAutoLend
    function reinvest(uint256 commitmentId, uint256[] calldata loanIds) external nonReentrant returns (uint256 amount) {
        Commitment storage c = _commitments[commitmentId];
        if (c.lender == address(0)) revert UnknownCommitment(commitmentId);
        if (block.timestamp > c.expiry) revert CommitmentExpired(commitmentId, c.expiry);
        if (!c.reinvest) revert ReinvestOff(commitmentId);
        address token = c.token;
        for (uint256 i; i < loanIds.length; ++i) {
            address loanToken = book.listing(loanIds[i]).token;
            if (loanToken != token) revert TokenMismatch(commitmentId, loanIds[i], loanToken);
        }
        uint256 before = IERC20(token).balanceOf(address(this));
        amount = book.claimFor(c.lender, loanIds);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert ExactTransfer.TransferAmountMismatch(token, amount, received);
        emit Reinvested(commitmentId, amount, _addAvailable(c, amount));
    }

    // ================================================================== views

    /// @inheritdoc IAutoLend
    function commitment(uint256 commitmentId) external view returns (Commitment memory) {
        return _commitments[commitmentId];
    }

    // ================================================================== internals

    function _checkLoan(uint256 commitmentId, Commitment memory c, uint256 loanId, ILoanBook.Listing memory l)
        private
        pure
    {
        if (l.status == ILoanBook.LoanStatus.None) revert ILoanBook.UnknownLoan(loanId);
        if (l.token != c.token) revert TokenMismatch(commitmentId, loanId, l.token);
        if (l.borrower == c.lender) revert OwnLoan(commitmentId, loanId);
        if (l.grade > c.worstGrade) revert GradeOutsideRule(commitmentId, loanId, l.grade);
        if (l.aprBps < c.minAprBps || l.aprBps > c.maxAprBps) revert AprOutsideRule(commitmentId, loanId, l.aprBps);
        if (l.term > c.maxTerm) revert TermOutsideRule(commitmentId, loanId, l.term);
        if (l.minCollateralRatioBps < c.minCollateralRatioBps) {
            revert CollateralOutsideRule(commitmentId, loanId, l.minCollateralRatioBps);
        }
        // Bit `purpose` of the mask (purpose codes are 0 .. 31; a larger shift leaves 0: refused).
        if ((c.purposeMask >> l.purpose) & 1 == 0) {
            revert PurposeOutsideRule(commitmentId, loanId, l.purpose);
        }
        if (l.pdBps > c.maxPdBps) revert PdOutsideRule(commitmentId, loanId, l.pdBps);
    }

    function _setRule(uint256 commitmentId, Commitment storage c, Rule calldata r) private {
        if (r.worstGrade == 0 || r.worstGrade > WORST_GRADE) revert InvalidRule("worstGrade", r.worstGrade);
        if (r.maxAprBps > MAX_APR_BPS) revert InvalidRule("maxAprBps", r.maxAprBps);
        if (r.minAprBps > r.maxAprBps) revert InvalidRule("minAprBps", r.minAprBps);
        if (r.maxTerm > type(uint32).max) revert InvalidRule("maxTerm", r.maxTerm);
        if (r.minCollateralRatioBps > MAX_COLLATERAL_RATIO_BPS) {
            revert InvalidRule("minCollateralRatioBps", r.minCollateralRatioBps);
        }
        if (r.maxPerLoan > type(uint96).max) revert InvalidRule("maxPerLoan", r.maxPerLoan);
        if (r.maxPerBorrower > type(uint96).max) revert InvalidRule("maxPerBorrower", r.maxPerBorrower);
        if (r.budget > type(uint96).max) revert InvalidRule("budget", r.budget);
        if (r.expiry <= block.timestamp || r.expiry > type(uint40).max) revert InvalidRule("expiry", r.expiry);
        if (r.purposeMask == 0 || r.purposeMask > type(uint32).max) revert InvalidRule("purposeMask", r.purposeMask);
        if (r.maxPdBps > MAX_PD_BPS) revert InvalidRule("maxPdBps", r.maxPdBps);
        c.expiry = uint40(r.expiry);
        c.worstGrade = uint8(r.worstGrade);
        c.reinvest = r.reinvest;
        c.minCollateralRatioBps = uint16(r.minCollateralRatioBps);
        c.minAprBps = uint16(r.minAprBps);
        c.maxAprBps = uint16(r.maxAprBps);
        c.maxTerm = uint32(r.maxTerm);
        c.budget = uint96(r.budget);
        c.maxPerLoan = uint96(r.maxPerLoan);
        c.maxPerBorrower = uint96(r.maxPerBorrower);
        c.purposeMask = uint32(r.purposeMask);
        c.maxPdBps = uint16(r.maxPdBps);
        c.operator = r.operator;
        emit RuleSet(commitmentId, r);
    }

    function _deposit(uint256 commitmentId, Commitment storage c, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        emit Deposited(commitmentId, amount, _addAvailable(c, amount));
        ExactTransfer.pullExact(c.token, msg.sender, amount);
    }

    function _addAvailable(Commitment storage c, uint256 amount) private returns (uint256 available) {
        available = c.available + amount;
        if (available > type(uint96).max) revert AmountOverflow(available, type(uint96).max);
        c.available = uint96(available);
    }
}
