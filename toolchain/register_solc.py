"""Register toolchain/solc.js (npm `solc`) with py-solc-x, which brownie compiles through.

py-solc-x looks for `solc-v<version>` executables in its install folder (~/.solcx unless
SOLCX_BINARY_PATH is set) and would otherwise try to download one, which fails offline.
We place a two-line shell wrapper there that runs our front-end with this checkout's Node
packages. Re-running rewrites it, so moving or re-cloning the project keeps it correct.
A solc of that version already installed by other means is left alone.
"""

import json
import stat
import subprocess
import sys
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parent.parent
FRONT_END = ROOT / "toolchain" / "solc.js"
MARKER = "# lendchain solc front-end"


def npm_solc_version() -> str:
    package = json.loads((ROOT / "node_modules" / "solc" / "package.json").read_text())
    return package["version"]


def register() -> Path:
    version = npm_solc_version()
    target = solcx.get_solcx_install_folder() / f"solc-v{version}"
    if target.exists() and MARKER not in target.read_text(errors="ignore"):
        return target  # a native solc someone installed: keep it
    target.write_text(f'#!/bin/sh\n{MARKER}\nexec node "{FRONT_END}" "$@"\n')
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    reported = subprocess.check_output([str(target), "--version"], text=True)
    if version not in reported:
        sys.exit(f"solc front-end reports {reported!r}, expected {version}")
    return target


if __name__ == "__main__":
    print(f"solc {npm_solc_version()} registered at {register()}")
