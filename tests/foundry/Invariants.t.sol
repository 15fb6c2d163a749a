// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IAutoLend} from "../../contracts/interfaces/IAutoLend.sol";
import {ILoanBook} from "../../contracts/interfaces/ILoanBook.sol";
import {AutoLendHandler} from "./handlers/AutoLendHandler.sol";
import {BookHandler} from "./handlers/BookHandler.sol";
import {Ghost} from "./handlers/Ghost.sol";
import {NotesHandler} from "./handlers/NotesHandler.sol";
import {OracleHandler} from "./handlers/OracleHandler.sol";
import {VaultHandler} from "./handlers/VaultHandler.sol";
import {Build, Deployment, Launch} from "./utils/Platform.sol";

/// @dev The position getter of CollateralVault (its first two fields: token, amount).
interface IVaultPositions {
    function positions(uint256 loanId) external view returns (address token, uint96 amount);
}

/// @title InvariantsTest
/// @notice The platform's invariants (those of tests/contracts/test_invariants.py) under random
///         sequences of handler actions on the real LoanBook, CollateralVault, PriceOracle,
///         AutoLend and ScoreRegistry, with time warps. Checked after every handler call:
///  1. solvency: the book's loan-token balance equals what it owes (holders' unclaimed income +
///     platform fees not withdrawn + the escrowed principal of listed, cancelled and expired
///     loans) plus donations; the vault's collateral balance equals the sum of the positions plus
///     donations; AutoLend's balance equals the sum of its commitments' available funds plus donations;
///  2. exact shares: each holder's claimed + claimable income is within one base unit of its exact
///     pro-rata share of the income distributed while it held notes (ghost, exact integers);
///  3. notes: every loan's note supply (the holders' balances) equals its funded principal;
///  4. status ladder: no status change outside ILoanBook's lifecycle (checked after every call);
///  5. commitment limits: every funding from a commitment was within its rule, budget, funds and
///     limits; stored budgets and per-borrower amounts are the ghost's;
///  6. health: no withdrawal left a loan below its required collateral ratio, and no liquidation
///     of an active loan succeeded at health >= 1.
contract InvariantsTest is Deployment {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    error InvariantBroken(string what, uint256 id, uint256 actual, uint256 expected);
    error HandlerViolation(string what, uint256 a, uint256 b, uint256 c);

    uint256 internal constant START = 1_750_000_000;
    uint256 internal constant ACTORS = 5;

    Ghost internal ghost;
    BookHandler internal bookHandler;
    VaultHandler internal vaultHandler;
    OracleHandler internal oracleHandler;
    NotesHandler internal notesHandler;
    AutoLendHandler internal autoLendHandler;

    function setUp() public {
        vm.warp(START);
        deploy();
        address[] memory actors = new address[](ACTORS);
        for (uint256 i; i < ACTORS; ++i) {
            actors[i] = address(uint160(0xA000 + i));
            vm.startPrank(actors[i]);
            usdc.approve(address(book), type(uint256).max);
            usdc.approve(address(autolend), type(uint256).max);
            weth.approve(address(vault), type(uint256).max);
            vm.stopPrank();
        }
        ghost = new Ghost(this, actors, START);
        bookHandler = new BookHandler(ghost);
        vaultHandler = new VaultHandler(ghost);
        oracleHandler = new OracleHandler(ghost);
        notesHandler = new NotesHandler(ghost);
        autoLendHandler = new AutoLendHandler(ghost);

        // Every run starts with an active secured loan, a partly funded listing and a commitment.
        bookHandler.list(0, 5, 1_000, _shape(1_200, 12, 30, 7, 7_000), 1 | (2_500 << 8)); // grade 6, secured
        bookHandler.fund(1, 0, 0); // the whole principal: it starts
        bookHandler.list(1, 2, 600, _shape(900, 6, 14, 10, 7_000), 1); // grade 3, unsecured
        bookHandler.fund(2, 1, 2 + (200e6 << 2));
        // tailored to the listing, unlimited, reinvesting, 30 days, 5,000 USDC deposited
        autoLendHandler.create(3, 0, 30 days << 192, 1 + (5_000e6 << 3));
    }

    /// @dev A `shapeSeed` for BookHandler.list that draws these terms.
    function _shape(uint256 apr, uint256 instalments, uint256 periodDays, uint256 deadlineDays, uint256 minFill)
        private
        pure
        returns (uint256)
    {
        return apr | ((instalments - 1) << 16) | ((periodDays - 1) << 32) | ((deadlineDays * 1 days - 1 hours) << 48)
            | (1 << 80) | ((minFill - 1) << 96);
    }

    // ------------------------------------------------------------------ what forge fuzzes

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](5);
        targets[0] = address(bookHandler);
        targets[1] = address(vaultHandler);
        targets[2] = address(oracleHandler);
        targets[3] = address(notesHandler);
        targets[4] = address(autoLendHandler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        targets = new FuzzSelector[](5);
        bytes4[] memory b = new bytes4[](14);
        b[0] = BookHandler.list.selector;
        b[1] = BookHandler.fund.selector;
        b[2] = BookHandler.start.selector;
        b[3] = BookHandler.cancel.selector;
        b[4] = BookHandler.refund.selector;
        b[5] = BookHandler.repay.selector;
        b[6] = BookHandler.markDefault.selector;
        b[7] = BookHandler.claim.selector;
        b[8] = BookHandler.claimMany.selector;
        b[9] = BookHandler.withdrawFees.selector;
        b[10] = BookHandler.warp.selector;
        b[11] = BookHandler.donate.selector;
        b[12] = BookHandler.replayAttestation.selector;
        b[13] = BookHandler.expire.selector;
        targets[0] = FuzzSelector(address(bookHandler), b);
        bytes4[] memory v = new bytes4[](5);
        v[4] = VaultHandler.setCollateralSettings.selector;
        v[0] = VaultHandler.topUp.selector;
        v[1] = VaultHandler.withdraw.selector;
        v[2] = VaultHandler.release.selector;
        v[3] = VaultHandler.liquidate.selector;
        targets[1] = FuzzSelector(address(vaultHandler), v);
        bytes4[] memory o = new bytes4[](5);
        o[0] = OracleHandler.moveEth.selector;
        o[1] = OracleHandler.moveUsd.selector;
        o[2] = OracleHandler.nearLiquidation.selector;
        o[3] = OracleHandler.unusable.selector;
        o[4] = OracleHandler.restore.selector;
        targets[2] = FuzzSelector(address(oracleHandler), o);
        bytes4[] memory n = new bytes4[](2);
        n[0] = NotesHandler.transfer.selector;
        n[1] = NotesHandler.transferBatch.selector;
        targets[3] = FuzzSelector(address(notesHandler), n);
        bytes4[] memory a = new bytes4[](7);
        a[0] = AutoLendHandler.create.selector;
        a[1] = AutoLendHandler.setRule.selector;
        a[2] = AutoLendHandler.deposit.selector;
        a[3] = AutoLendHandler.withdraw.selector;
        a[4] = AutoLendHandler.close.selector;
        a[5] = AutoLendHandler.fundFromCommitment.selector;
        a[6] = AutoLendHandler.reinvest.selector;
        targets[4] = FuzzSelector(address(autoLendHandler), a);
    }

    // ------------------------------------------------------------------ the invariants

    /// @notice Every invariant after every call. forge runs one campaign per invariant function,
    ///         in parallel: two campaigns with the same checks explore two horizons, long runs
    ///         (defaults, maturities, many loans) and many short runs (varied early states).
    ///         Runs and depth per profile are set here (`default` = CI, `long` >= 1,000,000 calls).
    /// forge-config: default.invariant.runs = 50
    /// forge-config: default.invariant.depth = 1000
    /// forge-config: long.invariant.runs = 500
    /// forge-config: long.invariant.depth = 1000
    function invariant_longRuns() public {
        checkAfterCall();
    }

    /// forge-config: default.invariant.runs = 200
    /// forge-config: default.invariant.depth = 250
    /// forge-config: long.invariant.runs = 2000
    /// forge-config: long.invariant.depth = 250
    function invariant_shortRuns() public {
        checkAfterCall();
    }

    /// @notice The global invariants (solvency, the handlers' per-call checks of the ladder, the
    ///         rules and health) read every contract; the per-loan ones (shares, notes, positions,
    ///         fees) and the per-commitment ones read every loan and commitment the call touched
    ///         (the ghost tracks them) plus one more of each in rotation, and `afterInvariant`
    ///         sweeps every loan and commitment at the end of each run, so a call that changed one
    ///         it should not have is caught too. (Checking all of them after every call would make
    ///         a call cost as many checks as a run has loans and commitments.)
    function checkAfterCall() public {
        vm.warp(ghost.clock());
        checkHandlerViolations();
        checkSolvency();
        uint256 rotation = ghost.successfulCalls();
        uint256[] memory commitments = ghost.touchedCommitments();
        for (uint256 i; i < commitments.length; ++i) {
            checkCommitment(commitments[i], false);
        }
        uint256 c = ghost.commitmentCount();
        if (c != 0) checkCommitment(ghost.commitmentIds(rotation % c), false);
        uint256[] memory touched = ghost.touched();
        for (uint256 i; i < touched.length; ++i) {
            checkLoan(touched[i]);
        }
        uint256 n = ghost.loanCount();
        if (n != 0) checkLoan(ghost.loanIds(rotation % n));
    }

    /// @notice The end of a run: every invariant on every loan and commitment.
    function afterInvariant() public {
        vm.warp(ghost.clock());
        checkHandlerViolations();
        checkSolvency();
        uint256[] memory commitments = ghost.allCommitments();
        for (uint256 i; i < commitments.length; ++i) {
            checkCommitment(commitments[i], true);
        }
        uint256 n = ghost.loanCount();
        for (uint256 i; i < n; ++i) {
            checkLoan(ghost.loanIds(i));
        }
    }

    /// @notice 4 (ladder), 5 (each funding within its rule) and 6 (health after withdrawals and
    ///         liquidations) as the handlers saw them after every call, plus the handlers' own
    ///         exactness checks (pulls, payouts, refunds, statuses after a payoff or full funding).
    function checkHandlerViolations() public view {
        if (ghost.violationCount() != 0) {
            Ghost.Violation memory v = ghost.violation(0);
            revert HandlerViolation(v.what, v.a, v.b, v.c);
        }
    }

    /// @notice 1. Book, vault and AutoLend hold exactly what they owe, plus donations: the ghost
    ///         keeps each sum up to date (escrowed principal of listed, cancelled and expired loans
    ///         + payments - claims - fees withdrawn; positions; commitments' available).
    function checkSolvency() public view {
        _eq("solvency: book balance", 0, usdc.balanceOf(address(book)), ghost.bookOwes());
        _eq("solvency: vault balance", 0, weth.balanceOf(address(vault)), ghost.vaultOwes());
        _eq("solvency: AutoLend balance", 0, usdc.balanceOf(address(autolend)), ghost.autoLendOwes());
    }

    /// @notice 2, 3 and the per-loan parts of 1 for one loan: notes, shares, fees, collateral.
    function checkLoan(uint256 loanId) public view {
        Ghost.LoanG memory l = ghost.loan(loanId);
        ILoanBook.LoanRecord memory onChain = book.loanRecord(loanId);
        _eq("status", loanId, uint8(onChain.terms.status), uint8(l.status));
        _eq("platform fees due", loanId, onChain.schedule.platformFeesDue, l.feesAccrued - l.feesOut);
        (, uint96 position) = IVaultPositions(address(vault)).positions(loanId);
        _eq("collateral position", loanId, position, l.collateral);
        checkHolders(loanId, onChain.funding.funded, l);
    }

    /// @notice 3 and 2 for one loan's holders (one pass, one ghost read each). 3: the note supply
    ///         (the holders' balances) equals the funded principal, and every balance is the
    ///         ghost's. 2: each holder's claimed + claimable is at most its exact pro-rata share + 1
    ///         base unit and at least the share - 1; together the holders' claimable income never
    ///         exceeds what the book holds for them.
    function checkHolders(uint256 loanId, uint256 funded, Ghost.LoanG memory l) public view {
        address[] memory actors = ghost.allActors();
        uint256[] memory ids = new uint256[](actors.length);
        for (uint256 j; j < actors.length; ++j) {
            ids[j] = loanId;
        }
        uint256[] memory balances = IERC1155(address(book)).balanceOfBatch(actors, ids);
        uint256 supply;
        uint256 claimable;
        for (uint256 j; j < actors.length; ++j) {
            Ghost.HolderG memory h = ghost.holder(loanId, actors[j]);
            _eq("note balance", loanId, balances[j], h.notes);
            supply += balances[j];
            uint256 c = book.claimable(loanId, actors[j]);
            claimable += c;
            _checkShare(loanId, h.claimed + c, uint256(int256(h.notes * l.distributed) - h.shareDebt), l.funded);
        }
        _eq("notes supply = funded", loanId, supply, funded);
        _eq("funded (ghost)", loanId, supply, l.funded);
        if (claimable > l.distributed - l.claimedOut) {
            revert InvariantBroken("share: claimable above unclaimed income", loanId, claimable, l.distributed - l.claimedOut);
        }
    }

    /// @dev `got` (claimed + claimable) against the exact share, exactTimesSupply / supply, ± 1.
    function _checkShare(uint256 loanId, uint256 got, uint256 exactTimesSupply, uint256 supply) private pure {
        if (supply == 0) {
            _eq("income without notes", loanId, got, 0);
            return;
        }
        if (got * supply > exactTimesSupply + supply) {
            revert InvariantBroken("share: holder above exact share + 1", loanId, got, exactTimesSupply / supply);
        }
        if ((got + 1) * supply < exactTimesSupply) {
            revert InvariantBroken("share: holder below exact share - 1", loanId, got, exactTimesSupply / supply);
        }
    }

    /// @notice 5. A commitment's available funds and budget (its rule's less what it lent since
    ///         the rule was set, never below zero) are the ghost's; with `perBorrower`, so is what
    ///         it lent each borrower. A closed commitment is gone.
    function checkCommitment(uint256 id, bool perBorrower) public view {
        Ghost.CommitmentG memory g = ghost.commitment(id);
        IAutoLend.Commitment memory c = autolend.commitment(id);
        if (!g.open) {
            _eq("closed commitment still stored", id, uint160(c.lender), 0);
            return;
        }
        _eq("commitment available", id, c.available, g.available);
        if (g.lentSinceRule > g.rule.budget) {
            revert InvariantBroken("commitment lent beyond its budget", id, g.lentSinceRule, g.rule.budget);
        }
        _eq("commitment budget", id, c.budget, g.rule.budget - g.lentSinceRule);
        if (!perBorrower) return;
        address[] memory actors = ghost.allActors();
        for (uint256 j; j < actors.length; ++j) {
            _eq("lent to borrower", id, autolend.lentToBorrower(id, actors[j]), ghost.lentToBorrower(id, actors[j]));
        }
    }

    function _eq(string memory what, uint256 id, uint256 actual, uint256 expected) private pure {
        if (actual != expected) revert InvariantBroken(what, id, actual, expected);
    }
}
