"""One router per resource; :data:`ROUTERS` is the order they are mounted in."""

from __future__ import annotations

from fastapi import APIRouter

from stukje.api.routes import (
    cases,
    dashboard,
    feed,
    feedback,
    guard,
    health,
    helpline,
    hma,
    match,
)
from stukje.web import pages

ROUTERS: tuple[APIRouter, ...] = (
    cases.router,
    match.router,
    feed.router,
    feedback.router,
    guard.router,
    helpline.router,
    dashboard.router,
    hma.router,
    health.router,
    pages.router,
)
