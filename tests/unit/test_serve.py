"""The precompressed static middleware, on a real Starlette app with a static folder."""

from __future__ import annotations

import os

import brotli
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from dashboard.serve import (
    PageHead,
    PrecompressedStatic,
    build_cache,
    hashed_name,
    middleware,
    negotiate,
)

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


def test_gzip_copy_serves_while_the_brotli_copy_is_still_being_built(tmp_path):
    """Start-up compresses gzip first, then brotli: a browser accepting both gets gzip."""
    source, cache = tmp_path / "static", tmp_path / "cache"
    (source / "static" / "js").mkdir(parents=True)
    (source / "static" / "js" / "main.abc123.js").write_bytes(BUNDLE)
    build_cache(source, cache, encodings=("gzip",))
    inner = Starlette(routes=[Mount("/", app=StaticFiles(directory=source))])
    client = TestClient(PrecompressedStatic(inner, source, cache))
    response = client.get("/static/js/main.abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == BUNDLE


@pytest.fixture
def app_static(tmp_path):
    """An app's static folder at /app/static/, compressed on first request."""
    folder, cache = tmp_path / "app_static", tmp_path / "cache"
    folder.mkdir()
    inner = Starlette(routes=[Mount("/app/static", app=StaticFiles(directory=folder))])
    middleware = PrecompressedStatic(
        inner,
        folder,
        cache,
        prefix="/app/static/",
        mount="/app/static/",
        on_demand=True,
        immutable=hashed_name,
    )
    return TestClient(middleware), folder


GEOJSON = (
    '{"type": "FeatureCollection", "features": ['
    + ", ".join(
        f'{{"type": "Feature", "id": "E0100{i:04d}", "properties": {{}}}}' for i in range(300)
    )
    + "]}"
).encode()


def test_app_static_file_is_compressed_on_first_request_and_cached_for_a_year(app_static):
    client, folder = app_static
    (folder / "lsoas_QGH_0123456789.json").write_bytes(GEOJSON)
    first = client.get("/app/static/lsoas_QGH_0123456789.json", headers={"Accept-Encoding": "br"})
    assert first.headers["content-encoding"] == "br"
    assert first.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert first.content == GEOJSON
    assert int(first.headers["content-length"]) < len(GEOJSON) / 5


def test_app_static_file_without_a_hash_is_revalidated(app_static):
    client, folder = app_static
    (folder / "notes.json").write_bytes(GEOJSON)
    first = client.get("/app/static/notes.json", headers={"Accept-Encoding": "gzip"})
    assert first.headers["cache-control"] == "no-cache"
    again = client.get(
        "/app/static/notes.json",
        headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


def test_app_static_file_rewritten_gets_a_new_copy_and_a_removed_one_is_gone(app_static):
    """The folder may be emptied and refilled while the server runs (#18 item 8)."""
    client, folder = app_static
    target = folder / "notes.json"
    target.write_bytes(GEOJSON)
    assert client.get("/app/static/notes.json").content == GEOJSON
    changed = GEOJSON.replace(b"Feature", b"Fea7ure")
    target.write_bytes(changed)
    os.utime(target, ns=(1, 10**18))  # a different modification time, as a rewrite has
    assert client.get("/app/static/notes.json").content == changed
    # The copy of the earlier version is gone: the cache holds one copy per encoding.
    cache = folder.parent / "cache"
    assert len(list(cache.glob("notes.json.*.br"))) == 1
    target.unlink()
    assert client.get("/app/static/notes.json").status_code == 404


def test_app_static_paths_outside_the_folder_are_refused(app_static, tmp_path):
    client, _folder = app_static
    (tmp_path / "secret.json").write_bytes(GEOJSON)
    response = client.get("/app/static/../secret.json", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in response.headers


def test_middleware_covers_streamlits_bundles_and_the_app_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ICS_PLANNER_CACHE", str(tmp_path))
    stack = middleware(app_static=tmp_path / "static", base_url="/planner/", build=False)
    head, *static = stack
    assert head.cls is PageHead and head.kwargs["base"] == "/planner"
    assert "map" in head.kwargs["pages"]
    prefixes = [m.kwargs["prefix"] for m in static]
    assert prefixes == ["/planner/static/", "/planner/app/static/"]
    assert static[1].kwargs["on_demand"] and not static[0].kwargs.get("on_demand")


def test_streamlit_run_finds_the_app_and_its_router():
    """`streamlit run dashboard/app.py` serves the st.App (with this middleware), not a script."""
    from pathlib import Path

    from streamlit.web.server.app_discovery import discover_asgi_app

    app_file = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
    found = discover_asgi_app(app_file)
    assert found.is_asgi_app and found.import_string == "app:app"
    source = app_file.read_text()
    assert 'st.App("router.py", middleware=middleware())' in source
    assert (app_file.parent / "router.py").is_file()


PAGE_HTML = "<!DOCTYPE html><html><head><title>Streamlit</title></head><body></body></html>"


@pytest.fixture
def paged(tmp_path):
    """PageHead in front of an app that answers every path with Streamlit-like HTML."""
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    bundles = tmp_path / "bundles"
    (bundles / "static" / "js").mkdir(parents=True)
    (bundles / "static" / "js" / "PlotlyChart.D9Z0_fxz.js").write_text("export{}")

    async def page(request):
        return HTMLResponse(PAGE_HTML)

    async def health(request):
        return Response("ok", media_type="text/plain")

    async def squeezed(request):
        return Response(b"\x1f\x8b", media_type="text/html", headers={"content-encoding": "gzip"})

    inner = Starlette(
        routes=[
            Route("/_stcore/health", health),
            Route("/json", lambda request: JSONResponse({"a": 1})),
            Route("/squeezed", squeezed),
            Route("/{path:path}", page),
        ]
    )
    return TestClient(PageHead(inner, ["map", "england", "squeezed"], bundles))


@pytest.mark.parametrize("path", ["/", "/map", "/england/"])
def test_page_html_gets_the_base_url_and_the_chart_preload_first_in_its_head(paged, path):
    response = paged.get(path, headers={"Accept-Encoding": "identity"})
    head = response.text.split("<head>", 1)[1]
    assert head.startswith("<script>(function(){if(window.__streamlit)return;")
    assert "BACKEND_BASE_URL:location.origin+" in head
    assert (
        '<link rel="modulepreload" crossorigin href="./static/js/PlotlyChart.D9Z0_fxz.js">' in head
    )
    assert head.index("modulepreload") < head.index("<title>")
    assert int(response.headers["content-length"]) == len(response.content)
    assert "etag" not in response.headers  # the file's validator no longer fits the page
    squeezed = paged.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert squeezed.headers["content-encoding"] == "gzip"
    assert squeezed.headers["vary"] == "Accept-Encoding"
    assert squeezed.content == response.content  # decoded by httpx: the same page


@pytest.mark.parametrize("path", ["/_stcore/health", "/other", "/map/deeper", "/squeezed"])
def test_other_answers_pass_through_unchanged(paged, path):
    response = paged.get(path)
    assert b"__streamlit" not in response.content
    assert b"modulepreload" not in response.content


def test_a_page_posted_to_is_not_touched(paged):
    assert b"__streamlit" not in paged.post("/map").content
