"""Global search across apps and entities: grouping, escaping, links, empty and bad queries."""

from __future__ import annotations

from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService

APP = "crm_customers"


def seed(engine, user_id):
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        account = service.create(conn, APP, "account", {"name": "Zebra <b>Co</b>"}, user_id=user_id)["id"]
        service.create(conn, APP, "account", {"name": "Other"}, user_id=user_id)
        contact = service.create(conn, APP, "contact", {"full_name": "Zebra Lee",
                                                         "account": account}, user_id=user_id)["id"]
    return account, contact


def test_finds_records_across_entities(web, engine, user_id):
    account, contact = seed(engine, user_id)
    response = web.get("/search?q=zebra")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="hits-account"' in html and 'data-testid="hits-contact"' in html
    assert f'href="/a/{APP}/account/{account}"' in html and f'href="/a/{APP}/contact/{contact}"' in html
    assert f'href="/a/{APP}/account?q=zebra"' in html  # "see all" opens the list with the same search
    assert "Other" not in html
    assert "Zebra &lt;b&gt;Co&lt;/b&gt;" in html and "<b>Co</b>" not in html


def test_query_is_escaped_and_nothing_found_says_so(web, engine, user_id):
    seed(engine, user_id)
    html = web.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and 'data-testid="no-results"' in html


def test_empty_query_shows_a_hint(web):
    html = web.get("/search?q=+").get_data(as_text=True)
    assert 'data-testid="search-hint"' in html and 'data-testid="search-results"' not in html


def test_too_long_query_is_one_clear_error(web):
    response = web.get("/search?q=" + "x" * 300)
    assert response.status_code == 400
    assert "longer than 200 characters" in response.get_data(as_text=True)


def test_search_caps_the_entities_searched(web, monkeypatch):
    monkeypatch.setattr("runtime.web.search.MAX_ENTITIES", 1)
    html = web.get("/search?q=anything").get_data(as_text=True)
    assert 'data-testid="search-capped"' in html and "Only the first 1 entities" in html


def test_navbar_and_bottom_nav_link_to_search(web):
    html = web.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'data-testid="bottom-search"' in html
