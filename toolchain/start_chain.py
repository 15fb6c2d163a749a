"""Start the run command's Ganache in the background and wait until it answers.

    python -m toolchain.start_chain STATE_DIR

The process outlives this command (its pid is written to STATE_DIR/ganache.pid, its output to
STATE_DIR/ganache.log), so the chain stays up after the demo for the UI, bots and the console.
"""

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from toolchain.local_chain import PORTS, ganache_command

PORT = PORTS["lendchain-local"]


def answers(port: int) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return "result" in json.load(response)
    except OSError:
        return False


def main(state_dir: Path) -> None:
    if answers(PORT):
        sys.exit(f"something already answers on port {PORT}; stop it first ('make stop')")
    log = (state_dir / "ganache.log").open("w")
    process = subprocess.Popen(ganache_command(PORT), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (state_dir / "ganache.pid").write_text(str(process.pid))
    for _ in range(150):
        if answers(PORT):
            print(f"Ganache running on port {PORT} (pid {process.pid}, log {state_dir / 'ganache.log'})")
            return
        if process.poll() is not None:
            sys.exit(f"Ganache exited with {process.returncode}; see {state_dir / 'ganache.log'}")
        time.sleep(0.2)
    sys.exit("Ganache did not answer within 30 s")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
