"""Debian's chromium for the browser tests and the UI benchmark (Playwright's own browser download
does not work offline): installed with apt-get when missing and we are root.

    python -m toolchain.chromium   # prints the path, or exits 1 saying why it is missing
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> str | None:
    """The chromium executable's path, installing Debian's package if needed and possible; else None."""
    if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True)
    return str(CHROMIUM) if CHROMIUM.exists() else None


if __name__ == "__main__":
    path = ensure_chromium()
    print(path or "Debian's chromium is not installed and could not be installed (needs root and apt-get)")
    sys.exit(0 if path else 1)
