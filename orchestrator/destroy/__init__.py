"""`orchestrator destroy`, step by step: read the config (`configs.py`) → find what the
provision created (`discover.py`) → decide what to delete and keep (`plan.py`, pure) →
delete in order, waiting with progress (`execute.py`) → clear the config's keys
(`configs.clear`). docs/operations.md.
"""
