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

import ctypes
import gzip
import hashlib
import json
import logging
import mimetypes
import os
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Final

__all__ = [
    "COMPRESSIBLE_SUFFIXES",
    "PageHead",
    "PrecompressedStatic",
    "acceptable",
    "build_cache",
    "default_cache_dir",
    "hashed_name",
    "middleware",
    "negotiate",
    "tune_allocators",
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


def acceptable(accept_encoding: str) -> list[str]:
    """The encodings the browser accepts, best first: from ``["br", "gzip"]``.

    Examples
    --------
    >>> acceptable("gzip, br")
    ['br', 'gzip']
    >>> acceptable("br;q=0, gzip")
    ['gzip']
    """
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
    return [
        encoding
        for encoding, _suffix in _ENCODINGS
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0
    ]


def negotiate(accept_encoding: str) -> str | None:
    """The best encoding the browser accepts: ``"br"``, ``"gzip"`` or ``None``."""
    encodings = acceptable(accept_encoding)
    return encodings[0] if encodings else None


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
    """ASGI middleware: answer ``prefix…`` requests from compressed copies.

    Parameters
    ----------
    app : ASGI app
        The app behind (Streamlit's).
    source : Path
        The folder the URLs under ``mount`` map to.
    cache : Path
        The compressed copies (see :func:`build_cache`), mirroring ``source``.
    prefix : str, default "/static/"
        The URL paths handled (by default Streamlit's content-hashed bundles).
    mount : str, default "/"
        The URL path that ``source`` is served at (``/app/static/`` for an app's
        static folder, whose files Streamlit serves from ``<script folder>/static``).
    on_demand : bool, default False
        Compress a file on its first request (and keep the copy) when the cache has
        none: for a folder the app writes into while it runs. Copies are named after
        the file's size and modification time, so a rewritten file gets a new copy.
    immutable : callable, optional
        Whether a URL path may be cached for a year (its name changes when its content
        does). Default: every path (true of Streamlit's hashed bundles). Other paths
        get ``no-cache``: the browser revalidates with the ETag and gets a 304.
    """

    def __init__(
        self,
        app: ASGIApp,
        source: Path,
        cache: Path,
        prefix: str = "/static/",
        mount: str = "/",
        on_demand: bool = False,
        immutable: Callable[[str], bool] | None = None,
    ) -> None:
        self.app = app
        self.source = Path(source).resolve()
        self.cache = Path(cache)
        self.prefix = prefix
        self.mount = mount
        self.on_demand = on_demand
        self.immutable = immutable or (lambda _path: True)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _original(self, path: str) -> tuple[str, Path] | None:
        if not path.startswith(self.mount):
            return None
        relative = path.removeprefix(self.mount)
        original = (self.source / relative).resolve()
        if not original.is_relative_to(self.source) or not original.is_file():
            return None
        return relative, original

    def _copy(self, path: str, encoding: str) -> Path | None:
        found = self._original(path)
        if found is None:
            return None
        relative, original = found
        suffix = dict(_ENCODINGS)[encoding]
        if not self.on_demand:
            copy = self.cache / f"{relative}{suffix}"
            return copy if copy.is_file() else None
        stat = original.stat()
        if stat.st_size < MIN_BYTES or original.suffix not in COMPRESSIBLE_SUFFIXES:
            return None
        copy = self.cache / f"{relative}.{stat.st_size}-{stat.st_mtime_ns}{suffix}"
        if copy.is_file():
            return copy
        # One compression per file: a burst of sessions opening one map waits for it.
        with self._lock_for(copy.name):
            if copy.is_file():
                return copy
            data = original.read_bytes()
            packed = _compress_fast(data, encoding)
            if packed is None or len(packed) >= len(data):
                return None
            _write_atomic(copy, packed)
            # Copies of earlier versions of the file are no longer reachable.
            for stale in copy.parent.glob(f"{Path(relative).name}.*{suffix}"):
                if stale != copy:
                    stale.unlink(missing_ok=True)
        return copy

    def _lock_for(self, name: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(name, threading.Lock())

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
        copy, encoding = None, None
        if "range" not in headers:
            # The best copy there is: brotli may still be building while gzip is ready.
            for encoding in acceptable(headers.get("accept-encoding", "")):
                if self.on_demand:
                    # Compressing takes a moment the first time: off the event loop.
                    import anyio.to_thread

                    copy = await anyio.to_thread.run_sync(self._copy, scope["path"], encoding)
                else:
                    copy = self._copy(scope["path"], encoding)
                if copy is not None:
                    break
        if copy is None or encoding is None:
            await self.app(scope, receive, send)
            return
        body = copy.read_bytes()
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}-{encoding}"'
        common = [
            (
                b"cache-control",
                (IMMUTABLE if self.immutable(scope["path"]) else "no-cache").encode(),
            ),
            (b"vary", b"Accept-Encoding"),
            (b"etag", etag.encode()),
            (b"x-content-type-options", b"nosniff"),
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


def _compress_fast(data: bytes, encoding: str) -> bytes | None:
    """Compress while a request waits: brotli 5 and gzip 6 take tens of ms per MB."""
    if encoding == "gzip":
        return gzip.compress(data, 6, mtime=0)
    try:
        import brotli
    except ImportError:
        return None
    return brotli.compress(data, quality=5)


#: Files the dashboard writes into its static folder end in a content hash
#: (``lsoas_QGH_0123456789.json``): safe to cache for a year.
_HASHED_NAME: Final = re.compile(r"_[0-9a-f]{10}\.[a-z]+$")


def hashed_name(path: str) -> bool:
    """Whether a URL path names a content-hashed file (its name changes with its content).

    Examples
    --------
    >>> hashed_name("/app/static/lsoas_QGH_0a1b2c3d4e.json")
    True
    >>> hashed_name("/app/static/notes.json")
    False
    """
    return _HASHED_NAME.search(path) is not None


def _build_in_background(source: Path, cache: Path) -> threading.Thread:
    """Compress Streamlit's bundles without delaying start-up: gzip first, then brotli.

    Until a copy exists its file is served as before (uncompressed), so nothing waits.
    """

    def build() -> None:
        try:
            for encodings in (("gzip",), ("br",)):
                written = build_cache(source, cache, encodings)
                if written:
                    log.info("Compressed %d static files (%s) into %s", written, encodings, cache)
        except OSError as error:  # a read-only home: serve uncompressed, say why
            log.warning("Cannot write compressed static files to %s: %s", cache, error)

    thread = threading.Thread(target=build, name="precompress-static", daemon=True)
    thread.start()
    return thread


class PageHead:
    """ASGI middleware: two hints in the head of each page's HTML, for a sooner first paint.

    * **The server's base URL.** Opened at ``/map``, Streamlit's frontend does not know
      whether the server lives at ``/map/`` or at ``/``, so it asks ``/map/_stcore/health``
      first (a 404) and only then ``/_stcore/health``: a round trip lost on every deep
      link. A short script names the base (the page path without its page) in
      ``window.__streamlit.BACKEND_BASE_URL``, which the frontend reads before it
      connects, unless the page that embeds us has set its own.
    * **The chart code.** The plotly bundle (1 MB compressed, 4.7 MB of JavaScript) is
      asked for only when the first chart arrives over the websocket. A
      ``modulepreload`` fetches and compiles it, and it is run once the page has
      loaded, while the server runs the page's script.

    Only ``GET`` answers of status 200 in ``text/html`` on the page paths are touched
    (never compressed ones), so the app's other answers pass through unchanged.

    Parameters
    ----------
    app : ASGI app
        The app behind (Streamlit's).
    pages : sequence of str
        The pages' URL paths (``"map"``, ``"england"``...), from
        :data:`dashboard.page_specs.PAGE_SPECS`.
    bundles : Path
        Streamlit's static folder, where ``static/js/PlotlyChart.<hash>.js`` is found.
    base : str, default ""
        ``server.baseUrlPath`` as a path (``""`` or ``"/planner"``).
    """

    def __init__(self, app: ASGIApp, pages: Sequence[str], bundles: Path, base: str = "") -> None:
        self.app = app
        self.paths = {f"{base}/", base or "/"} | {f"{base}/{page}" for page in pages}
        self.paths |= {f"{path}/" for path in self.paths if not path.endswith("/")}
        self.head = page_head(pages, Path(bundles))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add :func:`page_head` to a page's HTML; pass everything else through."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        request_headers = {k.lower(): v for k, v in scope["headers"]}
        accepted = acceptable(request_headers.get(b"accept-encoding", b"").decode("latin-1"))
        # The app would gzip the page itself; ask it for the plain page, and compress after.
        plain_scope = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"],
        }
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = list(start.get("headers", []))
            named = {k.lower(): v for k, v in headers}
            if (
                start["status"] == 200
                and named.get(b"content-type", b"").startswith(b"text/html")
                and b"content-encoding" not in named
                and b"<head>" in body
            ):
                body = body.replace(b"<head>", b"<head>" + self.head, 1)
                # The file's own validators no longer describe this body.
                dropped = {b"content-length", b"etag", b"last-modified", b"content-encoding"}
                headers = [(k, v) for k, v in headers if k.lower() not in dropped]
                if "gzip" in accepted:
                    body = gzip.compress(body, 6, mtime=0)
                    headers.append((b"content-encoding", b"gzip"))
                if b"vary" not in named:
                    headers.append((b"vary", b"Accept-Encoding"))
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(plain_scope, receive, capture)


def page_head(pages: Sequence[str], bundles: Path) -> bytes:
    """The HTML that :class:`PageHead` puts first in each page's ``<head>``.

    Examples
    --------
    >>> head = page_head(["map"], Path("/nowhere")).decode()
    >>> "BACKEND_BASE_URL" in head, "modulepreload" in head
    (True, False)
    """
    # The base is worked out in the browser, so that it holds behind a proxy that
    # serves the dashboard under a prefix of its own.
    script = (
        "<script>(function(){if(window.__streamlit)return;"
        f"var pages={json.dumps(sorted(pages))};"
        "var parts=location.pathname.split('/');"
        "if(parts[parts.length-1]==='')parts.pop();"
        "if(parts.length>1&&pages.indexOf(parts[parts.length-1])>=0)parts.pop();"
        "window.__streamlit={BACKEND_BASE_URL:location.origin+parts.join('/')+'/'};})();"
        "</script>"
    )
    charts = sorted((bundles / "static" / "js").glob("PlotlyChart.*.js"))
    preload = "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{chart.name}">'
        # Run it once the page has loaded, while the server runs the page's script.
        f'<script type="module">addEventListener("load",()=>import("./static/js/{chart.name}"))'
        "</script>"
        for chart in charts[:1]
    )
    return (script + preload).encode()


