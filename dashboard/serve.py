"""Serve Streamlit's JavaScript and CSS compressed, without a proxy and without CPU per hit.

Streamlit 1.67 serves its 7 MB of frontend bundles uncompressed on purpose: gzip at the
origin would re-compress them on every request. This module compresses each bundle
ONCE, into a cache folder on disk, and a small ASGI middleware then answers requests for
``/static/…`` with the brotli or gzip copy the browser accepts, with the same immutable
cache headers Streamlit gives the originals (so a second visit fetches nothing).

* :func:`build_cache` writes ``<file>.br`` and ``<file>.gz`` for every compressible file
  under a folder (once per Streamlit version; files already there are kept).
* :class:`PrecompressedStatic` is the middleware; it falls through to the app for
  anything it has no compressed copy of, for ranges, and for other methods.

Examples
--------
>>> negotiate("gzip, deflate, br")
'br'
>>> negotiate("gzip;q=1, br;q=0")
'gzip'
>>> negotiate("identity") is None
True
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any, Final

__all__ = [
    "COMPRESSIBLE_SUFFIXES",
    "PrecompressedStatic",
    "build_cache",
    "default_cache_dir",
    "negotiate",
]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Text formats worth compressing (images and fonts are compressed already).
COMPRESSIBLE_SUFFIXES: Final = frozenset(
    {".js", ".mjs", ".css", ".html", ".json", ".svg", ".map", ".txt", ".wasm"}
)
#: Smaller files gain too little to be worth a second request path.
MIN_BYTES: Final = 1024
#: Streamlit's own header for its content-hashed bundles (kept identical).
IMMUTABLE: Final = "public, immutable, max-age=31536000"
_ENCODINGS: Final = (("br", ".br"), ("gzip", ".gz"))


def default_cache_dir(version: str) -> Path:
    """Where the compressed copies of one Streamlit version live.

    ``ICS_PLANNER_CACHE`` overrides the base folder (default ``~/.cache/ics-planner``).
    """
    base = os.environ.get("ICS_PLANNER_CACHE") or Path.home() / ".cache" / "ics-planner"
    return Path(base) / f"streamlit-static-{version}"


def negotiate(accept_encoding: str) -> str | None:
    """The best encoding the browser accepts: ``"br"``, ``"gzip"`` or ``None``."""
    accepted: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip().lower()] = quality
    for encoding, _suffix in _ENCODINGS:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None


def _compress_brotli(data: bytes) -> bytes | None:
    try:
        import brotli
    except ImportError:  # brotli is optional: gzip alone still saves about 70%
        return None
    return brotli.compress(data, quality=11)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def build_cache(source: Path, cache: Path, encodings: tuple[str, ...] = ("gzip", "br")) -> int:
    """Write a compressed copy of every compressible file under ``source``.

    Parameters
    ----------
    source : Path
        The folder served (Streamlit's ``static`` folder).
    cache : Path
        Where the copies go, mirroring ``source``'s layout.
    encodings : tuple of {"gzip", "br"}
        Which copies to make. gzip takes about a second for Streamlit's 7 MB; brotli
        at its best quality takes ten or more, and is about 25% smaller than gzip.

    Returns
    -------
    int
        How many copies were written (0 when the cache was complete already).
    """
    written = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESSIBLE_SUFFIXES:
            continue
        if path.stat().st_size < MIN_BYTES:
            continue
        relative = path.relative_to(source)
        wanted = [(e, s) for e, s in _ENCODINGS if e in encodings]
        missing = [(e, s) for e, s in wanted if not (cache / f"{relative}{s}").exists()]
        if not missing:
            continue
        data = path.read_bytes()
        for encoding, suffix in missing:
            packed = gzip.compress(data, 9, mtime=0) if encoding == "gzip" else None
            if encoding == "br":
                packed = _compress_brotli(data)
            if packed is not None and len(packed) < len(data):
                _write_atomic(cache / f"{relative}{suffix}", packed)
                written += 1
    return written


class PrecompressedStatic:
    """ASGI middleware: answer ``/static/…`` from compressed copies made once.

    Parameters
    ----------
    app : ASGI app
        The app behind (Streamlit's).
    source : Path
        The folder Streamlit serves at ``/`` (its ``static`` folder).
    cache : Path
        The compressed copies (see :func:`build_cache`).
    prefix : str, default "/static/"
        The URL paths handled: Streamlit's content-hashed bundles.
    """

    def __init__(self, app: ASGIApp, source: Path, cache: Path, prefix: str = "/static/") -> None:
        self.app = app
        self.source = Path(source).resolve()
        self.cache = Path(cache)
        self.prefix = prefix

    def _copy(self, path: str, encoding: str) -> Path | None:
        relative = path.removeprefix("/")
        original = (self.source / relative).resolve()
        if not original.is_relative_to(self.source) or not original.is_file():
            return None
        suffix = dict(_ENCODINGS)[encoding]
        copy = self.cache / f"{relative}{suffix}"
        return copy if copy.is_file() else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a compressed copy when there is one and the browser accepts it."""
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        encoding = negotiate(headers.get("accept-encoding", ""))
        copy = self._copy(scope["path"], encoding) if encoding and "range" not in headers else None
        if copy is None:
            await self.app(scope, receive, send)
            return
        body = copy.read_bytes()
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}-{encoding}"'
        common = [
            (b"cache-control", IMMUTABLE.encode()),
            (b"vary", b"Accept-Encoding"),
            (b"etag", etag.encode()),
        ]
        if headers.get("if-none-match") == etag:
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        content_type = mimetypes.guess_type(scope["path"])[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-encoding", encoding.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *common,
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
