"""Notifications to borrowers and lenders: stored once per dedupe key (store.py), then delivered
through the channels NOTIFY_CHANNELS names (channels.py: console, email, webhook) and shown by
GET /me/notifications (backend/api/notifications.py)."""

from backend.notify.store import Alert, store_alerts

__all__ = ["Alert", "store_alerts"]
