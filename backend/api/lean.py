"""Answers already in their documented form, sent without a marshmallow dump.

flask-smorest dumps a view's result through its response schema field by field; for a page of 20
loans that is about a fifth of the request's time. Views on hot paths build JSON-ready dicts
whose keys and value types are exactly their schema's (`backend.loans.summary`), and return
`lean(Schema, data)`: the same `jsonify` flask-smorest would call on the dump, skipping the dump.
The response schema stays on the view (`@blp.response`), so /openapi.json is unchanged.

With `TESTING` (the test suite) or `CHECK_LEAN_DUMPS` set, every lean answer is also dumped
through its schema and must equal it, so a field added to the schema but not to the dict (or of
another type) fails the tests instead of drifting.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from marshmallow import Schema

_instances: dict[type, Schema] = {}


def lean(schema: type[Schema], data: Any, source: Any = None) -> Response:
    """`data` (JSON-ready) as the response flask-smorest would send for `source` (default: `data`;
    differs where a field is not idempotent under dump, e.g. a DateTime already an ISO string)."""
    config = current_app.config
    if config.get("TESTING") or config.get("CHECK_LEAN_DUMPS"):
        instance = _instances.get(schema) or _instances.setdefault(schema, schema())
        dumped = instance.dump(data if source is None else source)
        if dumped != data:
            raise AssertionError(f"lean answer differs from its {schema.__name__} dump: {data!r} != {dumped!r}")
    return jsonify(data)
