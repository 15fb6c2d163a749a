"""Slither static-analysis gate: see run.py."""
