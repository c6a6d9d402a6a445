"""The Station map on tiles from a tile server started on 127.0.0.1."""

from __future__ import annotations

import http.server
import io
import re
import threading

import numpy as np
import pytest
from matplotlib.image import imsave
from playwright.sync_api import expect
from werkzeug.serving import make_server

from dashboard.app import create_app
from tests.browser.conftest import log_in
from tests.dashboard.helpers import make_settings
from tests.dashboard.station_helpers import seed_station_month

pytestmark = pytest.mark.browser


def _tile_png() -> bytes:
    """Return a 256-pixel green tile."""
    pixels = np.zeros((256, 256, 4), dtype=np.uint8)
    pixels[..., 1] = 180
    pixels[..., 3] = 255
    buffer = io.BytesIO()
    imsave(buffer, pixels, format="png")
    return buffer.getvalue()


@pytest.fixture
def tile_server():
    """Serve the same tile for every path; yield the URL template and the paths."""
    tile = _tile_png()
    paths: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png", paths
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def tile_live_server(browser_warehouse, database_url, tmp_path, tile_server):
    """Serve the dashboard with the tile server configured; yield its base URL."""
    seed_station_month(browser_warehouse, tmp_path)
    template, _ = tile_server
    app = create_app(make_settings(database_url, tmp_path, tile_url=template))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.server.config["CRIMEDASH_ENGINE"].dispose()


def test_map_draws_configured_tiles(tile_live_server, tile_server, browser_page):
    page = browser_page
    _, paths = tile_server

    log_in(page, tile_live_server, "station")
    expect(page.locator("#station-map-note")).to_contain_text("15 incidents drawn")
    page.click("text=Kernel density")
    expect(page.locator("#station-map-note")).to_contain_text("Kernel density")

    expect(page.locator("#station-map canvas").first).to_be_visible()
    # MapLibre fetches tiles after it draws; wait up to 5 s for the first one.
    for _ in range(50):
        if paths:
            break
        page.wait_for_timeout(100)
    assert paths, "the map requested no tile"
    assert all(re.fullmatch(r"/\d+/\d+/\d+\.png", path) for path in paths)
    assert page.locator("#station-map .scatterlayer .point").count() == 0
    assert page.errors == []
