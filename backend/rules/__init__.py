"""Auto-lend rules on the backend side (issue 10, DESIGN.md flow 3): `validate` (the contract's
rule checks before anything is signed), `preview` (backtest on the indexed history),
`commitments` (a lender's commitments from chain, off-chain filters and their ownership).
The API is backend/api/rules.py; the bot that acts on the rules is backend/bots/autolend."""
