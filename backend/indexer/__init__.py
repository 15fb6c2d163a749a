"""The chain indexer (DESIGN.md, Backend): `flask --app backend indexer run`, its own process.

    step(db, source, deployment, confirmations=0, ...) -> StepResult   one bounded, idempotent pass

`core.py` has the step (identity check, reorg rollback, bounded eth_getLogs, upsert, checkpoint),
`abi.py` the eth_abi decoder built from the deployment map's ABIs, `projection.py` the loans,
note holdings and outcomes rebuilt from events, `rpc.py` the batched JSON-RPC source,
`runner.py` the loop behind the CLI.
"""

from backend.indexer.core import ChainMismatch, Indexer, ReorgDuringStep, StepResult, reset
from backend.indexer.rpc import RpcSource, SourceUnavailable


def step(db, source, deployment: dict, **options) -> StepResult:
    """One pass of the indexer over `source` for `deployment` (see core.Indexer for the options)."""
    return Indexer(deployment, **options).step(db, source)


__all__ = ["ChainMismatch", "Indexer", "ReorgDuringStep", "RpcSource", "SourceUnavailable", "StepResult", "reset",
           "step"]
