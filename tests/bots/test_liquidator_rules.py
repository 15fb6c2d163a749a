"""The liquidator's pure rules: what it decides for a loan, how much it repays, when a liquidation
would lose money, and which alerts a loan state raises (no chain, no database)."""

from __future__ import annotations

from backend.bots.liquidator.alerts import collateral_alerts, liquidation_alerts, schedule_alerts
from backend.bots.liquidator.decisions import (START_WINDOW, Listing, decide, listing_chore, profit_shortfall,
                                               repay_amount)
from backend.sdk.types import WAD, ZERO_ADDRESS, AmountDue, LoanState, Position, Quote, Units

DAY = 86_400
NOW = 1_900_000_000
USDC = Quote(True, WAD, 10**6)
WETH_ADDR = "0x" + "11" * 20
BORROWER, LENDER = "0x" + "b0" * 20, "0x" + "1e" * 20
USDC_UNITS, WETH_UNITS = Units("USDC", 6), Units("WETH", 18)


def state(status="active", health=2 * WAD, usable=True, collateral=10**18, until_default=30 * DAY, late=False,
          payoff=1_000 * 10**6, due_date=NOW + 10 * DAY, liquidation_price=1_500 * WAD, loan_id=7):
    return LoanState(loan_id, status, AmountDue(0, 10 * 10**6, 100 * 10**6, payoff, due_date), late, until_default,
                     WETH_ADDR if collateral else ZERO_ADDRESS, collateral, health, liquidation_price, usable)


def position(amount=10**18, bonus=500, close_factor=5_000):
    return Position(WETH_ADDR, amount, "0x" + "22" * 20, 5_000, 8_000, bonus, close_factor)


def test_listing_chores_mirror_the_book():
    listing = Listing(3, NOW - 1, principal=1_000, funded=700, min_fill_bps=7_000)
    assert listing_chore(listing, NOW).kind == "start"
    assert listing_chore(Listing(3, NOW - 1, 1_000, 699, 7_000), NOW).kind == "expire"
    assert listing_chore(Listing(3, NOW - 1, 1_001, 700, 7_000), NOW).kind == "expire"  # 700.7 rounds up to 701
    assert listing_chore(Listing(3, NOW, 1_000, 700, 7_000), NOW) is None  # deadline not passed
    late_start = Listing(3, NOW - START_WINDOW - 1, 1_000, 1_000, 7_000)
    assert listing_chore(late_start, NOW).kind == "expire"  # past the start window


def test_decide_picks_the_one_action_due():
    assert decide(state(), None, NOW) is None
    assert decide(state(health=WAD - 1), None, NOW).kind == "liquidate"
    assert decide(state(health=WAD), None, NOW) is None  # health exactly 1 is not liquidatable
    assert decide(state(health=WAD - 1, usable=False), None, NOW).kind == "paused"
    assert decide(state(status="defaulted"), None, NOW).kind == "liquidate"
    assert decide(state(status="defaulted", collateral=0), None, NOW) is None
    assert decide(state(health=WAD - 1, until_default=0), None, NOW).kind == "mark_default"
    assert decide(state(collateral=0, health=2**256 - 1, until_default=0), None, NOW).kind == "mark_default"
    assert decide(state(status="repaid"), None, NOW).kind == "release"
    assert decide(state(status="repaid", collateral=0), None, NOW) is None
    assert decide(state(status="listed"), Listing(7, NOW - 1, 1_000, 0, 7_000), NOW).kind == "expire"


def test_repayment_is_the_close_factor_and_costs_what_the_collateral_covers():
    weth = Quote(True, 3_000 * WAD, 10**18)
    # plenty of collateral: half the debt (close factor), rounded down; all of it once defaulted
    assert repay_amount(state(payoff=1_001), position(), USDC, weth) == (500, 500)
    assert repay_amount(state(status="defaulted", payoff=1_001), position(), USDC, weth) == (1_001, 1_001)
    # 1 WETH at $300 covers 300 / 1.05 = 285.7142857 USDC of the 500 asked: all of it is seized for that
    crashed = Quote(True, 300 * WAD, 10**18)
    assert repay_amount(state(payoff=1_000 * 10**6), position(), USDC, crashed) == (500 * 10**6, 285_714_286)


