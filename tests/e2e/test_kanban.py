"""Kanban and calendar in a real Chromium: drag a card (mouse at desktop size, finger at 390 px), "Move to"
(phone), a month at both sizes; a card the user may not update cannot be dragged and has no "Move to"."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy import select

from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from tests.e2e.harness import SCREENSHOT_DIR
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e

TEMPLATE = Path(__file__).resolve().parents[2] / "templates_store" / "crm_customers"
ACCOUNTS = [
    ("Minghui Manufacturing", "key", "manufacturing", "Shanghai", 3),
    ("Blue Harbor Retail", "standard", "retail", "Ningbo", 3),
    ("Cloudpeak Software", "strategic", "software", "Hangzhou", 8),
    ("Jade River Finance", "key", "finance", "Shenzhen", 12),
    ("Northwind Traders", "standard", "retail", "Beijing", 12),
    ("Sunrise Logistics", "standard", "other", "Suzhou", 17),
    ("Golden Gate Capital", "strategic", "finance", "Shanghai", 21),
    ("Red Lantern Foods", "key", "retail", "Chengdu", 26),
]


SHANGHAI_EDITOR = {"name": "shanghai", "entities": {"account": {"read": True, "update": "city == 'Shanghai'"}}}


def _seed(live_server, roles: tuple[dict, ...] = ()) -> dict[str, int]:
    """The CRM template (with ``roles``) and a few accounts this month; returns ``{name: id}``."""
    source = load_package(TEMPLATE).source
    source.update({f"roles/{role['name']}.json": role for role in roles})
    publish(live_server.engine, source, author="e2e")
    month = date.today().replace(day=1)
    ids = {}
    with live_server.engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        for name, tier, industry, city, day in ACCOUNTS:
            data = {"name": name, "tier": tier, "industry": industry, "city": city,
                    "since": month.replace(day=day).isoformat(), "notes": "Account plan on file"}
            ids[name] = service.create(conn, "crm_customers", "account", data, None)["id"]
    return ids


def _tier(live_server, record_id: int) -> str:
    with live_server.engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("crm_customers", "account")
        return conn.execute(select(table.c.tier).where(table.c.id == record_id)).scalar_one()


def _column(page, value: str):
    return page.locator(f"[data-column][data-value='{value}']")


def _open(page, live_server, query: str) -> dict:
    """Seed the accounts, sign in and open their list with ``query``; the account ids by name."""
    ids = _seed(live_server)
    login(page, live_server)
    page.goto(f"/a/crm_customers/account?{query}")
    return ids


def _as_shanghai_editor(page, live_server) -> dict[str, int]:
    """Seed the accounts, sign in as Sam (may update Shanghai accounts only) and open the board by tier."""
    ids = _seed(live_server, roles=(SHANGHAI_EDITOR,))
    with live_server.engine.begin() as conn:
        editor = create_user(conn, "sam@example.com", "e2e-password-2", display_name="Sam")
        conn.execute(insert(user_roles).values(user_id=editor, role="crm_customers.shanghai"))
    login(page, live_server, "sam@example.com", "e2e-password-2")
    page.goto("/a/crm_customers/account?mode=kanban&group=tier")
    return ids


def _moves_sent(page) -> list[str]:
    """The URLs of the moves the page sends from now on."""
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/move") else None)
    return sent


class Finger:
    """One finger on the phone's touch screen, through CDP: Playwright's Python API cannot slide a touch."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.at = (0.0, 0.0)

    def _send(self, kind: str, points: list[dict]) -> None:
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x: float, y: float) -> None:
        self.at = (x, y)
        self._send("touchStart", [{"x": x, "y": y}])

    def slide(self, x: float, y: float, steps: int = 10) -> None:
        x0, y0 = self.at
        for i in range(1, steps + 1):
            point = {"x": x0 + (x - x0) * i / steps, "y": y0 + (y - y0) * i / steps}
            self._send("touchMove", [point])
        self.at = (x, y)

    def up(self) -> None:
        self._send("touchEnd", [])


