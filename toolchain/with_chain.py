"""Run a command beside a fresh Ganache on one of the project's brownie networks, then stop it.

    python -m toolchain.with_chain NETWORK -- COMMAND...

Brownie launches its own Ganache when nothing answers on the network's port, but gives it about ten
seconds to answer and kills it otherwise. On a loaded machine (`make test` runs its suites in
parallel, niced) Ganache can take longer than that to start, so the contract tests start it here,
with a generous wait, and brownie attaches to it. The exit status is the command's.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from toolchain.local_chain import PORTS, ganache_command
from toolchain.start_chain import answers

STARTUP_SECONDS = 300


def main(network: str, command: list[str]) -> int:
    port = PORTS[network]
    if answers(port):
        sys.exit(f"something already answers on port {port} ({network}); stop it first")
    log = Path(tempfile.gettempdir()) / f"{network}-ganache.log"
    chain = subprocess.Popen(ganache_command(port), stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers(port):
            if chain.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"Ganache on port {port} did not start; see {log}")
            time.sleep(0.2)
        return subprocess.call(command)
    finally:
        os.killpg(chain.pid, signal.SIGTERM)
        chain.wait(30)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[3:]))
