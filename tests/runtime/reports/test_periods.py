"""Empty periods on a date-bucketed chart: filled between the first and the last, in the query's order."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from runtime.reports.definition import MAX_ROWS
from runtime.reports.periods import every_period


def test_months_across_a_year_end_and_quarters_and_years():
    assert every_period([date(2025, 11, 1), date(2026, 2, 1)], "month") == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert every_period([date(2025, 10, 1), date(2026, 4, 1)], "quarter") == [
        date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1)]
    assert every_period([date(2023, 1, 1), date(2025, 1, 1)], "year") == [
        date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1)]


def test_weeks_and_days_keep_a_descending_order_and_the_empty_period_last():
    mondays = [date(2026, 3, 16), date(2026, 3, 2), None]
    assert every_period(mondays, "week") == [date(2026, 3, 16), date(2026, 3, 9), date(2026, 3, 2), None]
    assert every_period([date(2026, 2, 27), date(2026, 3, 2)], "day") == [
        date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]


def test_periods_sorted_by_a_measure_or_past_the_row_cap_are_left_as_they_are():
    by_size = [date(2026, 3, 1), date(2026, 1, 1), date(2026, 5, 1)]
    assert every_period(by_size, "month") == by_size
    years_of_days = [date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=MAX_ROWS + 5)]
    assert every_period(years_of_days, "day") == years_of_days
    assert every_period([date(2026, 1, 1)], "month") == [date(2026, 1, 1)]
