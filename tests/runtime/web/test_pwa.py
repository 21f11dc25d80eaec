"""The installable-app plumbing: manifest, icons, service worker, offline page and partials."""

import json
import re
import struct

from flask import render_template_string

from apps.web import CONTENT_SECURITY_POLICY
from runtime.web.pwa import static_version

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_json_with_the_brand_and_the_app_shape(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "metacrm" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#2f5bea"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])


def test_manifest_icons_are_pngs_of_their_declared_sizes(client):
    icons = client.get("/manifest.webmanifest").get_json(force=True)["icons"]
    assert {icon["sizes"] for icon in icons} >= {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in icons)
    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert icon["type"] == "image/png" and response.mimetype == "image/png"
        width, height = png_size(response.data)
        assert f"{width}x{height}" == icon["sizes"], icon["src"]


def test_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_service_worker_gets_a_version_and_a_shell_that_all_exists(client):
    source = client.get("/sw.js").get_data(as_text=True)
    version = re.search(r'^const VERSION = "([0-9a-f]{16})";$', source, re.MULTILINE)
    assert version, "the VERSION placeholder was not filled in"
    shell = json.loads(re.search(r"^const PRECACHE = (\[.*\]);$", source, re.MULTILINE).group(1))
    assert "/offline" in shell and "/static/css/app.css" in shell
    assert "/static/js/offline-drafts.js" in shell
    for url in shell:  # a missing file would make the worker's install fail
        assert client.get(url).status_code == 200, url


def test_static_version_follows_file_contents(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("a {}")
    before = static_version(tmp_path)
    assert static_version(tmp_path) == before
    (tmp_path / "css" / "a.css").write_text("a { color: red }")
    assert static_version(tmp_path) != before


def test_offline_page_needs_no_sign_in_and_has_the_csp(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.get_data(as_text=True)
    assert "You are offline" in html and "data-offline-page" in html
    assert "data-pwa-retry" in html


def test_head_partial_links_manifest_icon_and_styles(app):
    with app.test_request_context("/"):
        html = render_template_string('{% include "web/_pwa_head.html" %}')
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#2f5bea">' in html
    assert 'rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png"' in html
    assert 'href="/static/css/pwa.css"' in html


def test_scripts_partial_has_the_badge_and_module_scripts_only(app):
    with app.test_request_context("/"):
        html = render_template_string('{% include "web/_pwa_scripts.html" %}')
    assert 'id="pwa-status"' in html and 'data-testid="sync-badge"' in html
    assert 'data-user=""' in html  # anonymous; signed in it is the id, never the session token
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        '<script type="module" src="/static/js/pwa.js">',
        '<script type="module" src="/static/js/offline-drafts.js">',
    ]
    assert "style=" not in html  # CSP: no inline styles
