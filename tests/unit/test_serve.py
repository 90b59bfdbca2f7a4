"""The precompressed static middleware, on a real Starlette app with a static folder."""

from __future__ import annotations

import brotli
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from dashboard.serve import PrecompressedStatic, build_cache, negotiate

BUNDLE = ("console.log('ICS Population Planner');\n" * 400).encode()


@pytest.fixture
def served(tmp_path):
    source, cache = tmp_path / "static", tmp_path / "cache"
    (source / "static" / "js").mkdir(parents=True)
    (source / "static" / "js" / "main.abc123.js").write_bytes(BUNDLE)
    (source / "static" / "js" / "tiny.js").write_bytes(b"x=1")
    (source / "static" / "media").mkdir()
    (source / "static" / "media" / "logo.png").write_bytes(b"\x89PNG" + bytes(4000))
    (source / "secret.txt").write_bytes(b"top secret\n" * 200)
    written = build_cache(source, cache)
    inner = Starlette(routes=[Mount("/", app=StaticFiles(directory=source))])
    return TestClient(PrecompressedStatic(inner, source, cache)), written, cache


def test_cache_holds_one_copy_per_encoding_of_compressible_files(served):
    _client, written, cache = served
    # main.abc123.js and secret.txt, in gzip and brotli; not the tiny file, not the PNG
    assert written == 4
    assert (cache / "static/js/main.abc123.js.br").exists()
    assert not (cache / "static/js/tiny.js.gz").exists()
    assert not (cache / "static/media/logo.png.gz").exists()


def test_second_build_writes_nothing(served, tmp_path):
    assert build_cache(tmp_path / "static", tmp_path / "cache") == 0


def test_brotli_preferred_and_decodes_to_the_original(served):
    client, _w, _c = served
    response = client.get(
        "/static/js/main.abc123.js",
        headers={"Accept-Encoding": "gzip, br"},
        # httpx would decode br itself; read the raw bytes to see what was sent
    )
    assert response.headers["content-encoding"] == "br"
    assert response.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) < len(BUNDLE) / 5
    assert response.content == BUNDLE  # httpx decoded it: the bytes round-trip


def test_gzip_when_brotli_is_not_accepted(served):
    client, _w, _c = served
    response = client.get("/static/js/main.abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == BUNDLE


def test_identity_falls_through_to_the_original(served):
    client, _w, _c = served
    response = client.get("/static/js/main.abc123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == BUNDLE


def test_revalidation_with_the_etag_gets_304(served):
    client, _w, _c = served
    first = client.get("/static/js/main.abc123.js", headers={"Accept-Encoding": "br"})
    again = client.get(
        "/static/js/main.abc123.js",
        headers={"Accept-Encoding": "br", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""


def test_head_has_headers_and_no_body(served):
    client, _w, _c = served
    response = client.head("/static/js/main.abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and response.content == b""


def test_ranges_and_uncached_files_fall_through(served):
    client, _w, _c = served
    ranged = client.get(
        "/static/js/main.abc123.js", headers={"Accept-Encoding": "br", "Range": "bytes=0-9"}
    )
    assert ranged.status_code == 206 and "content-encoding" not in ranged.headers
    tiny = client.get("/static/js/tiny.js", headers={"Accept-Encoding": "br"})
    assert tiny.content == b"x=1" and "content-encoding" not in tiny.headers


def test_paths_outside_the_prefix_or_the_folder_are_not_served_from_the_cache(served):
    client, _w, _c = served
    outside = client.get("/secret.txt", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in outside.headers  # not under /static/
    escape = client.get("/static/../secret.txt", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in escape.headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("br;q=0.5, gzip", "br"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("", None),
        ("deflate", None),
    ],
)
def test_negotiate(header, expected):
    assert negotiate(header) == expected


def test_brotli_copy_is_real_brotli(served):
    _client, _w, cache = served
    assert brotli.decompress((cache / "static/js/main.abc123.js.br").read_bytes()) == BUNDLE
