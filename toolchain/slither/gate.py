"""The slither gate's pure logic: which findings count, how they are named, which are triaged.

A finding is slither's JSON result (`results.detectors[i]`). Its *primary element* is
`elements[0]`, the contract, function, variable, ... the finding is about (for a `node`, the
function holding the statement). It is named stably, without line numbers, by the key
(detector, contract, element): e.g. ("reentrancy-no-eth", "LoanBook", "fund"). Overloaded
functions share a name and so share a triage entry. File-level elements have contract "".

Out of scope: findings whose primary element lies in a third-party package (`node_modules/`) or a
test-only mock (`contracts/mocks/`). The gated impacts are High and Medium; every gated in-scope
finding must match a triage entry carrying a written justification.

The triage file (JSON): {"entries": [{"detector", "contract", "element", "justification"}, ...]},
extra keys (e.g. "impact", for readers) are allowed and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OUT_OF_SCOPE_PREFIXES = ("node_modules/", "contracts/mocks/")
GATED_IMPACTS = ("High", "Medium")
IMPACT_ORDER = {"High": 0, "Medium": 1, "Low": 2, "Informational": 3, "Optimization": 4}
MIN_JUSTIFICATION_CHARS = 40
TRIAGE_KEYS = ("detector", "contract", "element", "justification")


class TriageFileError(ValueError):
    """The triage file is malformed: the gate cannot be trusted, so it fails."""


@dataclass(frozen=True)
class Finding:
    detector: str
    impact: str
    confidence: str
    contract: str
    element: str
    location: str  # "path#first-last", for people only (never matched)
    description: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.detector, self.contract, self.element)

    @property
    def path(self) -> str:
        return self.location.split("#", 1)[0]


@dataclass
class GateResult:
    gated: list[Finding] = field(default_factory=list)
    triaged: list[Finding] = field(default_factory=list)
    untriaged: list[Finding] = field(default_factory=list)
    others: list[Finding] = field(default_factory=list)  # in scope, below Medium
    stale: list[tuple[str, str, str]] = field(default_factory=list)  # entries matching nothing

    @property
    def passed(self) -> bool:
        return not self.untriaged


def _ancestor(element: dict, wanted: str) -> dict | None:
    node = element
    while node is not None:
        if node.get("type") == wanted:
            return node
        node = node.get("type_specific_fields", {}).get("parent")
    return None


def _location(element: dict) -> str:
    mapping = element.get("source_mapping") or {}
    path = mapping.get("filename_relative") or mapping.get("filename_short") or "?"
    lines = mapping.get("lines") or []
    return f"{path}#{lines[0]}-{lines[-1]}" if lines else path


def parse_finding(result: dict) -> Finding:
    """One slither detector result -> Finding, named by its primary element."""
    elements = result.get("elements") or [{}]
    primary = elements[0]
    if primary.get("type") == "node":
        holder = _ancestor(primary, "function") or primary
        name = holder.get("name", "")
    else:
        name = primary.get("name", "")
    contract = _ancestor(primary, "contract")
    return Finding(
        detector=result["check"],
        impact=result["impact"],
        confidence=result.get("confidence", ""),
        contract=contract.get("name", "") if contract else "",
        element=name,
        location=_location(primary),
        description=" ".join(result.get("description", "").split()),
    )


def in_scope(finding: Finding) -> bool:
    return not finding.path.startswith(OUT_OF_SCOPE_PREFIXES)


def load_triage(document: dict) -> dict[tuple[str, str, str], str]:
    """Validate the triage document and map each key to its justification."""
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise TriageFileError('expected an object with an "entries" list')
    triage: dict[tuple[str, str, str], str] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or any(not isinstance(entry.get(k), str) for k in TRIAGE_KEYS):
            raise TriageFileError(f"entry {index}: needs string fields {', '.join(TRIAGE_KEYS)}")
        key = (entry["detector"], entry["contract"], entry["element"])
        if len(entry["justification"].strip()) < MIN_JUSTIFICATION_CHARS:
            raise TriageFileError(f"entry {index} {key}: justification shorter than {MIN_JUSTIFICATION_CHARS} characters")
        if key in triage:
            raise TriageFileError(f"entry {index} {key}: duplicate")
        triage[key] = entry["justification"]
    return triage


def evaluate(findings: list[Finding], triage: dict[tuple[str, str, str], str]) -> GateResult:
    """Split in-scope findings into triaged, untriaged (gated impacts) and the rest."""
    result = GateResult()
    used: set[tuple[str, str, str]] = set()
    ordered = sorted(findings, key=lambda f: (IMPACT_ORDER.get(f.impact, len(IMPACT_ORDER)), f.key, f.location, f.description))
    for finding in (f for f in ordered if in_scope(f)):
        if finding.impact not in GATED_IMPACTS:
            result.others.append(finding)
            continue
        result.gated.append(finding)
        if finding.key in triage:
            used.add(finding.key)
            result.triaged.append(finding)
        else:
            result.untriaged.append(finding)
    result.stale = sorted(set(triage) - used)
    return result


def summary(result: GateResult) -> str:
    line = (
        f"slither: {len(result.gated)} high/medium findings, {len(result.triaged)} triaged, "
        f"{len(result.untriaged)} untriaged; {len(result.others)} low/informational/optimization"
    )
    if result.stale:
        line += f"; {len(result.stale)} stale triage entries"
    return line


def report_lines(result: GateResult) -> list[str]:
    """Human-readable detail: every untriaged finding, then every stale triage entry."""
    lines = []
    for f in result.untriaged:
        lines.append(f"UNTRIAGED [{f.impact}/{f.confidence}] {f.detector} {f.contract}.{f.element} at {f.location}")
        lines.append(f"    {f.description}")
    for detector, contract, element in result.stale:
        lines.append(f"stale triage entry (matches no high/medium finding; remove it): {detector} {contract}.{element}")
    return lines
