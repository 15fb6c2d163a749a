"""Run slither over contracts/ and fail on any High or Medium finding not triaged in triage.json.

    .venv/bin/python -m toolchain.slither.run        (or: .venv/bin/python toolchain/slither/run.py)

Exit 0: every in-scope High/Medium finding is triaged. Exit 1: some are not (each is listed with
detector, contract.element, location and description). Exit 2: the analysis itself failed (setup
missing, compile error, malformed triage file). A one-line summary is printed in every case.

How: a solc standard-JSON input holding every .sol under contracts/ except contracts/mocks/
(test-only code, never deployed; a mock imported by a production contract would still be
compiled through the import callback, and its findings are out of scope anyway), with the
compiler settings of brownie-config.yaml (EVM version, optimizer, viaIR, remappings). Slither
(`.venv-slither`, see setup.sh) compiles it through toolchain/solc.js (npm solc, whose solcjs has
no --combined-json, hence the solc-json framework) and writes its findings as JSON.

The input asks solc for the AST only: slither analyses the AST, never the bytecode, and
requesting no bytecode spares code generation (with viaIR, ~33 s of solcjs time out of ~41 s).
Checked on the contracts of the time: identical findings with and without bytecode output.
Nothing else can hide a finding: `--show-ignored-findings` makes inline `slither-disable` comments
and a `slither.db.json` count for nothing, and an empty `--config-file` keeps a stray
`slither.config.json` from excluding detectors or paths. The committed triage file is the only way
to accept a finding. Slither re-reads the sources from disk for line numbers, so it runs from a
directory that mirrors the repository's `contracts/` and `node_modules/` (not from the root itself,
where crytic-compile would take foundry.toml for a Foundry project). Needs PyYAML (in .venv), not brownie.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script: make `toolchain` importable
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from toolchain.slither import gate  # noqa: E402

FRONT_END = ROOT / "toolchain" / "solc.js"
DEFAULT_SLITHER = ROOT / ".venv-slither" / "bin" / "slither"
DEFAULT_TRIAGE = ROOT / "toolchain" / "slither" / "triage.json"
CONTRACTS = "contracts"
EXCLUDED_SOURCES = ("contracts/mocks/",)
SLITHER_TIMEOUT = 600


class GateError(RuntimeError):
    """The analysis could not be run or read."""


def compiler_settings(config_path: Path) -> tuple[str, dict]:
    """(pinned solc version, standard-JSON `settings`) from brownie-config.yaml's `compiler`."""
    compiler = (yaml.safe_load(config_path.read_text()) or {}).get("compiler", {})
    solc = compiler.get("solc", {})
    optimizer = solc.get("optimizer", {})
    remappings = solc.get("remappings") or []
    if isinstance(remappings, str):
        remappings = [remappings]
    settings = {
        "optimizer": {"enabled": bool(optimizer.get("enabled", False)), "runs": int(optimizer.get("runs", 200))},
        "viaIR": bool(solc.get("viaIR", False)),
        "remappings": list(remappings),
        "outputSelection": {"*": {"": ["ast"]}},
    }
    if compiler.get("evm_version"):
        settings["evmVersion"] = compiler["evm_version"]
    return str(solc.get("version", "")), settings


def source_files(root: Path) -> list[str]:
    paths = (p.relative_to(root).as_posix() for p in (root / CONTRACTS).rglob("*.sol"))
    return sorted(p for p in paths if not p.startswith(EXCLUDED_SOURCES))


def standard_json_input(root: Path, settings: dict) -> dict:
    sources = {path: {"content": (root / path).read_text()} for path in source_files(root)}
    if not sources:
        raise GateError(f"no .sol files under {CONTRACTS}/")
    return {"language": "Solidity", "sources": sources, "settings": settings}


def check_front_end(pinned: str) -> None:
    if shutil.which("node") is None:
        raise GateError("node is not on PATH (toolchain/solc.js needs it)")
    proc = subprocess.run([str(FRONT_END), "--version"], cwd=ROOT, capture_output=True, text=True)
    if pinned and f"Version: {pinned}" not in proc.stdout:
        raise GateError(
            f"toolchain/solc.js reports {proc.stdout.strip()!r} (brownie-config.yaml pins {pinned}); "
            f"is node_modules installed?\n{proc.stderr[-1000:]}"
        )


def run_slither(slither: Path, standard_json: dict) -> list[dict]:
    """Slither's detector results for `standard_json`."""
    if not slither.exists():
        raise GateError(f"{slither} missing: run toolchain/slither/setup.sh")
    with tempfile.TemporaryDirectory(prefix="lendchain-slither-") as tmp:
        # Slither's compile layer looks for a framework's config from its working directory
        # upwards and would take the repository's foundry.toml for a Foundry project; a directory
        # that mirrors the sources' relative paths keeps it on the standard-JSON input.
        workdir = Path(tmp) / "tree"
        workdir.mkdir()
        for name in ("contracts", "node_modules"):
            (workdir / name).symlink_to(ROOT / name, target_is_directory=True)
        input_path, output_path = Path(tmp) / "input.json", Path(tmp) / "findings.json"
        input_path.write_text(json.dumps(standard_json))
        (Path(tmp) / "config.json").write_text("{}")
        command = [
            str(slither), str(input_path),
            "--compile-force-framework", "solc-json",
            "--solc", str(FRONT_END),
            "--json", str(output_path),
            "--config-file", str(Path(tmp) / "config.json"),
            "--fail-none",
            "--show-ignored-findings",
            "--disable-color",
        ]
        proc = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=SLITHER_TIMEOUT)
        if not output_path.exists():
            raise GateError(f"slither exited {proc.returncode} without output:\n{proc.stderr[-4000:]}")
        report = json.loads(output_path.read_text())
    if not report.get("success"):
        raise GateError(f"slither failed: {str(report.get('error') or proc.stderr)[-4000:]}")
    return report.get("results", {}).get("detectors", [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triage", type=Path, default=DEFAULT_TRIAGE, help="triage file (JSON)")
    parser.add_argument("--slither", type=Path, default=DEFAULT_SLITHER, help="slither executable")
    args = parser.parse_args(argv)
    try:
        triage = gate.load_triage(json.loads(args.triage.read_text()))
        pinned, settings = compiler_settings(ROOT / "brownie-config.yaml")
        check_front_end(pinned)
        results = run_slither(args.slither, standard_json_input(ROOT, settings))
    except (GateError, gate.TriageFileError, OSError, ValueError, subprocess.TimeoutExpired) as error:
        print(f"slither gate error: {error}", file=sys.stderr)
        print("slither: analysis failed, no findings evaluated")
        return 2
    result = gate.evaluate([gate.parse_finding(r) for r in results], triage)
    for line in gate.report_lines(result):
        print(line)
    print(gate.summary(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
