"""Provision and deploy AI Toolkit inference workspaces on Azure Container Apps."""

from __future__ import annotations

__version__ = "0.1.0"