def test_profit_check_counts_gas_and_refuses_a_loss():
    weth = Quote(True, 2_000 * WAD, 10**18)
    repay = 100 * 10**6  # $100
    seized = 105 * 10**18 // 2_000  # $105 of WETH: $5 bonus
    assert profit_shortfall(seized, repay, 200_000, 2 * 10**9, USDC, weth, 2_000 * WAD, 0) is None  # gas $0.80
    assert "unprofitable" in profit_shortfall(seized, repay, 2_000_000, 2 * 10**9, USDC, weth, 2_000 * WAD, 0)
    assert "unprofitable" in profit_shortfall(seized, repay, 200_000, 2 * 10**9, USDC, weth, 2_000 * WAD, 500)
    assert "unprofitable" in profit_shortfall(seized * 99 // 105, repay, 0, 0, USDC, weth, 2_000 * WAD, 0)


def test_collateral_alerts_at_20_and_10_percent_above_the_liquidation_price():
    assert collateral_alerts(state(health=WAD * 121 // 100), BORROWER, 1337) == []
    [twenty] = collateral_alerts(state(health=WAD * 12 // 10), BORROWER, 1337)
    assert (twenty.kind, twenty.wallet, twenty.dedupe_key) == ("collateral_20", BORROWER, f"collateral20:1337:7:{BORROWER}")
    [ten] = collateral_alerts(state(health=WAD * 105 // 100), BORROWER, 1337)
    assert ten.kind == "collateral_10"
    assert "within 10% of the liquidation price ($1,500)" in ten.message
    assert collateral_alerts(state(health=WAD, usable=False), BORROWER, 1337) == []


def test_schedule_alerts_follow_the_due_date():
    kinds = lambda s: [(a.kind, a.wallet) for a in schedule_alerts(s, BORROWER, [LENDER], NOW, 1337, USDC_UNITS)]  # noqa: E731
    assert kinds(state(due_date=NOW + 4 * DAY)) == []
    assert kinds(state(due_date=NOW + 3 * DAY)) == [("instalment_due", BORROWER)]
    assert kinds(state(due_date=NOW - 1)) == [("grace_started", BORROWER)]
    assert kinds(state(due_date=NOW - 1, late=True)) == [("late", BORROWER), ("late", LENDER)]
    assert kinds(state(status="defaulted")) == [("defaulted", BORROWER), ("defaulted", LENDER)]
    first = schedule_alerts(state(due_date=NOW + DAY), BORROWER, [], NOW, 1337, USDC_UNITS)[0]
    second = schedule_alerts(state(due_date=NOW + 31 * DAY), BORROWER, [], NOW + 29 * DAY, 1337, USDC_UNITS)[0]
    assert first.dedupe_key != second.dedupe_key  # a new instalment is a new alert
    assert first.message == "Loan #7: 100 USDC is due by 2030-03-18 17:46 UTC."  # NOW + 1 day, in words
    [late, _] = schedule_alerts(state(due_date=NOW - 1, late=True), BORROWER, [LENDER], NOW, 1337, USDC_UNITS)
    assert "100 USDC brings it up to date" in late.message


def test_liquidation_alerts_reach_borrower_and_holders_once_each():
    event = {"loan_id": 7, "tx_hash": "0xab", "log_index": 3,
             "args": {"repaid": "285714286", "seized": str(10**18 // 3), "liquidator": LENDER}}
    alerts = liquidation_alerts(event, BORROWER, [LENDER, LENDER, BORROWER], 1337, USDC_UNITS, WETH_UNITS)
    assert [(a.kind, a.wallet) for a in alerts] == [("liquidated", BORROWER), ("liquidated", LENDER)]
    assert alerts[0].message == ("Loan #7 was liquidated: 285.71 USDC of its debt was repaid with 0.333333 WETH "
                                 "of its collateral.")
    assert len({a.dedupe_key for a in alerts}) == 2
