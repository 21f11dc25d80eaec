"""Bad reports and dashboards are refused at validate/publish time, each problem at its key."""

from __future__ import annotations

import pytest

from runtime.metadata.validate import app_problems
from tests.runtime.reports.report_app import report
from tests.runtime.reports.report_app import shop_source


def problems(*docs: dict, dashboards=()) -> list[str]:
    source = shop_source()
    for doc in docs:
        source[f"reports/{doc['name']}.json"] = doc
    for doc in dashboards:
        source[f"dashboards/{doc['name']}.json"] = doc
    return sorted(str(p) for p in app_problems(source))


def test_the_shop_reports_are_valid():
    assert problems() == []


@pytest.mark.parametrize(("doc", "expected"), [
    (report("r", [{"field": "stage"}], entity="dael"),
     ("reports/r.json: /entity: entity 'dael' does not exist in this app; did you mean 'deal'? "
     "(entities: account, deal, visit)")),
    (report("r", [{"field": "stag"}]),
     "reports/r.json: /group_by/0/field: 'deal' has no field 'stag'; did you mean 'stage'?"),
    (report("r", [{"field": "stage", "bucket": "month"}]),
     "reports/r.json: /group_by/0/bucket: a bucket needs a date or datetime field; 'stage' is a select field"),
    (report("r", [{"field": "notes"}]),
     "reports/r.json: /group_by/0/field: 'notes' is a textarea field: it cannot be grouped or measured"),
    (report("r", [{"field": "stage"}], [{"fn": "sum", "field": "title"}]),
     "reports/r.json: /measures/0/fn: sum needs a number field; 'title' is a text field"),
    (report("r", [{"field": "stage"}], [{"fn": "avg", "field": "closed_on"}]),
     "reports/r.json: /measures/0/fn: avg needs a number field; 'closed_on' is a date field"),
    (report("r", [{"field": "stage"}], [{"fn": "max", "field": "nope"}]),
     "reports/r.json: /measures/0/field: 'deal' has no field 'nope'"),
    (report("r", [{"field": "stage"}], [{"fn": "count"}, {"fn": "count"}]),
     "reports/r.json: /measures/1: 'count' is already used at /measures/0"),
    (report("r", [{"field": "stage"}], order=[{"by": "cuont"}]),
     ("reports/r.json: /order/0/by: 'cuont' is not a group field or measure of this report; did you mean "
     "'count'? (choose from: stage, count)")),
    (report("r", [{"field": "stage"}], chart="number"),
     "reports/r.json: /group_by: a number chart shows one figure: remove group_by"),
    (report("r", [{"field": "stage"}], chart="pivot"),
     "reports/r.json: /group_by: a pivot table needs exactly two group_by fields (rows and columns)"),
    (report("r", [], chart="pie"), "reports/r.json: /group_by: a pie chart needs exactly one group_by field"),
    (report("r", [{"field": "stage"}], where="stage == 3"),
     "reports/r.json: /where: line 1, col 7: cannot compare TEXT with INTEGER using '=='"),
    (report("r", [{"field": "stage", "bucket": "hour"}]),
     "reports/r.json: /group_by/0/bucket: 'hour' is not one of ['day', 'week', 'month', 'quarter', 'year']"),
    (report("r", [{"field": "stage"}], [{"fn": "sum"}]), "reports/r.json: /measures/0: missing required key 'field'"),
])
def test_each_bad_report_is_one_problem_at_its_key(doc, expected):
    assert problems(doc) == [expected]


def test_a_dashboard_names_reports_of_this_app():
    board = {"name": "b", "label": "B", "widgets": [{"report": "by_stage"}, {"report": "by_stag", "width": 4}]}
    assert problems(dashboards=[board]) == [
        ("dashboards/b.json: /widgets/1/report: report 'by_stag' does not exist in this app; did you mean "
        "'by_stage'? (reports: by_account, by_industry, by_owner, by_stage, cost_by_stage, stage_by_industry, "
        "total, visits_by_week, won_by_month)")]


def test_a_dashboard_widget_is_1_to_12_columns_wide():
    board = {"name": "b", "label": "B", "widgets": [{"report": "by_stage", "width": 13}]}
    assert problems(dashboards=[board]) == ["dashboards/b.json: /widgets/0/width: 13 is greater than the maximum of 12"]


def test_a_widget_on_a_report_that_failed_its_schema_is_not_reported_twice():
    broken = report("broken", [{"field": "stage"}], chart="radar")
    board = {"name": "b", "label": "B", "widgets": [{"report": "broken"}]}
    found = problems(broken, dashboards=[board])
    assert len(found) == 1 and found[0].startswith("reports/broken.json: /chart/type:")
