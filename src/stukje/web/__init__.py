"""stukje's web pages: templates, static scripts and the FastAPI router that serves them."""

from __future__ import annotations

from stukje.web.pages import router

__all__ = ["router"]
