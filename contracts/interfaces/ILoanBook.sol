// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScoreRegistry} from "./IScoreRegistry.sol";

/// @title ILoanBook
/// @notice Crowd-funded, amortising, credit-graded loans. A borrower lists a loan request backed by
///         a score attestation; many lenders fund fractions of it and receive ERC-1155 notes (token
///         id = loan id, one note per base unit of principal); the borrower repays equal instalments
///         and note holders claim their pro-rata share of every repayment.
///
/// Units: amounts are loan-token base units; rates and fees are basis points (1 bps = 0.01%);
/// times and durations are unix seconds. Rounding always favours the protocol's solvency:
/// what the borrower owes rounds up, what a holder can claim rounds down.
///
/// Lifecycle: Listed -> Active -> Repaid | Defaulted; Listed -> Cancelled | Expired;
/// Active | Defaulted -> Closed by liquidation (debt fully liquidated, or written off once the
/// collateral is gone; see ICollateralVault).
///  - Listed: lenders `fund` until the funding deadline. At the full principal the loan starts at
///    once. With at least `minFillBps` of the principal funded, the borrower may `start` it early,
///    and after the deadline anyone may. Below the minimum fill at the deadline, or not started
///    within START_WINDOW after it, the listing expires: anyone may `expire` it (which also returns
///    its collateral), and lenders refund.
///  - Active: the schedule is computed at start from the funded amount. Interest for a period is
///    charged when the period starts, on the principal then outstanding. Instalment k is due at
///    start + k * period. A payment pays late fees, then interest, then principal; prepayment is
///    allowed at any time and only reduces future interest. The last instalment is satisfied only by
///    paying the loan off. `gracePeriod` after a due date an unpaid instalment is charged a late fee
///    of `lateFeeBps` of the instalment; `defaultAfter` seconds after the first unpaid due date
///    anyone may `markDefault`. "Late" is derived (see `ILoanLens.isLate`), not stored.
///  - Defaulted loans still accept repayments (recoveries); paying one off marks it Repaid.
///  - The platform fee is `feeBps` of the interest actually repaid, never taken upfront.
interface ILoanBook {
    enum LoanStatus {
        None,
        Listed,
        Active,
        Repaid,
        Defaulted,
        Cancelled,
        Expired,
        Closed
    }

    /// @notice What a borrower asks for. Amount fields are uint256 so that out-of-range values get
    ///         a named error instead of an ABI decoding failure.
    /// @param token Loan token (must be allow-listed).
    /// @param principal Requested principal, base units (1 .. grade policy maximum, < 2^96).
    /// @param aprBps Annual simple interest rate, bps (<= grade policy maximum <= MAX_APR_BPS).
    /// @param instalments Number of equal instalments (1 .. MAX_INSTALMENTS).
    /// @param period Seconds between instalments (MIN_PERIOD .. MAX_PERIOD); instalments * period <= MAX_TERM.
    /// @param fundingDeadline Unix seconds after which no one can fund (now < deadline <= now + MAX_LISTING_DURATION).
    /// @param minFillBps Share of the principal that must be funded for the loan to start (1 .. 10_000).
    /// @param purpose Purpose code (category for the UI, scoring and auto-lend rules, 0 .. MAX_PURPOSE = 31).
    /// @param collateralToken Allow-listed collateral token, escrowed in the collateral vault at
    ///        listing (ignored when `collateralAmount` is 0).
    /// @param collateralAmount Collateral escrowed, base units; its oracle value must be at least the
    ///        grade policy's minimum collateral ratio of the principal.
    struct LoanTerms {
        address token;
        uint256 principal;
        uint256 aprBps;
        uint256 instalments;
        uint256 period;
        uint256 fundingDeadline;
        uint256 minFillBps;
        uint256 purpose;
        address collateralToken;
        uint256 collateralAmount;
    }

    /// @notice A loan, flattened for readers (ILoanLens.loan). Terms never change once listed; the
    ///         repayment state moves.
    struct Loan {
        // Read on every funding.
        address token;
        uint96 funded; // principal funded so far = note supply
        // Fixed terms, read on every funding and repayment.
        uint96 principal; // requested principal
        uint40 fundingDeadline;
        LoanStatus status;
        uint8 grade; // borrower's grade code at listing (1 = A+ .. 9 = E)
        uint16 minFillBps;
        uint16 aprBps;
        uint16 instalments;
        uint16 feeBps; // platform fee on repaid interest, fixed at listing
        uint16 lateFeeBps; // late fee per missed instalment, bps of the instalment, fixed at listing
        uint8 purpose;
        uint16 minCollateralRatioBps; // collateral value required, bps of the debt, fixed at listing
        // Repayment state.
        uint96 outstanding; // principal not yet repaid
        uint96 interestDue; // interest charged and not yet paid
        uint40 startTime; // 0 until Active
        uint16 periodsCharged; // periods whose interest has been charged
        uint96 instalment; // equal payment per period, rounded up
        uint96 paidTowardNext; // interest + principal paid beyond the last whole instalment
        uint32 period;
        uint16 instalmentsPaid; // whole instalments covered by interest + principal paid
        uint16 lateChargedThrough; // instalments already assessed for late fees
        uint96 lateFeesDue;
        uint32 gracePeriod;
        uint32 defaultAfter;
        uint96 platformFeesDue; // platform fees taken from this loan's interest, not yet withdrawn
        address borrower;
        uint16 pdBps; // the borrower's score probability of default at listing, bps
        uint16 lateInstalments; // instalments charged a late fee so far
    }

