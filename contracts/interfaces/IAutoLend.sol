// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAutoLend
/// @notice Auto-lend commitments: a lender deposits loan tokens with a rule, and anyone (in
///         practice the platform's bot) may fund listings from the deposit with
///         `fundFromCommitment`. The contract, not the bot, enforces the rule, so the caller can
///         choose only *which* matching loans get funded and never move funds anywhere else: the
///         notes are minted to the lender, and only the lender can change the rule or withdraw.
///         There is no governance and no fee.
///
/// Units: amounts in the commitment token's base units; rates, ratios and probabilities of default
/// in bps; times in unix seconds; grades as ScoreRegistry grade codes (1 = A+ best .. 9 = E worst);
/// purposes as LoanBook purpose codes (0 .. 31).
///
/// The rule, checked against the loan's terms fixed at listing:
///  - `worstGrade`: the lowest grade accepted (loans with a higher grade code are refused);
///  - `minAprBps` .. `maxAprBps`: the APR range;
///  - `maxTerm`: the longest term (instalments * period);
///  - `minCollateralRatioBps`: the collateral ratio the loan must keep (its grade policy's ratio,
///    enforced on the borrower's withdrawals for the loan's life; 0 accepts unsecured loans). The
///    collateral escrowed right now is deliberately not used: the borrower may withdraw down to
///    the required ratio at any time, so only the required ratio is a promise;
///  - `purposeMask`: the purposes accepted, bit i set = purpose code i accepted (a uint32; 0 would
///    accept nothing and is refused);
///  - `maxPdBps`: the highest probability of default accepted, compared with the borrower's score
///    as snapshotted at listing (<= 10_000; 10_000 accepts every loan);
///  - `maxPerLoan`: the most notes the lender may hold in one loan, counting notes from anywhere
///    (manual fundings, other commitments, transfers), so the cap bounds the lender's exposure;
///  - `maxPerBorrower`: the most this commitment lends to one borrower over its life;
///  - `budget`: what the commitment may still lend; every funding reduces it (repayments do not
///    restore it, so it bounds the total lent whatever `reinvest` does);
///  - `expiry`: no funding and no reinvesting after this time;
///  - `reinvest`: whether anyone may sweep the lender's income from loans into the commitment
///    (`reinvest`), which needs the lender's ERC-1155 operator approval of this contract on the
///    loan book. Without it, income stays claimable by the lender;
///  - `operator`: who may call `fundFromCommitment`: zero for anyone, else only this address or
///    the lender (so a lender can bind the commitment to one bot it trusts to choose loans).
/// The borrower must not be the lender.
interface IAutoLend {
    /// @notice A rule as given by the lender. Fields are uint256 so out-of-range values get a
    ///         named error instead of an ABI decoding failure.
    struct Rule {
        uint256 worstGrade;
        uint256 minAprBps;
        uint256 maxAprBps;
        uint256 maxTerm;
        uint256 minCollateralRatioBps;
        uint256 maxPerLoan;
        uint256 maxPerBorrower;
        uint256 budget;
        uint256 expiry;
        bool reinvest;
        uint256 purposeMask;
        uint256 maxPdBps;
        address operator;
    }

    /// @notice A commitment as stored, five slots, all read by every funding; the third is the
    ///         only one a funding writes.
    ///         slot 0: lender, expiry, worstGrade, reinvest, minCollateralRatioBps, maxPdBps (31 bytes);
    ///         slot 1: token, minAprBps, maxAprBps, maxTerm, purposeMask (32 bytes);
    ///         slot 2: available, budget; slot 3: maxPerLoan, maxPerBorrower; slot 4: operator.
    struct Commitment {
        address lender;
        uint40 expiry;
        uint8 worstGrade;
        bool reinvest;
        uint16 minCollateralRatioBps;
        uint16 maxPdBps;
        address token;
        uint16 minAprBps;
        uint16 maxAprBps;
        uint32 maxTerm;
        uint32 purposeMask;
        uint96 available; // deposited and not lent or withdrawn
        uint96 budget; // still allowed to lend
        uint96 maxPerLoan;
        uint96 maxPerBorrower;
        address operator; // zero: anyone may fund from the commitment
    }

