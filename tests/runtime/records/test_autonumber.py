from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from runtime.records.autonumber import next_autonumber
from runtime.records.autonumber import period_of
from runtime.records.autonumber import render

NOW = datetime(2026, 11, 23, 9, 30)


def test_render_pads_and_fills_dates():
    assert render("OPP-{YYYY}-{#####}", 42, NOW) == "OPP-2026-00042"
    assert render("T{YY}{MM}-{###}", 7, NOW) == "T2611-007"
    assert render("C-{##}", 12345, NOW) == "C-12345"


def test_period_restarts_with_the_date_part():
    assert period_of("OPP-{YYYY}-{#####}", NOW) == "2026"
    assert period_of("X-{#####}", NOW) == "all"
    assert period_of("{YYYY}{MM}-{##}", NOW) == "2026-11"


def test_counter_is_per_field_and_period(engine):
    with engine.begin() as conn:
        first = next_autonumber(conn, "a", "e", "code", "E-{YYYY}-{###}", NOW)
        second = next_autonumber(conn, "a", "e", "code", "E-{YYYY}-{###}", NOW)
        other_field = next_autonumber(conn, "a", "e", "ref", "R-{###}", NOW)
        next_year = next_autonumber(conn, "a", "e", "code", "E-{YYYY}-{###}", NOW.replace(year=2027))
    assert (first, second, other_field, next_year) == ("E-2026-001", "E-2026-002", "R-001", "E-2027-001")


def test_concurrent_transactions_never_share_a_number(engine):
    def take(_):
        with engine.begin() as conn:
            return next_autonumber(conn, "a", "e", "code", "N-{######}", NOW)

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(120)))
    assert len(set(numbers)) == 120
    assert sorted(numbers) == [f"N-{i:06d}" for i in range(1, 121)]
