"""A list cell's HTML is built in Python (Cell.__html__), not by a macro per cell: every kind
prints the markup the macro printed, and no text or attribute gets through unescaped."""

from __future__ import annotations

import pytest

from runtime.web.screens.display import Cell

BAD = '<b x="1">&\''
ESC = "&lt;b x=&#34;1&#34;&gt;&amp;&#39;"


@pytest.mark.parametrize(("cell", "html"), [
    (Cell("empty"), '<span class="text-body-tertiary">—</span>'),
    (Cell("text", BAD), ESC),
    (Cell("number", "1,200"), "1,200"),
    (Cell("badge", BAD, color=BAD), f'<span class="badge option-badge" data-color="{ESC}">{ESC}</span>'),
    (Cell("badge", "New"), '<span class="badge option-badge">New</span>'),
    (Cell("badges", "a, b", items=(Cell("badge", "a", color="#fff"), Cell("badge", BAD))),
     f'<span class="badge option-badge me-1" data-color="#fff">a</span><span class="badge option-badge me-1">{ESC}</span>'),
    (Cell("link", BAD, href=f"/r/{BAD}"), f'<a href="/r/{ESC}">{ESC}</a>'),
    (Cell("link", BAD), ESC),
    (Cell("files", "f", items=(Cell("link", BAD, href="/f/1"),)), f'<a class="me-2" href="/f/1">{ESC}</a>'),
    (Cell("url", f"https://x.test/{BAD}"),
     f'<a href="https://x.test/{ESC}" rel="noopener noreferrer nofollow" target="_blank">https://x.test/{ESC}</a>'),
    (Cell("url", "javascript:alert(1)"), "javascript:alert(1)"),
    (Cell("email", BAD), f'<a href="mailto:{ESC}">{ESC}</a>'),
    (Cell("phone", BAD), f'<a href="tel:{ESC}">{ESC}</a>'),
    (Cell("longtext", BAD), f'<span class="longtext">{ESC}</span>'),
])
def test_cell_html_escapes_every_text(cell, html):
    assert cell.__html__() == html


def test_a_template_prints_a_cell_as_its_html(app):
    with app.test_request_context():
        assert app.jinja_env.from_string("{{ c }}").render(c=Cell("email", BAD)) == f'<a href="mailto:{ESC}">{ESC}</a>'


@pytest.mark.parametrize(("accept", "yes", "no"), [("en", "Yes", "No"), ("zh-CN", "是", "否")])
def test_a_yes_no_cell_speaks_the_viewers_language(app, accept, yes, no):
    with app.test_request_context(headers={"Accept-Language": accept}):
        assert Cell("bool", "yes").__html__() == f'<span class="text-success">{yes}</span>'
        assert Cell("bool", "no").__html__() == f'<span class="text-body-secondary">{no}</span>'
