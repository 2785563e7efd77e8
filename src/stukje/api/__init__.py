"""stukje's HTTP API (FastAPI): cases, matching, the change feed, feedback, helplines, guard."""

from __future__ import annotations

from stukje.api.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
