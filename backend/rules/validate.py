"""Rule validation before anything is signed: every check of `AutoLend._setRule` (and the token
check of `createCommitment`), in the contract's order, naming the field as its
`InvalidRule(field, value)` would. The first refusal is the one the contract reverts with; the
others are listed too so a form can mark every bad field at once.

A budget above the deposit is not refused (the deposit caps funding; the lender may deposit
more later): it is a warning. `expiry` is compared with the latest block's time, as the contract
compares it with the time of the block that includes the transaction (which is later still).
"""

from __future__ import annotations

from typing import Callable, Mapping

WORST_GRADE = 9
MAX_APR_BPS = 10_000
MAX_COLLATERAL_RATIO_BPS = 50_000
MAX_PD_BPS = 10_000
UINT32, UINT40, UINT96 = 2**32 - 1, 2**40 - 1, 2**96 - 1

RULE_FIELDS = ("worstGrade", "minAprBps", "maxAprBps", "maxTerm", "minCollateralRatioBps", "maxPerLoan",
               "maxPerBorrower", "budget", "expiry", "reinvest", "purposeMask", "maxPdBps", "operator")

# (field, refused(rule, now)) in AutoLend._setRule's order.
CHECKS: tuple[tuple[str, Callable[[Mapping, int], bool]], ...] = (
    ("worstGrade", lambda r, now: r["worstGrade"] == 0 or r["worstGrade"] > WORST_GRADE),
    ("maxAprBps", lambda r, now: r["maxAprBps"] > MAX_APR_BPS),
    ("minAprBps", lambda r, now: r["minAprBps"] > r["maxAprBps"]),
    ("maxTerm", lambda r, now: r["maxTerm"] > UINT32),
    ("minCollateralRatioBps", lambda r, now: r["minCollateralRatioBps"] > MAX_COLLATERAL_RATIO_BPS),
    ("maxPerLoan", lambda r, now: r["maxPerLoan"] > UINT96),
    ("maxPerBorrower", lambda r, now: r["maxPerBorrower"] > UINT96),
    ("budget", lambda r, now: r["budget"] > UINT96),
    ("expiry", lambda r, now: r["expiry"] <= now or r["expiry"] > UINT40),
    ("purposeMask", lambda r, now: r["purposeMask"] == 0 or r["purposeMask"] > UINT32),
    ("maxPdBps", lambda r, now: r["maxPdBps"] > MAX_PD_BPS),
)


def invalid_fields(rule: Mapping, now: int, token: str | None = None) -> list[dict]:
    """[{field, value}] the contract would refuse, in its order (empty: the rule would be accepted).
    `token` is createCommitment's (None when only `setRule` is meant)."""
    refused = [{"field": "token", "value": 0}] if token is not None and int(token, 16) == 0 else []
    return refused + [{"field": name, "value": rule[name]} for name, check in CHECKS if check(rule, now)]


def warnings(rule: Mapping, deposit: int | None) -> list[dict]:
    """What is allowed but probably not meant."""
    found = []
    if deposit is not None and rule["budget"] > deposit:
        found.append({"field": "budget", "code": "budget_above_deposit",
                      "message": f"the budget {rule['budget']} is above the deposit {deposit}: the deposit caps "
                                 "funding until you deposit more"})
    if rule["maxPerLoan"] == 0 or rule["maxPerBorrower"] == 0 or rule["budget"] == 0:
        zero = next(name for name in ("maxPerLoan", "maxPerBorrower", "budget") if rule[name] == 0)
        found.append({"field": zero, "code": "funds_nothing", "message": f"{zero} is 0: the rule can fund nothing"})
    return found
