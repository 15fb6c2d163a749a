"""Alerts before (and when) something happens to a loan: pure functions of the lens state.

Each alert's dedupe key names the condition and what makes it new (the due date for instalment
alerts, the liquidation's log for liquidations), so it is stored and sent once per wallet:

- collateral_20 / collateral_10: the collateral price is within 20% / 10% of the liquidation price
  (health is proportional to the collateral price, so health <= 1.2 / 1.1) — to the borrower;
- instalment_due: the next instalment is due within 3 days — to the borrower;
- grace_started: the due date passed, the grace period runs (not late yet) — to the borrower;
- late: an instalment is unpaid past its grace period — to the borrower and the note holders;
- defaulted — to the borrower and the note holders;
- liquidated (from indexed Liquidated events) — to the borrower and the note holders.
"""

from __future__ import annotations

from typing import Iterable

from backend.notify import Alert
from backend.notify.wording import amount, date, usd_wad
from backend.sdk.types import WAD, LoanState, Units

DUE_SOON = 3 * 86_400
COLLATERAL_LEVELS = ((10, 11 * WAD // 10), (20, 12 * WAD // 10))  # (percent above, health at or below)


def _each(wallets: Iterable[str], kind: str, key: str, loan_id: int, message: str, payload: dict) -> list[Alert]:
    return [Alert(wallet, kind, message, f"{key}:{wallet}", loan_id, payload) for wallet in dict.fromkeys(wallets)]


def collateral_alerts(state: LoanState, borrower: str, chain_id: int) -> list[Alert]:
    if state.status != "active" or not state.secured or not state.price_usable or not state.liquidation_price_wad:
        return []
    for percent, level in COLLATERAL_LEVELS:
        if state.health_wad <= level:
            payload = {"health_wad": str(state.health_wad), "liquidation_price_wad": str(state.liquidation_price_wad)}
            message = (f"Loan #{state.loan_id}: the collateral price is within {percent}% of the liquidation price "
                       f"({usd_wad(state.liquidation_price_wad)}). Add collateral or repay to avoid liquidation.")
            return _each([borrower], f"collateral_{percent}", f"collateral{percent}:{chain_id}:{state.loan_id}",
                         state.loan_id, message, payload)
    return []


def schedule_alerts(state: LoanState, borrower: str, holders: list[str], now: int, chain_id: int,
                    units: Units) -> list[Alert]:
    """`units`: the loan token's."""
    if state.status == "defaulted":
        return _each([borrower, *holders], "defaulted", f"defaulted:{chain_id}:{state.loan_id}", state.loan_id,
                     f"Loan #{state.loan_id} has defaulted; its collateral, if any, will be liquidated.", {})
    due = state.due.next_due_date
    if state.status != "active" or not due:
        return []
    base = f"{chain_id}:{state.loan_id}:{due}"
    payload = {"next_due_date": due, "to_be_current": str(state.due.to_be_current)}
    if state.late:
        return _each([borrower, *holders], "late", f"late:{base}", state.loan_id,
                     f"Loan #{state.loan_id} is late: {amount(state.due.to_be_current, units)} brings it up to date.",
                     payload)
    if due <= now:
        return _each([borrower], "grace_started", f"grace:{base}", state.loan_id,
                     f"Loan #{state.loan_id}: the instalment due {date(due)} is unpaid; the grace period has started.",
                     payload)
    if due - now <= DUE_SOON:
        return _each([borrower], "instalment_due", f"due:{base}", state.loan_id,
                     f"Loan #{state.loan_id}: {amount(state.due.to_be_current, units)} is due by {date(due)}.", payload)
    return []


def liquidation_alerts(event: dict, borrower: str, holders: list[str], chain_id: int, loan_units: Units,
                       collateral_units: Units) -> list[Alert]:
    """`event`: an indexed Liquidated event (loan_id, tx_hash, log_index, args)."""
    args = event["args"]
    message = (f"Loan #{event['loan_id']} was liquidated: {amount(int(args['repaid']), loan_units)} of its debt "
               f"was repaid with {amount(int(args['seized']), collateral_units, 6)} of its collateral.")
    return _each([borrower, *holders], "liquidated",
                 f"liquidated:{chain_id}:{event['loan_id']}:{event['tx_hash']}:{event['log_index']}", event["loan_id"],
                 message, {"repaid": args["repaid"], "seized": args["seized"], "liquidator": args["liquidator"]})
