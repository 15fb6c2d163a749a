"""The bots' worker loop: run a pure, idempotent `step()` on every new block (and at least every
`idle_seconds`, since time-driven chores need no block), surviving errors.

A step that raises (node down, database busy) is logged and retried after a growing pause; since
steps are idempotent and every action is keyed, a retry or a restart repeats nothing.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Callable

log = logging.getLogger("lendchain.bots")


def run(step: Callable[[], object], head: Callable[[], int], *, once: bool = False, poll_seconds: float = 1.0,
        idle_seconds: float = 30.0, max_backoff: float = 30.0, report: Callable[[object], None] = print):
    """Call `step` when `head()` moves (or after `idle_seconds`); with `once`, one step and return it."""
    if once:
        result = step()
        report(result)
        return result
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    last_block, last_run, failures = None, 0.0, 0
    while not stopping:
        try:
            block = head()
            if block != last_block or time.monotonic() - last_run >= idle_seconds:
                report(step())
                last_block, last_run, failures = block, time.monotonic(), 0
            time.sleep(poll_seconds)
        except Exception as error:  # noqa: BLE001 - a worker must outlive a node or database outage
            failures += 1
            pause = min(max_backoff, poll_seconds * 2**failures)
            log.error("step failed (%s: %s); retrying in %.1f s", type(error).__name__, error, pause)
            time.sleep(pause)
    return None
