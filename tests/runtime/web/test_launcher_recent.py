"""Recent records on the launcher: noted by opening a record page, newest first, gone ones dropped."""

from __future__ import annotations

import itertools
import re
import threading
import time
from datetime import datetime
from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import select

from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.storage.system import recent_records

APP = "crm_customers"


def make_accounts(engine, user_id, names) -> list[int]:
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        return [service.create(conn, APP, "account", {"name": n}, user_id=user_id)["id"] for n in names]


@pytest.fixture(autouse=True)
def ticking_clock(monkeypatch):
    """Visits a second apart: the stored time has whole seconds, and order is what is tested."""
    ticks = itertools.count()
    start = datetime(2026, 1, 1, 9, 0, 0)
    monkeypatch.setattr("runtime.web.recent.utcnow", lambda: start + timedelta(seconds=next(ticks)))


def recent_titles(html: str) -> list[str]:
    return re.findall(r'class="recent-title text-truncate">([^<]*)<', html)


def test_no_recent_section_before_any_visit(web):
    assert 'data-testid="recent"' not in web.get("/").get_data(as_text=True)


def test_visited_records_show_newest_first_with_entity_label(web, engine, user_id):
    first, second = make_accounts(engine, user_id, ["First <Co>", "Second Co"])
    web.get(f"/a/{APP}/account/{first}")
    web.get(f"/a/{APP}/account/{second}")
    web.get(f"/a/{APP}/account/{first}")
    html = web.get("/").get_data(as_text=True)
    assert recent_titles(html) == ["First &lt;Co&gt;", "Second Co"]
    assert f'href="/a/{APP}/account/{first}"' in html
    assert 'class="recent-entity text-truncate">Account<' in html


def test_at_most_eight_and_deleted_ones_dropped(web, engine, user_id):
    ids = make_accounts(engine, user_id, [f"Co {i}" for i in range(10)])
    for record_id in ids:
        web.get(f"/a/{APP}/account/{record_id}")
    with engine.begin() as conn:
        RecordService(SchemaRegistry.from_connection(conn), language="en").delete(
            conn, APP, "account", ids[-1], user_id=user_id)
    titles = recent_titles(web.get("/").get_data(as_text=True))
    assert titles == [f"Co {i}" for i in range(8, 0, -1)]


def test_missing_record_page_is_not_recorded(web, engine):
    assert web.get(f"/a/{APP}/account/999").status_code == 404
    with engine.connect() as conn:
        assert conn.execute(select(recent_records.c.record_id)).first() is None


def test_a_locked_sqlite_database_costs_the_visit_not_the_page(web, app, engine, user_id, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    (record_id,) = make_accounts(engine, user_id, ["Locked Co"])
    holding, release = threading.Event(), threading.Event()

    def hold_write_lock():
        with engine.begin():  # BEGIN IMMEDIATE: the write lock, until released
            holding.set()
            release.wait(30)

    def lock_once_rendered(_app, template, **_extra):
        # Take the lock after the page is built (sign-in and reads are done), before the visit is written.
        if template.name == "web/detail.html" and not holding.is_set():
            threading.Thread(target=hold_write_lock, daemon=True).start()
            holding.wait(10)

    started = time.monotonic()
    with template_rendered.connected_to(lock_once_rendered, app):
        try:
            response = web.get(f"/a/{APP}/account/{record_id}")
        finally:
            release.set()
    assert holding.is_set()
    assert response.status_code == 200 and "Locked Co" in response.get_data(as_text=True)
    assert time.monotonic() - started < 15  # gave up on the visit after a short wait
    with engine.connect() as conn:
        assert conn.execute(select(recent_records.c.record_id)).first() is None


def test_pages_load_while_another_process_writes(web, engine, user_id, database_url):
    """A regression: loading the signed-in user took SQLite's write lock, so every page waited for
    any running write (an import, a publish) and then failed with "database is locked"."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    holding, release = threading.Event(), threading.Event()

    def hold_write_lock():
        with engine.begin():  # BEGIN IMMEDIATE: the write lock, until released
            holding.set()
            release.wait(60)

    threading.Thread(target=hold_write_lock, daemon=True).start()
    assert holding.wait(10)
    try:
        response = web.get("/")
    finally:
        release.set()
    assert response.status_code == 200 and "Apps" in response.get_data(as_text=True)
