"""Request and response schemas (marshmallow), shared by the blueprints and the OpenAPI document.

Request schemas refuse unknown fields and wrong types (422 with details.fields).
"""

from marshmallow import RAISE, Schema, fields, validate

from scoring.schema import PURPOSES

ADDRESS = validate.Regexp(r"^0x[0-9a-fA-F]{40}$", error="not a 0x-prefixed 20-byte address")


class Strict(Schema):
    class Meta:
        unknown = RAISE


# -- health --------------------------------------------------------------------------------------

class Health(Schema):
    status = fields.String(metadata={"description": "ok, or degraded when a dependency is down"})
    database = fields.Dict()
    chain = fields.Dict()
    indexer = fields.Dict()
    model = fields.Dict()


# -- auth ----------------------------------------------------------------------------------------

class NonceOut(Schema):
    nonce = fields.String()
    expires_at = fields.DateTime()
    domain = fields.String()
    chain_id = fields.Integer()


class LoginIn(Strict):
    message = fields.String(required=True, validate=validate.Length(min=1, max=4096),
                            metadata={"description": "the EIP-4361 message the wallet signed"})
    signature = fields.String(required=True, validate=validate.Regexp(r"^0x[0-9a-fA-F]{130}$"))


class SessionInfo(Schema):
    wallet = fields.String()
    operator = fields.Boolean()
    expires_at = fields.DateTime()


class SessionOut(Schema):
    token = fields.String()
    wallet = fields.String()
    operator = fields.Boolean()
    expires_at = fields.DateTime()


# -- profiles ------------------------------------------------------------------------------------

class ProfileOut(Schema):
    wallet = fields.String()
    display_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    verified = fields.Dict(metadata={"description": "verified facts: scoring signal -> value"})
    operator = fields.Boolean()


class ProfileIn(Strict):
    display_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=80))


# -- verification --------------------------------------------------------------------------------

class CodeStartIn(Strict):
    target = fields.String(required=True, validate=validate.Length(min=3, max=254),
                           metadata={"description": "email address, or E.164 phone number"})


class CodeStartOut(Schema):
    channel = fields.String()
    target = fields.String()
    expires_at = fields.DateTime()


class CodeConfirmIn(Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^\s*\d{6}\s*$", error="six digits"))


class CodeConfirmOut(Schema):
    channel = fields.String()
    target = fields.String()
    verified = fields.Boolean()


class SocialStartOut(Schema):
    state = fields.String()
    authorize_url = fields.String()


class SocialCallbackArgs(Strict):
    state = fields.String(required=True, validate=validate.Length(min=8, max=128))
    code = fields.String(required=True, validate=validate.Length(min=1, max=512))


class SocialAccountOut(Schema):
    wallet = fields.String()
    provider = fields.String()
    account_id = fields.String()
    account_created_at = fields.DateTime(allow_none=True)
    social_accounts = fields.Integer()


class DocumentUploadIn(Schema):
    """The multipart body of an upload: its `kind` text part and its `file` part."""
    kind = fields.String(required=True, validate=validate.OneOf(["income", "identity"]))
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class DocumentOut(Schema):
    id = fields.Integer()
    wallet = fields.String()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    status = fields.String()
    monthly_income_usd = fields.Float(allow_none=True)
    submitted_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)
    review_note = fields.String(allow_none=True)


class DocumentListArgs(Strict):
    status = fields.String(load_default="pending", validate=validate.OneOf(["pending", "approved", "rejected"]))


class ReviewIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    monthly_income_usd = fields.Float(allow_none=True, load_default=None, allow_nan=False)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=1000))


class BankLinkIn(Strict):
    public_token = fields.String(required=True, validate=validate.Length(min=1, max=512),
                                 metadata={"description": "the link token from the open-banking widget"})


class BankLinkOut(Schema):
    id = fields.Integer()
    provider = fields.String()
    account_ref = fields.String()
    checking_balance = fields.Float()
    savings_balance = fields.Float(allow_none=True)
    overdrafts_12m = fields.Integer()
    linked_at = fields.DateTime()


# -- scores --------------------------------------------------------------------------------------

class LoanArgs(Strict):
    loan_amount = fields.Float(validate=validate.Range(min=1, max=100_000_000), allow_nan=False,
                               metadata={"description": "requested principal, USD"})
    term_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=600))
    purpose = fields.String(validate=validate.OneOf(PURPOSES))


class LoanQueryArgs(LoanArgs):
    term_months = fields.Integer(validate=validate.Range(min=1, max=600))


class ScoreOut(Schema):
    id = fields.Integer()
    wallet = fields.String()
    model_id = fields.String()
    pd = fields.Float()
    pd_bps = fields.Integer()
    grade = fields.String()
    grade_code = fields.Integer()
    score = fields.Integer()
    reasons = fields.List(fields.Dict())
    next_verification = fields.Dict(allow_none=True)
    signals = fields.Dict()
    warnings = fields.List(fields.String())
    created_at = fields.DateTime()


class AttestationOut(Schema):
    score = fields.Nested(ScoreOut)
    attestation = fields.Dict(metadata={"description": "the ScoreAttestation struct, ABI field names"})
    signature = fields.String()
    chain_id = fields.Integer()
    registry = fields.String()
    typed_data = fields.Dict(metadata={"description": "EIP-712 typed data (wallets can display it)"})
