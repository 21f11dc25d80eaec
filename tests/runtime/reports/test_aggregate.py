"""Report totals checked against numbers computed here in Python from the seeded rows."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from runtime.records.registry import SchemaRegistry
from runtime.reports import find_report
from runtime.reports import run_report
from runtime.reports.definition import parse_report
from runtime.security.guarded import records_for
from tests.runtime.reports.report_app import report


def run(engine, who: int, name: str, language: str = "en"):
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        records = records_for(conn, registry, who)
        return run_report(conn, records, find_report(registry, "shop", name), language=language, user_id=who)


def admin(shop) -> int:
    return shop["users"]["admin"]


def test_count_sum_and_average_per_stage_match_the_rows(engine, shop):
    result = run(engine, admin(shop), "by_stage")
    rows = defaultdict(list)
    for deal in shop["deals"]:
        rows[deal["stage"]].append(deal)
    expected = {}
    for stage, deals in rows.items():
        amounts, qtys = [d["amount"] for d in deals], [d["qty"] for d in deals if d["qty"] is not None]
        expected[stage] = {"stage": stage, "count": len(deals), "sum_amount": sum(amounts),
                           "avg_amount": (sum(amounts) / len(amounts)).quantize(Decimal("0.01")),
                           "sum_qty": sum(qtys) if qtys else None,
                           "avg_qty": (Decimal(sum(qtys)) / len(qtys)).quantize(Decimal("0.01")) if qtys else None}
    assert [r["stage"] for r in result.data] == [s for s in ["lead", "won", "lost", None] if s in rows]
    assert {r["stage"]: r for r in result.data} == expected


def test_a_number_report_is_one_row_over_every_live_record(engine, shop):
    deals = shop["deals"]
    [row] = run(engine, admin(shop), "total").data
    assert row == {"count": len(deals), "sum_amount": sum(d["amount"] for d in deals),
                   "min_closed_on": min(d["closed_on"] for d in deals),
                   "max_qty": max(d["qty"] for d in deals if d["qty"] is not None)}


def test_month_buckets_and_where(engine, shop):
    totals = defaultdict(Decimal)
    for deal in shop["deals"]:
        if deal["stage"] == "won":
            totals[deal["closed_on"].replace(day=1)] += deal["amount"]
    result = run(engine, admin(shop), "won_by_month")
    assert [(r["closed_on"], r["sum_amount"]) for r in result.data] == sorted(totals.items())
    months = [(y, m) for y in (2025, 2026) for m in range(1, 13)
              if min(totals) <= date(y, m, 1) <= max(totals)]  # a month without a won deal shows 0
    assert result.chart["categories"] == [f"{y}-{m:02d}" for y, m in months]
    assert result.chart["series"][0]["texts"] == [f"{totals.get(date(y, m, 1), 0):,}" for y, m in months]


def test_week_buckets_of_child_rows_start_on_monday(engine, shop):
    weeks = Counter(d.fromordinal(d.toordinal() - d.weekday()) for d in shop["visits"])
    result = run(engine, admin(shop), "visits_by_week")
    assert [(r["visited_on"], r["count"]) for r in result.data] == sorted(weeks.items())
    assert all(r["visited_on"].weekday() == 0 for r in result.data)


@pytest.mark.parametrize("bucket", ["day", "week", "month", "quarter", "year"])
def test_every_bucket_of_a_datetime_gives_the_start_of_its_period(engine, shop, bucket):
    def start(day: date) -> date:
        return {"day": day, "week": date.fromordinal(day.toordinal() - day.weekday()),
                "month": day.replace(day=1), "quarter": date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
                "year": date(day.year, 1, 1)}[bucket]

    expected = Counter(start(d["closed_at"].date()) for d in shop["deals"])
    doc = report(f"at_{bucket}", [{"field": "closed_at", "bucket": bucket}])
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        records = records_for(conn, registry, admin(shop))
        result = run_report(conn, records, parse_report("shop", doc), language="en", user_id=admin(shop))
    assert [(r["closed_at"], r["count"]) for r in result.data] == sorted(expected.items())


def test_select_values_show_their_labels_in_the_users_language(engine, shop):
    chart = run(engine, admin(shop), "by_stage", language="zh").chart
    present = [s for s in ["lead", "won", "lost", None] if any(d["stage"] == s for d in shop["deals"])]
    names = {"lead": "线索", "won": "赢单", "lost": "输单", None: "（空）"}
    assert chart["categories"] == [names[s] for s in present]
    assert chart["title"] == "按阶段"


def test_links_show_titles_and_order_by_a_measure(engine, shop):
    counts = Counter(d["account"] for d in shop["deals"])
    result = run(engine, admin(shop), "by_account")
    assert [r["count"] for r in result.data] == sorted(counts.values(), reverse=True)
    names = {a["id"]: a["name"] for a in shop["accounts"]}
    assert {r["account"]: r["count"] for r in result.data} == dict(counts)
    titles = dict(zip([r["account"] for r in result.data], result.chart["categories"]))
    assert titles == {k: names.get(k, "(empty)") for k in counts}


def test_a_lookup_groups_by_the_linked_records_value(engine, shop):
    counts = Counter(d["account_industry"] for d in shop["deals"])
    result = run(engine, admin(shop), "by_industry")
    assert {r["account_industry"]: r["count"] for r in result.data} == dict(counts)
    assert {i["name"] for i in result.chart["items"]} <= {"Retail", "Software", "(empty)"}


def test_pivot_crosses_two_groups(engine, shop):
    counts = Counter((d["stage"], d["account_industry"]) for d in shop["deals"])
    chart = run(engine, admin(shop), "stage_by_industry").chart
    labels = {"lead": "Lead", "won": "Won", "lost": "Lost", "retail": "Retail", "software": "Software",
              None: "(empty)"}
    cells = {(r, c): v for r, line in zip(chart["row_labels"], chart["cells"])
             for c, v in zip(chart["column_labels"], line) if v}
    assert cells == {(labels[s], labels[i]): str(n) for (s, i), n in counts.items()}
    assert chart["column_labels"][-1] == "(empty)" or None not in {i for _, i in counts}


def test_users_show_their_names(engine, shop):
    counts = Counter(d["owner"] for d in shop["deals"])
    result = run(engine, admin(shop), "by_owner")
    names = {v: k.title() for k, v in shop["users"].items()}
    assert dict(zip(result.chart["categories"], result.chart["series"][0]["data"])) == {
        names[owner]: n for owner, n in counts.items()}


def test_a_week_chart_shows_quiet_weeks_as_zero_and_the_data_keeps_the_querys_rows(engine, shop):
    weeks = Counter(d.fromordinal(d.toordinal() - d.weekday()) for d in shop["visits"])
    every = [min(weeks) + timedelta(weeks=i) for i in range((max(weeks) - min(weeks)).days // 7 + 1)]
    assert len(every) > len(weeks)  # the seeded visits leave some weeks out
    result = run(engine, admin(shop), "visits_by_week")
    assert len(result.data) == len(weeks)
    assert result.chart["categories"] == [f"{w.isocalendar()[0]}-W{w.isocalendar()[1]:02d}" for w in every]
    assert result.chart["series"][0]["data"] == [weeks.get(w, 0) for w in every]
