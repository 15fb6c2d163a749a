// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAutoLend} from "../../../contracts/interfaces/IAutoLend.sol";
import {ILoanBook} from "../../../contracts/interfaces/ILoanBook.sol";
import {Build, Deployment, Launch} from "../utils/Platform.sol";
import {WithVm} from "../utils/Vm.sol";

/// @title Ghost
/// @notice What the handlers know independently of the contracts: the clock, the actors, every
///         loan's notes, payments, claims and collateral, every commitment's rule and lending, the
///         donations, and the violations the handlers saw (a call that succeeded although it must
///         not). The invariants compare it with the contracts after every call.
/// @dev Exact shares: per loan, `distributed` is the income paid to holders so far (payments less
///      platform fees) and each holder's `shareDebt` moves with notes exactly like the contract's
///      accumulator, but unscaled, so notes * distributed - shareDebt is the holder's exact share
///      times the note supply (an integer: no rounding anywhere).
contract Ghost is WithVm {
    struct LoanG {
        address borrower;
        uint8 grade;
        uint256 principal;
        uint256 aprBps;
        uint256 term;
        uint256 minRatioBps;
        uint256 deadline;
        uint256 purpose;
        uint256 pdBps;
        uint256 thresholdBps; // the collateral's liquidation threshold when listed (the vault snapshots it)
        uint256 closeFactorBps; // the close factor when listed
        ILoanBook.LoanStatus status; // last status observed on chain
        uint256 funded; // = note supply
        uint256 collateral; // WETH escrowed in the vault for this loan
        uint256 paidIn; // repayments and liquidation payments applied
        uint256 feesAccrued; // platform fees taken from them
        uint256 feesOut; // platform fees withdrawn
        uint256 claimedOut; // income paid to holders
        uint256 distributed; // paidIn - feesAccrued
    }

    struct HolderG {
        uint256 notes;
        uint256 claimed;
        int256 shareDebt; // see the contract's NatSpec
    }

    struct CommitmentG {
        address lender;
        bool open;
        Build.RuleSpec rule;
        uint256 available;
        uint256 lentSinceRule;
    }

    struct Violation {
        string what;
        uint256 a;
        uint256 b;
        uint256 c;
    }

    uint256 public constant MAX_LOANS = 10;
    uint256 public constant MAX_COMMITMENTS = 6;

    Deployment public immutable platform;
    uint256 public clock;
    address[] public actors;
    uint256[] public loanIds;
    uint256[] public commitmentIds;
    mapping(uint256 loanId => LoanG) internal _loans;
    mapping(uint256 loanId => mapping(address holder => HolderG)) internal _holders;
    mapping(uint256 commitmentId => CommitmentG) internal _commitments;
    mapping(uint256 commitmentId => mapping(address borrower => uint256)) public lentToBorrower;
    mapping(address borrower => uint256) public attestations; // attestations submitted = registry nonce
    uint256 public donatedBook;
    uint256 public donatedVault;
    uint256 public donatedAutoLend;
    uint256 public successfulCalls;
    // The vault's collateral settings now (governance may change them; loans keep their snapshot).
    uint256 public thresholdBps = Launch.WETH_THRESHOLD_BPS;
    uint256 public bonusBps = Launch.WETH_BONUS_BPS;
    uint256 public closeFactorBps = Launch.CLOSE_FACTOR_BPS;
    // What each contract must hold, kept up to date by every action (see the invariants' solvency).
    uint256 public bookOwes; // escrowed principal + unclaimed income + fees not withdrawn + donations
    uint256 public vaultOwes; // positions + donations
    uint256 public autoLendOwes; // commitments' available + donations
    // Loans the current action touched: their per-loan invariants are checked after it.
    uint256[] internal _touched;
    mapping(uint256 loanId => bool) internal _isTouched;
    // Commitments the current action changed in the ghost: checked after it, like touched loans.
    uint256[] internal _touchedCommitments;
    mapping(uint256 commitmentId => bool) internal _isTouchedCommitment;
    Violation[] internal _violations;

    constructor(Deployment platform_, address[] memory actors_, uint256 start) {
        platform = platform_;
        actors = actors_;
        clock = start;
    }

    // ------------------------------------------------------------------ clock and actors

    /// @notice A handler action begins: forget what the previous one touched.
    function begin() external {
        for (uint256 i; i < _touched.length; ++i) {
            _isTouched[_touched[i]] = false;
        }
        delete _touched;
        for (uint256 i; i < _touchedCommitments.length; ++i) {
            _isTouchedCommitment[_touchedCommitments[i]] = false;
        }
        delete _touchedCommitments;
    }

    function touch(uint256 loanId) public {
        if (_isTouched[loanId]) return;
        _isTouched[loanId] = true;
        _touched.push(loanId);
    }

    function touchAll() external {
        for (uint256 i; i < loanIds.length; ++i) {
            touch(loanIds[i]);
        }
    }

    function touched() external view returns (uint256[] memory) {
        return _touched;
    }

    function advance(uint256 seconds_) external {
        clock += seconds_;
        vm.warp(clock);
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function actor(uint256 seed) external view returns (address) {
        return actors[seed % actors.length];
    }

    function allActors() external view returns (address[] memory) {
        return actors;
    }

    // ------------------------------------------------------------------ violations

    function violate(string memory what, uint256 a, uint256 b, uint256 c) external {
        _violations.push(Violation(what, a, b, c));
    }

    function violationCount() external view returns (uint256) {
        return _violations.length;
    }

    function violation(uint256 i) external view returns (Violation memory) {
        return _violations[i];
    }

    // ------------------------------------------------------------------ loans

    function loanCount() external view returns (uint256) {
        return loanIds.length;
    }

    function allLoans() external view returns (uint256[] memory) {
        return loanIds;
    }

    function loan(uint256 loanId) external view returns (LoanG memory) {
        return _loans[loanId];
    }

    function holder(uint256 loanId, address who) external view returns (HolderG memory) {
        return _holders[loanId][who];
    }

    function addLoan(uint256 loanId, LoanG memory l) external {
        loanIds.push(loanId);
        _loans[loanId] = l;
        attestations[l.borrower] += 1;
        vaultOwes += l.collateral;
        touch(loanId);
    }

    function setCollateral(uint256 loanId, uint256 amount) external {
        vaultOwes = vaultOwes + amount - _loans[loanId].collateral;
        _loans[loanId].collateral = amount;
        touch(loanId);
    }

    function mintNotes(uint256 loanId, address to, uint256 amount) external {
        LoanG storage l = _loans[loanId];
        // Notes are minted only before the first distribution, so they carry no share debt.
        if (l.distributed != 0) _violations.push(Violation("notes minted after a distribution", loanId, amount, 0));
        l.funded += amount;
        _holders[loanId][to].notes += amount;
        bookOwes += amount; // escrowed until the loan starts (see observe)
        touch(loanId);
    }

    function burnNotes(uint256 loanId, address from, uint256 amount) external {
        _loans[loanId].funded -= amount;
        _holders[loanId][from].notes -= amount;
        bookOwes -= amount;
        touch(loanId);
    }

    function moveNotes(uint256 loanId, address from, address to, uint256 amount) external {
        int256 moved = int256(amount * _loans[loanId].distributed);
        HolderG storage src = _holders[loanId][from];
        src.notes -= amount;
        src.shareDebt -= moved;
        HolderG storage dst = _holders[loanId][to];
        dst.notes += amount;
        dst.shareDebt += moved;
        touch(loanId);
    }

    /// @notice A payment of `paid` (repayment or liquidation) of which `fee` went to the platform.
    function pay(uint256 loanId, uint256 paid, uint256 fee) external {
        LoanG storage l = _loans[loanId];
        l.paidIn += paid;
        l.feesAccrued += fee;
        l.distributed += paid - fee;
        bookOwes += paid;
        touch(loanId);
    }

    function claimed(uint256 loanId, address who, uint256 amount) external {
        _loans[loanId].claimedOut += amount;
        _holders[loanId][who].claimed += amount;
        bookOwes -= amount;
        touch(loanId);
    }

    function feesWithdrawn(uint256 loanId, uint256 amount) external {
        _loans[loanId].feesOut += amount;
        bookOwes -= amount;
        touch(loanId);
    }

    /// @notice Check the status of every loan the action touched against the ladder and record
    ///         it. (A status change of a loan the action did not touch shows as a status mismatch in
    ///         the invariants' rotating and end-of-run checks.)
    function observe() external {
        ILoanBook book = platform.book();
        for (uint256 i; i < _touched.length; ++i) {
            uint256 id = _touched[i];
            ILoanBook.LoanStatus before = _loans[id].status;
            ILoanBook.LoanStatus now_ = book.listing(id).status;
            if (now_ == before) continue;
            if (!legal(before, now_)) _violations.push(Violation("illegal status transition", id, uint8(before), uint8(now_)));
            // A start pays the escrowed principal to the borrower.
            if (escrowed(before) && !escrowed(now_)) bookOwes -= _loans[id].funded;
            _loans[id].status = now_;
        }
        successfulCalls += 1;
    }

    /// @notice ILoanBook's ladder: Listed -> Active | Cancelled | Expired; Active -> Repaid |
    ///         Defaulted | Closed; Defaulted -> Repaid | Closed.
    function legal(ILoanBook.LoanStatus from, ILoanBook.LoanStatus to) public pure returns (bool) {
        if (from == ILoanBook.LoanStatus.Listed) {
            return to == ILoanBook.LoanStatus.Active || to == ILoanBook.LoanStatus.Cancelled
                || to == ILoanBook.LoanStatus.Expired;
        }
        if (from == ILoanBook.LoanStatus.Active) {
            return to == ILoanBook.LoanStatus.Repaid || to == ILoanBook.LoanStatus.Defaulted
                || to == ILoanBook.LoanStatus.Closed;
        }
        if (from == ILoanBook.LoanStatus.Defaulted) {
            return to == ILoanBook.LoanStatus.Repaid || to == ILoanBook.LoanStatus.Closed;
        }
        return false;
    }

    function escrowed(ILoanBook.LoanStatus s) public pure returns (bool) {
        return s == ILoanBook.LoanStatus.Listed || s == ILoanBook.LoanStatus.Cancelled
            || s == ILoanBook.LoanStatus.Expired;
    }

    // ------------------------------------------------------------------ commitments

    function commitmentCount() external view returns (uint256) {
        return commitmentIds.length;
    }

    function allCommitments() external view returns (uint256[] memory) {
        return commitmentIds;
    }

    function touchedCommitments() external view returns (uint256[] memory) {
        return _touchedCommitments;
    }

    function _touchCommitment(uint256 commitmentId) private {
        if (_isTouchedCommitment[commitmentId]) return;
        _isTouchedCommitment[commitmentId] = true;
        _touchedCommitments.push(commitmentId);
    }

    function commitment(uint256 commitmentId) external view returns (CommitmentG memory) {
        return _commitments[commitmentId];
    }

    function addCommitment(uint256 commitmentId, address lender, Build.RuleSpec memory rule, uint256 amount) external {
        commitmentIds.push(commitmentId);
        _touchCommitment(commitmentId);
        _commitments[commitmentId] = CommitmentG(lender, true, rule, amount, 0);
        autoLendOwes += amount;
    }

    function setRule(uint256 commitmentId, Build.RuleSpec memory rule) external {
        _touchCommitment(commitmentId);
        _commitments[commitmentId].rule = rule;
        _commitments[commitmentId].lentSinceRule = 0;
    }

    function setAvailable(uint256 commitmentId, uint256 available) external {
        _touchCommitment(commitmentId);
        autoLendOwes = autoLendOwes + available - _commitments[commitmentId].available;
        _commitments[commitmentId].available = available;
    }

    function closeCommitment(uint256 commitmentId) external {
        _touchCommitment(commitmentId);
        autoLendOwes -= _commitments[commitmentId].available;
        _commitments[commitmentId].open = false;
        _commitments[commitmentId].available = 0;
    }

    function lentFromCommitment(uint256 commitmentId, address borrower, uint256 amount) external {
        _touchCommitment(commitmentId);
        CommitmentG storage c = _commitments[commitmentId];
        c.available -= amount;
        c.lentSinceRule += amount;
        autoLendOwes -= amount;
        lentToBorrower[commitmentId][borrower] += amount;
    }

    /// @notice Whether the commitment's rule, budget, funds and limits allow funding `amount` of
    ///         `loanId` now; `why` names the first limit that does not (empty when allowed).
    function commitmentAllows(uint256 commitmentId, uint256 loanId, uint256 amount, address caller)
        external
        view
        returns (string memory why)
    {
        CommitmentG storage c = _commitments[commitmentId];
        Build.RuleSpec memory r = c.rule;
        LoanG storage l = _loans[loanId];
        if (!c.open) return "closed";
        if (clock > r.expiry) return "expired";
        if (l.borrower == address(0)) return "unknown loan";
        if (l.borrower == c.lender) return "own loan";
        if (l.grade > r.worstGrade) return "grade";
        if (l.aprBps < r.minAprBps || l.aprBps > r.maxAprBps) return "apr";
        if (l.term > r.maxTerm) return "term";
        if (l.minRatioBps < r.minCollateralRatioBps) return "collateral ratio";
        if ((r.purposeMask >> l.purpose) & 1 == 0) return "purpose";
        if (l.pdBps > r.maxPdBps) return "pd";
        if (r.operator != address(0) && caller != r.operator && caller != c.lender) return "operator";
        if (amount > c.available) return "available";
        if (c.lentSinceRule + amount > r.budget) return "budget";
        if (_holders[loanId][c.lender].notes + amount > r.maxPerLoan) return "max per loan";
        if (lentToBorrower[commitmentId][l.borrower] + amount > r.maxPerBorrower) return "max per borrower";
        return "";
    }

    function setCollateralSettings(uint256 threshold, uint256 bonus, uint256 closeFactor) external {
        (thresholdBps, bonusBps, closeFactorBps) = (threshold, bonus, closeFactor);
    }

    // ------------------------------------------------------------------ donations

    function donated(uint256 toBook, uint256 toVault, uint256 toAutoLend) external {
        donatedBook += toBook;
        donatedVault += toVault;
        donatedAutoLend += toAutoLend;
        bookOwes += toBook;
        vaultOwes += toVault;
        autoLendOwes += toAutoLend;
    }

    // ------------------------------------------------------------------ prices (from the mock feeds' answers)

    /// @notice USD WAD per whole token of the feed's latest answer (8-decimal feeds).
    function priceWad(bool eth) public view returns (uint256) {
        int256 answer = eth ? platform.ethFeed().answer() : platform.usdFeed().answer();
        return answer > 0 ? uint256(answer) * 1e10 : 0;
    }

    /// @notice health >= 1 exactly as ICollateralVault defines it (collateral value rounded down,
    ///         debt value rounded up): collateral * T * R ... compared without division.
    function healthy(uint256 collateral, uint256 debt, uint256 ratioBps, uint256 loanThresholdBps) external view returns (bool) {
        if (debt == 0 || ratioBps == 0) return true;
        uint256 collateralWad = collateral * priceWad(true) / Launch.WETH;
        uint256 debtWad = _ceilDiv(debt * priceWad(false), Launch.USDC);
        return collateralWad * Launch.BPS * Launch.BPS >= debtWad * ratioBps * loanThresholdBps;
    }

    /// @notice Whether `collateral` is worth at least `ratioBps` of `debt` (the withdrawal rule).
    function covers(uint256 collateral, uint256 debt, uint256 ratioBps) external view returns (bool) {
        uint256 valueWad = collateral * priceWad(true) / Launch.WETH;
        uint256 requiredWad = _ceilDiv(priceWad(false) * debt * ratioBps, Launch.USDC * Launch.BPS);
        return valueWad >= requiredWad;
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