def _center(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _screen(page, name: str) -> None:
    """Save what the phone shows: a full-page capture relayouts the page, which scrolls the board elsewhere."""
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{page.kind}.png"))


def _move(page, gesture) -> int:
    """Run ``gesture`` (a drag, a select) and return the status of the move it sends."""
    with page.expect_response(lambda r: r.url.endswith("/move")) as moved:
        gesture()
    return moved.value.status


def test_drag_a_card_to_another_column(desktop_page, live_server):
    page = desktop_page
    ids = _open(page, live_server, "mode=kanban&group=tier")
    card = page.locator(f"[data-card][data-id='{ids['Blue Harbor Retail']}']")
    expect(_column(page, "standard").locator("[data-count]")).to_have_text("3")
    screenshot(page, "kanban-before")
    assert _move(page, lambda: card.drag_to(_column(page, "strategic").locator("[data-drop-zone]"))) == 200
    expect(_column(page, "strategic").locator(f"[data-id='{ids['Blue Harbor Retail']}']")).to_be_visible()
    expect(card).to_have_attribute("data-version", "2")
    expect(_column(page, "strategic").locator("[data-count]")).to_have_text("3")
    expect(_column(page, "standard").locator("[data-count]")).to_have_text("2")
    assert _tier(live_server, ids["Blue Harbor Retail"]) == "strategic"
    page.mouse.move(5, 5)
    screenshot(page, "kanban-after-drag")
    assert_healthy(page)


def test_refused_move_snaps_back(desktop_page, live_server):
    page = desktop_page
    ids = _open(page, live_server, "mode=kanban&group=tier")
    card = page.locator(f"[data-card][data-id='{ids['Northwind Traders']}']")
    with live_server.engine.begin() as conn:  # someone else saves first: the board's version is stale
        RecordService(SchemaRegistry.from_connection(conn)).update(
            conn, "crm_customers", "account", ids["Northwind Traders"], {"city": "Tianjin"}, None, 1)
    assert _move(page, lambda: card.drag_to(_column(page, "key").locator("[data-drop-zone]"))) == 409
    expect(page.locator("[data-testid=move-error]")).to_contain_text("Someone changed this record")
    expect(page.locator("[data-testid=move-error]")).to_have_class(re.compile(r"\bshow\b"))
    page.wait_for_timeout(300)  # let the toast finish fading in for the screenshot
    expect_console_error(page, "status of 409")  # logged by Chromium, sometimes only after the toast
    expect(_column(page, "standard").locator(f"[data-id='{ids['Northwind Traders']}']")).to_be_visible()
    assert _tier(live_server, ids["Northwind Traders"]) == "standard"
    screenshot(page, "kanban-refused")


def test_a_card_the_user_may_not_update_stays_put(page, live_server):
    ids = _as_shanghai_editor(page, live_server)
    mine = page.locator(f"[data-card][data-id='{ids['Minghui Manufacturing']}']")  # in Shanghai
    locked = page.locator(f"[data-card][data-id='{ids['Red Lantern Foods']}']")
    expect(mine.locator("[data-move-select]")).to_be_attached()
    expect(locked.locator("[data-move-select]")).to_have_count(0)
    expect(locked.get_by_test_id("card-locked")).to_be_visible()
    sent = _moves_sent(page)
    drag = page.evaluate_handle("new DataTransfer()")  # what a drag would send, draggable or not
    locked.dispatch_event("dragstart", {"dataTransfer": drag})
    zone = _column(page, "standard").locator("[data-drop-zone]")
    zone.dispatch_event("dragover", {"dataTransfer": drag})
    zone.dispatch_event("drop", {"dataTransfer": drag})
    page.wait_for_timeout(300)
    assert sent == []
    expect(_column(page, "key").locator(f"[data-id='{ids['Red Lantern Foods']}']")).to_be_visible()
    screenshot(page, "kanban-read-only-card")
    assert_healthy(page)


def test_drag_a_card_by_touch_on_a_phone(phone_page, live_server):
    page = phone_page
    ids = _open(page, live_server, "mode=kanban&group=tier")
    card = page.locator(f"[data-card][data-id='{ids['Blue Harbor Retail']}']")
    target = _column(page, "strategic")  # two screens to the right
    finger = Finger(page)
    # A hold on the title link drags the card; it does not open the record.
    x, y = _center(card.locator(".record-link"))

    def drag():
        finger.down(x, y)
        page.wait_for_timeout(500)  # hold: the card lifts
        expect(page.locator(".kanban-ghost")).to_be_visible()
        finger.slide(385, y)  # at the right edge: the board scrolls while the finger rests there
        page.wait_for_function(
            "column => column.getBoundingClientRect().left < 120", arg=target.element_handle()
        )
        finger.slide(200, y)  # back from the edge, which stops the scrolling, over the target column
        expect(target.locator("[data-drop-zone]")).to_have_class(re.compile(r"\bdrop-target\b"))
        _screen(page, "kanban-touch-drag")
        finger.up()

    assert _move(page, drag) == 200
    expect(target.locator(f"[data-id='{ids['Blue Harbor Retail']}']")).to_be_visible()
    expect(card).to_have_attribute("data-version", "2")
    expect(card.locator("[data-move-select]")).to_have_value("strategic")
    expect(_column(page, "standard").locator("[data-count]")).to_have_text("2")
    expect(page.locator(".kanban-ghost, .drop-target")).to_have_count(0)
    assert _tier(live_server, ids["Blue Harbor Retail"]) == "strategic"
    _screen(page, "kanban-after-touch-drag")

    sent = _moves_sent(page)  # a swipe without the hold scrolls the board back and moves nothing
    board = page.get_by_test_id("kanban")
    card.scroll_into_view_if_needed()
    scrolled = board.evaluate("board => board.scrollLeft")
    x, y = _center(card)
    finger.down(x, y)
    finger.slide(x + 150, y)
    finger.up()
    page.wait_for_function(
        "([board, start]) => board.scrollLeft < start - 100", arg=[board.element_handle(), scrolled]
    )
    page.wait_for_timeout(300)
    assert sent == []
    expect(target.locator(f"[data-id='{ids['Blue Harbor Retail']}']")).to_be_attached()
    assert_healthy(page)


def test_a_read_only_card_does_not_move_by_touch(phone_page, live_server):
    page = phone_page
    ids = _as_shanghai_editor(page, live_server)
    locked = page.locator(f"[data-card][data-id='{ids['Red Lantern Foods']}']")
    locked.scroll_into_view_if_needed()
    sent = _moves_sent(page)
    finger = Finger(page)
    finger.down(*_center(locked))
    page.wait_for_timeout(600)  # longer than the hold that lifts a movable card
    finger.slide(5, finger.at[1])  # towards the first column and the left edge
    page.wait_for_timeout(300)
    expect(page.locator(".kanban-ghost, .drop-target")).to_have_count(0)
    finger.up()
    page.wait_for_timeout(300)
    assert sent == []
    expect(_column(page, "key").locator(f"[data-id='{ids['Red Lantern Foods']}']")).to_be_attached()
    assert _tier(live_server, ids["Red Lantern Foods"]) == "key"
    assert_healthy(page)


def test_move_with_the_select_on_a_phone(phone_page, live_server):
    page = phone_page
    ids = _open(page, live_server, "mode=kanban&group=tier")
    assert_healthy(page)
    screenshot(page, "kanban")
    card = page.locator(f"[data-card][data-id='{ids['Sunrise Logistics']}']")
    assert _move(page, lambda: card.locator("[data-move-select]").select_option("key")) == 200
    expect(_column(page, "key").locator(f"[data-id='{ids['Sunrise Logistics']}']")).to_be_attached()
    assert _tier(live_server, ids["Sunrise Logistics"]) == "key"
    expect(card.locator("[data-move-select]")).to_have_value("key")
    screenshot(page, "kanban-after-select")
    assert_healthy(page)


def test_calendar_month(page, live_server):
    _open(page, live_server, "mode=calendar&date_field=since")
    if page.kind == "desktop":
        grid = page.locator("[data-testid=calendar-grid]")
        expect(grid).to_be_visible()
        day = date.today().replace(day=12).isoformat()
        expect(grid.locator(f"[data-date='{day}'] [data-testid=calendar-record]")).to_have_count(2)
    else:
        agenda = page.locator("[data-testid=calendar-agenda]")
        expect(agenda).to_be_visible()
        expect(agenda.locator(".agenda-day")).to_have_count(6)
        expect(page.locator("[data-testid=calendar-grid]")).to_be_hidden()
    screenshot(page, "calendar")
    assert_healthy(page)
    page.click("[data-testid=next-month]")
    expect(page.locator("[data-testid=calendar-record]:visible")).to_have_count(0)
    assert_healthy(page)


def test_save_a_board_as_a_shared_view(desktop_page, live_server):
    page = desktop_page
    _open(page, live_server, "mode=kanban&group=tier&q=Shanghai")
    page.click("[data-testid=save-view]")
    page.fill("#view-name", "Shanghai by tier")
    page.check("#view-shared")
    with page.expect_navigation():
        page.click("[data-testid=save-view-form] button[type=submit]")
    expect(page.locator("[data-testid=views-menu]")).to_contain_text("Shanghai by tier")
    expect(page.locator("[data-card]")).to_have_count(2)
    assert "view=" in page.url and "q=" not in page.url
    screenshot(page, "saved-view")
    page.click("[data-testid=views-menu]")
    screenshot(page, "saved-views-menu")
    assert_healthy(page)
