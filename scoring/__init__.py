"""Lendchain credit scoring: verified profile signals -> calibrated PD, grade, score and reasons.

Flow: adapters (data sources -> signal schema) -> model (one scikit-learn Pipeline) -> artifact
(versioned by sha256) -> serving (PD, pdBps, grade, score, reasons, verification hint) -> the
backend signs the result as an EIP-712 attestation (backend/attest.py). See scoring/README.md.
"""
