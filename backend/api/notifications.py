"""The signed-in wallet's notifications (alerts stored by the bots, backend/notify): newest first,
paginated, and marking one read. A wallet sees and changes only its own."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from backend import auth
from backend.api.schemas import Strict
from backend.db import session
from backend.db.models import Notification
from backend.db.types import utcnow
from backend.errors import NotFound

blp = Blueprint("notifications", __name__, description="Alerts about the wallet's loans (from the bots)")
BEARER = [{"bearer": []}]


class NotificationOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "collateral_20, collateral_10, instalment_due, "
                                                  "grace_started, late, defaulted, liquidated, ..."})
    loan_id = fields.Integer(allow_none=True)
    message = fields.String(required=True)
    payload = fields.Dict(required=True, metadata={"description": "figures behind the message (amounts as strings)"})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class NotificationsPage(Schema):
    items = fields.List(fields.Nested(NotificationOut), required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class NotificationArgs(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    unread = fields.Boolean(load_default=False, metadata={"description": "only notifications not read yet"})


@blp.route("/me/notifications", methods=["GET"])
@auth.signed_in
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationsPage)
@blp.doc(security=BEARER)
def my_notifications(args):
    """The wallet's notifications, newest first."""
    db = session()
    mine = select(Notification).where(Notification.wallet == g.wallet)
    if args["unread"]:
        mine = mine.where(Notification.read_at.is_(None))
    count = lambda query: db.scalar(select(func.count()).select_from(query.subquery()))  # noqa: E731
    rows = db.scalars(mine.order_by(Notification.id.desc()).limit(args["per_page"])
                      .offset((args["page"] - 1) * args["per_page"])).all()
    return {"items": rows, "total": count(mine), "page": args["page"], "per_page": args["per_page"],
            "unread": count(select(Notification).where(Notification.wallet == g.wallet,
                                                       Notification.read_at.is_(None)))}


@blp.route("/me/notifications/<int:notification_id>/read", methods=["POST"])
@auth.signed_in
@blp.response(200, NotificationOut)
@blp.doc(security=BEARER)
def mark_read(notification_id):
    """Mark one of the wallet's notifications read (idempotent: the first read time stays)."""
    db = session()
    note = db.get(Notification, notification_id)
    if note is None or note.wallet != g.wallet:  # another wallet's notification does not exist for this one
        raise NotFound(f"no notification {notification_id} for this wallet", code="notification_not_found")
    if note.read_at is None:
        note.read_at = utcnow()
        db.commit()
    return note
