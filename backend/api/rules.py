"""Auto-lend rules (issue 10; services in backend/rules/): validate a rule before it is signed,
backtest it on the platform's history, list a lender's on-chain commitments, and the signed-in
lender's off-chain filters per commitment.

A rule itself is the lender's own on-chain commitment (AutoLend.createCommitment / setRule /
deposit / withdraw / close, signed by the lender's wallet in the UI); the backend never holds a
lender's key. uint256 values are accepted as JSON integers or decimal strings and returned as
decimal strings.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from backend import auth
from backend.api.loans import _address
from backend.api.schemas import ADDRESS, Strict
from backend.bots.autolend.matching import ZERO_ADDRESS, Commitment
from backend.chain import get_chain
from backend.db import session
from backend.db.models import AutoLendFilter
from backend.errors import Unprocessable
from backend.indexer.abi import checksum
from backend.loans import chain_id, now_on_chain
from backend.rules import commitments, preview
from backend.rules.validate import UINT40, invalid_fields, warnings

blp = Blueprint("rules", __name__, description="Auto-lend rules: validation, backtest, commitments, filters")
BEARER = [{"bearer": []}]
UINT256 = 2**256 - 1


class Uint256(fields.Field):
    """A uint256: a JSON integer or a decimal string (never a float or a bool)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValidationError("an integer or a decimal string")
        if isinstance(value, str) and not value.isdigit():
            raise ValidationError("a non-negative decimal integer")
        number = int(value)
        if not 0 <= number <= UINT256:
            raise ValidationError("outside uint256")
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


def uint(description: str, **options) -> Uint256:
    return Uint256(metadata={"description": description, "type": "string"}, **options)


class RuleIn(Strict):
    """IAutoLend.Rule, field names as in the contract."""

    worstGrade = uint("lowest grade accepted: 1 (A+) .. 9 (E)", required=True)
    minAprBps = uint("lowest APR, bps", required=True)
    maxAprBps = uint("highest APR, bps (<= 10000)", required=True)
    maxTerm = uint("longest term (instalments * period), seconds", required=True)
    minCollateralRatioBps = uint("collateral ratio the loan must keep, bps (0 accepts unsecured)", required=True)
    maxPerLoan = uint("most notes held in one loan (from anywhere), base units", required=True)
    maxPerBorrower = uint("most lent by this commitment to one borrower, base units", required=True)
    budget = uint("most this commitment may still lend, base units", required=True)
    expiry = uint("unix seconds; no funding after it", required=True)
    reinvest = fields.Boolean(load_default=False)
    purposeMask = uint("purposes accepted, bit i = purpose code i", required=True)
    maxPdBps = uint("highest probability of default accepted, bps", required=True)
    operator = fields.String(load_default=ZERO_ADDRESS, validate=ADDRESS,
                             metadata={"description": "only this caller (or the lender) may fund; zero: anyone"})


class PreviewRuleIn(RuleIn):
    expiry = uint("ignored by the backtest", load_default=UINT40)


class ValidateIn(Strict):
    rule = fields.Nested(RuleIn, required=True)
    token = fields.String(validate=ADDRESS, metadata={"description": "createCommitment's token (checked non-zero)"})
    deposit = uint("the deposit (a budget above it only warns)")


class FiltersIn(Strict):
    blocked_borrowers = fields.List(fields.String(validate=ADDRESS), load_default=list, validate=validate.Length(max=500))
    max_loans_per_day = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10_000))
    min_score = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))
    paused = fields.Boolean(load_default=False)


class PreviewIn(Strict):
    rule = fields.Nested(PreviewRuleIn, required=True)
    token = fields.String(required=True, validate=ADDRESS, metadata={"description": "the commitment's loan token"})
    lender = fields.String(validate=ADDRESS, metadata={"description": "excludes the lender's own loans"})
    deposit = uint("caps what the backtest lends, with the budget")
    filters = fields.Nested(FiltersIn, load_default=None, allow_none=True)


class Warning_(Schema):
    field = fields.String()
    code = fields.String()
    message = fields.String()


class ValidateOut(Schema):
    valid = fields.Boolean(required=True)
    warnings = fields.List(fields.Nested(Warning_), required=True)


class PreviewLoan(Schema):
    loan_id = fields.Integer()
    amount = fields.String()
    outcome = fields.String()
    earned = fields.String()
    loss = fields.String()


