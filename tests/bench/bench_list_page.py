"""Benchmark the list screen (50 rows x 15 columns) against Flask-Admin's list view of the same table.

Run: ``python tests/bench/bench_list_page.py [--rows N] [--requests N] [--backends sqlite,postgresql]
[--pg-url URL] [--profile]`` (Flask-Admin comes with ``pip install -e .[bench]``).

One app, one ``deal`` entity with 15 listed fields of varied types (select with
labels and colours, money, dates, a link, a user, a formula, a lookup through
the link...), filled with ``--rows`` rows. Both sides render the first page (50
rows, all 15 columns, newest ``updated_at`` first) through Flask's test client
in the same process, so the ratio compares the frameworks' work, not network
noise. Flask-Admin is measured as it comes (it counts every row on every page)
and with ``simple_list_pager = True`` (no count). Always a temp SQLite file;
PostgreSQL too when reachable (``--pg-url``, else ``METACRM_TEST_DATABASE_URL``,
else a local default), in a scratch schema dropped afterwards. Prints figures;
asserts nothing about speed. ``--profile`` (or a median over the target) prints
where one render of our page spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy import and_
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import foreign
from sqlalchemy.orm import registry as orm_registry
from sqlalchemy.orm import relationship
from sqlalchemy.orm import scoped_session
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from apps.config import Settings  # noqa: E402
from apps.web import create_app  # noqa: E402
from builder.publish import publish  # noqa: E402
from runtime.records.registry import SchemaRegistry  # noqa: E402
from runtime.security.users import create_user  # noqa: E402
from runtime.storage.engine import make_engine  # noqa: E402
from runtime.storage.system import upgrade  # noqa: E402
from runtime.storage.system import users  # noqa: E402
from tests.factories import make_app  # noqa: E402
from tests.factories import make_entity  # noqa: E402
from tests.factories import make_field as f  # noqa: E402
from tests.pg_scratch import scratch_schema_url  # noqa: E402

TARGET_MS = 30.0
PAGE = 50
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STAGES = [
    {"value": "new", "label": {"en": "New", "zh": "新建"}, "color": "#6c757d"},
    {"value": "qualify", "label": {"en": "Qualified", "zh": "已确认"}, "color": "#0dcaf0"},
    {"value": "proposal", "label": {"en": "Proposal", "zh": "方案"}, "color": "#0d6efd"},
    {"value": "won", "label": {"en": "Won", "zh": "赢单"}, "color": "#198754"},
    {"value": "lost", "label": {"en": "Lost", "zh": "输单"}, "color": "#dc3545"},
]
DEAL_FIELDS = [
    f("name", required=True, max_length=200), f("stage", "select", options=STAGES, default="new"),
    f("amount", "currency", currency="USD"), f("qty", "integer"), f("close_date", "date"),
    f("closed_at", "datetime"), f("is_hot", "boolean"), f("email", "email"), f("phone", "phone"),
    f("website", "url"), f("company", "link", target="company"), f("owner", "user"),
    f("weighted", "formula", expression="amount * probability / 100", result="currency"),
    f("company_city", "lookup", source="company", field="city"), f("probability", "percent"),
]
COLUMNS = [x["name"] for x in DEAL_FIELDS]
BENCH_APP = make_app(
    "bench",
    make_entity("company", [f("name", required=True, max_length=200), f("city", max_length=100)],
                title_field="name"),
    make_entity("deal", DEAL_FIELDS, title_field="name"),
)
COMPANIES, REPS, BATCH = 1000, 20, 5000
PASSWORD = "bench-password-1"
EPOCH = datetime(2026, 1, 1)


def fill(engine, rows: int) -> None:
    """Companies, sales reps and ``rows`` deals, through Core inserts on the product's own tables
    (so money and percent are stored exactly as the product stores them)."""
    with engine.connect() as conn:
        tables = SchemaRegistry.from_connection(conn).tables
    company, deal = tables["bench.company"], tables["bench.deal"]
    with engine.begin() as conn:
        conn.execute(insert(users), [{"email": f"rep{i}@example.com", "password_hash": "x",
                                      "display_name": f"Rep {i}", "is_admin": False, "is_active": True,
                                      "language": "en", "created_at": EPOCH} for i in range(REPS)])
        rep_ids = [r[0] for r in conn.execute(text("SELECT id FROM metacrm_user ORDER BY id"))][-REPS:]
        conn.execute(insert(company), [{"name": f"Company {i}", "city": f"City {i % 97}", "version": 1,
                                        "created_at": EPOCH, "updated_at": EPOCH} for i in range(COMPANIES)])
        company_ids = [r[0] for r in conn.execute(text("SELECT id FROM bench__company ORDER BY id"))]
        stages = [s["value"] for s in STAGES]
        for start in range(0, rows, BATCH):
            conn.execute(insert(deal), [{
                "name": f"Deal {i}", "stage": stages[i % 5], "amount": Decimal(i * 7919 % 1_000_000) / 4,
                "qty": i % 300, "close_date": date(2026, 1, 1) + timedelta(days=i % 700),
                "closed_at": EPOCH + timedelta(minutes=i * 7), "is_hot": i % 3 == 0,
                "email": f"buyer{i}@example.com", "phone": f"+1 555 {i % 10_000:04d}",
                "website": f"https://example.com/{i}", "company": company_ids[i * 31 % COMPANIES],
                "owner": rep_ids[i % REPS], "probability": Decimal(i % 101), "version": 1,
                "created_at": EPOCH, "updated_at": EPOCH + timedelta(seconds=i * 13 % rows),
            } for i in range(start, min(rows, start + BATCH))])
    with engine.begin() as conn:  # statistics as a table in use has them
        conn.execute(text("ANALYZE"))


def our_app(url: str, engine, tmp: Path):
    with engine.begin() as conn:
        create_user(conn, "bench@example.com", PASSWORD, is_admin=True, display_name="Bench")
    settings = Settings(database_url=url, instance_dir=tmp / "instance", secret_key="bench", files_dir=tmp / "files")
    app = create_app(settings)
    app.config.update(WTF_CSRF_ENABLED=False)  # only for the scripted sign-in below
    client = app.test_client()
    check(client.post("/login", data={"email": "bench@example.com", "password": PASSWORD}), 302)
    return client, f"/a/bench/deal?cols={','.join(COLUMNS)}"


def flask_admin_app(engine, simple_pager: bool):
    """Flask-Admin's ModelView of the same table: ORM classes mapped onto the product's own Table
    objects (same column types), links and users loaded in the page query (no N+1), the formula as
    a Python property, the lookup as ``company.city``, select labels as ``column_choices``."""
    from flask import Flask
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView

    with engine.connect() as conn:
        tables = SchemaRegistry.from_connection(conn).tables
    company_t, deal_t = tables["bench.company"], tables["bench.deal"]

    class Company:
        def __str__(self):
            return self.name

    class User:
        def __str__(self):
            return self.display_name or self.email

    class Deal:
        @property
        def weighted(self):
            if self.amount is None or self.probability is None:
                return None
            return (self.amount * self.probability / 100).quantize(Decimal("0.01"))

    mapper = orm_registry()
    mapper.map_imperatively(Company, company_t)
    mapper.map_imperatively(User, users)
    mapper.map_imperatively(Deal, deal_t, properties={
        "company_id": deal_t.c.company, "owner_id": deal_t.c.owner,
        "company": relationship(Company, lazy="joined", foreign_keys=[deal_t.c.company]),
        "owner": relationship(User, lazy="joined", viewonly=True,
                              primaryjoin=and_(foreign(deal_t.c.owner) == users.c.id)),
    })

    session = scoped_session(sessionmaker(bind=engine))  # the same engine (and pool) as ours

    class DealView(ModelView):
        page_size = PAGE
        can_set_page_size = False
        simple_list_pager = simple_pager
        column_list = COLUMNS[:13] + ["company.city", "probability"]
        column_labels = {"company.city": "City"}
        column_choices = {"stage": [(s["value"], s["label"]["en"]) for s in STAGES]}
        column_default_sort = [("updated_at", True), ("id", True)]

    app = Flask("flask_admin_baseline")
    app.config["SECRET_KEY"] = "bench"
    app.teardown_appcontext(lambda _exc: session.remove())
    admin = Admin(app, name="Bench")
    with warnings.catch_warnings():  # 2.x would rather have a Flask-SQLAlchemy db; a session still works
        warnings.simplefilter("ignore", DeprecationWarning)
        admin.add_view(DealView(Deal, session, endpoint="deal", url="/admin/deal"))
    return app.test_client(), "/admin/deal/"


def check(response, status: int):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    return response


def timings(sides: list[tuple], requests: int) -> dict[str, dict[str, list[float]]]:
    """Wall and CPU milliseconds per GET for each side, after a warm-up.

    The sides take turns request by request, so a burst of load from elsewhere
    on the machine lands on all of them alike. CPU time is this process's only:
    it leaves out other processes' load, and also the database server's work.
    """
    for _ in range(max(5, requests // 10)):
        for _name, client, url, _statements in sides:
            check(client.get(url), 200)
    out = {name: {"wall": [], "cpu": []} for name, *_ in sides}
    for _ in range(requests):
        for name, client, url, _statements in sides:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            out[name]["cpu"].append((time.process_time() - cpu) * 1000)
            out[name]["wall"].append((time.perf_counter() - start) * 1000)
            check(response, 200)
    return out


def summary(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def first_page(label: str, client, url: str, newest: str, row_marker: str) -> int:
    """Check the page shows 50 rows, the newest deal among them (not timed); return its SQL statements."""
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        body = check(client.get(url), 200).get_data(as_text=True)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert newest in body, f"{label}: newest deal {newest!r} not on the page"
    assert body.count(row_marker) == PAGE, f"{label}: {body.count(row_marker)} rows, not {PAGE}"
    return len(statements)


def profile(client, url: str, top: int, renders: int = 10) -> None:
    """cProfile ``renders`` requests of our page; print ms per render (profiled, so inflated
    about 2x against the unprofiled CPU time above): the project's own functions and templates
    by cumulative time, then every function by own time."""
    profiler = cProfile.Profile()
    for _ in range(renders):
        profiler.enable()
        client.get(url)
        profiler.disable()
    stats = pstats.Stats(profiler).stats
    root = str(Path(__file__).resolve().parents[2])

    def name(key) -> str:
        path, line, func = key
        return f"{path.replace(root + '/', '')}:{line}({func})" if path.startswith(root) else f"{Path(path).name}:{line}({func})"

    total = max(ct for _cc, _nc, _tt, ct, _callers in stats.values()) * 1000 / renders
    print(f"    cProfile of {renders} renders of our page: {total:.1f} ms per render under the profiler")
    ours = sorted(((ct, nc, key) for key, (_cc, nc, _tt, ct, _c) in stats.items() if key[0].startswith(root)),
                  reverse=True)[:top]
    print(f"    {'cumulative ms':>13s} {'calls':>7s}  project function or template block (per render)")
    for ct, nc, key in ours:
        print(f"    {ct * 1000 / renders:13.2f} {nc / renders:7.0f}  {name(key)}")
    own = sorted(((tt, nc, key) for key, (_cc, nc, tt, _ct, _c) in stats.items()), reverse=True)[:top // 2]
    print(f"    {'own ms':>13s} {'calls':>7s}  any function (per render)")
    for tt, nc, key in own:
        print(f"    {tt * 1000 / renders:13.2f} {nc / renders:7.0f}  {name(key)}")


def reachable(url: str) -> str | None:
    """``None`` when PostgreSQL answers at ``url``, else why not."""
    engine = make_engine(url)
    try:
        with engine.connect():
            return None
    except OperationalError as err:
        return str(err.orig or err).splitlines()[0]
    finally:
        engine.dispose()


def run(label: str, url: str, args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url)
        upgrade(engine)
        publish(engine, BENCH_APP)
        start = time.perf_counter()
        fill(engine, args.rows)
        print(f"{label:10s} {args.rows:,} deals x 15 listed fields filled in {time.perf_counter() - start:.1f} s; "
              f"{args.requests} requests each after a warm-up")
        with engine.connect() as conn:
            newest = conn.scalar(text("SELECT name FROM bench__deal ORDER BY updated_at DESC, id DESC LIMIT 1"))
        ours, our_url = our_app(url, engine, Path(tmp))
        sides = [("metacrm list", ours, our_url, first_page("ours", ours, our_url, f">{newest}<", "<tr data-href"))]
        for simple, name in ((False, "Flask-Admin (count)"), (True, "Flask-Admin (no count)")):
            client, admin_url = flask_admin_app(engine, simple)
            sides.append((name, client, admin_url, first_page(name, client, admin_url, newest, 'name="rowid"')))
        measured = timings(sides, args.requests)
        base = statistics.median(measured["metacrm list"]["wall"])
        print(f"{'':10s} {'':24s} {'median ms':>10s} {'p95 ms':>8s} {'req/s':>7s} {'CPU ms':>7s} {'SQL/page':>8s} "
              f"{'ratio':>7s}")
        for name, _client, _url, statements in sides:
            median, p95 = summary(measured[name]["wall"])
            rps = 1000 * len(measured[name]["wall"]) / sum(measured[name]["wall"])
            ratio = "" if name == "metacrm list" else f"{median / base:6.2f}x"
            print(f"{label:10s} {name:24s} {median:10.1f} {p95:8.1f} {rps:7.0f} "
                  f"{statistics.median(measured[name]['cpu']):7.1f} {statements:8d} {ratio:>7s}")
        verdict = "yes" if base <= TARGET_MS else "NO"
        print(f"{label:10s} ratio = Flask-Admin median / ours (wall); req/s = one client, back to back; "
              f"our median <= {TARGET_MS:.0f} ms: {verdict}")
        if args.profile or base > TARGET_MS:
            profile(ours, our_url, args.top)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("METACRM_TEST_DATABASE_URL") or DEFAULT_PG_URL)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of our page even under target")
    parser.add_argument("--top", type=int, default=30, help="functions shown by the profile")
    args = parser.parse_args()
    backends = {b.strip() for b in args.backends.split(",") if b.strip()}
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", f"sqlite:///{tmp}/bench.db", args)
    if "postgresql" in backends and (why := reachable(args.pg_url)):
        print(f"postgresql skipped: {why}")
    elif "postgresql" in backends:
        with scratch_schema_url(args.pg_url, "bench") as url:
            run("postgresql", url, args)


if __name__ == "__main__":
    main()
