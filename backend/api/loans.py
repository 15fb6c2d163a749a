"""Loans, borrowers, lenders' portfolios, grade statistics and the chain document for the UI
(service: backend/loans.py). Read-only; data from the indexer, health and claimables live."""

import re

from flask_smorest import Blueprint

from backend import loans
from backend.api.lean import lean
from backend.api.loan_schemas import (ChainOut, GradeStats, LoanDetail, LoansArgs, LoansPage, PageArgs,
                                      PortfolioOut)
from backend.db import session
from backend.errors import Unprocessable

blp = Blueprint("loans", __name__, description="Loans, portfolios and statistics (from the indexer)")
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _address(value: str) -> str:
    if not ADDRESS.match(value):
        raise Unprocessable(f"{value[:60]!r} is not a 0x-prefixed 20-byte address", code="invalid_address")
    return value


@blp.route("/chain", methods=["GET"])
@blp.response(200, ChainOut)
def chain_document():
    """Chain id, RPC URL, the deployment's start block and every contract's address and ABI."""
    return loans.chain_document()


@blp.route("/loans", methods=["GET"])
@blp.arguments(LoansArgs(), location="query")  # an instance: not a new schema per request
@blp.response(200, LoansPage)
def list_loans(filters):
    """Listings and loans with filters, sorting and pagination (amounts: base-unit decimal strings)."""
    return lean(LoansPage, loans.page_of_loans(session(), filters))


@blp.route("/loans/<int:loan_id>", methods=["GET"])
@blp.response(200, LoanDetail)
def loan_detail(loan_id):
    """One loan: terms, schedule, fundings, repayments, liquidations, amount due, lateness and health
    (live from LoanLens; `live: false` when the chain is unreachable)."""
    return loans.loan_detail(session(), loan_id)


@blp.route("/borrowers/<string:address>/loans", methods=["GET"])
@blp.arguments(PageArgs(), location="query")
@blp.response(200, LoansPage)
def borrower_loans(args, address):
    """A borrower's loans, newest first by default."""
    return lean(LoansPage, loans.page_of_loans(session(), dict(args, borrower=_address(address))))


@blp.route("/lenders/<string:address>/portfolio", methods=["GET"])
@blp.response(200, PortfolioOut)
def lender_portfolio(address):
    """A lender's notes per loan (from note transfers), claimable, refundable, earnings, losses,
    net annualised return (late loans count as losses), by grade and by month."""
    return loans.portfolio(session(), _address(address))


@blp.route("/stats/grades", methods=["GET"])
@blp.response(200, GradeStats)
def grade_stats():
    """Per grade: volume, count, default and recovery rates, mean predicted PD vs realised default rate."""
    return {"grades": loans.grade_stats(session())}
