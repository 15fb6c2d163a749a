"""Lendchain backend: the Flask API (`create_app`), chain access, verification, scoring and
attestation signing. See backend/README.md for a line per file.

`create_app` is imported lazily so that `backend.attest` and `backend.loan_model` stay usable
without Flask's dependencies being loaded.
"""


def create_app(config=None):
    """The Flask app (see backend/app.py); `flask --app backend ...` finds it here."""
    from backend.app import create_app as factory

    return factory(config)
