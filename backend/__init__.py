"""Lendchain backend: chain access, attestation signing and (later) the Flask API and workers."""