class PreviewOut(Schema):
    considered = fields.Integer(metadata={"description": "past listings in the token (open ones left out)"})
    funded = fields.Integer(metadata={"description": "listings the rule would have funded"})
    lent = fields.String(metadata={"description": "lent to loans that started, base units"})
    earned = fields.String()
    losses = fields.String(metadata={"description": "late and defaulted principal counted as lost"})
    net = fields.String()
    return_bps = fields.Integer(allow_none=True, metadata={"description": "(earned - losses) / lent, floored"})
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(),
                           metadata={"description": "repaid, defaulted, late, active, refunded"})
    refusals = fields.Dict(keys=fields.String(), values=fields.Integer(),
                           metadata={"description": "why listings were not funded (contract error names)"})
    loans = fields.List(fields.Nested(PreviewLoan))


class CommitmentOut(Schema):
    id = fields.Integer()
    lender = fields.String()
    token = fields.String()
    available = fields.String()
    budget = fields.String()
    expiry = fields.Integer()
    status = fields.String(metadata={"description": "open, idle (nothing available or no budget), expired, closed"})
    rule = fields.Dict()


class FiltersOut(Schema):
    commitment_id = fields.Integer()
    blocked_borrowers = fields.List(fields.String())
    max_loans_per_day = fields.Integer(allow_none=True)
    min_score = fields.Integer(allow_none=True)
    paused = fields.Boolean()
    updated_at = fields.DateTime(allow_none=True)


@blp.route("/rules/validate", methods=["POST"])
@blp.arguments(ValidateIn)
@blp.response(200, ValidateOut)
def validate_rule(body):
    """Refuse a rule the contract would refuse (422 `invalid_rule`, `details.field`/`value` as in
    `InvalidRule(field, value)`, every bad field in `details.errors`); expiry against the latest block."""
    now = get_chain().head().timestamp
    refused = invalid_fields(body["rule"], now, body.get("token"))
    found = warnings(body["rule"], body.get("deposit"))
    if refused:
        first = refused[0]
        raise Unprocessable(f"InvalidRule({first['field']}, {first['value']})", code="invalid_rule", details={
            "field": first["field"], "value": str(first["value"]), "now": now, "warnings": found,
            "errors": [{"field": e["field"], "value": str(e["value"])} for e in refused]})
    return {"valid": True, "warnings": found}


@blp.route("/rules/preview", methods=["POST"])
@blp.arguments(PreviewIn)
@blp.response(200, PreviewOut)
def preview_rule(body):
    """Backtest the rule on the platform's history: listings it would have funded, how much, their
    outcomes and the realised return with late and defaulted loans counted as losses."""
    rule, db = body["rule"], session()
    raw = dict(rule, lender=checksum(body.get("lender") or ZERO_ADDRESS), token=checksum(body["token"]), available=0)
    commitment = Commitment.from_named(0, raw)
    filters = commitments.filters_from(body["filters"]) if body["filters"] else commitments.filters_of(None)
    now, _ = now_on_chain(db)
    return preview.backtest(db, chain_id(), commitment, filters, now, body.get("deposit")).as_json()


@blp.route("/lenders/<string:address>/commitments", methods=["GET"])
@blp.response(200, CommitmentOut(many=True))
def lender_commitments(address):
    """A lender's commitments (ids from indexed CommitmentCreated events, state read from chain)."""
    return commitments.lender_commitments(session(), chain_id(), _address(address))


@blp.route("/me/commitments/<int:commitment_id>/filters", methods=["GET"])
@auth.signed_in
@blp.response(200, FiltersOut)
@blp.doc(security=BEARER)
def my_filters(commitment_id):
    """The off-chain filters of one of the wallet's commitments (bind only the platform's bot)."""
    db, cid = session(), chain_id()
    commitments.owned(db, cid, commitment_id, g.wallet)
    return commitments.filters_view(db.get(AutoLendFilter, (cid, commitment_id)), commitment_id)


@blp.route("/me/commitments/<int:commitment_id>/filters", methods=["PUT"])
@auth.signed_in
@blp.arguments(FiltersIn)
@blp.response(200, FiltersOut)
@blp.doc(security=BEARER)
def put_filters(body, commitment_id):
    """Replace the filters: blocklisted borrowers, most loans per day, minimum score, pause."""
    db, cid = session(), chain_id()
    commitments.owned(db, cid, commitment_id, g.wallet)
    row = commitments.save_filters(db, cid, commitment_id, g.wallet, body)
    return commitments.filters_view(row, commitment_id)
