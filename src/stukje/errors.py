"""Every exception stukje raises on purpose, in one tree.

Catch :class:`StukjeError` to handle them all. Each class has a stable ``code`` (used in the
API's JSON error shape and in CLI output) and a message written for a person, not a developer::

    StukjeError
    ├── ConfigError                     a setting, policy file or data file is invalid
    ├── MissingDependencyError          an optional extra (e.g. stukje[nudity]) is not installed
    ├── InvalidInputError               input rejected at the boundary (also a ValueError)
    │   ├── InvalidSignalError          a hash string is malformed or has the wrong length
    │   ├── BatchTooLargeError          too many items in one request
    │   └── ImageError                  a picture could not be hashed
    │       ├── EmptyImageError         zero bytes
    │       ├── ImageTooLargeError      more bytes than the size limit
    │       ├── TooManyPixelsError      more pixels than the pixel limit (decompression bomb)
    │       ├── UnsupportedFormatError  not a picture, or a format stukje does not read
    │       └── CorruptImageError       truncated or damaged picture data
    ├── NotFoundError                   a case, partner, bank or signal does not exist
    ├── ConflictError                   the request clashes with the current state
    └── AuthError                       who is asking may not do this
        ├── InvalidCredentialsError     missing or wrong API key or PIN
        ├── RevokedKeyError             the API key was revoked
        ├── ScopeError                  the key lacks the scope this action needs
        └── TooManyAttemptsError        too many failed tries; wait before trying again
            └── RateLimitedError        too many requests from this client or partner; wait
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BatchTooLargeError",
    "ConfigError",
    "ConflictError",
    "CorruptImageError",
    "EmptyImageError",
    "ImageError",
    "ImageTooLargeError",
    "InvalidCredentialsError",
    "InvalidInputError",
    "InvalidSignalError",
    "MissingDependencyError",
    "NotFoundError",
    "RateLimitedError",
    "RevokedKeyError",
    "ScopeError",
    "StukjeError",
    "TooManyAttemptsError",
    "TooManyPixelsError",
    "UnsupportedFormatError",
]


class StukjeError(Exception):
    """Base of every error stukje raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(StukjeError):
    """Also says where: the file, the line (1-based) and the field, when they are known."""

    code = "config_error"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.field = field


class MissingDependencyError(StukjeError, ImportError):
    code = "missing_dependency"


class InvalidInputError(StukjeError, ValueError):
    code = "invalid_input"


class InvalidSignalError(InvalidInputError):
    code = "invalid_signal"


class BatchTooLargeError(InvalidInputError):
    code = "batch_too_large"


class ImageError(InvalidInputError):
    code = "image_error"


class EmptyImageError(ImageError):
    code = "empty_image"


class ImageTooLargeError(ImageError):
    code = "image_too_large"


class TooManyPixelsError(ImageError):
    code = "too_many_pixels"


class UnsupportedFormatError(ImageError):
    code = "unsupported_format"


class CorruptImageError(ImageError):
    code = "corrupt_image"


class NotFoundError(StukjeError, LookupError):
    code = "not_found"


class ConflictError(StukjeError):
    code = "conflict"


class AuthError(StukjeError):
    code = "auth_error"


class InvalidCredentialsError(AuthError):
    code = "invalid_credentials"


class RevokedKeyError(AuthError):
    code = "revoked_key"


class ScopeError(AuthError):
    code = "missing_scope"


class TooManyAttemptsError(AuthError):
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int = 3600) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RateLimitedError(TooManyAttemptsError):
    """A per-client or per-partner rate limit; ``retry_after_s`` says when to try again."""

    code = "rate_limited"
