"""One JSON error shape for every failure the API returns.

Every error body is ``{"error": {"code": "...", "message": "...", "details": [...]?}}``. Domain
errors from :mod:`stukje.errors` map to a status code by class; request validation failures become
422 ``invalid_request``; anything unexpected becomes a bare 500 that reveals nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from stukje import errors

__all__ = ["ERROR_RESPONSES", "ErrorOut", "error_response", "install_error_handlers", "status_for"]

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides its status.
_STATUS_BY_ERROR: tuple[tuple[type[errors.StukjeError], int], ...] = (
    (errors.ImageTooLargeError, 413),
    (errors.TooManyPixelsError, 413),
    (errors.BatchTooLargeError, 413),
    (errors.UnsupportedFormatError, 415),
    (errors.InvalidInputError, 422),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.TooManyAttemptsError, 429),
    (errors.ScopeError, 403),
    (errors.RevokedKeyError, 401),
    (errors.InvalidCredentialsError, 401),
    (errors.AuthError, 401),
    (errors.MissingDependencyError, 503),
    (errors.ConfigError, 500),
)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    """The one error shape."""

    error: ErrorBody


def _documented(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description, **extra}


#: The error answers every route may give, for the OpenAPI schema (clients and fuzzers read it).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("The request cannot be served as it is."),
    401: _documented("A partner API key or case PIN is missing, wrong or revoked."),
    403: _documented("The API key lacks the scope this route needs."),
    404: _documented("No such case, match or route."),
    405: _documented("The route does not take this method."),
    409: _documented("The request clashes with the current state (e.g. a withdrawn case)."),
    413: _documented("Too large: request body, picture, pixels or batch."),
    415: _documented("Not a picture stukje reads."),
    422: _documented("The request is not valid; ``details`` say where (never echoing values)."),
    429: _documented(
        "Too many requests or wrong PINs; wait for Retry-After seconds.",
        headers={"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
    ),
    500: _documented("Something went wrong on the server's side; nothing is revealed."),
}


def status_for(error: errors.StukjeError) -> int:
    for error_class, status in _STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 400


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def _on_stukje_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.StukjeError)
    status = status_for(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.TooManyAttemptsError):
        headers["Retry-After"] = str(exc.retry_after_s)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return error_response(status, exc.code, exc.message, headers=headers or None)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Echo where and why, never the submitted values: they may be victims' hashes.
    details = [
        {"where": ".".join(str(part) for part in err.get("loc", ())), "problem": err.get("msg")}
        for err in exc.errors()
    ]
    return error_response(422, "invalid_request", "The request is not valid.", details)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method the schema lists for this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


async def _on_unstorable_value(request: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot hold (a number past 64 bits, which sqlite3 refuses while
    # binding it; a NUL character in PostgreSQL text): the request's fault, so a 422 rather
    # than a 500, for any route whose validation missed it.
    log.warning(
        "unstorable value on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return error_response(422, "invalid_request", "A value in the request is out of range.")


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, "internal_error", "Something went wrong on our side.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.StukjeError, _on_stukje_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(OverflowError, _on_unstorable_value)
    app.add_exception_handler(DataError, _on_unstorable_value)
    app.add_exception_handler(Exception, _on_unexpected_error)
