"""Auto-lend rules API over a fake chain: validation mirrors AutoLend._setRule field by field,
the backtest's exact numbers on a hand-built history, commitments from indexed events and chain,
and filters only for the commitment's own lender."""

from __future__ import annotations

import pytest

from backend.db import database
from backend.db.models import AutoLendFilter, ChainEvent, Loan
from backend.indexer.abi import checksum
from backend.indexer.projection import pad
from tests.backend.conftest import ALICE, BLOCK_TIME, BOB, FakeChain, bearer, sign_in
from tests.backend.test_app import assert_error

USDC = 10**6
TOKEN = checksum("0x" + "d5" * 20)
OTHER_TOKEN = checksum("0x" + "e6" * 20)
BORROWER_X = checksum("0x" + "0b" * 20)
BORROWER_Y = checksum("0x" + "0c" * 20)
DAY = 86_400
ZERO = "0x" + "00" * 20


def a_rule(**changes) -> dict:
    rule = {"worstGrade": 5, "minAprBps": 1_000, "maxAprBps": 3_000, "maxTerm": 365 * DAY,
            "minCollateralRatioBps": 0, "maxPerLoan": 100 * USDC, "maxPerBorrower": 150 * USDC,
            "budget": 1_000 * USDC, "expiry": BLOCK_TIME + 30 * DAY, "reinvest": False, "purposeMask": 2**32 - 1,
            "maxPdBps": 10_000, "operator": ZERO}
    return rule | changes


class CommitmentChain(FakeChain):
    """The fake chain, also answering AutoLend.commitment (as Web3Chain.view decodes it)."""

    def __init__(self):
        super().__init__()
        self.commitments: dict[int, dict] = {}

    def view(self, name, function, *args):
        self._check()
        assert (name, function) == ("AutoLend", "commitment")
        closed = dict.fromkeys(a_rule(), "0") | {"lender": ZERO, "token": ZERO, "operator": ZERO, "reinvest": False,
                                                  "available": "0"}
        return self.commitments.get(args[0], closed)


@pytest.fixture
def chain():
    return CommitmentChain()


def validate(client, rule, **extra):
    return client.post("/rules/validate", json={"rule": rule, **extra})


# -- validation --------------------------------------------------------------------------------

def test_a_good_rule_is_valid_and_a_budget_above_the_deposit_only_warns(client):
    assert validate(client, a_rule()).json == {"valid": True, "warnings": []}
    body = validate(client, a_rule(), deposit=str(500 * USDC), token=TOKEN).json
    assert body["valid"] is True and [w["code"] for w in body["warnings"]] == ["budget_above_deposit"]


@pytest.mark.parametrize("changes, field, value", [
    ({"worstGrade": 0}, "worstGrade", 0),
    ({"worstGrade": 10}, "worstGrade", 10),
    ({"maxAprBps": 10_001, "minAprBps": 0}, "maxAprBps", 10_001),
    ({"minAprBps": 3_001}, "minAprBps", 3_001),
    ({"maxTerm": 2**32}, "maxTerm", 2**32),
    ({"minCollateralRatioBps": 50_001}, "minCollateralRatioBps", 50_001),
    ({"maxPerLoan": 2**96}, "maxPerLoan", 2**96),
    ({"maxPerBorrower": 2**96}, "maxPerBorrower", 2**96),
    ({"budget": 2**96}, "budget", 2**96),
    ({"expiry": BLOCK_TIME}, "expiry", BLOCK_TIME),  # not after the latest block: refused
    ({"expiry": 2**40}, "expiry", 2**40),
    ({"purposeMask": 0}, "purposeMask", 0),
    ({"purposeMask": 2**32}, "purposeMask", 2**32),
    ({"maxPdBps": 10_001}, "maxPdBps", 10_001),
])
def test_each_contract_check_names_its_field(client, changes, field, value):
    error = assert_error(validate(client, a_rule(**changes)), 422, "invalid_rule")
    assert error["details"]["field"] == field and error["details"]["value"] == str(value)
    assert error["message"] == f"InvalidRule({field}, {value})"


def test_the_first_refusal_is_the_contracts_and_all_are_listed(client):
    error = assert_error(validate(client, a_rule(minAprBps=5_000, expiry=1, maxPdBps=20_000), token=ZERO), 422,
                         "invalid_rule")
    assert error["details"]["field"] == "token"
    assert [e["field"] for e in error["details"]["errors"]] == ["token", "minAprBps", "expiry", "maxPdBps"]
    assert validate(client, a_rule(expiry=BLOCK_TIME + 1)).json["valid"] is True


@pytest.mark.parametrize("bad", [{"worstGrade": 1.5}, {"worstGrade": -1}, {"budget": "1e6"}, {"reinvest": "maybe"},
                                 {"budget": str(2**256)}, {"operator": "0x12"}])
def test_malformed_values_are_422_validation_failed(client, bad):
    assert_error(validate(client, a_rule(**bad)), 422, "validation_failed")


def test_uint256_strings_are_exact(client):
    error = assert_error(validate(client, a_rule(budget=str(2**96 + 7))), 422, "invalid_rule")
    assert error["details"]["value"] == str(2**96 + 7)


