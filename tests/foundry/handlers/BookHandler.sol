// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILoanBook} from "../../../contracts/interfaces/ILoanBook.sol";
import {IScoreRegistry} from "../../../contracts/interfaces/IScoreRegistry.sol";
import {Build, IMockFeed, Launch} from "../utils/Platform.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @title BookHandler
/// @notice LoanBook actions (list with a signed score attestation, fund, start, cancel, repay,
///         claim, refund, default, fee withdrawal), attestation replays, donations and time warps.
contract BookHandler is HandlerBase {
    constructor(Ghost ghost_) HandlerBase(ghost_) {}

    // ------------------------------------------------------------------ listing

    /// @notice A borrower lists a loan within its grade's policy, escrowing collateral for the
    ///         secured grades (and sometimes voluntarily), with a fresh attestation signed by the
    ///         registry's signer key.
    function list(uint256 actorSeed, uint256 gradeSeed, uint256 principalSeed, uint256 shapeSeed, uint256 collateralSeed)
        external
        step
    {
        if (ghost.loanCount() >= ghost.MAX_LOANS()) return;
        address borrower = _actor(actorSeed);
        uint8 grade = uint8(_bound(gradeSeed, 1, 9));
        Build.TermsSpec memory s = _drawTerms(grade, principalSeed, shapeSeed);
        (,, uint256 minRatioBps) = Launch.grade(grade);
        if (minRatioBps != 0 || collateralSeed % 4 == 0) {
            s.collateralToken = address(weth);
            s.collateralAmount = _collateralFor(s.principal, minRatioBps, collateralSeed >> 8);
            if (s.collateralAmount == 0) return; // prices unusable: nothing sensible to escrow
            weth.mint(borrower, s.collateralAmount);
        }
        uint256 pdBps = _bound(gradeSeed >> 8, 0, 10_000);
        uint256 loanId = _request(borrower, grade, uint16(pdBps), s);
        Ghost.LoanG memory l;
        l.purpose = s.purpose;
        l.pdBps = pdBps;
        l.thresholdBps = ghost.thresholdBps();
        l.closeFactorBps = ghost.closeFactorBps();
        l.borrower = borrower;
        l.grade = grade;
        l.principal = s.principal;
        l.aprBps = s.aprBps;
        l.term = s.instalments * s.period;
        l.minRatioBps = minRatioBps;
        l.deadline = s.deadline;
        l.status = ILoanBook.LoanStatus.Listed;
        l.collateral = s.collateralAmount;
        ghost.addLoan(loanId, l);
    }

    /// @dev Terms within the grade's policy (principal up to 5,000 USDC, with odd base units).
    function _drawTerms(uint8 grade, uint256 principalSeed, uint256 shapeSeed)
        private
        view
        returns (Build.TermsSpec memory s)
    {
        (uint256 maxWhole, uint256 maxAprBps,) = Launch.grade(grade);
        s.token = address(usdc);
        s.principal = _bound(principalSeed, 10, _min(maxWhole, 5_000)) * Launch.USDC + (principalSeed >> 128) % Launch.USDC;
        s.aprBps = _bound(_field(shapeSeed, 0, 16), 0, maxAprBps);
        s.instalments = _bound(_field(shapeSeed, 16, 16), 1, 24);
        s.period = _bound(_field(shapeSeed, 32, 16), 1, 45) * 1 days;
        s.deadline = ghost.clock() + _bound(_field(shapeSeed, 48, 32), 1 hours, 30 days);
        s.minFillBps = _field(shapeSeed, 80, 16) % 3 == 0 ? 10_000 : _bound(_field(shapeSeed, 96, 16), 1, 10_000);
        s.purpose = _field(shapeSeed, 112, 16) % 32;
    }

    /// @dev requestLoan as `borrower` with a fresh attestation signed by the registry's signer key.
    function _request(address borrower, uint8 grade, uint16 pdBps, Build.TermsSpec memory s)
        private
        returns (uint256 loanId)
    {
        IScoreRegistry.ScoreAttestation memory a =
            Build.attestation(borrower, grade, pdBps, ghost.attestations(borrower), ghost.clock());
        bytes memory signature = _sign(Launch.SIGNER_KEY, a);
        vm.prank(borrower);
        loanId = book.requestLoan(Build.terms(s), a, signature);
    }

    /// @notice A consumed attestation (not the current one) or one signed by another key must be refused.
    function replayAttestation(uint256 actorSeed, bool wrongKey) external step {
        address borrower = _actor(actorSeed);
        uint256 nonce = ghost.attestations(borrower);
        IScoreRegistry.ScoreAttestation memory a;
        bytes memory signature;
        if (wrongKey) {
            a = Build.attestation(borrower, 3, 100, nonce, ghost.clock());
            signature = _sign(Launch.SIGNER_KEY + 1, a);
        } else {
            if (nonce < 2) return;
            a = Build.attestation(borrower, 3, 100, nonce - 2, ghost.clock());
            signature = _sign(Launch.SIGNER_KEY, a);
        }
        try registry.submit(a, signature) {
            ghost.violate(wrongKey ? "attestation by another key accepted" : "replayed attestation accepted", nonce, 0, 0);
        } catch {}
    }

    // ------------------------------------------------------------------ funding

    function fund(uint256 actorSeed, uint256 loanSeed, uint256 amountSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isListed);
        if (!found) return;
        Ghost.LoanG memory l = ghost.loan(loanId);
        address lender = _actor(actorSeed);
        uint256 remaining = l.principal - l.funded;
        uint256 amount = amountSeed % 4 == 0 || remaining <= Launch.MIN_FUNDING
            ? remaining
            : _bound(amountSeed >> 2, Launch.MIN_FUNDING, remaining);
        _fundMe(lender, amount);
        vm.prank(lender);
        book.fund(loanId, amount);
        ghost.mintNotes(loanId, lender, amount);
        if (amount == remaining && book.listing(loanId).status != ILoanBook.LoanStatus.Active) {
            ghost.violate("fully funded loan did not start", loanId, amount, 0);
        }
    }

    function start(uint256 actorSeed, uint256 loanSeed, bool byBorrower) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isListed);
        if (!found) return;
        ghost.touch(loanId);
        vm.prank(byBorrower ? ghost.loan(loanId).borrower : _actor(actorSeed));
        book.start(loanId);
    }

    function cancel(uint256 loanSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isListed);
        if (!found) return;
        ghost.touch(loanId);
        vm.prank(ghost.loan(loanId).borrower);
        book.cancel(loanId);
    }

    /// @notice Anyone marks a listing past its deadline below its minimum fill (or past the start
    ///         window) Expired.
    function expire(uint256 loanSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isListed);
        if (!found) return;
        ghost.touch(loanId);
        Ghost.LoanG memory l = ghost.loan(loanId);
        uint256 before = weth.balanceOf(l.borrower);
        book.expire(loanId);
        if (book.listing(loanId).status != ILoanBook.LoanStatus.Expired) ghost.violate("expire did not expire", loanId, 0, 0);
        // expire returns the listing's collateral to the borrower at once
        if (weth.balanceOf(l.borrower) - before != l.collateral) {
            ghost.violate("expire returned other than the collateral", loanId, weth.balanceOf(l.borrower) - before, l.collateral);
        }
        ghost.setCollateral(loanId, 0);
    }

    function refund(uint256 actorSeed, uint256 loanSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isRefundable);
        if (!found) return;
        address holder = _pickHolder(actorSeed, loanId);
        uint256 notes = ghost.holder(loanId, holder).notes;
        uint256 before = usdc.balanceOf(holder);
        vm.prank(holder);
        uint256 amount = book.refund(loanId);
        if (amount != notes || usdc.balanceOf(holder) - before != amount) {
            ghost.violate("refund is not the holder's notes", loanId, amount, notes);
        }
        ghost.burnNotes(loanId, holder, amount);
    }

    // ------------------------------------------------------------------ repayment and default

    /// @notice Anyone repays part of the debt, exactly the payoff, or more than it (capped).
    function repay(uint256 actorSeed, uint256 loanSeed, uint256 amountSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isRepayable);
        if (!found) return;
        uint256 payoff = book.collateralState(loanId).debt;
        uint256 mode = amountSeed % 5;
        uint256 amount = mode == 0 ? payoff : mode == 1 ? payoff + _bound(amountSeed >> 8, 1, 1_000 * Launch.USDC)
            : _bound(amountSeed >> 8, 1, payoff);
        address payer = _actor(actorSeed);
        _fundMe(payer, amount);
        uint256 feesBefore = _feesDue(loanId);
        uint256 balanceBefore = usdc.balanceOf(payer);
        vm.prank(payer);
        uint256 paid = book.repay(loanId, amount);
        if (paid > amount || paid > payoff || balanceBefore - usdc.balanceOf(payer) != paid) {
            ghost.violate("repayment pulled other than it applied", loanId, paid, amount);
        }
        ghost.pay(loanId, paid, _feesDue(loanId) - feesBefore);
        if (paid == payoff && book.listing(loanId).status != ILoanBook.LoanStatus.Repaid) {
            ghost.violate("paid-off loan not Repaid", loanId, paid, 0);
        }
    }

    function markDefault(uint256 loanSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isActive);
        if (!found) return;
        uint256 eligibleAt = book.collateralState(loanId).defaultEligibleAt;
        ghost.touch(loanId);
        book.markDefault(loanId);
        if (block.timestamp < eligibleAt) ghost.violate("defaulted before eligible", loanId, eligibleAt, block.timestamp);
    }

    // ------------------------------------------------------------------ income

    function claim(uint256 actorSeed, uint256 loanSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isStarted);
        if (!found) return;
        address holder = _pickHolder(actorSeed, loanId);
        uint256 before = usdc.balanceOf(holder);
        vm.prank(holder);
        uint256 amount = book.claim(loanId);
        if (usdc.balanceOf(holder) - before != amount) ghost.violate("claim paid other than it reported", loanId, amount, 0);
        ghost.claimed(loanId, holder, amount);
    }

    function claimMany(uint256 actorSeed) external step {
        address holder = _actor(actorSeed);
        uint256[] memory ids = ghost.allLoans();
        uint256[] memory amounts = new uint256[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            amounts[i] = book.claimable(ids[i], holder);
        }
        uint256 before = usdc.balanceOf(holder);
        vm.prank(holder);
        uint256 total = book.claimMany(ids);
        uint256 sum;
        for (uint256 i; i < ids.length; ++i) {
            sum += amounts[i];
            if (amounts[i] != 0) ghost.claimed(ids[i], holder, amounts[i]);
        }
        if (total != sum || usdc.balanceOf(holder) - before != total) {
            ghost.violate("claimMany paid other than the claimable sum", total, sum, 0);
        }
    }

    function withdrawFees() external step {
        uint256[] memory ids = ghost.allLoans();
        uint256[] memory due = new uint256[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            due[i] = _feesDue(ids[i]);
        }
        vm.prank(address(platform));
        book.withdrawFees(ids);
        for (uint256 i; i < ids.length; ++i) {
            if (due[i] != 0) ghost.feesWithdrawn(ids[i], due[i]);
        }
    }

    // ------------------------------------------------------------------ time and donations

    /// @notice Time passes: a little, a lot, to just past a listing's deadline or start window, or
    ///         to a loan's default eligibility. A keeper usually republishes both prices afterwards.
    function warp(uint256 secondsSeed, uint256 mode, bool keeper) external step {
        uint256 now_ = ghost.clock();
        uint256 target;
        mode %= 5;
        if (mode == 0) {
            target = now_ + _bound(secondsSeed, 1 minutes, 3 days);
        } else if (mode == 1) {
            target = now_ + _bound(secondsSeed, 3 days, 45 days);
        } else {
            (uint256 loanId, bool found) = _pickLoan(secondsSeed, mode == 4 ? isActive : isListed);
            if (!found) return;
            if (mode == 4) target = book.collateralState(loanId).defaultEligibleAt;
            else target = ghost.loan(loanId).deadline + (mode == 3 ? Launch.START_WINDOW : 0) + (secondsSeed >> 8) % 3;
        }
        if (target <= now_) target = now_ + 1;
        ghost.advance(target - now_);
        if (keeper) {
            _republish(ethFeed);
            _republish(usdFeed);
        }
    }

    function donate(uint256 amountSeed, uint256 where) external step {
        uint256 amount = _bound(amountSeed, 1, 1_000 * Launch.USDC);
        where %= 3;
        if (where == 0) {
            usdc.mint(address(book), amount);
            ghost.donated(amount, 0, 0);
        } else if (where == 1) {
            uint256 wethAmount = _bound(amountSeed, 1, 10 * Launch.WETH);
            weth.mint(address(vault), wethAmount);
            ghost.donated(0, wethAmount, 0);
        } else {
            usdc.mint(address(autolend), amount);
            ghost.donated(0, 0, amount);
        }
    }

    // ------------------------------------------------------------------ internals

    /// @dev Collateral worth the required ratio of `principal` plus 0-50% (or 10-200% of it when
    ///      voluntary), at the current prices; 0 when a price is unusable.
    function _collateralFor(uint256 principal, uint256 minRatioBps, uint256 seed) private view returns (uint256) {
        (bool ethOk, uint256 ethWad) = oracle.tryPriceWad(address(weth));
        (bool usdOk, uint256 usdWad) = oracle.tryPriceWad(address(usdc));
        if (!ethOk || !usdOk) return 0;
        uint256 ratio = minRatioBps == 0 ? _bound(seed, 1_000, 20_000) : minRatioBps * _bound(seed, 10_000, 15_000) / Launch.BPS;
        uint256 valueWad = principal * usdWad / Launch.USDC * ratio / Launch.BPS;
        return valueWad * Launch.WETH / ethWad + 1 + (seed >> 64) % 1e12;
    }

    /// @dev `bits` bits of `seed` from bit `shift`, so one seed draws independent fields.
    function _field(uint256 seed, uint256 shift, uint256 bits) private pure returns (uint256) {
        return (seed >> shift) & ((1 << bits) - 1);
    }

    function _republish(IMockFeed feed) private {
        (, int256 answer,,,) = feed.latestRoundData();
        if (answer > 0) feed.setAnswer(answer);
    }

    function _sign(uint256 key, IScoreRegistry.ScoreAttestation memory a) private view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, Build.digest(a, address(registry)));
        return abi.encodePacked(r, s, v);
    }
}
