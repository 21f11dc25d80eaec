"""Kanban and calendar on the list screen, and moving a card (through the record service)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from sqlalchemy import insert

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

ACCOUNTS = "/a/crm_customers/account"
JSON = {"Accept": "application/json"}


def add(engine, user_id, entity="account", app="crm_customers", **data) -> dict:
    with engine.begin() as conn:
        return RecordService(SchemaRegistry.from_connection(conn)).create(conn, app, entity, data, user_id)


def read(engine, record_id, entity="account", app="crm_customers") -> dict:
    with engine.connect() as conn:
        return RecordService(SchemaRegistry.from_connection(conn)).get(conn, app, entity, record_id,
                                                                      include_deleted=True)


def counts(html: str) -> dict[str, str]:
    """``{column value: shown count}`` in board order."""
    found = re.findall(r'data-column data-value="([^"]*)".*?data-testid="column-count">([^<]*)<', html, re.DOTALL)
    return dict(found)


def page(web, url: str, status: int = 200) -> str:
    response = web.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:3000]
    return html


# -- kanban -------------------------------------------------------------------------

def test_kanban_has_a_column_per_option_in_order_then_none(web, engine, user_id):
    add(engine, user_id, name="Acme", tier="key", industry="retail")
    add(engine, user_id, name="Bolt", tier="key", industry="software")
    add(engine, user_id, name="Coda", tier="strategic", notes="plan")
    html = page(web, ACCOUNTS + "?mode=kanban&group=tier")
    assert counts(html) == {"standard": "0", "key": "2", "strategic": "1", "": "0"}
    assert 'data-color="#6f42c1"' in html and "Key account" in html and "(none)" in html
    by_industry = page(web, ACCOUNTS + "?mode=kanban")  # default: the first select field
    assert list(counts(by_industry)) == ["manufacturing", "retail", "software", "finance", "other", ""]
    assert counts(by_industry)[""] == "1"


def test_kanban_applies_the_lists_search_and_filters(web, engine, user_id):
    add(engine, user_id, name="Acme Shanghai", tier="key", city="Shanghai")
    add(engine, user_id, name="Acme Beijing", tier="key", city="Beijing")
    add(engine, user_id, name="Zeta Shanghai", tier="standard", city="Shanghai")
    html = page(web, ACCOUNTS + "?mode=kanban&group=tier&q=acme&f=city&op=eq&v=Shanghai")
    assert counts(html) == {"standard": "0", "key": "1", "strategic": "0", "": "0"}
    assert "Acme Shanghai" in html and "Acme Beijing" not in html and "Zeta" not in html


def test_a_full_column_shows_50_plus_and_links_to_the_filtered_table(web, engine, user_id):
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        for i in range(51):
            service.create(conn, "crm_customers", "account", {"name": f"Key {i:02d}", "tier": "key"}, user_id)
    html = page(web, ACCOUNTS + "?mode=kanban&group=tier")
    assert counts(html)["key"] == "50+"
    assert html.count('data-testid="kanban-card"') == 50
    link = unescape(re.search(r'href="([^"]+)" data-testid="column-more"', html).group(1))
    assert parse_qs(urlsplit(link).query)["where"] == ["tier == 'key'"] and "mode=" not in link
    assert page(web, link).count("Key 0") >= 10


def test_a_bad_filter_on_the_board_is_a_422_at_the_filter_bar(web):
    html = page(web, ACCOUNTS + "?mode=kanban&where=nope+%3D%3D+1", status=422)
    assert 'data-testid="filter-error"' in html and 'data-testid="empty-board"' in html


def test_kanban_card_data_is_escaped(web, engine, user_id):
    add(engine, user_id, name="<script>alert(1)</script>", tier="key", city="<b>x</b>")
    html = page(web, ACCOUNTS + "?mode=kanban&group=tier&cols=name,city")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html and "&lt;b&gt;x" in html


# -- moving a card ---------------------------------------------------------------------

def move(web, record_id, value, version, field="tier", headers=JSON, base=ACCOUNTS, **extra):
    return web.post(f"{base}/{record_id}/move", headers=headers,
                    data={"field": field, "value": value, "version": str(version), **extra})


def test_move_sets_the_field_and_returns_the_new_version(web, engine, user_id):
    acme = add(engine, user_id, name="Acme", tier="standard")
    response = move(web, acme["id"], "key", acme["version"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["data"] == {"id": acme["id"], "version": 2, "value": "key"}
    assert read(engine, acme["id"])["tier"] == "key"
    assert move(web, acme["id"], "", 2, field="industry").get_json()["data"]["value"] is None


def test_move_without_script_redirects_back(web, engine, user_id):
    acme = add(engine, user_id, name="Acme", tier="standard")
    back = ACCOUNTS + "?mode=kanban&group=tier"
    response = move(web, acme["id"], "key", 1, headers={"Accept": "text/html"}, back=back)
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert read(engine, acme["id"])["tier"] == "key"
    refused = move(web, acme["id"], "strategic", 1, headers={"Accept": "text/html"}, back=back)
    assert refused.status_code == 302
    assert "Someone changed this record" in page(web, back)


@pytest.fixture
def deals(engine):
    """An app whose rule refuses a won deal without an amount."""
    stage = make_field("stage", "select", options=[{"value": "open"}, {"value": "won"}, {"value": "lost"}])
    deal = make_entity("deal", [make_field("name"), stage, make_field("amount", "currency")], title_field="name",
                       rules=[{"when": "stage == 'won' and amount == null", "message": {"en": "A won deal needs an amount"}}])
    publish(engine, make_app("sales", deal))
    return "/a/sales/deal"


def test_a_move_a_rule_refuses_is_a_422_and_changes_nothing(web, engine, user_id, deals):
    deal = add(engine, user_id, "deal", "sales", name="Big one", stage="open")
    response = move(web, deal["id"], "won", 1, field="stage", base=deals)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "A won deal needs an amount"
    after = read(engine, deal["id"], "deal", "sales")
    assert (after["stage"], after["version"]) == ("open", 1)
    bad_option = move(web, deal["id"], "bogus", 1, field="stage", base=deals)
    assert bad_option.status_code == 422 and "stage" in bad_option.get_json()["error"]["message"]


def test_a_stale_version_is_a_409(web, engine, user_id):
    acme = add(engine, user_id, name="Acme", tier="standard")
    assert move(web, acme["id"], "key", 1).status_code == 200
    stale = move(web, acme["id"], "strategic", 1)
    assert stale.status_code == 409 and "Someone changed" in stale.get_json()["error"]["message"]
    assert read(engine, acme["id"])["tier"] == "key"


def test_a_record_in_the_bin_cannot_move(web, engine, user_id):
    acme = add(engine, user_id, name="Acme", tier="standard")
    with engine.begin() as conn:
        RecordService(SchemaRegistry.from_connection(conn)).delete(conn, "crm_customers", "account", acme["id"], user_id)
    assert move(web, acme["id"], "key", 1).status_code == 404
    assert move(web, 999999, "key", 1).status_code == 404
    assert read(engine, acme["id"])["tier"] == "standard"


def test_only_select_fields_move_and_a_version_is_required(web, engine, user_id):
    acme = add(engine, user_id, name="Acme", tier="standard")
    assert move(web, acme["id"], "Evil", 1, field="name").status_code == 400
    assert move(web, acme["id"], "key", "").status_code == 400
    assert read(engine, acme["id"])["name"] == "Acme"


# -- calendar --------------------------------------------------------------------------

def titles_on(html: str, day: str) -> list[str]:
    cell = re.search(rf'data-date="{day}" data-testid="calendar-day">(.*?)</div>\s*</div>', html, re.DOTALL)
    return re.findall(r'data-testid="calendar-record">([^<]*)<', cell.group(1)) if cell else []


def test_calendar_month_keeps_its_boundaries(web, engine, user_id):
    for name, since in [("Oct last", "2026-10-31"), ("Nov first", "2026-11-01"), ("Nov last", "2026-11-30"),
                        ("Dec first", "2026-12-01")]:
        add(engine, user_id, name=name, since=since)
    html = page(web, ACCOUNTS + "?mode=calendar&date_field=since&month=2026-11")
    days = re.findall(r'data-date="([\d-]+)" data-testid="calendar-day"', html)
    assert (days[0], days[-1], len(days)) == ("2026-10-26", "2026-12-06", 42)  # Monday to Sunday, six weeks
    assert titles_on(html, "2026-11-01") == ["Nov first"] and titles_on(html, "2026-11-30") == ["Nov last"]
    assert "Oct last" not in html and "Dec first" not in html
    assert "November 2026" in html
    assert "month=2026-10" in html and "month=2026-12" in html  # previous / next


def test_calendar_lists_extra_titles_as_and_n_more(web, engine, user_id):
    for i in range(6):
        add(engine, user_id, name=f"Busy {i}", since="2026-03-10")
    html = page(web, ACCOUNTS + "?mode=calendar&date_field=since&month=2026-03")
    assert len(titles_on(html, "2026-03-10")) == 4 and "and 2 more" in html


def test_calendar_by_created_at_and_a_bad_month_falls_back_to_this_month(web, engine, user_id):
    add(engine, user_id, name="Fresh")
    html = page(web, ACCOUNTS + "?mode=calendar&date_field=created_at&month=2026-13")
    today = date.today()
    assert f"{today:%B} {today.year}" in html
    assert titles_on(html, today.isoformat()) == ["Fresh"]


def test_calendar_on_a_phone_is_an_agenda_of_days_with_records(web, engine, user_id):
    add(engine, user_id, name="Acme", since="2026-11-03")
    add(engine, user_id, name="Bolt", since="2026-11-03")
    add(engine, user_id, name="Coda", since="2026-11-17")
    html = page(web, ACCOUNTS + "?mode=calendar&date_field=since&month=2026-11")
    agenda = html.split('data-testid="calendar-agenda"')[1]
    assert re.findall(r'agenda-day[^"]*" data-date="([\d-]+)"', agenda) == ["2026-11-03", "2026-11-17"]
    assert 'class="card border-0 shadow-sm d-none d-md-block calendar"' in html  # the grid is desktop-only
    empty = page(web, ACCOUNTS + "?mode=calendar&date_field=since&month=2026-01")
    assert 'data-testid="agenda-empty"' in empty


def test_the_mode_switch_offers_kanban_only_with_a_select_field(web, engine, user_id):
    html = page(web, ACCOUNTS)
    assert re.findall(r'data-mode="(\w+)"', html) == ["table", "kanban", "calendar"]
    contacts = page(web, "/a/crm_customers/contact")
    assert re.findall(r'data-mode="(\w+)"', contacts) == ["table", "calendar"]
    assert web.get("/a/crm_customers/contact?mode=kanban").status_code == 302


# -- cards the user may not move -----------------------------------------------------------

REP = {"name": "rep", "entities": {"deal": {
    "read": True, "update": "owner == $me", "fields": {"priority": "read", "secret": "hidden"}}}}


@pytest.fixture
def pipeline(engine, app):
    """Deals with three select fields; a rep updates only their own deals, may not change
    ``priority`` and never sees ``secret``. Returns a client signed in as the rep, and deals."""
    options = [{"value": "a"}, {"value": "b"}]
    fields = [make_field("name"), make_field("stage", "select", options=options),
              make_field("priority", "select", options=options),
              make_field("secret", "select", options=options)]
    source = make_app("pipe", make_entity("deal", fields, title_field="name"))
    source["roles/rep.json"] = REP
    publish(engine, source)
    with engine.begin() as conn:
        rep, other = (create_user(conn, f"{n}@example.com", "password-123") for n in ("rep", "other"))
        conn.execute(insert(user_roles).values(user_id=rep, role="pipe.rep"))
    mine = add(engine, rep, "deal", "pipe", name="Mine", stage="a", priority="a", owner=rep)
    theirs = add(engine, rep, "deal", "pipe", name="Theirs", stage="a", priority="a", owner=other)
    client = app.test_client()
    assert client.post("/login", data={"email": "rep@example.com", "password": "password-123"}).status_code == 302
    return client, mine, theirs


def card(html: str, title: str) -> str:
    """The ``<article>`` of the card titled ``title``."""
    return re.search(rf'<article[^>]*data-testid="kanban-card">(?:(?!</article>).)*>{title}<.*?</article>',
                     html, re.DOTALL).group(0)


def test_only_cards_the_user_may_update_can_be_dragged_or_moved(pipeline):
    client, _mine, _theirs = pipeline
    html = page(client, "/a/pipe/deal?mode=kanban&group=stage")
    mine, theirs = card(html, "Mine"), card(html, "Theirs")
    assert 'draggable="true" data-movable' in mine and 'data-testid="move-select"' in mine
    assert "card-locked" not in mine
    assert 'draggable="true"' not in theirs and "data-movable" not in theirs
    assert "move-select" not in theirs
    assert 'data-testid="card-locked"' in theirs and "kanban-card-locked" in theirs


def test_no_card_moves_along_a_read_only_field(pipeline):
    client, _mine, _theirs = pipeline
    html = page(client, "/a/pipe/deal?mode=kanban&group=priority")
    assert html.count('data-testid="kanban-card"') == 2
    assert "data-movable" not in html and "move-select" not in html
    assert html.count('data-testid="card-locked"') == 2


def test_a_board_never_groups_by_a_field_hidden_from_the_user(pipeline):
    client, _mine, _theirs = pipeline
    html = page(client, "/a/pipe/deal?mode=kanban&group=secret")
    assert 'data-field="stage"' in html and 'data-field="secret"' not in html
    assert re.findall(r'group=(\w+)">[^<]+</a></li>', html) == ["stage", "priority"]  # the menu


@pytest.mark.parametrize(("whose", "field", "status"), [
    ("theirs", "stage", 403),  # the row rule: not their deal
    ("mine", "priority", 403),  # a read-only field
    ("mine", "secret", 400),  # a hidden field is no board field for them
])
def test_a_move_the_user_may_not_make_is_refused_and_changes_nothing(pipeline, engine, whose, field, status):
    client, mine, theirs = pipeline
    deal = {"mine": mine, "theirs": theirs}[whose]
    response = move(client, deal["id"], "b", 1, field=field, base="/a/pipe/deal")
    assert response.status_code == status, response.get_data(as_text=True)
    after = read(engine, deal["id"], "deal", "pipe")
    assert (after["version"], after[field]) == (1, deal.get(field))
