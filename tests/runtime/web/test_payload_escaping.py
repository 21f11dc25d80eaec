"""Issue #6: a stored ``<script>``/``onerror`` payload, in every field type, on every screen, comes out escaped.

Each page is checked two ways: no raw payload markup in the text, and an
HTML parser (the way a browser reads the page) finds no event-handler
attribute, no ``javascript:`` link, no inline script and no JSON island that
fails to parse. Then the escaped payload must be on the page, so the check
is never vacuous: the value really is shown there, just harmlessly.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from runtime.fieldtypes import get_type
from runtime.fieldtypes import type_names
from runtime.records.import_columns import match_columns
from runtime.records.registry import SchemaRegistry
from tests.runtime.web import payload_app as hostile
from tests.runtime.web.payload_app import APP
from tests.runtime.web.payload_app import escaped
from tests.runtime.web.payload_app import payload

THINGS = f"/a/{APP}/thing"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
LIVE_SCHEMES = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
NEVER_TAGS = {"iframe", "object", "embed", "base", "frame"}


class PageAudit(HTMLParser):
    """Reads a page as a browser does and lists what could run: handlers, live URLs, inline scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.islands: list[object] = []  # parsed JSON from <script type="application/json"> and data-* JSON
        self._inline: list[str] | None = None
        self._inline_type = ""

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in NEVER_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and LIVE_SCHEMES.match(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name.startswith("data-") and value.startswith(("[", "{")):
                self._island(f"<{tag} {name}>", value)
        if tag == "script":
            if found.get("src"):
                self._inline = None
            else:
                self._inline, self._inline_type = [], found.get("type", "")

    def handle_data(self, data):
        if self._inline is not None:
            self._inline.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._inline is not None:
            text, self._inline = "".join(self._inline), None
            if self._inline_type != "application/json":
                self.problems.append(f"inline script: {text[:80]!r}")
            else:
                self._island("<script type=application/json>", text)

    @classmethod
    def of(cls, html: str) -> PageAudit:
        audit = cls()
        audit.feed(html)
        audit.close()
        return audit

    def _island(self, where: str, text: str) -> None:
        try:
            self.islands.append(json.loads(text))
        except ValueError:
            self.problems.append(f"{where} is not JSON: {text[:80]!r}")


def assert_safe(html: str) -> PageAudit:
    """No payload markup got through; returns the audit (its JSON islands) for further checks."""
    raw = [m for m in hostile.RAW_MARKERS if m in html]
    assert not raw, f"unescaped markup {raw}: {html[html.index(raw[0]) - 200:][:400]}"
    assert 'href="javascript:' not in html.lower()
    audit = PageAudit.of(html)
    assert not audit.problems, audit.problems
    return audit


def assert_shown(html: str, *texts: str) -> None:
    missing = [t for t in texts if escaped(t) not in html]
    assert not missing, f"not shown (escaped): {missing}"


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status, f"{url}: {response.status_code} {html[:2000]}"
    assert response.mimetype == "text/html"
    assert_safe(html)
    return html


def strings(data):
    """Every string in a JSON value, keys and values (what a script would read out of an island)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


@pytest.fixture
def seeded(client, engine):
    """The hostile app published, Vera (an admin) signed in, and the payload records (``payload_app.seed``)."""
    vera, evil = hostile.install(engine)
    assert client.post("/login", data={"email": hostile.VIEWER, "password": hostile.PASSWORD}).status_code == 302
    return hostile.seed(client, engine, vera, evil)


#: What the record's own values look like on a screen (labels of options, titles of links, names of users).
LISTED_VALUES = [payload("name"), hostile.EMAIL, hostile.URL, payload("label option one"), payload("label option two"),
                 payload("other"), payload("name") + "!", payload("user"), hostile.FILE_NAME, hostile.IMAGE_NAME,
                 hostile.AUTONUMBER_FORMAT.replace("{###}", "001")]
#: Long text is shown on the record, not in list cells.
SHOWN_VALUES = [*LISTED_VALUES, payload("notes"), payload("body"), hostile.SIGNATURE]


def test_the_payload_record_covers_every_registered_field_type():
    """A new field type fails here until the payload app (and so every screen test) covers it."""
    assert sorted({f["type"] for f in hostile.THING_FIELDS}) == type_names()
    typed_in = {f["name"] for f in hostile.THING_FIELDS if not get_type(f["type"]).computed}
    assert typed_in == set(hostile.thing_values(1, 2, {"id": "a"}, {"id": "b"}))  # each one holds a value


# -- list, filters, boards -----------------------------------------------------------

def test_list_table_and_phone_cards_show_every_column_escaped(seeded):
    columns = ",".join(f["name"] for f in hostile.THING_FIELDS if f["type"] != "table")
    html = page(seeded.client, f"{THINGS}?cols={columns}")
    assert_shown(html, payload("label entity thing"), *LISTED_VALUES)
    # Phone cards: each cell carries its column's label for the card layout.
    assert f'data-label="{escaped(payload("label name"))}"' in html


def test_search_and_filters_echoed_back_are_escaped(seeded):
    echoed = page(seeded.client, f"{THINGS}?q={payload('q')}&f=name&op=eq&v={payload('v')}")
    assert_shown(echoed, payload("q"), payload("v"))
    bad_where = page(seeded.client, f"{THINGS}?where=name == {payload('where')}", status=422)
    assert_shown(bad_where, payload("where"))
    found = page(seeded.client, f"{THINGS}?q=alert&f=name&op=contains&v=alert")
    assert_shown(found, payload("name"))
    page(seeded.client, f"/a/{APP}/{payload('path')}", status=404)
    page(seeded.client, f"{THINGS}?mode=kanban&group=stage&where={payload('where')}", status=422)


def test_kanban_grouped_by_a_select_whose_labels_are_payloads(seeded):
    html = page(seeded.client, f"{THINGS}?mode=kanban&group=stage")
    assert_shown(html, payload("label stage"), payload("label option one"), payload("label option two"),
                 payload("name"), hostile.HOSTILE_OPTION)
    assert f'data-value="{escaped(hostile.HOSTILE_OPTION)}"' in html


def test_calendar_shows_payload_titles_escaped(seeded):
    html = page(seeded.client, f"{THINGS}?mode=calendar&date_field=due&month=2024-05")
    assert 'data-testid="calendar-record"' in html
    assert_shown(html, payload("name"), payload("label due"))


def test_saved_view_named_with_a_payload(seeded):
    response = seeded.client.post(f"{THINGS}/views", data={"name": payload("view"), "shared": "1", "q": "alert"})
    assert response.status_code == 302
    html = page(seeded.client, response.headers["Location"])
    assert_shown(html, payload("view"), payload("name"))


# -- record pages ------------------------------------------------------------------

def test_detail_shows_every_value_label_comment_and_mention_escaped(seeded):
    html = page(seeded.client, f"{THINGS}/{seeded.thing['id']}")
    # Notes has its own label on the form; the lines table stands alone on its tab, under the tab's label.
    labels = [f["label"]["en"] for f in hostile.THING_FIELDS if f["name"] not in ("notes", "lines")]
    assert_shown(html, *SHOWN_VALUES, *labels, payload("label slot notes"), payload("label section"),
                 payload("label tab"), payload("line"), payload("label note"), payload("comment"), payload("mention"))
    assert f'<span class="mention" title="{hostile.EVIL}">@{escaped(payload("user"))}</span>' in html


def test_history_timeline_shows_changed_payloads_escaped(seeded):
    thing = seeded.thing
    response = seeded.client.patch(f"/api/v1/{APP}/thing/{thing['id']}", json={"data": {"name": payload("renamed")}},
                                   headers={"If-Match": str(thing["version"])})
    assert response.status_code == 200, response.get_data(as_text=True)
    html = page(seeded.client, f"{THINGS}/{thing['id']}")
    history = html.split('data-testid="history"', 1)[1]
    assert_shown(history, payload("label name"), payload("name"), payload("renamed"))


def test_related_list_of_the_linked_record_shows_payload_titles_escaped(seeded):
    html = page(seeded.client, f"/a/{APP}/other/{seeded.other['id']}")
    related = html.split('data-testid="related-thing"', 1)[1]
    assert_shown(related, payload("label entity thing"), payload("name"))


def test_edit_form_keeps_payloads_as_escaped_input_values(seeded):
    html = page(seeded.client, f"{THINGS}/{seeded.thing['id']}/edit")
    assert_shown(html, *SHOWN_VALUES, payload("label slot notes"), payload("label section"), payload("label tab"),
                 payload("line"), payload("label note"))
    assert f'data-title="{escaped(payload("other"))}"' in html
    assert f'value="{escaped(payload("name"))}"' in html
    # The form rules travel as JSON in attributes; a string with </script> in them stays data.
    assert "</script><script>alert(1)</script>" in set(strings(PageAudit.of(html).islands))


def test_new_form_prefilled_from_the_address_is_escaped(seeded):
    html = page(seeded.client, f"{THINGS}/new?name={payload('prefill')}&other_ref={seeded.other['id']}")
    assert f'value="{escaped(payload("prefill"))}"' in html
    assert f'data-title="{escaped(payload("other"))}"' in html


def test_refused_form_shows_the_rule_message_and_the_input_escaped(seeded):
    response = seeded.client.post(f"{THINGS}/new", data={"name": "boom", "notes": payload("typed")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert_safe(html)
    assert_shown(html, payload("rule"), payload("typed"))


# -- search, notifications, recycle bin, launcher, admin ------------------------------

def test_global_search_results_and_the_echoed_query_are_escaped(seeded):
    hits = page(seeded.client, "/search?q=alert")
    assert_shown(hits, payload("label app"), payload("label entity thing"), payload("name"), payload("other"))
    nothing = page(seeded.client, f"/search?q={payload('nothing')}")
    assert_shown(nothing, payload("nothing"))


def test_notifications_show_the_actor_title_and_excerpt_escaped(seeded):
    html = page(seeded.client, "/notifications")
    assert_shown(html, payload("user"), payload("name"), payload("comment"), payload("label entity thing"))


def test_recycle_bin_and_its_flash_message_are_escaped(seeded):
    binned = hostile.api_create(seeded.client, "thing", {"name": payload("binned")})
    response = seeded.client.post(f"{THINGS}/{binned['id']}/delete", data={"version": "1"}, follow_redirects=True)
    flashed = response.get_data(as_text=True)
    assert_safe(flashed)
    assert_shown(flashed, payload("binned"))
    assert_shown(page(seeded.client, f"{THINGS}/bin"), payload("binned"), payload("label entity thing"))


def test_launcher_and_admin_pages_show_names_and_labels_escaped(seeded):
    assert_shown(page(seeded.client, "/"), payload("label app"), payload("label entity thing"))
    assert_shown(page(seeded.client, "/admin/users"), payload("user"))
    page(seeded.client, "/admin/audit")


# -- JSON: link picker, people, REST API --------------------------------------------

def json_of(client, url: str) -> dict:
    """A JSON body: data, never a page, so a browser can't be talked into reading it as HTML."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return response.get_json()


def test_link_picker_and_mention_lookup_return_payloads_as_plain_data(seeded):
    picked = json_of(seeded.client, f"/a/{APP}/other/options?q=alert")["data"]
    assert picked == [{"id": seeded.other["id"], "title": payload("other")}]
    people = json_of(seeded.client, "/people?q=evil")["data"]
    assert [p["name"] for p in people] == [payload("user")]


def test_rest_api_returns_every_value_as_stored(seeded):
    data = json_of(seeded.client, f"/api/v1/{APP}/thing/{seeded.thing['id']}")["data"]
    given = seeded.values
    for name in ("name", "notes", "body", "email", "phone", "site", "stage", "tags", "sig", "other_ref", "who"):
        assert data[name] == given[name], name
    assert data["other_name"] == payload("other") and data["shout"] == payload("name") + "!"
    assert data["code"] == "<script>alert(1)</script>001"
    assert data["lines"][0]["note"] == payload("line")
    assert [data["doc"][0]["name"], data["pic"][0]["name"]] == [hostile.FILE_NAME, hostile.IMAGE_NAME]
    meta = json_of(seeded.client, f"/api/v1/meta/{APP}/thing")["data"]
    assert meta["fields"][0]["label"] == {"en": payload("label name")}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "java\tscript:alert(1)", "vbscript:msgbox(1)",
                                 "data:text/html,<script>alert(1)</script>", "//evil.example/x"])