def middleware(
    app_static: Path | None = None, base_url: str | None = None, build: bool = True
) -> list:
    """The dashboard's middleware for ``st.App``: compressed bundles and static files.

    Parameters
    ----------
    app_static : Path, optional
        The folder Streamlit serves at ``/app/static/`` (default ``dashboard/static``).
    base_url : str, optional
        Streamlit's ``server.baseUrlPath`` (default: read from Streamlit's config).
    build : bool, default True
        Start compressing Streamlit's bundles (in a background thread).

    Returns
    -------
    list of starlette.middleware.Middleware
        One for Streamlit's own ``/static/`` bundles (compressed once, in a background
        thread, into :func:`default_cache_dir`) and one for the app's static folder
        (each file compressed on its first request).
    """
    import streamlit
    from starlette.middleware import Middleware
    from streamlit import config

    if base_url is None:
        base_url = config.get_option("server.baseUrlPath") or ""
    base = "/" + base_url.strip("/") if base_url.strip("/") else ""
    app_static = app_static or Path(__file__).resolve().parent / "static"
    bundles = Path(streamlit.__file__).resolve().parent / "static"
    cache = default_cache_dir(streamlit.__version__)
    if build:
        _build_in_background(bundles, cache)
    from dashboard.page_specs import PAGE_SPECS

    pages = [url for *_rest, url in PAGE_SPECS]
    return [
        Middleware(PageHead, pages=pages, bundles=bundles, base=base),
        Middleware(
            PrecompressedStatic,
            source=bundles,
            cache=cache,
            prefix=f"{base}/static/",
            mount=f"{base}/",
        ),
        Middleware(
            PrecompressedStatic,
            source=app_static,
            cache=cache.parent / "app-static",
            prefix=f"{base}/app/static/",
            mount=f"{base}/app/static/",
            on_demand=True,
            immutable=hashed_name,
        ),
    ]


