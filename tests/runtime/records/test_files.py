"""Uploads: size limits, sniffed types, accept lists, safe names, content-addressed storage, permission."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from builder.publish import publish
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.records.files import attach_files
from runtime.records.files import clean_name
from runtime.records.files import open_file
from runtime.records.files import sniff
from runtime.records.files import store_upload
from runtime.records.registry import SchemaRegistry
from runtime.storage.system import files
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 100
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def docs(engine, tmp_path):
    publish(engine, make_app("crm", make_entity("deal", [
        f("name"), f("contract", "file", accept=["application/pdf", ".docx"], max_size_mb=0.001),
        f("photo", "image"), f("anything", "file")])))
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    return engine, registry, tmp_path / "files"


def upload(docs, field, content, name="x.bin", user_id=1):
    engine, registry, root = docs
    with engine.begin() as conn:
        return store_upload(conn, root, registry, "crm", "deal", field, content, name, user_id=user_id)


def test_stores_content_addressed_and_records_a_row(docs):
    engine, _registry, root = docs
    first = upload(docs, "photo", PNG, "../../etc/passwd.png")
    second = upload(docs, "photo", io.BytesIO(PNG), "same.png")
    assert first == {"id": first["id"], "name": "passwd.png", "size": len(PNG), "content_type": "image/png"}
    assert first["id"] != second["id"]
    blobs = [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"]
    assert len(blobs) == 1 and blobs[0].read_bytes() == PNG
    with engine.connect() as conn:
        row = conn.execute(select(files).where(files.c.id == first["id"])).mappings().one()
    assert (row["field"], row["created_by"], row["record_id"]) == ("photo", 1, None)
    assert blobs[0].name == row["sha256"]


def test_size_limit_from_the_field_and_the_default(docs):
    with pytest.raises(BadInput, match="larger than"):
        upload(docs, "contract", PDF + b"y" * 2000)
    with pytest.raises(BadInput, match="empty"):
        upload(docs, "anything", b"")
    assert upload(docs, "anything", b"a" * (1024 * 1024))["size"] == 1024 * 1024
    _engine, _registry, root = docs
    assert not any((root / "tmp").iterdir())  # refused uploads leave nothing behind


def test_image_fields_take_only_real_images(docs):
    for bad in (SVG, b"<!DOCTYPE html><html><script>x</script>", b"just text", PDF):
        with pytest.raises(BadInput, match="not an image"):
            upload(docs, "photo", bad, "cat.png")
    assert upload(docs, "photo", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp")["content_type"] == "image/webp"


def test_accept_list_and_executables(docs):
    assert upload(docs, "contract", PDF, "c.pdf")["content_type"] == "application/pdf"
    with pytest.raises(BadInput, match="not accepted"):
        upload(docs, "contract", PNG, "c.pdf")  # the name says PDF, the bytes do not
    with pytest.raises(BadInput, match="executable"):
        upload(docs, "anything", b"MZ\x90\x00" + b"\x00" * 60, "setup.pdf")
    with pytest.raises(BadInput, match="executable"):
        upload(docs, "anything", b"#!/bin/sh\nrm -rf /\n", "run.txt")


def test_sniffs_office_documents_inside_the_zip(tmp_path):
    path = tmp_path / "d.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert sniff(path.read_bytes()[:8192], path).endswith("wordprocessingml.document")
    assert sniff("你好，世界".encode()) == "text/plain"
    assert sniff(b"\x00\x01\x02") == "application/octet-stream"


def test_clean_name():
    assert clean_name("C:\\Users\\me\\合同.pdf") == "合同.pdf"
    assert clean_name("../.hidden\x00\n") == "hidden"
    assert clean_name("") == "file" and len(clean_name("a" * 999)) == 255


def test_open_file_only_for_readers_of_the_record(docs):
    engine, _registry, root = docs
    descriptor = upload(docs, "anything", b"hello", "hi.txt", user_id=1)
    with engine.connect() as conn:
        path, found = open_file(conn, root, descriptor["id"], lambda *a: False, user_id=1)
        assert path.read_bytes() == b"hello" and found == descriptor
        with pytest.raises(NotFound):  # not attached yet: only the uploader
            open_file(conn, root, descriptor["id"], lambda *a: True, user_id=2)
    with engine.begin() as conn:
        attach_files(conn, "crm", "deal", "anything", 42, [descriptor], user_id=2)  # not theirs: no effect
        attach_files(conn, "crm", "deal", "anything", 7, [descriptor], user_id=1)
    asked = []

    def can_read(app, entity, record_id):
        asked.append((app, entity, record_id))
        return record_id == 7

    with engine.connect() as conn:
        assert open_file(conn, root, descriptor["id"], can_read)[1] == descriptor
        assert asked == [("crm", "deal", 7)]
        with pytest.raises(NotFound):
            open_file(conn, root, descriptor["id"], lambda *a: False, user_id=1)
        with pytest.raises(NotFound):
            open_file(conn, root, "no-such-id", can_read)


def test_records_hold_only_real_uploads_described_by_the_server(docs):
    from runtime.errors import ValidationFailed
    from runtime.records.service import RecordService
    from runtime.security.users import create_user

    engine, registry, _root = docs
    with engine.begin() as conn:
        user_id = create_user(conn, "up@example.com", "long enough secret")
    stored = upload(docs, "anything", PDF, "offer.pdf", user_id=user_id)
    service = RecordService(registry)
    forged = {"id": stored["id"], "name": "<script>", "size": 1, "content_type": "text/html"}
    with engine.begin() as conn:
        record = service.create(conn, "crm", "deal", {"name": "A", "anything": [forged]}, user_id)
        bound = conn.execute(select(files.c.record_id).where(files.c.id == stored["id"])).scalar_one()
    assert record["anything"] == [stored] and bound == record["id"]
    for bad in ([{"id": "0" * 32}], [{"id": stored["id"]}]):
        field = "anything" if bad[0]["id"] != stored["id"] else "photo"  # right id, wrong field
        with pytest.raises(ValidationFailed) as refused, engine.begin() as conn:
            service.create(conn, "crm", "deal", {"name": "B", field: bad}, user_id)
        assert "no uploaded file" in refused.value.details[field]
