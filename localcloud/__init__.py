"""localcloud: an embedded stand-in for the slice of Azure the orchestrator uses."""

from __future__ import annotations

__version__ = "0.1.0"