#: glibc's mallopt parameters (malloc.h): the most arenas, and the size from which a
#: block gets its own mapping (returned to the system the moment it is freed).
_M_ARENA_MAX: Final = -8
_M_MMAP_THRESHOLD: Final = -3
#: 128 KiB, glibc's own starting value. Left alone, glibc raises it to the largest block
#: freed so far (up to 32 MiB), so every table read afterwards stays resident when freed.
MMAP_THRESHOLD_BYTES: Final = 128 * 1024


def tune_allocators() -> None:
    """Keep the server's memory close to what it uses (issue #19: 500 MiB after a few visits).

    * Arrow's default pool (jemalloc) keeps freed memory for reuse: reading a national
      table once leaves tens of MiB resident. The system allocator gives it back.
    * Each session runs in its own thread, and glibc gives busy threads their own
      arenas, which fragment and hold freed memory; two arenas are plenty.
    * Big blocks (a table's columns while it is read) get their own mapping, given back
      when freed, at a fixed threshold (:data:`MMAP_THRESHOLD_BYTES`).

    Together they take a warm server showing QGH from about 550 to under 300 MiB.
    ``python -m dashboard`` sets all three through the environment as well; an explicit
    ``ARROW_DEFAULT_MEMORY_POOL``, ``MALLOC_ARENA_MAX`` or ``MALLOC_MMAP_THRESHOLD_`` wins.
    """
    import pyarrow

    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    try:
        libc = ctypes.CDLL("libc.so.6")
        if "MALLOC_ARENA_MAX" not in os.environ:
            libc.mallopt(_M_ARENA_MAX, 2)
        if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
            libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass
