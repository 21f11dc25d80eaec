"""A role's ``reveal`` shows chosen sensitive fields in clear to its holders, in lists, record
pages, exports and the API alike; a role without it sees them masked; publish checks the names."""

import csv
import io

import pytest

from builder.publish import publish
from runtime.errors import MetacrmError
from tests.runtime.security.vault_app import AUDITOR
from tests.runtime.security.vault_app import XSS
from tests.runtime.security.vault_app import vault_source
from tests.runtime.web.test_access_matrix import client_for

PHONE, EMAIL = "+86 138 0013 1234", "ann@example.com"


def shown(data: dict) -> tuple:
    return data["phone"], data["email"], data["note"]


def exported(client, record_id) -> list[str]:
    answer = client.post("/a/vault/contact/bulk", data={"action": "export", "ids": [str(record_id)]})
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True))))[1]


def api_export(client) -> list[str]:
    job = client.post("/api/v1/vault/contact/export", json={"format": "csv"}).headers["Location"]
    answer = client.get(f"{job}/download")
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))[1]


def test_a_revealing_role_sees_its_fields_in_clear_everywhere(app, vault):
    _ids, record_id = vault
    auditor = client_for(app, "auditor")
    assert shown(auditor.get("/api/v1/vault/contact").get_json()["data"][0]) == (PHONE, EMAIL, "••••")
    assert shown(auditor.get(f"/api/v1/vault/contact/{record_id}").get_json()["data"]) == (PHONE, EMAIL, "••••")
    listing = auditor.get("/a/vault/contact?cols=name,phone,email,note").get_data(as_text=True)
    record_page = auditor.get(f"/a/vault/contact/{record_id}").get_data(as_text=True)
    for page in (listing, record_page):
        assert PHONE in page and EMAIL in page and "alert(1)" not in page
    for row in (exported(auditor, record_id), api_export(auditor)):
        assert PHONE in row and EMAIL in row and XSS not in row


def test_a_role_without_reveal_still_sees_masks(app, vault):
    _ids, record_id = vault
    reader = client_for(app, "reader")
    masked = ("••••1234", "a•••@example.com", "••••")
    assert shown(reader.get("/api/v1/vault/contact").get_json()["data"][0]) == masked
    assert shown(reader.get(f"/api/v1/vault/contact/{record_id}").get_json()["data"]) == masked
    assert "0013" not in reader.get(f"/a/vault/contact/{record_id}").get_data(as_text=True)
    assert "0013" not in str(exported(reader, record_id)) and "0013" not in str(api_export(reader))


def test_a_lookup_of_a_revealed_field_stays_masked(app, vault):
    visit = client_for(app, "auditor").get("/api/v1/vault/visit").get_json()["data"][0]
    assert visit["contact_email"] == "a•••@example.com"


@pytest.mark.parametrize("reveal, message", [
    (["name"], "'name' is not a sensitive field"),
    (["phon"], "has no field 'phon'"),
    ("phone", "expected a list"),
])
def test_publish_checks_what_a_role_reveals(engine, reveal, message):
    role = {**AUDITOR, "entities": {"contact": {"read": True, "reveal": reveal}}}
    with pytest.raises(MetacrmError) as refused:
        publish(engine, {**vault_source(), "roles/auditor.json": role})
    assert message in str(refused.value.details) and "roles/auditor.json" in str(refused.value.details)
