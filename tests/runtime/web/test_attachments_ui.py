"""The record page's "Attachments" card: upload, list, download link, remove; escaping; refusals."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from sqlalchemy import update

from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.storage.system import attachments
from runtime.storage.system import users

APP, ENTITY = "crm_customers", "account"
PDF = b"%PDF-1.7\n" + b"x" * 100
PAYLOAD = "<img src=x onerror=alert(1)>.pdf"  # no "/": a name keeps only its last path part


@pytest.fixture
def account(web, engine, user_id) -> int:
    with engine.begin() as conn:
        conn.execute(
            update(users).where(users.c.id == user_id).values(is_admin=True)
        )  # may change accounts
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        return service.create(conn, APP, ENTITY, {"name": "Acme Ltd"}, user_id=user_id)["id"]


def url(record_id: int) -> str:
    return f"/a/{APP}/{ENTITY}/{record_id}"


def upload(web, record_id, content=PDF, name="contract.pdf"):
    return web.post(
        url(record_id) + "/attachments",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_upload_lists_the_file_with_its_facts_and_a_download_link(web, account):
    page = web.get(url(account)).get_data(as_text=True)
    assert 'data-testid="attachment-form"' in page and 'enctype="multipart/form-data"' in page
    input_tag = re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)
    assert "accept=" not in input_tag and "capture" not in input_tag  # phones offer the camera too

    response = upload(web, account)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        url(account) + "#attachments"
    )
    html = web.get(url(account)).get_data(as_text=True)
    card = html[html.index('id="attachments"') :]
    assert (
        "contract.pdf" in card
        and "109 Bytes" in card
        and "Ann Lee" in card
        and "Attached contract.pdf." in html
    )
    link = re.search(r'href="(/api/v1/crm_customers/account/\d+/attachments/\d+)"', card).group(1)
    assert web.get(link).get_data() == PDF
    assert "Attachments:" in html and "attached" in html  # the history entry


def test_remove_takes_it_off_the_page(web, engine, account):
    upload(web, account)
    with engine.connect() as conn:
        attachment_id = conn.execute(select(attachments.c.id)).scalar()
    response = web.post(f"{url(account)}/attachments/{attachment_id}/delete")
    assert response.status_code == 302
    html = web.get(url(account)).get_data(as_text=True)
    assert 'data-testid="attachment"' not in html and "No files attached yet." in html
    assert "Attachment removed." in html


def test_a_script_in_the_file_name_is_shown_as_text(web, account):
    upload(web, account, name=PAYLOAD)
    html = web.get(url(account)).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


@pytest.mark.parametrize(
    "content, message",
    [(b"\x7fELF" + b"\x00" * 60, "executable files are not accepted"), (b"", "the file is empty")],
)
def test_refused_uploads_flash_why_and_store_nothing(web, engine, account, content, message):
    response = upload(web, account, content, "tool.pdf")
    assert response.status_code == 302
    html = web.get(url(account)).get_data(as_text=True)
    assert message in html and 'data-testid="attachment"' not in html
    with engine.connect() as conn:
        assert conn.execute(select(attachments.c.id)).first() is None


def test_no_file_chosen_is_a_message(web, account):
    web.post(url(account) + "/attachments", data={}, content_type="multipart/form-data")
    assert "Choose a file to attach." in web.get(url(account)).get_data(as_text=True)


def test_unknown_record_is_404(web, account):
    assert upload(web, account + 999).status_code == 404
    assert web.post(f"{url(account)}/attachments/1/delete").status_code == 404