# -- backtest ----------------------------------------------------------------------------------

def loan(loan_id: int, status: str, *, borrower=BORROWER_X, token=TOKEN, grade=5, apr=2_000, principal=1_000 * USDC,
         funded=None, interest=0, late_fees=0, fees=0, principal_repaid=0, outstanding=None, written_off=0,
         late_at=None) -> Loan:
    funded = principal if funded is None else funded
    return Loan(chain_id=1337, loan_id=loan_id, borrower=borrower, token=token, status=status, grade=grade,
                pd_bps=1_500, purpose=1, principal=pad(principal), funded=pad(funded), funded_bps=funded * 10_000 // principal,
                apr_bps=apr, instalments=12, period=30 * DAY, term=360 * DAY, funding_deadline=BLOCK_TIME - 300 * DAY,
                min_fill_bps=7_000, min_collateral_ratio_bps=0, collateral_amount=pad(0), listed_at=BLOCK_TIME - 400 * DAY + loan_id,
                listed_block=loan_id, start_time=BLOCK_TIME - 390 * DAY if status not in ("expired", "cancelled") else None,
                outstanding=pad(funded - principal_repaid if outstanding is None else outstanding),
                principal_repaid=pad(principal_repaid), interest_repaid=pad(interest), late_fees_repaid=pad(late_fees),
                platform_fees=pad(fees), written_off=pad(written_off), recovered=pad(0), late_at=late_at)


@pytest.fixture
def history(app):
    """Seven past loans in the token (one in another token, one still listed), hand-built."""
    rows = [
        loan(1, "repaid", interest=120 * USDC, late_fees=5 * USDC, fees=12 * USDC, principal_repaid=1_000 * USDC),
        loan(2, "defaulted", funded=800 * USDC, interest=30 * USDC, fees=3 * USDC, principal_repaid=200 * USDC),
        loan(3, "active", borrower=BORROWER_Y, interest=40 * USDC, fees=4 * USDC, principal_repaid=300 * USDC,
             late_at=BLOCK_TIME + DAY),
        loan(4, "active", borrower=BORROWER_Y, interest=10 * USDC, fees=1 * USDC, principal_repaid=100 * USDC,
             late_at=BLOCK_TIME - DAY),
        loan(5, "expired", funded=100 * USDC),
        loan(6, "repaid", grade=7),  # outside the rule's grades
        loan(7, "closed", principal_repaid=900 * USDC, outstanding=0, written_off=50 * USDC),
        loan(8, "repaid", token=OTHER_TOKEN),
        loan(9, "listed", funded=0),
    ]
    with database(app).session() as db:
        db.add_all(rows)
        db.commit()


def preview(client, rule, **extra):
    response = client.post("/rules/preview", json={"rule": rule, "token": TOKEN.lower(), **extra})
    assert response.status_code == 200, response.json
    return response.json


