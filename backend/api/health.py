"""GET /healthz: database, chain head, indexer lag and model; a dependency down is reported, not fatal."""

from flask_smorest import Blueprint
from sqlalchemy import select, text

from backend import model
from backend.api.schemas import Health
from backend.chain import ChainUnavailable, get_chain
from backend.db import session
from backend.db.models import IndexerCheckpoint

blp = Blueprint("health", __name__, description="Service health")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, Health)
def healthz():
    """Database, chain head, indexer lag (null until an indexer has a checkpoint) and model id."""
    report = {"status": "ok"}
    checkpoints = []
    try:
        session().execute(text("SELECT 1"))
        checkpoints = session().scalars(select(IndexerCheckpoint)).all()
        report["database"] = {"ok": True, "error": None}
    except Exception as error:  # any driver error: report it
        report["database"] = {"ok": False, "error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}
        report["status"] = "degraded"
    head = None
    try:
        chain = get_chain()
        head = chain.head()
        report["chain"] = {"chain_id": chain.chain_id, "head": head.number, "timestamp": head.timestamp,
                           "error": None}
    except ChainUnavailable as error:
        report["chain"] = {"chain_id": None, "head": None, "timestamp": None, "error": error.message}
        report["status"] = "degraded"
    lowest = min((c.block_number for c in checkpoints), default=None)
    report["indexer"] = {
        "checkpoint": lowest,
        "lag": None if lowest is None or head is None else max(0, head.number - lowest),
    }
    report["model"] = model.status()
    return report
