"""Benchmark opening the entity designer on a 200-field entity in headless Chromium (target: < 1 s).

Run: ``python tests/bench/bench_designer_open.py [--fields 200] [--runs 15]``.

Publishes an app whose ``big`` entity has ``--fields`` fields of every common kind (text,
choices with labels and colours, money, dates, links, formulas, rollups over a child table),
serves it with a real werkzeug server in a thread (as tests/e2e/conftest.py does), signs in
once and opens ``/builder/bench/entities/big`` ``--runs`` times. "Ready" is the page's own
``body[data-designer-ready]`` mark, stamped with ``performance.now()`` (milliseconds since
navigation start) once the palette, the field list and the first property panel are drawn.
The same is measured on a 5-field entity as the baseline, so the ratio shows what the 195
extra fields cost. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from apps.config import Settings
from apps.web import create_app
from builder.publish import publish
from runtime.security.users import create_user
from runtime.storage.system import upgrade
from tests.e2e.conftest import CHROMIUM
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

EMAIL, PASSWORD = "bench@example.com", "bench-password"
STAGES = [{"value": v, "label": {"en": v.title(), "zh": v}, "color": c}
          for v, c in [("new", "#2f5bea"), ("won", "#16a34a"), ("lost", "#dc2626")]]


def big_fields(n: int, child: str) -> list[dict]:
    """``n`` fields cycling through the kinds an admin really uses, each valid on its own."""
    kinds = [
        lambda i: f(f"text_{i}", label={"en": f"Text {i}", "zh": f"文本{i}"}, max_length=200),
        lambda i: f(f"stage_{i}", "select", options=STAGES, default="new"),
        lambda i: f(f"amount_{i}", "currency", precision=2, required=True),
        lambda i: f(f"due_{i}", "date", help={"en": "When it is due"}),
        lambda i: f(f"account_{i}", "link", target="account", on_delete="set_null"),
        lambda i: f(f"qty_{i}", "integer", min=0),
        lambda i: f(f"double_{i}", "formula", expression=f"qty_{i - 1} * 2", result="integer"),
        lambda i: f(f"done_{i}", "boolean"),
        lambda i: f(f"total_{i}", "rollup", source="lines", field="price", function="sum"),
        lambda i: f(f"notes_{i}", "textarea"),
    ]
    fields = [f("name"), f("lines", "table", target=child)]
    i = len(fields)
    while len(fields) < n:
        fields.append(kinds[i % len(kinds)](i))
        i += 1
    return fields


def source(n: int) -> dict:
    return make_app(
        "bench",
        make_entity("account", [f("name")], title_field="name"),
        *(make_entity(f"{name}_line", [f("item"), f("price", "currency")]) for name in ("big", "small")),
        make_entity("big", big_fields(n, "big_line"), title_field="name"),
        make_entity("small", big_fields(5, "small_line"), title_field="name"),
    )


def serve(tmp: Path, n: int):
    settings = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", instance_dir=tmp / "instance",
                        secret_key="bench-secret", files_dir=tmp / "files")
    app = create_app(settings)
    engine = app.extensions["metacrm"]["engine"]
    upgrade(engine)
    with engine.begin() as conn:
        create_user(conn, EMAIL, PASSWORD, display_name="Bench", is_admin=True)
    publish(engine, source(n), author="bench")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def measure(page, url: str, runs: int) -> dict[str, list[float]]:
    """Per run: ready (ms since navigation start), the HTML's responseEnd, the draft API's duration
    and the drawing (from the draft's arrival to ready: the part that grows with the fields)."""
    out = {"ready": [], "html": [], "draft_api": [], "draw": []}
    page.goto(url)  # warm-up: module cache, first SQL statements
    page.wait_for_selector("body[data-designer-ready='1']")
    for _ in range(runs):
        page.goto(url)
        page.wait_for_selector("body[data-designer-ready='1']")
        ready, html, draft, arrived = page.evaluate("""() => {
            const draft = performance.getEntriesByType('resource').find((r) => r.name.includes('/draft'));
            return [Number(document.body.dataset.designerReadyMs),
                    performance.getEntriesByType('navigation')[0].responseEnd, draft.duration, draft.responseEnd]; }""")
        out["ready"].append(ready)
        out["html"].append(html)
        out["draft_api"].append(draft)
        out["draw"].append(ready - arrived)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server, base = serve(Path(tmp), args.fields)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, base_url=base)
        page.goto("/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        results = {name: measure(page, f"/builder/bench/entities/{name}", args.runs) for name in ("big", "small")}
        rows = page.locator("[data-testid=field-row]").count()
        browser.close()
        server.shutdown()
    print(f"Entity designer open, headless Chromium, {args.runs} runs each (ms from navigation start)")
    for name, label in (("big", f"{args.fields} fields"), ("small", "5 fields (baseline)")):
        r = results[name]
        print(f"  {label:<22} ready median {statistics.median(r['ready']):7.1f}  p95 {p95(r['ready']):7.1f}"
              f"   | HTML done {statistics.median(r['html']):6.1f}  draft API {statistics.median(r['draft_api']):6.1f}"
              f"  draw {statistics.median(r['draw']):5.1f}")
    ratio = statistics.median(results["big"]["ready"]) / statistics.median(results["small"]["ready"])
    print(f"  ratio {args.fields} / 5 fields: {ratio:.2f}x   (last page drew {rows} rows; target < 1000 ms)")


if __name__ == "__main__":
    main()
