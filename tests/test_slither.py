"""The slither gate (toolchain/slither): its pure triage logic, and the real run over contracts/.

The end-to-end tests need `.venv-slither` (made by toolchain/slither/setup.sh, which `make test`
runs first) and skip only when it is absent.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from toolchain.slither import gate, run

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(
    r"^slither: (\d+) high/medium findings, (\d+) triaged, (\d+) untriaged; (\d+) low/informational/optimization",
    re.MULTILINE,
)
JUSTIFIED = "Accepted by design: this sentence is long enough to count as a justification."


def _result(check, impact, element, description="desc"):
    return {"check": check, "impact": impact, "confidence": "Medium", "description": description, "elements": [element]}


def _function(name, contract="LoanBook", path="contracts/LoanBook.sol"):
    parent = {"type": "contract", "name": contract, "source_mapping": {"filename_relative": path}}
    return {
        "type": "function",
        "name": name,
        "source_mapping": {"filename_relative": path, "lines": [10, 11, 12]},
        "type_specific_fields": {"parent": parent, "signature": f"{name}(uint256)"},
    }


def _node_in(function):
    return {
        "type": "node",
        "name": "x == 0",
        "source_mapping": {"filename_relative": function["source_mapping"]["filename_relative"], "lines": [11]},
        "type_specific_fields": {"parent": function},
    }


def _finding(check="reentrancy-no-eth", impact="Medium", name="fund", contract="LoanBook", path="contracts/LoanBook.sol"):
    return gate.parse_finding(_result(check, impact, _function(name, contract, path)))


def _triage(*keys):
    entries = [{"detector": d, "contract": c, "element": e, "justification": JUSTIFIED} for d, c, e in keys]
    return gate.load_triage({"entries": entries})


# ------------------------------------------------------------------ naming a finding


def test_function_finding_is_named_by_detector_contract_and_function():
    finding = _finding()
    assert finding.key == ("reentrancy-no-eth", "LoanBook", "fund")
    assert finding.location == "contracts/LoanBook.sol#10-12"


def test_node_finding_is_named_by_its_function_not_its_line():
    finding = gate.parse_finding(_result("incorrect-equality", "Medium", _node_in(_function("claim"))))
    assert finding.key == ("incorrect-equality", "LoanBook", "claim")


def test_file_level_element_has_no_contract():
    element = {"type": "pragma", "name": "0.8.28", "source_mapping": {"filename_relative": "contracts/X.sol"}}
    assert gate.parse_finding(_result("pragma", "Informational", element)).key == ("pragma", "", "0.8.28")


# ------------------------------------------------------------------ the gate


def test_untriaged_high_or_medium_finding_fails_the_gate():
    result = gate.evaluate([_finding(impact="High"), _finding("unused-return", name="submit")], _triage())
    assert not result.passed
    assert [f.key for f in result.untriaged] == [
        ("reentrancy-no-eth", "LoanBook", "fund"),
        ("unused-return", "LoanBook", "submit"),
    ]
    assert "UNTRIAGED [High/Medium] reentrancy-no-eth LoanBook.fund at contracts/LoanBook.sol#10-12" in gate.report_lines(result)
    assert gate.summary(result) == "slither: 2 high/medium findings, 0 triaged, 2 untriaged; 0 low/informational/optimization"


def test_triaged_finding_passes_and_matching_ignores_lines():
    moved = gate.parse_finding(_result("reentrancy-no-eth", "Medium", {**_function("fund"), "source_mapping": {
        "filename_relative": "contracts/LoanBook.sol", "lines": [300, 340]}}))
    result = gate.evaluate([moved], _triage(("reentrancy-no-eth", "LoanBook", "fund")))
    assert result.passed and result.triaged == [moved] and not result.stale


def test_triage_is_per_detector_and_per_contract():
    triage = _triage(("reentrancy-no-eth", "LoanBook", "fund"))
    other_detector = _finding("reentrancy-balance")
    other_contract = _finding(contract="LoanNotes", path="contracts/LoanNotes.sol")
    result = gate.evaluate([other_detector, other_contract], triage)
    assert len(result.untriaged) == 2
    assert result.stale == [("reentrancy-no-eth", "LoanBook", "fund")]
    assert "stale triage entries" in gate.summary(result)


def test_low_findings_and_out_of_scope_paths_are_not_gated():
    findings = [
        _finding("timestamp", "Low"),
        _finding("pragma", "Informational"),
        _finding("incorrect-exp", "High", "mulDiv", "Math", "node_modules/@openzeppelin/contracts/utils/math/Math.sol"),
        _finding("reentrancy-eth", "High", "transfer", "ReentrantToken", "contracts/mocks/ReentrantToken.sol"),
    ]
    result = gate.evaluate(findings, _triage())
    assert result.passed
    assert (len(result.gated), len(result.others)) == (0, 2)


@pytest.mark.parametrize(
    "document, message",
    [
        ({}, "entries"),
        ({"entries": [{"detector": "x", "contract": "C", "element": "f"}]}, "string fields"),
        ({"entries": [{"detector": "x", "contract": "C", "element": "f", "justification": "fine"}]}, "shorter"),
        ({"entries": [{"detector": "x", "contract": "C", "element": "f", "justification": JUSTIFIED}] * 2}, "duplicate"),
    ],
)
def test_malformed_triage_file_is_rejected(document, message):
    with pytest.raises(gate.TriageFileError, match=message):
        gate.load_triage(document)


def test_committed_triage_file_is_valid():
    triage = gate.load_triage(json.loads((ROOT / "toolchain/slither/triage.json").read_text()))
    assert triage, "the committed triage file has no entries"


# ------------------------------------------------------------------ the analysis input


def test_standard_json_input_follows_brownie_config_and_skips_mocks():
    pinned, settings = run.compiler_settings(ROOT / "brownie-config.yaml")
    assert pinned == "0.8.28"
    assert settings["evmVersion"] == "shanghai"
    assert settings["viaIR"] is True and settings["optimizer"] == {"enabled": True, "runs": 200}
    assert "@openzeppelin=node_modules/@openzeppelin" in settings["remappings"]
    sources = run.standard_json_input(ROOT, settings)["sources"]
    assert "contracts/LoanBook.sol" in sources
    assert not [path for path in sources if path.startswith("contracts/mocks/")]


# ------------------------------------------------------------------ the real run

needs_slither = pytest.mark.skipif(
    not run.DEFAULT_SLITHER.exists(), reason=".venv-slither missing: run toolchain/slither/setup.sh (make test does)"
)


def _gate(*args):
    return subprocess.run(
        [sys.executable, str(ROOT / "toolchain/slither/run.py"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def committed_run():
    return _gate()


@needs_slither
def test_contracts_have_no_untriaged_high_or_medium_finding(committed_run):
    assert committed_run.returncode == 0, committed_run.stdout + committed_run.stderr
    match = SUMMARY.search(committed_run.stdout)
    assert match, committed_run.stdout
    gated, triaged, untriaged, _ = map(int, match.groups())
    assert (untriaged, triaged) == (0, gated)


@needs_slither
def test_gate_fails_on_the_same_contracts_without_triage(committed_run, tmp_path):
    gated = int(SUMMARY.search(committed_run.stdout).group(1))
    empty = tmp_path / "triage.json"
    empty.write_text('{"entries": []}')
    proc = _gate("--triage", str(empty))
    assert proc.returncode == (1 if gated else 0), proc.stdout + proc.stderr
    assert proc.stdout.count("UNTRIAGED ") == gated
    assert f"slither: {gated} high/medium findings, 0 triaged, {gated} untriaged" in proc.stdout
