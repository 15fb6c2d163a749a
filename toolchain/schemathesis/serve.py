"""A live backend for the schemathesis fuzz run: a fresh SQLite database with a few indexed loans
(a fake chain, tests/backend/fake_chain.py), no reachable chain node, served on loopback.

    .venv/bin/python -m toolchain.schemathesis.serve PORT
"""

import json
import sys
import tempfile
from pathlib import Path


def main(port: int) -> None:
    from werkzeug.serving import run_simple

    from backend import create_app
    from backend.db import database, migrate
    from backend.indexer import step
    from tests.backend import fake_chain as fc
    from tests.backend.test_indexer import active_loan, listing

    directory = Path(tempfile.mkdtemp(prefix="lendchain-fuzz-"))
    url = f"sqlite:///{directory / 'fuzz.db'}"
    migrate.upgrade(url)
    (directory / "1337.json").write_text(json.dumps(fc.deployment()))
    app = create_app({"DATABASE_URL": url, "DEPLOYMENTS_DIR": str(directory), "RPC_URL": "http://127.0.0.1:9",
                      "HTTP_TIMEOUT_SECONDS": 1, "SCORING_MODEL_DIR": str(directory / "no-model")})
    source = fc.FakeSource()
    active_loan(source)
    source.mine(listing(loan_id=2))
    with app.app_context(), database(app).session() as db:
        step(db, source, fc.deployment())
    run_simple("127.0.0.1", port, app, threaded=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
