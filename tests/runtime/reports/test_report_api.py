"""``GET /api/v1/reports/<app>/<report>``: the body of DESIGN §4, 404s and 403s as JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest

from runtime.security.tokens import create_token


@pytest.fixture
def get(engine, client, shop):
    """``get(user, path)``: a GET with that user's read token."""
    tokens = {}

    def call(who: str, path: str):
        if who not in tokens:
            with engine.begin() as conn:
                tokens[who] = create_token(conn, shop["users"][who], "t", "read")
        return client.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})
    return call


def test_a_report_answers_data_and_chart(get, shop):
    response = get("admin", "/api/v1/reports/shop/by_stage")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"data", "chart"}
    won = [d for d in shop["deals"] if d["stage"] == "won"]
    [row] = [r for r in body["data"] if r["stage"] == "won"]
    assert row["count"] == len(won)
    assert Decimal(row["sum_amount"]) == sum(d["amount"] for d in won)  # exact, as a string
    chart = body["chart"]
    assert chart["type"] == "bar" and chart["title"] == "Deals by stage"
    assert chart["measures"][0] == {"key": "count", "label": "Count"}
    assert chart["measures"][1] == {"key": "sum_amount", "label": "Sum of amount"}
    assert "Won" in chart["categories"]


def test_dates_come_back_iso(get):
    body = get("admin", "/api/v1/reports/shop/won_by_month").get_json()
    assert all(len(r["closed_on"]) == 10 and r["closed_on"].endswith("-01") for r in body["data"])


@pytest.mark.parametrize(("who", "path"), [
    ("admin", "/api/v1/reports/shop/nope"),
    ("admin", "/api/v1/reports/nope/total"),
    ("nobody", "/api/v1/reports/shop/total"),
])
def test_unknown_or_unreadable_reports_are_404(get, who, path):
    response = get(who, path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_report_on_a_hidden_field_is_403(get):
    response = get("rep_a", "/api/v1/reports/shop/cost_by_stage")
    assert response.status_code == 403
    assert "hidden from you" in response.get_json()["error"]["message"]


def test_a_rep_gets_only_their_own_totals(get, shop):
    me = shop["users"]["rep_b"]
    [row] = get("rep_b", "/api/v1/reports/shop/total").get_json()["data"]
    assert row["count"] == sum(1 for d in shop["deals"] if d["owner"] == me)


def test_without_credentials_it_is_401(client, shop):
    assert client.get("/api/v1/reports/shop/total").status_code == 401


def test_the_openapi_document_lists_each_report(get):
    paths = get("admin", "/api/openapi.json").get_json()["paths"]
    assert "/api/v1/reports/shop/by_stage" in paths
    assert set(paths["/api/v1/reports/shop/total"]["get"]["responses"]) == {"200", "401", "403", "404", "422"}
