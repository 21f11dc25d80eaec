"""``metacrm demo`` lands on a working dashboard: the crm_customers template's reports on its sample data."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from apps.demo import DEMO_EMAIL
from apps.demo import prepare_demo

DATA = Path(__file__).resolve().parents[3] / "templates_store" / "crm_customers" / "data" / "account.json"


def test_the_demo_dashboard_shows_the_sample_data(app, engine, settings):
    email, password = prepare_demo(engine, settings, echo=lambda _line: None)
    assert email == DEMO_EMAIL
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    launcher = client.get("/").get_data(as_text=True)
    assert 'href="/d/crm_customers/overview"' in launcher

    response = client.get("/d/crm_customers/overview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r'data-report="([a-z_]+)" data-chart-type="([a-z]+)"', html) == [
        ("account_count", "number"), ("revenue_by_tier", "bar"), ("accounts_by_industry", "pie"),
        ("interactions_per_week", "line")]
    accounts = json.loads(DATA.read_text("utf-8"))
    assert f'<div class="report-figure fw-semibold">{len(accounts)}</div>' in html
    assert 'data-testid="widget-error"' not in html and 'data-testid="widget-empty"' not in html
    specs = [json.loads(block) for block in re.findall(r"<script type=\"application/json\" data-chart-spec>(.*?)"
                                                       r"</script>", html, re.DOTALL)]
    revenue, industries, weekly = specs
    assert Decimal(str(sum(revenue["series"][0]["data"]))) == sum(Decimal(str(a.get("annual_revenue") or 0))
                                                                  for a in accounts)
    assert sum(i["value"] for i in industries["items"]) == len(accounts)
    assert sum(weekly["series"][0]["data"]) == sum(len(a.get("interactions", [])) for a in accounts)
