"""A hostile app for the escaping tests: script payloads in every field type, label and option.

``payload(tag)`` is a ``<script>`` plus an ``onerror`` image plus both quote
characters; each field gets its own tag, so a test can find the escaped form
of one field's value on a page and know the page really shows it. Labels in
the metadata carry payloads too: admins write them, but they are escaped all
the same.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from markupsafe import escape

from builder.publish import publish
from runtime.clock import utcnow
from runtime.records.comments import add_comment
from runtime.security.users import create_user
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

APP = "xss"
PASSWORD = "password-123"
VIEWER = "vera@example.com"  # the signed-in administrator; her own name is plain
EVIL = "evil@example.com"  # another user, whose display name is a payload

#: Markup that must never reach a page unescaped, whatever field it came from.
RAW_MARKERS = ("<script>alert", "<img src=x onerror", "<svg onload", "<svg/onload")
#: Select option values: one with markup and both quotes, one a spreadsheet formula.
HOSTILE_OPTION = "\"'><svg onload=alert(1)>"
FORMULA_OPTION = "=1+2"
AUTONUMBER_FORMAT = "<script>alert(1)</script>{###}"
#: What each kind of field stores: the strongest payload its type accepts.
EMAIL = "\"'><svg/onload=alert(1)>@x.io"
URL = "https://x.io/\"'><svg/onload=alert(1)>"
PHONE = "+86 (21) 5555-0101"
SIGNATURE = "data:image/png;base64,\"'><img src=x onerror=alert(1)>"
FILE_NAME = "<img src=x onerror=alert('doc')>.txt"  # no double quote: the test client's multipart would cut it
IMAGE_NAME = "<svg onload=alert('pic')>.png"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def payload(tag: str) -> str:
    return f"<script>alert('{tag}')</script><img src=x onerror=alert('{tag}')>\"'"


def escaped(text: str) -> str:
    """``text`` as Jinja's autoescape and WTForms write it (MarkupSafe: ``"`` is ``&#34;``)."""
    return str(escape(text))


def label(tag: str) -> dict:
    return {"en": payload(f"label {tag}")}


#: Labels a spreadsheet would run as formulas, for the export tests.
FORMULA_LABELS = {"phone": "@SUM(1+1) " + payload("label phone"), "qty": "=1+1 " + payload("label qty")}
#: An everyday label with characters Excel refuses in a sheet name.
OTHER_LABEL = "Partners/Suppliers: " + payload("label entity other")


def _field(name: str, type_: str, **options) -> dict:
    return make_field(name, type_, label={"en": FORMULA_LABELS.get(name) or payload(f"label {name}")}, **options)


OPTIONS = [{"value": HOSTILE_OPTION, "label": label("option one"), "color": "#0d6efd"},
           {"value": FORMULA_OPTION, "label": label("option two")}]

#: One field of every registered type (tests check this covers ``type_names()``).
THING_FIELDS = [
    _field("name", "text", required=True),
    _field("notes", "textarea"),
    _field("body", "richtext"),
    _field("email", "email"),
    _field("phone", "phone"),
    _field("site", "url"),
    _field("stage", "select", options=OPTIONS),
    _field("tags", "multiselect", options=OPTIONS),
    _field("flag", "boolean"),
    _field("qty", "integer"),
    _field("amount", "decimal"),
    _field("price", "currency", currency="CNY"),
    _field("share", "percent"),
    _field("stars", "rating"),
    _field("due", "date"),
    _field("met_at", "datetime"),
    _field("other_ref", "link", target="other"),
    _field("other_name", "lookup", source="other_ref", field="name"),
    _field("shout", "formula", expression="CONCAT(name, '!')", result="text"),
    _field("lines", "table", target="line"),
    _field("line_count", "rollup", source="lines", function="count"),
    _field("code", "autonumber", format=AUTONUMBER_FORMAT),
    _field("who", "user"),
    _field("doc", "file"),
    _field("pic", "image"),
    _field("sig", "signature"),
    _field("spot", "geo"),
]