def test_backtest_counts_amounts_outcomes_and_return_exactly(client, history):
    body = preview(client, a_rule())
    assert body["considered"] == 7 and body["funded"] == 4  # loans 8 (other token) and 9 (still listed) left out
    assert body["refusals"] == {"GradeOutsideRule": 1, "limits reached": 2}
    assert body["outcomes"] == {"repaid": 1, "defaulted": 1, "late": 1, "active": 1, "refunded": 0}
    # 100 per loan, 150 per borrower: X gets 100 (loan 1) + 50 (loan 2), then nothing (5, 7); Y 100 + 50
    assert [(item["loan_id"], item["amount"]) for item in body["loans"]] == [
        (1, str(100 * USDC)), (2, str(50 * USDC)), (3, str(100 * USDC)), (4, str(50 * USDC))]
    assert body["loans"][0] == {"loan_id": 1, "amount": str(100 * USDC), "outcome": "repaid",
                                "earned": str((120 + 5 - 12) * USDC // 10), "loss": "0"}
    earned = 113 * USDC // 10 + 27 * USDC * 50 // 800 + 36 * USDC // 10 + 9 * USDC // 20
    losses = 600 * USDC * 50 // 800 + 900 * USDC // 20
    assert (body["lent"], body["earned"], body["losses"]) == (str(300 * USDC), str(earned), str(losses))
    assert body["return_bps"] == (earned - losses) * 10_000 // (300 * USDC)


def test_backtest_numbers_per_borrower_limit_and_losses(client, history):
    body = preview(client, a_rule(maxPerBorrower=1_000 * USDC))
    by_loan = {item["loan_id"]: item for item in body["loans"]}
    assert sorted(by_loan) == [1, 2, 3, 4, 5, 7]
    # loan 2: 100 of 800 notes; earned (30 - 3) / 8; loss = outstanding 600 / 8 (defaulted)
    assert by_loan[2] == {"loan_id": 2, "amount": str(100 * USDC), "outcome": "defaulted",
                          "earned": str(27 * USDC // 8), "loss": str(75 * USDC)}
    assert by_loan[3]["outcome"] == "active" and by_loan[3]["loss"] == "0"
    assert by_loan[4] == {"loan_id": 4, "amount": str(100 * USDC), "outcome": "late", "earned": str(9 * USDC // 10),
                          "loss": str(90 * USDC)}  # late: the outstanding 900 counted as lost
    assert by_loan[5]["outcome"] == "refunded" and by_loan[5]["earned"] == "0"
    assert by_loan[7] == {"loan_id": 7, "amount": str(100 * USDC), "outcome": "defaulted", "earned": "0",
                          "loss": str(5 * USDC)}  # closed: the written-off 50 of 1000
    earned = 113 * USDC // 10 + 27 * USDC // 8 + 36 * USDC // 10 + 9 * USDC // 10
    losses = 75 * USDC + 90 * USDC + 5 * USDC
    lent = 500 * USDC  # loans 1, 2, 3, 4, 7 (the expired one came back)
    assert (body["lent"], body["earned"], body["losses"]) == (str(lent), str(earned), str(losses))
    assert body["return_bps"] == (earned - losses) * 10_000 // lent < 0


def test_backtest_budget_deposit_own_loans_and_filters(client, history):
    assert preview(client, a_rule(budget=250 * USDC))["funded"] == 3  # 100 + 50 + 100, then nothing left
    assert preview(client, a_rule(), deposit=str(150 * USDC))["funded"] == 2
    own = preview(client, a_rule(), lender=BORROWER_Y.lower())
    assert own["refusals"]["OwnLoan"] == 2
    filtered = preview(client, a_rule(), filters={"blocked_borrowers": [BORROWER_X], "min_score": 0})
    assert {item["loan_id"] for item in filtered["loans"]} == {3, 4}
    assert preview(client, a_rule(minAprBps=2_500))["funded"] == 0
    assert preview(client, a_rule(minAprBps=2_500))["return_bps"] is None


# -- commitments and filters -------------------------------------------------------------------

def created(app, commitment_id: int, lender: str) -> None:
    with database(app).session() as db:
        db.add(ChainEvent(chain_id=1337, block_number=commitment_id, block_hash="0x" + f"{commitment_id:064x}",
                          log_index=0, tx_hash="0x" + "ab" * 32, address="0x" + "a7" * 20, contract="AutoLend",
                          event="CommitmentCreated", args={"commitmentId": str(commitment_id), "lender": lender,
                                                           "token": TOKEN}, topics=[], data="0x"))
        db.commit()


def on_chain(lender: str, expiry: int, available: int) -> dict:
    rule = {k: str(v) for k, v in a_rule(expiry=expiry).items() if k not in ("reinvest", "operator")}
    return rule | {"lender": lender, "token": TOKEN, "available": str(available), "reinvest": True, "operator": ZERO}


def test_a_lenders_commitments_come_from_events_and_chain(client, app, chain):
    created(app, 1, ALICE.address)
    created(app, 2, BOB.address)
    created(app, 3, ALICE.address)
    chain.commitments[1] = on_chain(ALICE.address, BLOCK_TIME + DAY, 400 * USDC)
    chain.commitments[3] = on_chain(ALICE.address, BLOCK_TIME - 1, 0)
    body = client.get(f"/lenders/{ALICE.address.lower()}/commitments").json
    assert [(c["id"], c["status"], c["available"]) for c in body] == [(1, "open", str(400 * USDC)),
                                                                       (3, "expired", "0")]
    assert body[0]["rule"]["maxPerLoan"] == str(100 * USDC) and body[0]["rule"]["reinvest"] is True
    del chain.commitments[1]
    assert client.get(f"/lenders/{ALICE.address}/commitments").json[0]["status"] == "closed"
    assert_error(client.get("/lenders/0x12/commitments"), 422, "invalid_address")
    chain.down = True
    assert_error(client.get(f"/lenders/{ALICE.address}/commitments"), 503, "chain_unavailable")


def test_filters_belong_to_the_commitments_lender(client, app, alice):
    bob = bearer(sign_in(client, BOB))
    created(app, 1, ALICE.address)
    url = "/me/commitments/1/filters"
    assert client.get(url, headers=alice).json["paused"] is False
    body = {"blocked_borrowers": [BORROWER_X.lower()], "max_loans_per_day": 3, "min_score": 40, "paused": True}
    saved = client.put(url, json=body, headers=alice).json
    assert saved["blocked_borrowers"] == [BORROWER_X] and saved["min_score"] == 40 and saved["paused"] is True
    assert_error(client.put(url, json=body, headers=bob), 403, "not_commitment_lender")
    assert_error(client.get(url, headers=bob), 403, "not_commitment_lender")
    assert_error(client.put("/me/commitments/2/filters", json=body, headers=alice), 404, "commitment_not_found")
    assert_error(client.put(url, json=body), 401)
    assert_error(client.put(url, json=body | {"min_score": 101}, headers=alice), 422, "validation_failed")
    with database(app).session() as db:
        row = db.get(AutoLendFilter, (1337, 1))
        assert (row.lender, row.max_loans_per_day, row.paused) == (ALICE.address, 3, True)