    // ------------------------------------------------------------------ storage layout
    // A loan as stored, grouped by who reads and writes it, one struct per slot group, so each
    // operation loads and stores whole slots once: funding reads Funding and Terms; a repayment
    // reads Funding and Terms and rewrites the three Schedule slots. `loanRecord` returns it as is;
    // {Loan} (from ILoanLens.loan) is the same data flattened for readers, with field meanings.

    /// @dev 1 slot.
    struct Funding {
        address token;
        uint96 funded;
    }

    /// @dev 1 slot; fixed at listing except `status`.
    struct Terms {
        uint96 principal;
        uint40 fundingDeadline;
        LoanStatus status;
        uint8 grade;
        uint16 minFillBps;
        uint16 aprBps;
        uint16 instalments;
        uint16 feeBps;
        uint16 lateFeeBps;
        uint8 purpose;
        uint16 minCollateralRatioBps;
    }

    /// @dev 3 slots: the repayment state. An on-time repayment changes only the first two; the
    ///      third (rewritten unchanged, at 100 gas) changes only when late fees are charged or paid.
    struct Schedule {
        uint96 outstanding;
        uint96 interestDue;
        uint40 startTime;
        uint16 periodsCharged;
        uint96 paidTowardNext;
        uint96 platformFeesDue;
        uint32 period;
        uint16 instalmentsPaid;
        uint16 lateChargedThrough;
        uint96 instalment;
        uint96 lateFeesDue;
        uint32 gracePeriod;
        uint32 defaultAfter;
    }

    /// @dev The last slot packs the borrower with what only listing, lateness and the loan's end touch.
    struct LoanRecord {
        Funding funding;
        Terms terms;
        Schedule schedule;
        address borrower;
        uint16 pdBps; // the borrower's score PD at listing
        uint16 lateInstalments; // instalments charged a late fee, for the on-time count in the history
    }

    /// @notice A loan token's settings: allowed for new listings, and the smallest funding accepted
    ///         (except the one that completes a loan), base units.
    struct TokenConfig {
        bool allowed;
        uint96 minFunding;
    }

    /// @notice Per token and grade: what a listing may ask for, and the collateral it must keep.
    /// @param maxPrincipal Largest principal, base units (0 disables the grade).
    /// @param maxAprBps Highest APR, bps.
    /// @param minCollateralRatioBps Collateral value required, bps of the debt (0 allows unsecured loans).
    struct GradePolicy {
        uint96 maxPrincipal;
        uint16 maxAprBps;
        uint16 minCollateralRatioBps;
    }

    /// @notice What the collateral vault asks of a loan outside liquidations (top-ups,
    ///         withdrawals, releases, its health view).
    /// @param borrower Who may withdraw, and receives released collateral.
    /// @param debt The payoff amount now (late fees + interest + principal), loan-token base units.
    /// @param defaultEligibleAt When `markDefault` becomes possible (0 unless Active or Defaulted).
    struct CollateralState {
        LoanStatus status;
        address borrower;
        uint256 debt;
        uint256 defaultEligibleAt;
    }

    /// @notice The terms an auto-lend rule is checked against (see IAutoLend).
    /// @param term instalments * period, seconds.
    /// @param purpose Purpose code, 0 .. 31.
    /// @param pdBps The borrower's score probability of default at listing, bps.
    struct Listing {
        address token;
        address borrower;
        LoanStatus status;
        uint8 grade;
        uint256 aprBps;
        uint256 term;
        uint256 minCollateralRatioBps;
        uint8 purpose;
        uint16 pdBps;
    }

    /// @notice What the borrower owes now.
    /// @param lateFees Late fees charged and unpaid.
    /// @param interest Interest charged and unpaid (including the current period's).
    /// @param toBeCurrent Amount that brings the loan up to date (late fees + interest + overdue principal).
    /// @param payoff Amount that repays the loan in full now.
    /// @param nextDueDate Due date of the first instalment not yet satisfied (0 when none).
    struct AmountDue {
        uint256 lateFees;
        uint256 interest;
        uint256 toBeCurrent;
        uint256 payoff;
        uint256 nextDueDate;
    }

