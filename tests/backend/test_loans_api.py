"""The loan API over indexed fake-chain data: filters, sorting, pages, detail (live and not),
borrower, portfolio, grade statistics, /chain; bad parameters are 422, unknown ids 404."""

import json

import pytest

from backend.db import database
from backend.indexer import step
from backend.chain import Head
from tests.backend import fake_chain as fc
from tests.backend.fake_chain import BOOK, FakeSource, log
from tests.backend.test_app import assert_error
from tests.backend.test_indexer import (BORROWER, DAY, LENDER_A, LENDER_B, POLICY, active_loan, checksum, funding,
                                        listing, repay)

MAX = str(2**256 - 1)


@pytest.fixture
def indexed(app, chain, tmp_path):
    """Loan 1 active (one instalment paid, then late), loan 2 listed at 18% APR, loan 3 cancelled."""
    source = FakeSource()
    state = active_loan(source)
    state = repay(source, 1, state, state.start_time + 30 * DAY, state.instalment)
    source.mine(listing(loan_id=2, apr_bps=1_800, principal=500 * 10**6, instalments=6))
    source.mine(listing(loan_id=3, apr_bps=900), *funding(3, LENDER_A, 50 * 10**6, 50 * 10**6))
    source.mine(log(BOOK, "LoanCancelled", loanId=3))
    with database(app).session() as db:
        step(db, source, fc.deployment())
    (tmp_path / "1337.json").write_text(json.dumps(fc.deployment()))
    app.config["DEPLOYMENTS_DIR"] = str(tmp_path)
    chain.block = Head(9, state.start_time + 80 * DAY)  # past the second due date + grace: late
    chain.states[1] = {"status": "2", "due": {"lateFees": "5", "interest": "6", "toBeCurrent": "7", "payoff": "8",
                                               "nextDueDate": "9"}, "late": True, "secondsUntilDefault": "10",
                       "collateralToken": fc.ZERO, "collateralAmount": "0", "healthWad": MAX,
                       "liquidationPriceWad": "0", "priceUsable": True}
    chain.claimable[(1, checksum(LENDER_A))] = 1234
    return state


def test_listing_filters_sort_and_pages(client, indexed):
    body = client.get("/loans?sort=-apr").json
    assert [i["id"] for i in body["items"]] == [2, 1, 3] and body["total"] == 3
    first = body["items"][1]
    assert first["principal"] == str(10**9) and first["token"] == {"address": fc.USDC, "symbol": "mUSDC",
                                                                    "decimals": 6}
    assert first["late"] is True and first["grade_letter"] == "B+" and first["purpose_name"] == "home_improvement"
    assert [i["id"] for i in client.get("/loans?grade=B%2B&sort=apr").json["items"]] == [3, 1, 2]
    assert client.get("/loans?grade=3,4&status=late").json["total"] == 1
    assert client.get("/loans?grade=B").json["total"] == 0
    assert [i["id"] for i in client.get("/loans?status=listed&status=cancelled&sort=oldest").json["items"]] == [2, 3]
    assert client.get(f"/loans?min_amount={600 * 10**6}&max_amount={10**9}").json["total"] == 2
    assert [i["id"] for i in client.get("/loans?max_term_days=200").json["items"]] == [2]
    assert [i["id"] for i in client.get("/loans?min_funded_bps=1&sort=funded").json["items"]] == [3, 1]
    page = client.get("/loans?per_page=2&page=2&sort=newest").json
    assert [i["id"] for i in page["items"]] == [1] and page["per_page"] == 2
    assert client.get(f"/loans?borrower={BORROWER}").json["total"] == 3


@pytest.mark.parametrize("query", ["grade=Z", "grade=10", "status=late,nope", "per_page=101", "page=0",
                                   "min_amount=-1", "min_amount=1.5", "sort=apr;drop", "borrower=0x12",
                                   "min_apr_bps=abc", "page=99999999999999999999"])
def test_bad_parameters_are_422(client, indexed, query):
    error = assert_error(client.get(f"/loans?{query}"), 422)
    assert error["details"]["fields"]


