// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IAutoLend} from "../../../contracts/interfaces/IAutoLend.sol";
import {Build, Launch} from "../utils/Platform.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @title AutoLendHandler
/// @notice AutoLend actions: commitments created with random rules or rules tailored to a listing,
///         rule changes, deposits, withdrawals, closes, fundings by a bot (the fitting amount, one
///         unit more, or any amount) and reinvestment. Every successful funding is checked against
///         the ghost's reading of the rule in force, the budget left and the limits.
contract AutoLendHandler is HandlerBase {
    uint256 internal constant UNLIMITED = type(uint96).max;

    constructor(Ghost ghost_) HandlerBase(ghost_) {}

    function create(uint256 actorSeed, uint256 ruleSeed, uint256 limitSeed, uint256 amountSeed) external step {
        if (ghost.commitmentCount() >= ghost.MAX_COMMITMENTS()) return;
        address lender = _actor(actorSeed);
        Build.RuleSpec memory rule = _drawRule(ruleSeed, limitSeed);
        uint256 amount = amountSeed % 5 == 0 ? 0 : _bound(amountSeed >> 3, 1, 10_000 * Launch.USDC);
        _fundMe(lender, amount);
        vm.prank(lender);
        uint256 id = autolend.createCommitment(address(usdc), Build.rule(rule), amount);
        ghost.addCommitment(id, lender, rule, amount);
    }

    function setRule(uint256 commitmentSeed, uint256 ruleSeed, uint256 limitSeed) external step {
        (uint256 id, Ghost.CommitmentG memory c) = _pickCommitment(commitmentSeed);
        if (id == 0) return;
        Build.RuleSpec memory rule = _drawRule(ruleSeed, limitSeed);
        vm.prank(c.lender);
        autolend.setRule(id, Build.rule(rule));
        ghost.setRule(id, rule);
    }

    function deposit(uint256 commitmentSeed, uint256 amountSeed) external step {
        (uint256 id, Ghost.CommitmentG memory c) = _pickCommitment(commitmentSeed);
        if (id == 0) return;
        uint256 amount = _bound(amountSeed, 1, 10_000 * Launch.USDC);
        _fundMe(c.lender, amount);
        vm.prank(c.lender);
        autolend.deposit(id, amount);
        ghost.setAvailable(id, c.available + amount);
    }

    function withdraw(uint256 commitmentSeed, uint256 amountSeed) external step {
        (uint256 id, Ghost.CommitmentG memory c) = _pickCommitment(commitmentSeed);
        if (id == 0 || c.available == 0) return;
        uint256 amount = amountSeed % 3 == 0 ? c.available : _bound(amountSeed >> 2, 1, c.available);
        uint256 before = usdc.balanceOf(c.lender);
        vm.prank(c.lender);
        autolend.withdraw(id, amount);
        if (usdc.balanceOf(c.lender) - before != amount) ghost.violate("commitment withdrawal paid other", id, amount, 0);
        ghost.setAvailable(id, c.available - amount);
    }

    function close(uint256 commitmentSeed) external step {
        (uint256 id, Ghost.CommitmentG memory c) = _pickCommitment(commitmentSeed);
        if (id == 0) return;
        vm.prank(c.lender);
        uint256 refunded = autolend.close(id);
        if (refunded != c.available) ghost.violate("close refunded other than available", id, refunded, c.available);
        ghost.closeCommitment(id);
    }

    /// @notice A bot funds a listing from a commitment; a success must be within the rule, budget and limits.
    function fundFromCommitment(uint256 callerSeed, uint256 commitmentSeed, uint256 loanSeed, uint256 amountSeed)
        external
        step
    {
        (uint256 id, Ghost.CommitmentG memory c) = _pickCommitment(commitmentSeed);
        if (id == 0) return;
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isListed);
        if (!found) return;
        uint256 amount = _fundingAmount(id, c, loanId, amountSeed);
        if (amount == 0) return;
        address caller = callerSeed % 3 == 0 ? c.lender : _actor(callerSeed >> 2);
        string memory why = ghost.commitmentAllows(id, loanId, amount, caller);
        vm.prank(caller);
        autolend.fundFromCommitment(id, loanId, amount);
        if (bytes(why).length != 0) {
            ghost.violate(string.concat("commitment funding outside its rule: ", why), id, loanId, amount);
        }
        ghost.lentFromCommitment(id, ghost.loan(loanId).borrower, amount);
        ghost.mintNotes(loanId, c.lender, amount);
    }

    /// @notice Anyone sweeps a reinvesting lender's income into the commitment (the lender has
    ///         approved AutoLend as its notes' operator, or now does so).
    function reinvest(uint256 commitmentSeed, bool approve) external step {
        (uint256 id, Ghost.CommitmentG memory c) = _pickCommitment(commitmentSeed);
        if (id == 0) return;
        if (approve) {
            vm.prank(c.lender);
            IERC1155(address(book)).setApprovalForAll(address(autolend), true);
        }
        uint256[] memory ids = ghost.allLoans();
        uint256[] memory amounts = new uint256[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            amounts[i] = book.claimable(ids[i], c.lender);
        }
        uint256 amount = autolend.reinvest(id, ids);
        uint256 sum;
        for (uint256 i; i < ids.length; ++i) {
            sum += amounts[i];
            if (amounts[i] != 0) ghost.claimed(ids[i], c.lender, amounts[i]);
        }
        if (amount != sum) ghost.violate("reinvested other than the claimable sum", id, amount, sum);
        if (!c.rule.reinvest) ghost.violate("reinvest without the rule's consent", id, amount, 0);
        if (ghost.clock() > c.rule.expiry) ghost.violate("reinvest into an expired commitment", id, amount, c.rule.expiry);
        ghost.setAvailable(id, c.available + amount);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The fitting amount, one unit more, or any amount up to what the loan still needs.
    function _fundingAmount(uint256 id, Ghost.CommitmentG memory c, uint256 loanId, uint256 seed)
        private
        view
        returns (uint256)
    {
        Ghost.LoanG memory l = ghost.loan(loanId);
        uint256 remaining = l.principal - l.funded;
        uint256 mode = seed % 4;
        if (mode >= 2) return _bound(seed >> 2, 1, remaining);
        return _fitting(id, c, l, loanId, remaining) + mode;
    }

    /// @dev The largest amount every limit allows (0 when one is exhausted).
    function _fitting(uint256 id, Ghost.CommitmentG memory c, Ghost.LoanG memory l, uint256 loanId, uint256 remaining)
        private
        view
        returns (uint256 amount)
    {
        Build.RuleSpec memory r = c.rule;
        amount = _min(remaining, c.available);
        amount = _min(amount, r.budget > c.lentSinceRule ? r.budget - c.lentSinceRule : 0);
        uint256 held = ghost.holder(loanId, c.lender).notes;
        amount = _min(amount, r.maxPerLoan > held ? r.maxPerLoan - held : 0);
        uint256 lent = ghost.lentToBorrower(id, l.borrower);
        amount = _min(amount, r.maxPerBorrower > lent ? r.maxPerBorrower - lent : 0);
    }

    /// @dev Half the rules are tailored to accept a current listing; the rest are random. Limits
    ///      are unlimited or a few thousand USDC.
    function _drawRule(uint256 ruleSeed, uint256 limitSeed) private view returns (Build.RuleSpec memory r) {
        (uint256 loanId, bool found) = _pickLoan(ruleSeed >> 1, isListed);
        if (ruleSeed % 2 == 0 && found) {
            Ghost.LoanG memory l = ghost.loan(loanId);
            r.worstGrade = _bound(ruleSeed >> 8, l.grade, 9);
            r.minAprBps = _bound(ruleSeed >> 16, 0, l.aprBps);
            r.maxAprBps = _bound(ruleSeed >> 32, l.aprBps, 10_000);
            r.maxTerm = _bound(ruleSeed >> 48, l.term, 3650 days);
            r.minCollateralRatioBps = _bound(ruleSeed >> 80, 0, l.minRatioBps);
            r.purposeMask = (1 << l.purpose) | _bound(ruleSeed >> 96, 0, type(uint32).max);
            r.maxPdBps = _bound(ruleSeed >> 128, l.pdBps, 10_000);
        } else {
            r.worstGrade = _bound(ruleSeed >> 8, 1, 9);
            r.minAprBps = _bound(ruleSeed >> 16, 0, 3_000);
            r.maxAprBps = _bound(ruleSeed >> 32, r.minAprBps, 10_000);
            r.maxTerm = _bound(ruleSeed >> 48, 1 days, 1_000 days);
            r.minCollateralRatioBps = (ruleSeed >> 80) % 2 == 0 ? 0 : _bound(ruleSeed >> 88, 0, 15_000);
            r.purposeMask = _bound(ruleSeed >> 96, 1, type(uint32).max);
            r.maxPdBps = _bound(ruleSeed >> 128, 0, 10_000);
        }
        // a third of the rules name an operator (an actor), the others let anyone fund
        if ((limitSeed >> 240) % 3 == 0) r.operator = _actor(limitSeed >> 244);
        r.maxPerLoan = _limit(limitSeed);
        r.maxPerBorrower = _limit(limitSeed >> 64);
        r.budget = _limit(limitSeed >> 128);
        r.expiry = ghost.clock() + _bound(limitSeed >> 192, 1 hours, 60 days);
        r.reinvest = (limitSeed >> 250) % 2 == 0;
    }

    function _limit(uint256 seed) private pure returns (uint256) {
        return seed % 3 == 0 ? UNLIMITED : _bound(seed >> 2, 1, 5_000) * Launch.USDC;
    }

    /// @dev An open commitment (from a seed-chosen start), or id 0.
    function _pickCommitment(uint256 seed) private view returns (uint256 id, Ghost.CommitmentG memory c) {
        uint256[] memory ids = ghost.allCommitments();
        for (uint256 i; i < ids.length; ++i) {
            uint256 candidate = ids[(seed + i) % ids.length];
            c = ghost.commitment(candidate);
            if (c.open) return (candidate, c);
        }
        return (0, c);
    }
}
