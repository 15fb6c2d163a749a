"""Run the Foundry invariant suite (tests/foundry/) and record how much it ran.

    python3 toolchain/forge_invariants.py [--profile default|long]

Runs `forge test` (node_modules/.bin/forge, from the npm package @foundry-rs/forge) with the given
foundry.toml profile, passes its output through, and merges into benchmarks/results/invariants.json:

  forge_calls    handler calls over all invariant campaigns (forge's "calls: N" per campaign)
  forge_runs     runs over all campaigns
  forge_reverts  calls the contracts refused (a refused call changes nothing; it still counts)
  forge_seconds  wall time of `forge test`, compilation included
  forge_campaign_seconds  wall time of the campaigns alone (forge's "Suite result ... finished in")
  forge_cpu_seconds  CPU time (user + system, compilation included): on a busy machine the wall time says
                 little; the two campaigns run in parallel, so on an idle 2-core machine the wall
                 time is about half of it
  forge_profile, forge_campaigns (per invariant function)

Other keys already in the file (e.g. `brownie_steps`) are kept. A run of another profile (`long`)
is written under `<profile>_run`, beside the CI run's counts. Exits with forge's status, so a
broken invariant fails the make target; the file is written only when forge ran its campaigns.
Only the Python standard library is needed.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORGE = ROOT / "node_modules" / ".bin" / "forge"
RESULTS = ROOT / "benchmarks" / "results" / "invariants.json"
# "[PASS] invariant_longRuns() (runs: 50, calls: 50000, reverts: 9120)"
CAMPAIGN = re.compile(
    r"\[(?P<outcome>PASS|FAIL)[^\]]*\]\s+(?P<name>invariant\w*)\(\)\s+"
    r"\(runs: (?P<runs>\d+), calls: (?P<calls>\d+), reverts: (?P<reverts>\d+)\)"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "Suite result: ok. 2 passed; 0 failed; 0 skipped; finished in 242.76s (454.38s CPU time)"
SUITE_TIME = re.compile(r"Suite result: .*finished in (?P<seconds>[0-9.]+)s")


def parse(output: str) -> dict:
    """Campaigns by invariant function name (the last report of each wins)."""
    campaigns = {}
    for line in ANSI.sub("", output).splitlines():
        match = CAMPAIGN.search(line)
        if match:
            campaigns[match["name"]] = {
                "outcome": match["outcome"],
                "runs": int(match["runs"]),
                "calls": int(match["calls"]),
                "reverts": int(match["reverts"]),
            }
    return campaigns


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default", help="foundry.toml profile (default: CI; long: >= 1M calls)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON file to merge the counts into")
    args = parser.parse_args(argv)

    env = dict(os.environ, FOUNDRY_PROFILE=args.profile, NO_COLOR="1")
    command = [str(FORGE), "test", "--match-path", "tests/foundry/*", "--color", "never"]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    status = process.wait()
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = usage.ru_utime + usage.ru_stime

    output = ANSI.sub("", "".join(lines))
    campaigns = parse(output)
    suite_time = SUITE_TIME.search(output)
    if not campaigns:
        print("forge_invariants: no invariant campaign reported; results not written", file=sys.stderr)
        return status or 1
    measured = {
        "forge_calls": sum(c["calls"] for c in campaigns.values()),
        "forge_runs": sum(c["runs"] for c in campaigns.values()),
        "forge_reverts": sum(c["reverts"] for c in campaigns.values()),
        "forge_seconds": round(seconds, 1),
        "forge_campaign_seconds": float(suite_time["seconds"]) if suite_time else None,
        "forge_cpu_seconds": round(cpu_seconds, 1),
        "forge_profile": args.profile,
        "forge_campaigns": campaigns,
    }
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    if args.profile == "default":
        results.update(measured)
    else:  # a long run is reported beside the CI run's counts, not over them
        results[f"{args.profile}_run"] = measured
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    print(f"forge_invariants: {measured['forge_calls']} handler calls in {measured['forge_runs']} runs, "
          f"campaigns {measured['forge_campaign_seconds']} s, {seconds:.0f} s with compilation, "
          f"{cpu_seconds:.0f} CPU s (profile {args.profile}) -> {args.results.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