def test_url_fields_refuse_script_urls_and_change_nothing(seeded, url):
    thing = seeded.thing
    response = seeded.client.patch(f"/api/v1/{APP}/thing/{thing['id']}", json={"data": {"site": url}},
                                   headers={"If-Match": str(thing["version"])})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"site": "not a valid http(s) URL"}
    after = json_of(seeded.client, f"/api/v1/{APP}/thing/{thing['id']}")["data"]
    assert (after["site"], after["version"]) == (hostile.URL, thing["version"])


# -- CSV and XLSX exports: no cell a spreadsheet would run ----------------------------

FORMULAS = {"name": '=HYPERLINK("http://evil.example","x")', "notes": "@SUM(1)", "body": "+1+2",
            "stage": hostile.FORMULA_OPTION, "tags": [hostile.FORMULA_OPTION], "phone": hostile.PHONE}
SIGNED_NUMBER = re.compile(r"^[+-][0-9 ()./-]*$")  # numbers and phone numbers stay as they are


def runs_as_formula(cell: str) -> bool:
    return cell[:1] in ("=", "@", "\t", "\r") or (cell[:1] in ("+", "-") and not SIGNED_NUMBER.match(cell))


def test_csv_export_prefixes_every_cell_that_would_run_as_a_formula(seeded, engine):
    formula = hostile.api_create(seeded.client, "thing", FORMULAS)
    minus = hostile.api_create(seeded.client, "thing", {"name": "-2+3"})
    ids = [seeded.thing["id"], formula["id"], minus["id"]]
    response = seeded.client.post(f"{THINGS}/bulk", data={"action": "export", "ids": [str(i) for i in ids]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert not [cell for row in rows for cell in row if runs_as_formula(cell)]
    header = rows[0]
    guarded = {name: "'" + text for name, text in hostile.FORMULA_LABELS.items()}
    assert set(guarded.values()) <= set(header)
    with engine.connect() as conn:  # and an import of the file still finds the guarded columns
        plan = match_columns(SchemaRegistry.from_connection(conn).entity(APP, "thing"), header)
    assert set(guarded.items()) <= {(name, title) for _i, name, title in plan.columns}
    by_name = {row[0]: dict(zip([h.removeprefix("'") for h in header], row)) for row in rows[1:]}

    def cell(record_id, field):
        return by_name[str(record_id)][next(f["label"]["en"] for f in hostile.THING_FIELDS if f["name"] == field)]

    assert [cell(formula["id"], f) for f in ("name", "notes", "body", "stage", "tags", "phone")] == [
        "'" + FORMULAS["name"], "'@SUM(1)", "'+1+2", "'=1+2", "'=1+2", hostile.PHONE]
    assert cell(formula["id"], "shout") == "'" + FORMULAS["name"] + "!"
    assert cell(minus["id"], "name") == "'-2+3"
    assert cell(seeded.thing["id"], "name") == payload("name")  # markup is data in a CSV: stored as given


def xlsx_export(client, entity: str):
    job = client.post(f"/api/v1/{APP}/{entity}/export", json={"format": "xlsx"}).get_json()["data"]
    assert job["status"] == "done", job
    download = client.get(job["download"])
    assert download.status_code == 200
    return load_workbook(io.BytesIO(download.get_data())).worksheets[0]


def test_xlsx_export_types_every_text_cell_as_text(seeded):
    formula = hostile.api_create(seeded.client, "thing", FORMULAS)
    sheet = xlsx_export(seeded.client, "thing")
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert {FORMULAS["name"], "@SUM(1)", "+1+2", "=1+2", payload("name"), *hostile.FORMULA_LABELS.values()} <= values
    assert formula["id"] in values


def test_xlsx_export_of_an_entity_whose_label_excel_refuses_as_a_sheet_name(seeded):
    sheet = xlsx_export(seeded.client, "other")
    assert sheet.title == "Partners Suppliers  <script>ale"
    assert payload("other") in {c.value for row in sheet.iter_rows() for c in row}


# -- builder pages: labels the admin wrote --------------------------------------------

def test_builder_pages_show_labels_escaped_and_their_json_islands_intact(seeded):
    client = seeded.client
    assert_shown(page(client, "/builder/"), payload("label app"), payload("label entity thing"))
    for url in (f"/builder/{APP}", f"/builder/{APP}/forms/", f"/builder/{APP}/versions", f"/builder/{APP}/publish"):
        assert_shown(page(client, url), payload("label app"))
    assert_shown(page(client, f"/builder/{APP}/entities/thing"), payload("label entity thing"))
    json_text = page(client, f"/builder/{APP}/json/entities/thing.json")
    assert escaped(json.dumps(payload("label name"))[1:-1]) in json_text
    form_designer = page(client, f"/builder/{APP}/forms/thing")
    assert {payload("label name"), payload("label section")} <= set(strings(PageAudit.of(form_designer).islands))
    draft = json_of(client, f"/builder/api/{APP}/draft")  # what the entity designer's script shows
    assert draft["documents"]["entities/thing.json"]["fields"][0]["label"] == {"en": payload("label name")}
