"""Notifications: stored once per dedupe key, delivered through the configured channels, and
served to their own wallet only by GET /me/notifications and POST /me/notifications/<id>/read."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backend.db import database
from backend.db.models import Challenge, Notification
from backend.db.types import utcnow
from backend.notify import Alert, store_alerts
from backend.notify.channels import EmailChannel, channels_from_config, deliver
from tests.backend.conftest import (ALICE, BOB, alice, app, bearer, chain, clean_database, client,  # noqa: F401
                                    config, providers, sign_in)


def alert(wallet, key, kind="late", loan_id=7):
    return Alert(wallet, kind, f"loan #{loan_id} is {kind}", key, loan_id, {"to_be_current": "5"})


def test_an_alert_is_stored_once_per_key(app):
    with database(app).session() as db:
        first = store_alerts(db, [alert(ALICE.address, "late:1:7:a"), alert(ALICE.address, "late:1:7:a")])
        again = store_alerts(db, [alert(ALICE.address, "late:1:7:a"), alert(BOB.address, "late:1:7:b")])
        assert [n.dedupe_key for n in first] == ["late:1:7:a"] and [n.dedupe_key for n in again] == ["late:1:7:b"]
        assert db.query(Notification).count() == 2


def test_channels_deliver_and_record_what_accepted(app):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    class Mailer:
        sent = []

        def deliver(self, message):
            self.sent.append((message["To"], message["Subject"], message.get_content().strip()))

    try:
        channels = channels_from_config({"NOTIFY_CHANNELS": "console, webhook",
                                         "NOTIFY_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/hook"})
        channels.append(EmailChannel(Mailer()))
        with database(app).session() as db:
            db.add(Challenge(wallet=ALICE.address, channel="email", target="alice@example.test", code_hash="x",
                             expires_at=utcnow(), verified_at=utcnow(), closed=True))
            db.add(Challenge(wallet=BOB.address, channel="email", target="bob@example.test", code_hash="x",
                             expires_at=utcnow()))  # never confirmed: no email to Bob
            db.commit()
            fresh = store_alerts(db, [alert(ALICE.address, "k:a"), alert(BOB.address, "k:b")])
            assert deliver(db, fresh, channels) == 5
            delivered = {n.wallet: n.delivered for n in db.query(Notification)}
        assert delivered == {ALICE.address: ["console", "webhook", "email"], BOB.address: ["console", "webhook"]}
        assert sorted(r["wallet"] for r in received) == sorted([ALICE.address, BOB.address])
        assert received[0]["kind"] == "late" and received[0]["payload"] == {"to_be_current": "5"}
        assert Mailer.sent == [("alice@example.test", "Lendchain: late", "loan #7 is late")]
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(ValueError, match="webhook needs NOTIFY_WEBHOOK_URL"):
        channels_from_config({"NOTIFY_CHANNELS": "webhook"})


def test_a_wallet_reads_its_own_notifications_newest_first(app, client, alice):
    with database(app).session() as db:
        store_alerts(db, [alert(ALICE.address, f"k:{i}", loan_id=i) for i in range(1, 4)]
                     + [alert(BOB.address, "k:bob", loan_id=9)])
    page = client.get("/me/notifications?per_page=2", headers=alice).json
    assert (page["total"], page["unread"], page["page"], page["per_page"]) == (3, 3, 1, 2)
    assert [n["loan_id"] for n in page["items"]] == [3, 2]
    assert [n["loan_id"] for n in client.get("/me/notifications?page=2&per_page=2", headers=alice).json["items"]] == [1]
    newest = page["items"][0]["id"]
    read = client.post(f"/me/notifications/{newest}/read", headers=alice)
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert client.post(f"/me/notifications/{newest}/read", headers=alice).json["read_at"] == read.json["read_at"]
    unread = client.get("/me/notifications?unread=true", headers=alice).json
    assert unread["total"] == 2 and unread["unread"] == 2 and newest not in [n["id"] for n in unread["items"]]
    bobs = client.get("/me/notifications", headers=bearer(sign_in(client, BOB))).json["items"]
    assert [n["loan_id"] for n in bobs] == [9]
    other = client.post(f"/me/notifications/{bobs[0]['id']}/read", headers=alice)
    assert other.status_code == 404 and other.json["error"]["code"] == "notification_not_found"
    with database(app).session() as db:
        assert db.get(Notification, bobs[0]["id"]).read_at is None


def test_notifications_need_a_session_and_are_documented(client):
    response = client.get("/me/notifications")
    assert response.status_code == 401 and set(response.json) == {"error"}
    paths = client.get("/openapi.json").json["paths"]
    assert "get" in paths["/me/notifications"] and "post" in paths["/me/notifications/{notification_id}/read"]
