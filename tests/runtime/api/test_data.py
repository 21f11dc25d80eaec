"""Import and export jobs, job polling and files over the REST API."""

import io
import uuid

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ACCOUNTS = "/api/v1/sample_sales/account"


def import_csv(api, text, **form):
    data = {"file": (io.BytesIO(text.encode()), "accounts.csv"), **form}
    return api.client.post(f"{ACCOUNTS}/import", data=data, headers=api.headers, content_type="multipart/form-data")


def test_import_runs_as_a_job_with_per_row_errors(api):
    answer = import_csv(api, "Name,City\nAcme,Lyon\n,Paris\nBeta,Nice\n", mode="skip_bad_rows")
    assert answer.status_code == 202
    job = api.get(answer.headers["Location"]).get_json()["data"]
    assert job["status"] == "done" and job["kind"] == "import"
    assert job["result"]["created"] == 2 and job["result"]["errors"][0]["row"] == 3
    assert "path" not in job["params"]
    names = {r["name"] for r in api.get(ACCOUNTS).get_json()["data"]}
    assert {"Acme", "Beta"} <= names


def test_all_or_nothing_import_fails_the_job_and_writes_nothing(api):
    before = len(api.get(ACCOUNTS).get_json()["data"])
    job = api.get(import_csv(api, "Name,Revenue\nGood,1\nBad,abc\n").headers["Location"]).get_json()["data"]
    assert job["status"] == "failed"
    assert job["result"]["details"]["errors"][0] == {"row": 3, "field": "revenue", "column": "Revenue",
                                                     "message": "expected a number"}
    assert len(api.get(ACCOUNTS).get_json()["data"]) == before


def test_import_refuses_other_file_types(api):
    data = {"file": (io.BytesIO(b"MZ\x90\x00"), "evil.exe")}
    answer = api.client.post(f"{ACCOUNTS}/import", data=data, headers=api.headers, content_type="multipart/form-data")
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_input"


def test_export_job_then_download(api):
    for name in ("Acme", "Beta"):
        api.post(ACCOUNTS, {"name": name, "city": "Lyon"})
    answer = api("POST", f"{ACCOUNTS}/export", json={"format": "csv", "where": "name == 'Acme'"})
    assert answer.status_code == 202
    job = answer.get_json()["data"]
    assert job["status"] == "done" and job["result"]["rows"] == 1
    download = api.get(job["download"])
    assert download.status_code == 200
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    body = download.get_data(as_text=True)
    assert "Acme" in body and "Beta" not in body


def test_bad_export_options_are_400(api):
    assert api("POST", f"{ACCOUNTS}/export", json={"format": "pdf"}).status_code == 400
    answer = api("POST", f"{ACCOUNTS}/export", json={"where": "name =="})
    assert answer.get_json()["data"]["status"] == "failed"


def test_jobs_are_private_to_their_owner(api, client, engine):
    from runtime.security.tokens import create_token
    from runtime.security.users import create_user
    from tests.runtime.api.conftest import Api

    job = api("POST", f"{ACCOUNTS}/export", json={}).get_json()["data"]
    with engine.begin() as conn:
        other = create_token(conn, create_user(conn, "bob@example.com", "bob-password-1"), "t", "write")
    stranger = Api(client, other)
    assert stranger.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert stranger.get(f"/api/v1/jobs/{job['id']}/download").status_code == 404
    assert api.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404
    assert api.get("/api/v1/jobs/not-a-uuid").status_code == 404


def test_upload_then_attach_then_download_only_while_readable(api, sales):
    uploaded = api.client.post("/api/v1/sample_sales/opportunity/files/photo",
                               data={"file": (io.BytesIO(PNG), "face.png")}, headers=api.headers,
                               content_type="multipart/form-data")
    assert uploaded.status_code == 201
    photo = uploaded.get_json()["data"]
    assert photo["content_type"] == "image/png"
    deal = api.post("/api/v1/sample_sales/opportunity", {"name": "Deal", "photo": [{"id": photo["id"]}]})
    assert deal.status_code == 201, deal.get_json()
    served = api.get(f"/api/v1/files/{photo['id']}")
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    record = deal.get_json()["data"]
    assert api.delete(f"/api/v1/sample_sales/opportunity/{record['id']}").status_code == 204
    assert api.get(f"/api/v1/files/{photo['id']}").status_code == 404  # record in the recycle bin


@pytest.mark.parametrize("content, name", [(b"<svg><script>alert(1)</script></svg>", "x.svg"),
                                           (b"MZ\x90\x00" + b"\x00" * 60, "x.png")])
def test_images_must_really_be_images(api, sales, content, name):
    answer = api.client.post("/api/v1/sample_sales/opportunity/files/photo",
                             data={"file": (io.BytesIO(content), name)}, headers=api.headers,
                             content_type="multipart/form-data")
    assert answer.status_code == 400


def test_read_tokens_cannot_start_jobs_or_upload(reader):
    assert reader("POST", f"{ACCOUNTS}/export", json={}).status_code == 403


def test_sheets_bigger_than_the_json_body_limit_import(api):
    padding = "x" * 180
    rows = "".join(f"Company {i:06d} {padding},Lyon\n" for i in range(55_000))
    assert len(rows) > 10 * 1024 * 1024  # over MAX_CONTENT_LENGTH for JSON bodies
    job = api.get(import_csv(api, "Name,City\n" + rows).headers["Location"]).get_json()["data"]
    assert job["status"] == "done" and job["result"]["created"] == 55_000
