"""Profiles: a wallet reads and changes its own; operators may read any."""

from flask import g
from flask_smorest import Blueprint
from eth_utils import is_address, to_checksum_address

from backend import auth
from backend.api.schemas import ProfileIn, ProfileOut
from backend.db import session
from backend.db.models import Profile
from backend.errors import Forbidden, NotFound
from backend.verification.service import facts, profile_of

blp = Blueprint("profiles", __name__, description="Wallet profiles")


def _view(profile: Profile | None, wallet: str) -> dict:
    return {"wallet": wallet, "display_name": profile and profile.display_name, "email": profile and profile.email,
            "phone": profile and profile.phone, "verified": facts(wallet), "operator": auth.is_operator(wallet)}


def _wallet(text: str) -> str:
    if not is_address(text):
        raise NotFound(f"{text!r} is not a wallet address")
    return to_checksum_address(text)


@blp.route("/me", methods=["GET"])
@auth.signed_in
@blp.response(200, ProfileOut)
@blp.doc(security=[{"bearer": []}])
def me():
    """The signed-in wallet's profile and verified facts."""
    return _view(session().get(Profile, g.wallet), g.wallet)


@blp.route("/profiles/<wallet>", methods=["GET"])
@auth.signed_in
@blp.response(200, ProfileOut)
@blp.doc(security=[{"bearer": []}])
def read(wallet):
    """A profile: the wallet's own, or any for an operator."""
    wallet = _wallet(wallet)
    if wallet != g.wallet and not auth.is_operator(g.wallet):
        raise Forbidden("a wallet may only read its own profile", code="not_your_profile")
    profile = session().get(Profile, wallet)
    if profile is None and wallet != g.wallet:
        raise NotFound(f"no profile for {wallet}")
    return _view(profile, wallet)


@blp.route("/profiles/<wallet>", methods=["PATCH"])
@auth.signed_in
@blp.arguments(ProfileIn)
@blp.response(200, ProfileOut)
@blp.doc(security=[{"bearer": []}])
def update(body, wallet):
    """Change the wallet's own profile (no one, operators included, changes another's).
    Email and phone change only through verification."""
    wallet = _wallet(wallet)
    if wallet != g.wallet:
        raise Forbidden("a wallet may only change its own profile", code="not_your_profile")
    profile = profile_of(wallet)
    for name, value in body.items():
        setattr(profile, name, value)
    session().commit()
    return _view(profile, wallet)
