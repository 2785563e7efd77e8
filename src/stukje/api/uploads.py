"""Reading an uploaded picture into memory, never onto disk.

Starlette's form parser spools file parts larger than 1 MB to a temporary file; stukje must never
write uploaded image bytes to disk, so uploads are read here instead: either the raw request body
(``Content-Type: image/*`` or ``application/octet-stream``) or one file part of a
``multipart/form-data`` body, parsed with python-multipart's streaming parser into a bounded
in-memory buffer. Small text fields of the same form (e.g. a JSON ``context``) come back too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

from stukje.errors import ImageTooLargeError, InvalidInputError

__all__ = ["Upload", "read_upload"]

_MAX_FIELD_BYTES = 64 * 1024
_MAX_PARTS = 16


@dataclass
class Upload:
    """The picture's bytes and any small text fields sent with it."""

    data: bytes
    fields: dict[str, str] = field(default_factory=dict)


async def read_upload(request: Request, max_bytes: int, file_field: str | None = None) -> Upload:
    """The uploaded picture (at most ``max_bytes``) from a raw or multipart body."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes + _MAX_FIELD_BYTES:
        raise _too_large(max_bytes)
    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise InvalidInputError("a multipart body needs a boundary")
        return await _read_multipart(request, boundary, max_bytes, file_field)
    if content_type.startswith(b"image/") or content_type in (b"application/octet-stream", b""):
        return Upload(await _read_raw(request, max_bytes))
    raise InvalidInputError(
        "send the picture as multipart/form-data, or as the raw body with an image/* type"
    )


def _too_large(max_bytes: int) -> ImageTooLargeError:
    return ImageTooLargeError(f"the picture is larger than the limit of {max_bytes:,} bytes")


async def _read_raw(request: Request, max_bytes: int) -> bytes:
    buffer = bytearray()
    async for chunk in request.stream():
        buffer += chunk
        if len(buffer) > max_bytes:
            raise _too_large(max_bytes)
    return bytes(buffer)


class _FormCollector:
    """python-multipart callbacks that keep the first file part and small text fields."""

    def __init__(self, max_bytes: int, file_field: str | None) -> None:
        self.max_bytes = max_bytes
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.file: bytearray | None = None
        self.parts = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._current: bytearray | None = None
        self._current_name = ""
        self._current_is_file = False

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > _MAX_PARTS:
            raise InvalidInputError(f"a form may have at most {_MAX_PARTS} parts")
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, disposition = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._current_name = disposition.get(b"name", b"").decode("utf-8", "replace")
        is_file = b"filename" in disposition or self._current_name == self.file_field
        self._current_is_file = is_file and self.file is None
        self._current = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        assert self._current is not None
        self._current += data[start:end]
        limit = self.max_bytes if self._current_is_file else _MAX_FIELD_BYTES
        if len(self._current) > limit:
            if self._current_is_file:
                raise _too_large(self.max_bytes)
            raise InvalidInputError(f"the form field {self._current_name!r} is too long")

    def on_part_end(self) -> None:
        if self._current is None:
            return
        if self._current_is_file:
            self.file = self._current
        else:
            self.fields[self._current_name] = self._current.decode("utf-8", "replace")
        self._current = None


async def _read_multipart(
    request: Request, boundary: bytes, max_bytes: int, file_field: str | None
) -> Upload:
    collector = _FormCollector(max_bytes, file_field)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": collector.on_part_begin,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
            "on_part_data": collector.on_part_data,
            "on_part_end": collector.on_part_end,
        },
        max_size=max_bytes + _MAX_PARTS * _MAX_FIELD_BYTES,
    )
    async for chunk in request.stream():
        try:
            parser.write(chunk)
        except InvalidInputError:
            raise
        except Exception as exc:  # python-multipart's own parse errors
            raise InvalidInputError("the multipart body could not be read") from exc
    if collector.file is None:
        raise InvalidInputError("the form has no picture: send it as a file part")
    return Upload(bytes(collector.file), collector.fields)