FORM = {"entity": "thing", "layout": [
    {"section": label("section"), "columns": 2, "fields": [
        f["name"] if f["name"] != "notes" else {"field": "notes", "label": label("slot notes"),
                                                 "visible_when": "name != '</script><script>alert(1)</script>'"}
        for f in THING_FIELDS if f["type"] != "table"]},
    {"tab": label("tab"), "fields": ["lines"]},
]}


def source() -> dict:
    """The app's documents: ``thing`` (every type), its child ``line`` and the link target ``other``."""
    other = make_entity("other", [_field("name", "text"), _field("city", "text")], title_field="name",
                        label={"en": OTHER_LABEL})
    line = make_entity("line", [_field("note", "text"), _field("qty", "integer")], label=label("entity line"))
    thing = make_entity("thing", THING_FIELDS, title_field="name", label=label("entity thing"),
                        rules=[{"when": "name == 'boom'", "message": {"en": payload("rule")}}])
    docs = make_app(APP, other, line, thing, label=label("app"))
    docs["forms/thing.json"] = FORM
    return docs


def install(engine) -> tuple[int, int]:
    """Publish the app and add Vera (an admin, plain name) and a user whose display name is a payload."""
    publish(engine, source(), author="test")
    with engine.begin() as conn:
        vera = create_user(conn, VIEWER, PASSWORD, display_name="Vera Admin", is_admin=True)
        evil = create_user(conn, EVIL, PASSWORD, display_name=payload("user"))
    return vera, evil


def seed(client, engine, vera: int, evil: int) -> SimpleNamespace:
    """Through the REST API (``client`` may write to it): a payload record of every field type, its link
    target and uploads; then a comment by the payload user mentioning Vera, and Vera's mentioning him."""
    other = api_create(client, "other", {"name": payload("other"), "city": payload("city")})
    doc = upload(client, "doc", FILE_NAME, b"plain text, not markup\n")
    pic = upload(client, "pic", IMAGE_NAME, PNG)
    values = thing_values(other["id"], evil, doc, pic)
    thing = api_create(client, "thing", values)
    with engine.begin() as conn:
        add_comment(conn, APP, "thing", thing["id"], evil, f"@{VIEWER} {payload('comment')}", utcnow())
        add_comment(conn, APP, "thing", thing["id"], vera, f"{payload('mention')} @{EVIL}", utcnow())
    return SimpleNamespace(client=client, thing=thing, other=other, values=values, vera=vera, evil=evil)


def api_create(client, entity: str, data: dict) -> dict:
    response = client.post(f"/api/v1/{APP}/{entity}", json={"data": data})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["data"]


def upload(client, field: str, name: str, content: bytes) -> dict:
    """Upload through the API as a browser would; returns the stored descriptor."""
    response = client.post(f"/api/v1/{APP}/thing/files/{field}",
                           data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["data"]


def thing_values(other_id: int, evil_id: int, doc: dict, pic: dict) -> dict:
    """The payload record's input, as the REST API takes it."""
    return {
        "name": payload("name"), "notes": payload("notes"), "body": payload("body"), "email": EMAIL,
        "phone": PHONE, "site": URL, "stage": HOSTILE_OPTION, "tags": [HOSTILE_OPTION, FORMULA_OPTION],
        "flag": True, "qty": 7, "amount": "12.5", "price": "99.99", "share": "15", "stars": 4,
        "due": "2024-05-15", "met_at": "2024-05-15T09:30:00", "other_ref": other_id, "who": evil_id,
        "lines": [{"note": payload("line"), "qty": 1}], "doc": [{"id": doc["id"]}], "pic": [{"id": pic["id"]}],
        "sig": SIGNATURE, "spot": {"lat": 31.2, "lng": 121.5},
    }
