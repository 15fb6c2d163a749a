"""Sign-In with Ethereum: nonce, login, session, logout (service: backend/auth.py)."""

from flask import current_app, g
from flask_smorest import Blueprint

from backend import auth
from backend.api.schemas import LoginIn, NonceOut, SessionInfo, SessionOut
from backend.chain import expected_chain_id

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign-In with Ethereum (EIP-4361)")


@blp.route("/nonce", methods=["POST"])
@blp.response(201, NonceOut)
def nonce():
    """A single-use nonce for the SIWE message, with the domain and chain id the message must name."""
    row = auth.issue_nonce()
    return {"nonce": row.nonce, "expires_at": row.expires_at, "domain": current_app.config["SIWE_DOMAIN"],
            "chain_id": expected_chain_id()}


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, SessionOut)
def login(body):
    """Exchange a signed EIP-4361 message for a bearer token (the nonce is consumed)."""
    token, row = auth.login(body["message"], body["signature"])
    return {"token": token, "wallet": row.wallet, "operator": auth.is_operator(row.wallet),
            "expires_at": row.expires_at}


@blp.route("/session", methods=["GET"])
@auth.signed_in
@blp.response(200, SessionInfo)
@blp.doc(security=[{"bearer": []}])
def current():
    """The signed-in wallet."""
    row = auth.current_session()
    return {"wallet": row.wallet, "operator": auth.is_operator(row.wallet), "expires_at": row.expires_at}


@blp.route("/logout", methods=["POST"])
@auth.signed_in
@blp.response(204)
@blp.doc(security=[{"bearer": []}])
def logout():
    """Revoke this session's token."""
    auth.logout(g.session_hash)