    error UnknownCommitment(uint256 commitmentId);
    error NotLender(uint256 commitmentId, address caller);
    error ZeroAmount();
    error AmountOverflow(uint256 value, uint256 max);
    error InvalidRule(bytes32 field, uint256 value);
    error CommitmentExpired(uint256 commitmentId, uint256 expiry);
    error TokenMismatch(uint256 commitmentId, uint256 loanId, address loanToken);
    error GradeOutsideRule(uint256 commitmentId, uint256 loanId, uint8 grade);
    error AprOutsideRule(uint256 commitmentId, uint256 loanId, uint256 aprBps);
    error TermOutsideRule(uint256 commitmentId, uint256 loanId, uint256 term);
    error CollateralOutsideRule(uint256 commitmentId, uint256 loanId, uint256 minCollateralRatioBps);
    error PurposeOutsideRule(uint256 commitmentId, uint256 loanId, uint8 purpose);
    error PdOutsideRule(uint256 commitmentId, uint256 loanId, uint16 pdBps);
    error NotOperator(uint256 commitmentId, address caller);
    error OwnLoan(uint256 commitmentId, uint256 loanId);
    error InsufficientFunds(uint256 commitmentId, uint256 amount, uint256 available);
    error BudgetExceeded(uint256 commitmentId, uint256 amount, uint256 budget);
    error LoanLimitExceeded(uint256 commitmentId, uint256 loanId, uint256 holding, uint256 maxPerLoan);
    error BorrowerLimitExceeded(uint256 commitmentId, address borrower, uint256 lent, uint256 maxPerBorrower);
    error ReinvestOff(uint256 commitmentId);

    event CommitmentCreated(uint256 indexed commitmentId, address indexed lender, address indexed token);
    event RuleSet(uint256 indexed commitmentId, Rule rule);
    event Deposited(uint256 indexed commitmentId, uint256 amount, uint256 available);
    event Withdrawn(uint256 indexed commitmentId, uint256 amount, uint256 available);
    event CommitmentClosed(uint256 indexed commitmentId, uint256 refunded);
    event FundedFromCommitment(
        uint256 indexed commitmentId, uint256 indexed loanId, address indexed caller, uint256 amount, uint256 available
    );
    event Reinvested(uint256 indexed commitmentId, uint256 amount, uint256 available);

    /// @notice Open a commitment in `token` with `rule`, depositing `amount` (may be 0).
    /// @return commitmentId The new commitment's id (ids start at 1).
    function createCommitment(address token, Rule calldata rule, uint256 amount) external returns (uint256 commitmentId);

    /// @notice Lender: replace the rule (takes effect for the next funding).
    function setRule(uint256 commitmentId, Rule calldata rule) external;

    /// @notice Lender: add `amount` to the commitment.
    function deposit(uint256 commitmentId, uint256 amount) external;

    /// @notice Lender: take back `amount` of the unused funds.
    function withdraw(uint256 commitmentId, uint256 amount) external;

    /// @notice Lender: withdraw everything unused and delete the commitment. Notes already bought
    ///         stay with the lender.
    function close(uint256 commitmentId) external returns (uint256 refunded);

    /// @notice Anyone (only the rule's operator or the lender, when the rule names an operator):
    ///         fund `amount` of listed loan `loanId` from the commitment, if the loan and the amount
    ///         satisfy every limit of its rule. The notes go to the lender.
    function fundFromCommitment(uint256 commitmentId, uint256 loanId, uint256 amount) external;

    /// @notice Anyone, when the rule says reinvest and the commitment has not expired: claim the
    ///         lender's income from `loanIds` (all in the commitment's token) into the commitment's
    ///         unused funds.
    function reinvest(uint256 commitmentId, uint256[] calldata loanIds) external returns (uint256 amount);

    /// @notice Commitment `commitmentId` as stored (all zero when unknown or closed).
    function commitment(uint256 commitmentId) external view returns (Commitment memory);

    /// @notice Number of commitments ever created (the last id; closed ones count).
    function commitmentCount() external view returns (uint256);

    /// @notice What commitment `commitmentId` has lent to `borrower` so far.
    function lentToBorrower(uint256 commitmentId, address borrower) external view returns (uint256);
}
