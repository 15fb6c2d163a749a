"""Schemas of the loan API (backend/api/loans.py): validated query parameters (422 with
details.fields on anything wrong) and the documented shapes of the answers."""

from marshmallow import ValidationError, fields, validate

from backend.api.schemas import ADDRESS, Strict
from backend.loans import GRADES, STATUSES

AMOUNT = validate.Regexp(r"^\d{1,78}$", error="a decimal string of base units (digits only)")
SORTS = ["apr", "-apr", "amount", "-amount", "funded", "-funded", "grade", "-grade", "term", "-term", "newest",
         "oldest", "collateral", "-collateral"]


class CommaList(fields.List):
    """A repeatable query parameter that also takes comma-separated values (grade=1,2&grade=B)."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        parts = [p.strip() for item in items for p in str(item).split(",") if p.strip()]
        if len(parts) > 20:
            raise ValidationError("at most 20 values")
        return super()._deserialize(parts, attr, data, **kwargs)


class GradeCode(fields.Field):
    """A grade: its code 1 (A+) .. 9 (E), or its letters (A+, B, ...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().upper()
        if text.isdigit() and 1 <= int(text) <= len(GRADES):
            return int(text)
        if text in GRADES:
            return GRADES.index(text) + 1
        raise ValidationError(f"a grade code 1..9 or one of {', '.join(GRADES)}")

    def _jsonschema_type_mapping(self):  # pragma: no cover - apispec reads metadata instead
        return {"type": "string"}


class LoansArgs(Strict):
    grade = CommaList(GradeCode(metadata={"type": "string"}), metadata={
        "description": "grade codes 1 (A+) .. 9 (E) or letters; repeat or comma-separate"})
    status = CommaList(fields.String(validate=validate.OneOf([*STATUSES, "late"])), metadata={
        "description": "listed, active, repaid, defaulted, cancelled, expired, closed, or late (derived)"})
    min_apr_bps = fields.Integer(validate=validate.Range(0, 10_000))
    max_apr_bps = fields.Integer(validate=validate.Range(0, 10_000))
    max_term_days = fields.Integer(validate=validate.Range(0, 40_000))
    min_amount = fields.String(validate=AMOUNT, metadata={"description": "base units"})
    max_amount = fields.String(validate=AMOUNT, metadata={"description": "base units"})
    min_collateral_ratio_bps = fields.Integer(validate=validate.Range(0, 65_535))
    min_funded_bps = fields.Integer(validate=validate.Range(0, 10_000))
    borrower = fields.String(validate=ADDRESS)
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class PageArgs(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))


class TokenOut(Strict):
    address = fields.String()
    symbol = fields.String(allow_none=True)
    decimals = fields.Integer(allow_none=True)


class CollateralOut(Strict):
    token = fields.Nested(TokenOut)
    amount = fields.String()


class LoanSummary(Strict):
    id = fields.Integer()
    borrower = fields.String()
    token = fields.Nested(TokenOut)
    status = fields.String()
    late = fields.Boolean()
    grade = fields.Integer(metadata={"description": "1 (A+) .. 9 (E)"})
    grade_letter = fields.String(allow_none=True)
    pd_bps = fields.Integer()
    purpose = fields.Integer()
    purpose_name = fields.String()
    principal = fields.String(metadata={"description": "base units"})
    funded = fields.String()
    funded_bps = fields.Integer()
    apr_bps = fields.Integer()
    instalments = fields.Integer()
    period = fields.Integer(metadata={"description": "seconds"})
    term_days = fields.Integer()
    min_collateral_ratio_bps = fields.Integer(allow_none=True)
    collateral = fields.Nested(CollateralOut, allow_none=True)
    funding_deadline = fields.Integer()
    listed_at = fields.Integer()
    start_time = fields.Integer(allow_none=True)
    outstanding = fields.String()
    instalment = fields.String(allow_none=True)


class LoansPage(Strict):
    items = fields.List(fields.Nested(LoanSummary))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AmountDueOut(Strict):
    late_fees = fields.String()
    interest = fields.String()
    to_be_current = fields.String()
    payoff = fields.String()
    next_due_date = fields.Integer(allow_none=True)


class HealthOut(Strict):
    health_wad = fields.String(allow_none=True, metadata={"description": "2**256-1 when there is no collateral"})
    liquidation_price_wad = fields.String(allow_none=True)
    seconds_until_default = fields.Integer(allow_none=True)
    price_usable = fields.Boolean(allow_none=True)


class LoanDetail(LoanSummary):
    terms = fields.Dict()
    schedule = fields.Dict(metadata={"description": "start_time, instalment, instalments_paid, due_dates"})
    fundings = fields.List(fields.Dict())
    repayments = fields.List(fields.Dict())
    liquidations = fields.List(fields.Dict())
    amount_due = fields.Nested(AmountDueOut)
    health = fields.Nested(HealthOut)
    live = fields.Boolean(metadata={"description": "false: the chain was unreachable; derived from the database"})
    now = fields.Integer()
    default_eligible_at = fields.Integer(allow_none=True)
    late_instalments = fields.Integer()
    repaid = fields.Dict()
    written_off = fields.String()
    model_mismatch = fields.Boolean()
    holders = fields.Integer()


class PortfolioItem(LoanSummary):
    notes = fields.String()
    share_bps = fields.Integer()
    bucket = fields.String(metadata={"description": "current, late, defaulted, repaid, closed, listed, refundable"})
    earned = fields.String()
    outstanding_share = fields.String()
    loss = fields.String()
    claimed = fields.String()
    claimable = fields.String(allow_none=True)
    refundable = fields.String()


class PortfolioOut(Strict):
    lender = fields.String()
    live = fields.Boolean()
    now = fields.Integer()
    items = fields.List(fields.Nested(PortfolioItem))
    totals = fields.Dict()
    net_annualised_return = fields.Float(allow_none=True)
    by_grade = fields.List(fields.Dict())
    monthly = fields.List(fields.Dict())


class GradeStat(Strict):
    grade = fields.Integer()
    grade_letter = fields.String(allow_none=True)
    count = fields.Integer()
    volume = fields.String()
    defaulted = fields.Integer()
    resolved = fields.Integer()
    default_rate = fields.Float(allow_none=True)
    realised_default_rate = fields.Float(allow_none=True)
    recovery_rate = fields.Float(allow_none=True)
    mean_predicted_pd = fields.Float(allow_none=True)


class GradeStats(Strict):
    grades = fields.List(fields.Nested(GradeStat))


class ChainOut(Strict):
    chainId = fields.Integer()
    rpcUrl = fields.String()
    startBlock = fields.Integer()
    contracts = fields.Dict(metadata={"description": "name -> {address, abi}"})
