"""The provision pipeline.

resolve target (`target.py`) → load parameters (`orchestrator.parameters`) → validate
(`orchestrator.validation`) → compile (`orchestrator.compile`) → decide (`nochange.py`, pure)
→ deploy (`arm.py`: preflight, create; `inflight.py` records it) → watch (`watch.py`, events
shown by `progress.py`) → record outputs (`outputs.py`). `pipeline.py` strings them together;
`errors.py` turns ARM error trees into root causes with hints.
"""
