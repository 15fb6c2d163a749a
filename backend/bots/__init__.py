"""The platform's keepers (DESIGN.md flows 3 and 4), each its own process around a pure,
idempotent `step()` (loop.py), sending through the shared transaction sender (backend/tx):

- liquidator/: health sweep, liquidations, defaults, listing chores, alerts;
- autolend/: funds listings from lenders' on-chain commitments;
- prices.py: keeps the local mock price feeds fresh, replays price paths (local chains only).

`flask --app backend bots ...` runs them (cli.py).
"""
