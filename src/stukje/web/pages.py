"""The web pages: the hashing page, the case page, the demo chat and the helpline dashboard.

Server-rendered Jinja2 templates with small scripts from ``static/``. Pages talk only to this
server's own API (the Content-Security-Policy says so to the browser too): no third-party
requests, no cookies, no analytics. Photos are hashed in the browser by ``static/pdq.js`` and
never sent. The language comes from ``?lang=`` or the browser's Accept-Language (Dutch or
English).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from stukje import __version__
from stukje.bank.cases import MAX_SIGNALS_PER_CASE
from stukje.errors import NotFoundError
from stukje.guard import Tier, default_help
from stukje.web.texts import LANGUAGES, page_texts

__all__ = ["SECURITY_HEADERS", "page_language", "router", "signal_limits"]

WEB_DIR: Final = Path(__file__).resolve().parent
STATIC_DIR: Final = WEB_DIR / "static"
_MEDIA_TYPES: Final = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

#: Sent with every page: nothing loads from or talks to any other origin, and no referrer leaks.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB_DIR / "templates")


def page_language(request: Request) -> str:
    """``?lang=nl|en`` wins; otherwise the first of Dutch or English the browser asks for."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "nl"


@cache
def signal_limits() -> dict[str, int]:
    """The API's limits on codes, rendered into every page (``data-`` attributes on ``<body>``)
    so the scripts batch and cap what they send by the Python constants, not by copies."""
    # Imported here: the API imports this module to mount the pages.
    from stukje.api.routes.cases import MAX_SIGNALS_PER_REQUEST

    return {"per_request": MAX_SIGNALS_PER_REQUEST, "per_case": MAX_SIGNALS_PER_CASE}


def _render(request: Request, template: str, **extra: object) -> HTMLResponse:
    language = page_language(request)
    texts = page_texts(language)
    other = "en" if language == "nl" else "nl"
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": language,
            "other_lang": other,
            "other_lang_name": page_texts(other)["language_name"],
            "t": texts,
            "version": __version__,
            "path": request.url.path,
            "limits": signal_limits(),
            **extra,
        },
    )
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get("/", response_class=HTMLResponse)
async def hashing_page(request: Request) -> HTMLResponse:
    """Choose photos, hash them on the device, send only the codes."""
    language = page_language(request)
    return _render(request, "index.html", help=default_help().find("NL", language, Tier.TEEN))


@router.get("/case", response_class=HTMLResponse)
async def case_page(request: Request) -> HTMLResponse:
    """Look a case up with its number and PIN; see what partners did; withdraw it."""
    return _render(request, "case.html")


@router.get("/demo", response_class=HTMLResponse)
async def demo_page(request: Request) -> HTMLResponse:
    """A pretend chat showing the guard's nudge and block dialogs."""
    return _render(request, "demo.html")


@router.get("/helpline", response_class=HTMLResponse)
async def helpline_page(request: Request) -> HTMLResponse:
    """The helpline dashboard (the data comes from /v1/helpline with a helpline key)."""
    return _render(request, "helpline.html", wide=True)


@cache
def _static_files() -> dict[str, Path]:
    """Only the files shipped in static/ are served: a name is looked up, never joined."""
    return {path.name: path for path in STATIC_DIR.iterdir() if path.suffix in _MEDIA_TYPES}


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    path = _static_files().get(name)
    if path is None:
        raise NotFoundError(f"there is no static file named {name!r}")
    response = FileResponse(path, media_type=_MEDIA_TYPES[path.suffix])
    response.headers.update(
        {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
    )
    return response
