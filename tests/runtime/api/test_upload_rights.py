"""Uploading a file needs the same rights as writing the field it is for (4.2.1: no storing
files against entities or fields the caller may not change)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import insert

from runtime.security.tokens import create_token
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from tests.runtime.api.conftest import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def as_user(client, engine, sales):
    def make(email, role=None):
        with engine.begin() as conn:
            user = create_user(conn, email, "upload-rights-pass-1")
            if role:
                conn.execute(insert(user_roles).values(user_id=user, role=role))
            return Api(client, create_token(conn, user, "t", "write"))
    return make


def upload(api, field):
    return api.client.post(f"/api/v1/sample_sales/opportunity/files/{field}",
                           data={"file": (io.BytesIO(PNG), "face.png")}, headers=api.headers,
                           content_type="multipart/form-data")


def test_a_rep_may_upload_to_a_field_they_may_write(as_user):
    assert upload(as_user("rep@example.com", "sample_sales.sales_rep"), "photo").status_code == 201


def test_no_role_means_no_entity_and_no_upload(as_user):
    assert upload(as_user("nobody@example.com"), "photo").status_code == 404


def test_a_read_only_field_takes_no_upload(as_user):
    answer = upload(as_user("rep2@example.com", "sample_sales.sales_rep"), "probability")
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "access_denied"
