"""A sheet uploaded for an API import is deleted once the job is over, done or failed: it may hold
sensitive values in clear, and nothing needs it afterwards."""

from __future__ import annotations

import io

import pytest

ACCOUNTS = "/api/v1/sample_sales/account"


@pytest.mark.parametrize("sheet, status", [("Name,City\nAcme,Lyon\n", "done"),
                                           ("Name,Revenue\nBad,abc\n", "failed")])
def test_the_uploaded_sheet_is_removed_when_the_job_ends(api, settings, sheet, status):
    answer = api.client.post(f"{ACCOUNTS}/import", data={"file": (io.BytesIO(sheet.encode()), "a.csv")},
                             headers=api.headers, content_type="multipart/form-data")
    job = api.get(answer.headers["Location"]).get_json()["data"]
    assert job["status"] == status and "upload" not in job["params"]
    assert list((settings.files_dir / "imports").iterdir()) == []