def test_detail_live_and_from_the_database(client, chain, indexed):
    body = client.get("/loans/1").json
    assert body["live"] is True and body["amount_due"]["payoff"] == "8" and body["health"]["health_wad"] == MAX
    assert [f["amount"] for f in body["fundings"]] == [str(600 * 10**6), str(400 * 10**6)]
    assert len(body["repayments"]) == 1 and body["schedule"]["due_dates"][0]["paid"] is True
    assert len(body["schedule"]["due_dates"]) == 12 and body["terms"]["fee_bps"] == 1000
    chain.down = True
    client.application.extensions.pop("lendchain.chain_clock")
    body = client.get("/loans/1").json
    state = indexed
    expected = state.amount_due(body["now"])
    assert body["live"] is False and body["amount_due"]["payoff"] == str(expected["payoff"])
    assert body["late"] == state.is_late(body["now"])
    assert_error(client.get("/loans/99"), 404, "unknown_loan")
    assert_error(client.get(f"/loans/{2**70}"), 404)


def test_borrower_portfolio_stats_and_chain(client, indexed):
    assert client.get(f"/borrowers/{BORROWER}/loans").json["total"] == 3
    assert client.get(f"/borrowers/{LENDER_B}/loans").json["total"] == 0
    assert_error(client.get("/borrowers/nobody/loans"), 422, "invalid_address")
    body = client.get(f"/lenders/{LENDER_A}/portfolio").json
    by_id = {i["id"]: i for i in body["items"]}
    assert by_id[1]["notes"] == str(600 * 10**6) and by_id[1]["claimable"] == "1234" and by_id[1]["bucket"] == "late"
    assert by_id[3]["refundable"] == str(50 * 10**6) and by_id[3]["bucket"] == "refundable"
    assert int(by_id[1]["loss"]) == int(by_id[1]["outstanding_share"]) > 0
    assert body["net_annualised_return"] < 0  # the late loan's principal counts as lost
    assert body["monthly"] and body["by_grade"][0]["grade"] == 3
    assert client.get(f"/lenders/{LENDER_B}/portfolio").json["items"][0]["share_bps"] == 4000
    grades = {g["grade"]: g for g in client.get("/stats/grades").json["grades"]}
    assert grades[3]["count"] == 1 and grades[3]["volume"] == str(10**9) and grades[3]["mean_predicted_pd"] == 0.045
    document = client.get("/chain").json
    assert document["chainId"] == 1337 and document["contracts"]["LoanBook"]["address"] == BOOK


def test_an_early_first_instalment_is_annualised_over_one_period_not_a_day(app, client, chain, tmp_path):
    """Repaid a day after the start: held a day, but interest is charged a period at a time, so the
    return is annualised over the 30-day period (about the APR less the fee, not hundreds of %)."""
    source = FakeSource()
    state = active_loan(source)
    state = repay(source, 1, state, state.start_time + DAY, state.instalment)
    with database(app).session() as db:
        step(db, source, fc.deployment())
    (tmp_path / "1337.json").write_text(json.dumps(fc.deployment()))
    app.config["DEPLOYMENTS_DIR"] = str(tmp_path)
    chain.block = Head(9, state.start_time + DAY)
    body = client.get(f"/lenders/{LENDER_A}/portfolio").json
    earned = int(body["items"][0]["earned"])
    assert earned > 0
    assert body["net_annualised_return"] == pytest.approx(earned / (600 * 10**6 * 30 / 365), rel=1e-12)
    assert 0.05 < body["net_annualised_return"] < 0.12  # 12% APR less the 10% fee on interest


@pytest.mark.parametrize("query", ["grade=B&sort=apr", "sort=newest", "status=listed", "sort=-apr"])
def test_listing_pages_are_read_in_index_order(app, client, indexed, query):
    """The page's query and its COUNT are answered from the migration-0005 indexes: no sort of the
    matching rows (SQLite's plan; PostgreSQL's planner picks by cost, so only SQLite is checked)."""
    from sqlalchemy import event

    engine = database(app).engine
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM loans" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.get(f"/loans?{query}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 2  # the COUNT and the page
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = " / ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                              parameters))
            assert "USING" in plan and "INDEX ix_loans_" in plan and "TEMP B-TREE" not in plan, (query, plan)
