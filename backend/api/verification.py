"""Verifications: email/phone codes, OAuth social accounts, documents with operator review, bank link.
Decisions live in backend/verification/service.py; these views only translate HTTP."""

from flask import g
from werkzeug.datastructures import CombinedMultiDict
from flask_smorest import Blueprint
from sqlalchemy import select

from backend import auth
from backend.api.schemas import (BankLinkIn, BankLinkOut, CodeConfirmIn, CodeConfirmOut, CodeStartIn, CodeStartOut,
                                 DocumentListArgs, DocumentOut, DocumentUploadIn, ReviewIn,
                                 SocialAccountOut, SocialCallbackArgs, SocialStartOut)
from backend.db import session
from backend.db.models import Document
from backend.verification import service

class MultipartParser(type(Blueprint.ARGUMENTS_PARSER)):
    """`files` arguments read the whole multipart body (its files and its text parts), so an upload
    is one schema and one documented multipart/form-data requestBody (flask-smorest documents only
    one body location per view: a separate `form` schema became an invalid OpenAPI 3 parameter)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


blp = Blueprint("verification", __name__, description="Profile verification")
blp.ARGUMENTS_PARSER = MultipartParser()
BEARER = [{"bearer": []}]


def multipart(view):
    """Marks a view that takes multipart/form-data instead of JSON (see app.check_body)."""
    view.accepts_multipart = True
    return view


@blp.route("/me/verifications/<channel>/start", methods=["POST"])
@auth.signed_in
@blp.arguments(CodeStartIn)
@blp.response(201, CodeStartOut)
@blp.doc(security=BEARER)
def start_code(body, channel):
    """Send a one-time code to an email address or phone number (rate-limited; codes expire)."""
    challenge = service.start_code(g.wallet, channel, body["target"])
    return {"channel": channel, "target": challenge.target, "expires_at": challenge.expires_at}


@blp.route("/me/verifications/<channel>/confirm", methods=["POST"])
@auth.signed_in
@blp.arguments(CodeConfirmIn)
@blp.response(200, CodeConfirmOut)
@blp.doc(security=BEARER)
def confirm_code(body, channel):
    """Confirm the code: the address or number becomes a verified fact."""
    target = service.confirm_code(g.wallet, channel, body["code"])
    return {"channel": channel, "target": target, "verified": True}


@blp.route("/me/social/start", methods=["POST"])
@auth.signed_in
@blp.response(201, SocialStartOut)
@blp.doc(security=BEARER)
def start_social():
    """Start linking a social account: open `authorize_url`; the provider redirects to the callback."""
    state, url = service.start_social(g.wallet)
    return {"state": state, "authorize_url": url}


@blp.route("/social/callback", methods=["GET"])
@blp.arguments(SocialCallbackArgs, location="query")
@blp.response(200, SocialAccountOut)
def social_callback(args):
    """OAuth redirect target: the single-use `state` names the wallet that started the link."""
    account = service.finish_social(args["state"], args["code"])
    count = service.facts(account.wallet).get("social_accounts", 0)
    return {"wallet": account.wallet, "provider": account.provider, "account_id": account.account_id,
            "account_created_at": account.account_created_at, "social_accounts": count}


@blp.route("/me/documents", methods=["POST"])
@auth.signed_in
@blp.arguments(DocumentUploadIn, location="files")
@blp.response(201, DocumentOut)
@blp.doc(security=BEARER)
@multipart
def upload_document(upload_in):
    """Upload an income or identity document (PDF, PNG or JPEG, at most UPLOAD_MAX_BYTES) for review."""
    upload = upload_in["file"]
    content = upload.stream.read()
    return service.upload_document(g.wallet, upload_in["kind"], upload.filename, upload.mimetype, content)


@blp.route("/me/documents", methods=["GET"])
@auth.signed_in
@blp.response(200, DocumentOut(many=True))
@blp.doc(security=BEARER)
def my_documents():
    """The signed-in wallet's documents and their review status."""
    return session().scalars(select(Document).where(Document.wallet == g.wallet).order_by(Document.id)).all()


@blp.route("/operator/documents", methods=["GET"])
@auth.operator_only
@blp.arguments(DocumentListArgs, location="query")
@blp.response(200, DocumentOut(many=True))
@blp.doc(security=BEARER)
def review_queue(args):
    """Operators: documents by status (pending by default)."""
    return session().scalars(select(Document).where(Document.status == args["status"]).order_by(Document.id)).all()


@blp.route("/operator/documents/<int:document_id>/review", methods=["POST"])
@auth.operator_only
@blp.arguments(ReviewIn)
@blp.response(200, DocumentOut)
@blp.doc(security=BEARER)
def review(body, document_id):
    """Operators: approve (income with its monthly amount) or reject a pending document."""
    return service.review_document(g.wallet, document_id, body["decision"], body["monthly_income_usd"], body["note"])


@blp.route("/me/bank-link", methods=["POST"])
@auth.signed_in
@blp.arguments(BankLinkIn)
@blp.response(201, BankLinkOut)
@blp.doc(security=BEARER)
def bank_link(body):
    """Link a bank account through the open-banking provider (cash-flow signals become verified facts)."""
    return service.link_bank(g.wallet, body["public_token"])
