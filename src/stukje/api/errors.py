"""One JSON error shape for every failure the API returns.

Every error body is ``{"error": {"code": "...", "message": "...", "details": [...]?}}``. Domain
errors from :mod:`stukje.errors` map to a status code by class; request validation failures become
422 ``invalid_request``; anything unexpected becomes a bare 500 that reveals nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from stukje import errors

__all__ = ["error_response", "install_error_handlers", "status_for"]

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
    return error_response(
        exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None)
    )


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, "internal_error", "Something went wrong on our side.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.StukjeError, _on_stukje_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