    // ------------------------------------------------------------------ errors
    error UnknownLoan(uint256 loanId);
    error ZeroAmount();
    error AmountOverflow(uint256 amount, uint256 max);
    error LendingPaused();
    error NotBorrower(uint256 loanId, address caller);
    error TokenNotAllowed(address token);
    error GradeNotAllowed(address token, uint8 grade);
    error PrincipalAboveLimit(uint256 principal, uint256 max);
    error AprAboveLimit(uint256 aprBps, uint256 max);
    error InvalidInstalments(uint256 instalments);
    error InvalidPeriod(uint256 period);
    error TermTooLong(uint256 term, uint256 max);
    error InvalidFundingDeadline(uint256 deadline);
    error InvalidMinFill(uint256 minFillBps);
    error InvalidPurpose(uint256 purpose);
    error LoanNotListed(uint256 loanId, LoanStatus status);
    error FundingClosed(uint256 loanId, uint256 deadline);
    error FundingExceedsRemaining(uint256 loanId, uint256 amount, uint256 remaining);
    error BelowMinimumFunding(uint256 amount, uint256 minimum);
    error MinimumFillNotReached(uint256 loanId, uint256 funded, uint256 required);
    error NotRefundable(uint256 loanId, LoanStatus status);
    error NotExpired(uint256 loanId, uint256 deadline);
    error NothingToRefund(uint256 loanId, address holder);
    error NotRepayable(uint256 loanId, LoanStatus status);
    error NotDefaultable(uint256 loanId, LoanStatus status, uint256 eligibleAt);
    error NothingToClaim(uint256 loanId, address holder);
    error AboveHardCap(bytes32 setting, uint256 value, uint256 cap);
    error NotCollateralVault(address caller);
    error CollateralVaultAlreadySet(address vault);
    error CollateralVaultNotSet();

    // ------------------------------------------------------------------ events
    event LoanRequested(
        uint256 indexed loanId,
        address indexed borrower,
        address indexed token,
        LoanTerms terms,
        uint8 grade,
        uint16 pdBps
    );
    event Funded(uint256 indexed loanId, address indexed lender, uint256 amount, uint256 totalFunded);
    event LoanStarted(uint256 indexed loanId, uint256 principal, uint256 instalment, uint256 startTime);
    event LoanCancelled(uint256 indexed loanId);
    event LoanExpired(uint256 indexed loanId);
    event Refunded(uint256 indexed loanId, address indexed holder, uint256 amount);
    event LateFeesCharged(uint256 indexed loanId, uint256 instalments, uint256 amount);
    event Repayment(
        uint256 indexed loanId,
        address indexed payer,
        uint256 lateFees,
        uint256 interest,
        uint256 principal,
        uint256 platformFee,
        uint256 outstanding
    );
    event LoanRepaid(uint256 indexed loanId);
    event LoanDefaulted(uint256 indexed loanId, uint256 outstanding);
    event LoanClosed(uint256 indexed loanId, uint256 debtWrittenOff);
    event CollateralVaultSet(address indexed vault);
    event Claimed(uint256 indexed loanId, address indexed holder, uint256 amount);
    event LoanTokenSet(address indexed token, bool allowed, uint256 minFunding);
    event GradePolicySet(
        address indexed token, uint8 indexed grade, uint256 maxPrincipal, uint256 maxAprBps, uint256 minCollateralRatioBps
    );
    event LatePolicySet(uint256 gracePeriod, uint256 lateFeeBps, uint256 defaultAfter);
    event FeeSet(uint256 feeBps, address recipient);
    event PausedSet(bool paused);
    event FeesWithdrawn(uint256 indexed loanId, address indexed recipient, uint256 amount);

    // ------------------------------------------------------------------ borrower

    /// @notice List a loan request. When `signature` is non-empty the attestation is first
    ///         submitted to the score registry; the borrower's valid score then sets the grade.
    /// @return loanId The new loan's id (ids start at 1).
    function requestLoan(
        LoanTerms calldata terms,
        IScoreRegistry.ScoreAttestation calldata attestation,
        bytes calldata signature
    ) external returns (uint256 loanId);

    /// @notice Borrower: withdraw a listing that has not started; lenders then `refund`.
    function cancel(uint256 loanId) external;

    /// @notice Start a listed loan funded to at least its minimum fill: the borrower at any time,
    ///         anyone after the funding deadline. The funded principal goes to the borrower.
    function start(uint256 loanId) external;

    /// @notice Pay up to `amount` towards the loan (anyone may pay for the borrower). The payment is
    ///         capped at the payoff amount; only what is applied is pulled from the caller.
    /// @return paid The amount pulled and applied.
    function repay(uint256 loanId, uint256 amount) external returns (uint256 paid);

