"""``/api/v1/<app>/<entity>/<id>/attachments``: list, attach, download, detach; scopes, 404s."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from runtime.records.attachments import MAX_BYTES
from runtime.storage.system import attachments

BASE = "/api/v1/sample_sales/account"
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
def account(api) -> int:
    return api.post(BASE, {"name": "Acme", "city": "Lyon"}).get_json()["data"]["id"]


def attach(api, record_id, content=PDF, name="contract.pdf"):
    return api.client.post(
        f"{BASE}/{record_id}/attachments",
        data={"file": (io.BytesIO(content), name)},
        headers=api.headers,
        content_type="multipart/form-data",
    )


def stored(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(attachments.c.id)).scalars().all()


def test_attach_list_download_and_detach(api, account):
    answer = attach(api, account, name="Q1 contract.pdf")
    assert answer.status_code == 201
    added = answer.get_json()["data"]
    assert {k: added[k] for k in ("name", "size", "content_type", "created_by_name")} == {
        "name": "Q1 contract.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "created_by_name": "Ann",
    }
    assert added["created_at"].endswith("Z") and answer.headers["Location"] == added["download"]
    assert added["download"] == f"{BASE}/{account}/attachments/{added['id']}"
    assert api.get(f"{BASE}/{account}/attachments").get_json()["data"] == [added]

    download = api.get(added["download"])
    assert download.status_code == 200 and download.get_data() == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].endswith("sandbox")
    assert download.headers["Content-Disposition"].startswith("attachment")

    assert api.delete(added["download"]).status_code == 204
    assert api.get(f"{BASE}/{account}/attachments").get_json()["data"] == []
    assert api.get(added["download"]).status_code == 404
    assert api.delete(added["download"]).status_code == 404
    actions = [e["action"] for e in api.get(f"{BASE}/{account}/history").get_json()["data"]]
    assert actions[-2:] == ["attach", "detach"]


def test_a_read_token_lists_and_downloads_but_may_not_change(api, reader, account):
    added = attach(api, account).get_json()["data"]
    assert reader.get(f"{BASE}/{account}/attachments").status_code == 200
    assert reader.get(added["download"]).get_data() == PDF
    for answer in (attach(reader, account), reader.delete(added["download"])):
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "access_denied"
    assert len(api.get(f"{BASE}/{account}/attachments").get_json()["data"]) == 1


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "executable"),
        (b"x" * (MAX_BYTES + 1), "too large"),
        (b"", "empty"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(
    api, engine, settings, account, content, problem
):
    answer = attach(api, account, content, "setup.pdf")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"] == {"file": problem}
    assert stored(engine) == [] and not [p for p in settings.files_dir.rglob("*") if p.is_file()]


def test_no_file_part_is_a_clear_400(api, account):
    answer = api.client.post(
        f"{BASE}/{account}/attachments",
        data={"other": "x"},
        headers=api.headers,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400 and '"file"' in answer.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/999/attachments",
        "/999/attachments/1",
        f"/{2**63}/attachments",
        "/1/attachments/99999999999999999999",
    ],
)
def test_unknown_records_and_attachments_are_404(api, account, path):
    assert api.get(BASE + path).status_code == 404


def test_an_attachment_is_reached_only_through_its_own_record(api, account):
    other = api.post(BASE, {"name": "Other"}).get_json()["data"]["id"]
    added = attach(api, account).get_json()["data"]
    assert api.get(f"{BASE}/{other}/attachments/{added['id']}").status_code == 404
    assert api.delete(f"{BASE}/{other}/attachments/{added['id']}").status_code == 404


def test_the_openapi_document_lists_the_routes(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    listing, one = (
        paths[f"{BASE}/{{id}}/attachments"],
        paths[f"{BASE}/{{id}}/attachments/{{attachment_id}}"],
    )
    assert set(listing) == {"parameters", "get", "post"} and set(one) == {
        "parameters",
        "get",
        "delete",
    }
    assert "multipart/form-data" in listing["post"]["requestBody"]["content"]
