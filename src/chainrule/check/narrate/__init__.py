"""Narration: the check report (JSON, terminal) and explain SCRIPT's Report, from the verdicts only."""