    // ------------------------------------------------------------------ lender

    /// @notice Fund `amount` of a listed loan and receive as many notes.
    function fund(uint256 loanId, uint256 amount) external;

    /// @notice `fund` paid by the caller, with the notes minted to `lender` (used by auto-lend
    ///         commitments; `Funded` names `lender`).
    function fundFor(uint256 loanId, uint256 amount, address lender) external;

    /// @notice Burn all the caller's notes of a cancelled or expired loan and return their principal.
    ///         A listed loan past its deadline and below its minimum fill, or past the start window,
    ///         is marked Expired first.
    function refund(uint256 loanId) external returns (uint256 amount);

    /// @notice Pay out the caller's share of the loan's repayments so far.
    function claim(uint256 loanId) external returns (uint256 amount);

    /// @notice `claim` across many loans; loans with nothing to claim are skipped.
    function claimMany(uint256[] calldata loanIds) external returns (uint256 total);

    /// @notice `claimMany` of `holder`'s income, paid to the caller, who must be `holder` or an
    ///         ERC-1155 operator approved by it (an operator can already move the notes, so this
    ///         grants nothing new; auto-lend reinvestment uses it).
    function claimFor(address holder, uint256[] calldata loanIds) external returns (uint256 total);

    // ------------------------------------------------------------------ anyone

    /// @notice Mark a loan Defaulted once its first unpaid instalment is `defaultAfter` overdue.
    function markDefault(uint256 loanId) external;

    /// @notice Mark a listing Expired once it is past its funding deadline below its minimum fill,
    ///         or past the start window, and return its collateral to the borrower. Lenders then
    ///         `refund`. (`refund` also marks the expiry, so lenders never depend on this call.)
    function expire(uint256 loanId) external;

    // ------------------------------------------------------------------ collateral vault

    /// @notice Vault only: apply a liquidator's payment of up to `amount` like a repayment (late
    ///         fees, interest, principal), pulled from `payer`. A loan whose debt reaches zero this
    ///         way is Closed, not Repaid. Returns the loan's status and debt (payoff) just before
    ///         the payment, which the vault checks (health, close factor) after this call and
    ///         reverts on, and the amount applied.
    function applyLiquidation(uint256 loanId, uint256 amount, address payer)
        external
        returns (LoanStatus status, uint256 debt, uint256 paid);

    /// @notice Vault only: the collateral is gone; close the loan and write off the remaining debt.
    function writeOff(uint256 loanId) external;

    // ------------------------------------------------------------------ views

    function collateralState(uint256 loanId) external view returns (CollateralState memory);

    /// @notice Loan `loanId` as stored (all zero when unknown); ILoanLens.loan gives it flattened.
    function loanRecord(uint256 loanId) external view returns (LoanRecord memory);
    function listing(uint256 loanId) external view returns (Listing memory);
    function loanCount() external view returns (uint256);
    function claimable(uint256 loanId, address holder) external view returns (uint256);
    /// @notice See {TokenConfig}.
    function loanTokens(address token) external view returns (bool allowed, uint96 minFunding);
    /// @notice See {GradePolicy}.
    function gradePolicies(address token, uint8 grade)
        external
        view
        returns (uint96 maxPrincipal, uint16 maxAprBps, uint16 minCollateralRatioBps);

    // ------------------------------------------------------------------ governance

    /// @notice Allow or disallow a loan token; `minFunding` is the smallest funding accepted
    ///         (except the one that completes a loan), against dust griefing.
    function setLoanToken(address token, bool allowed, uint256 minFunding) external;
    /// @notice Per token and grade: largest principal and highest APR a listing may ask for, and the
    ///         collateral value it must escrow (bps of the principal; 0 allows unsecured loans).
    ///         A zero `maxPrincipal` disables the grade.
    function setGradePolicy(
        address token,
        uint8 grade,
        uint256 maxPrincipal,
        uint256 maxAprBps,
        uint256 minCollateralRatioBps
    ) external;
    /// @notice Set the collateral vault, once.
    function setCollateralVault(address vault) external;
    /// @notice Late policy for new listings (existing loans keep theirs), within the hard caps.
    function setLatePolicy(uint256 gracePeriod, uint256 lateFeeBps, uint256 defaultAfter) external;
    /// @notice Platform fee on repaid interest for new listings, within MAX_FEE_BPS.
    function setFee(uint256 feeBps, address recipient) external;
    /// @notice Pause or resume new listings and funding. Never blocks repay, claim, refund or start.
    function setPaused(bool paused) external;
    /// @notice Send the platform fees accrued on `loanIds` to the fee recipient.
    function withdrawFees(uint256[] calldata loanIds) external returns (uint256 total);
}
