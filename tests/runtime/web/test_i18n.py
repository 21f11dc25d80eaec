"""English and Simplified Chinese: the catalogs cover every UI string, and each user sees their language.

After adding UI text run ``pytest tests/runtime/web/test_i18n.py``: a failure
lists the missing keys as JSON, ready to paste (and translate) into
runtime/web/translations/zh.json, or into the ZH table of static/js/i18n.js.
"""

from __future__ import annotations

import ast
import calendar
import json
import re
from pathlib import Path
from string import Formatter

import pytest
from flask import render_template
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import update

from runtime.security.login import CurrentUser
from runtime.security.users import get_user
from runtime.storage.system import users
from runtime.web.labels import user_language

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = [ROOT / "runtime" / "web" / "templates", ROOT / "builder" / "designer" / "templates"]
PYTHON_SOURCES = [
    *sorted((ROOT / "runtime" / "web").rglob("*.py")),
    *sorted((ROOT / "builder" / "designer").rglob("*.py")),
    ROOT / "apps" / "web.py",
]
ZH_CATALOG = ROOT / "runtime" / "web" / "translations" / "zh.json"
JS_DIR = ROOT / "static" / "js"
JS_TABLE = JS_DIR / "i18n.js"

_STRING = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
_JINJA_LITERAL = re.compile(r"(?<![\w.])_\(\s*" + _STRING + r"\s*[,)]")
_JINJA_VARIABLE = re.compile(r"(?<![\w.])_\(\s*([A-Za-z_][\w.]*)")
_JS_LITERAL = re.compile(r"(?<![\w.$])t\(\s*" + _STRING + r"\s*[,)]")
_PY_FUNCTIONS = {"translate", "_t", "ui"}


def dynamic_keys() -> dict[str, set[str]]:
    """Keys chosen at run time, by the variable passed to ``_()``/``_t()``/``translate()``.

    A new call with a variable fails ``test_every_variable_call_is_known`` until it is added here.
    """
    from apps.web import ERROR_MESSAGES
    from apps.web import ERROR_TITLES
    from apps.web import EXPIRED_FORM
    from builder.designer.editors import editor_modules
    from builder.designer.versions_pages import NAMED
    from runtime.records.history import ACTIONS
    from runtime.web.screens.boards import SYSTEM_DATES
    from runtime.web.screens.editing import REQUIRED_MISSING
    from runtime.web.screens.filters import OPERATORS

    return {
        # detail.html: "created", "updated", "attached" …
        "ev.action": {action + ("d" if action.endswith("e") else "ed") for action in ACTIONS},
        "spec": {spec[0] for spec in OPERATORS.values()},  # list.html: filter operators
        "month_name": set(calendar.month_name[1:]),  # calendar.html: the C-locale month names
        "name": set(calendar.day_abbr),  # calendar.html: weekday heads
        "weekdays": set(calendar.day_abbr),  # calendar.html: the agenda's weekdays
        "label": set(SYSTEM_DATES.values()),  # boards.py: system date fields
        "title": set(ERROR_TITLES.values()),  # apps/web.py: error page titles
        # apps/web.py: messages of Werkzeug errors
        "message": {*ERROR_MESSAGES.values(), EXPIRED_FORM},
        # service messages: shown translated when the catalog has them
        "err.message": {REQUIRED_MISSING},
        "text": set(),  # the _() and _t() wrappers pass on their callers' literals
        "problem": password_messages(),  # security.html, reset.html: password rules broken
        "k": change_kinds(),  # builder _changes.html: the badge of each kind of change
        "c.warning": preview_warnings(),  # builder _changes.html: what archiving or converting does
        "ed.label": {module.EDITOR.label for module in editor_modules()},  # builder sidebar and overview
        "kind": set(NAMED.values()),  # builder version_diff.html: "Field price"
        "error": sheet_errors(),  # builder sheet_*.html: why a sheet was refused
        "f.stats.reasons": sheet_reasons(),  # builder sheet_preview.html: why a type was guessed
    }


def _texts(node) -> set[str]:
    """The string constants of ``node``, looking into ``a if c else b``; f-strings are skipped."""
    if isinstance(node, ast.IfExp):
        return _texts(node.body) | _texts(node.orelse)
    return {node.value} if isinstance(node, ast.Constant) and isinstance(node.value, str) else set()


def sheet_reasons() -> set[str]:
    """builder/sheet_infer.py: ``return "type", "reason"``, ``stats.reasons.append("reason")`` and
    the ``why`` given to (or defaulted by) ``_textual``."""
    tree = ast.parse((ROOT / "builder" / "sheet_infer.py").read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
            if _texts(node.value.elts[0]):
                found |= _texts(node.value.elts[1])
        elif isinstance(node, ast.Call) and node.args and ast.unparse(node.func) in (
            "stats.reasons.append",
            "_textual",
        ):
            found |= _texts(node.args[-1])
        elif isinstance(node, ast.FunctionDef) and node.name == "_textual":
            found |= set().union(*map(_texts, node.args.defaults))
    return {text for text in found if " " in text}


def sheet_errors() -> set[str]:
    """The sheet import's refusals: ``BadInput("…")``, ``error = "…"``, ``state["error"] = "…"``
    and ``message = "…"`` in builder/sheet_*.py and builder/designer/sheet_pages.py."""
    paths = [*sorted((ROOT / "builder").glob("sheet_*.py")), ROOT / "builder" / "designer" / "sheet_pages.py"]
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "BadInput" and node.args:
                found |= _texts(node.args[0])
            elif isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) in (
                "error",
                "message",
                "state['error']",
            ):
                found |= _texts(node.value)
    return found


def change_kinds() -> set[str]:
    """The English badge texts of the KINDS table in builder/_changes.html."""
    source = (ROOT / "builder" / "designer" / "templates" / "builder" / "_changes.html").read_text("utf-8")
    return set(re.findall(r'\("\w+", "\w+", "([^"]+)"\)', source))


def preview_warnings() -> set[str]:
    """The ``data["warning"] = "..."`` texts of builder/preview.py."""
    tree = ast.parse((ROOT / "builder" / "preview.py").read_text("utf-8"))
    return {
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Subscript)
        and ast.unparse(node.targets[0].slice) == "'warning'"
        and isinstance(node.value, ast.Constant)
    }


def password_messages() -> set[str]:
    """Every message ``password_problems()`` gives, found by breaking each rule once."""
    from runtime.security.passwords import MAX_LENGTH
    from runtime.security.passwords import MIN_LENGTH
    from runtime.security.passwords import password_problems

    samples = ["", "x" * (MAX_LENGTH + 1), "a" * MIN_LENGTH, "ann@example.com1"]
    return {m for pw in samples for m in password_problems(pw, email="ann@example.com")}


def _unescape(match: re.Match) -> str:
    text = match.group(1) if match.group(1) is not None else match.group(2)
    return re.sub(r"\\(.)", r"\1", text)


def template_calls() -> tuple[dict[str, str], set[str]]:
    """``_("literal")`` keys (-> first file using them) and the variables passed to ``_()``."""
    literals, variables = {}, set()
    for path in sorted(p for folder in TEMPLATE_DIRS for p in folder.rglob("*.html")):
        source = re.sub(r"\{#.*?#\}", "", path.read_text("utf-8"), flags=re.DOTALL)
        for match in _JINJA_LITERAL.finditer(source):
            literals.setdefault(_unescape(match), path.relative_to(ROOT).as_posix())
        variables.update(m.group(1) for m in _JINJA_VARIABLE.finditer(source))
    return literals, variables


def python_calls() -> tuple[dict[str, str], set[str]]:
    """First arguments of ``translate()``/``_t()`` calls: literals (-> file) and other expressions."""
    literals, variables = {}, set()
    for path in PYTHON_SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _PY_FUNCTIONS
                and node.args
            ):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                literals.setdefault(arg.value, path.relative_to(ROOT).as_posix())
            else:
                variables.add(ast.unparse(arg))
    return literals, variables


def js_calls() -> set[str]:
    keys = set()
    for path in sorted(JS_DIR.rglob("*.js")):
        if path != JS_TABLE:
            keys.update(_unescape(m) for m in _JS_LITERAL.finditer(path.read_text("utf-8")))
    return keys


# Tables of English text that scripts pass to t() through a variable: file -> table name.
JS_TEXT_TABLES = {
    "builder/palette.js": ["GROUPS", "TYPE_LABELS"],
    "builder/schema-form.js": ["PROP_LABELS"],
    "builder/references.js": ["ON_DELETE"],
    "builder/properties.js": ["CONVERT"],
}


def js_table_texts() -> set[str]:
    """The English strings of ``JS_TEXT_TABLES``: object values, or the titles of ``[title, [...]]`` pairs."""
    texts = {"More"}  # palette.js: the group of types it does not list
    for name, tables in JS_TEXT_TABLES.items():
        source = (JS_DIR / name).read_text("utf-8")
        for table in tables:
            body = re.search(r"const " + table + r" = ([\[{].*?^[\]}]);", source, re.DOTALL | re.MULTILINE)
            if body is None:
                body = re.search(r"const " + table + r" = (\{.*?\});", source)
            assert body is not None, f"{name}: no table {table}"
            texts.update(re.findall(r'(?:\w+: |\[)"([^"]+)"(?:,\s*\[|\s*[,}])', body.group(1)))
    return texts


def js_table() -> dict[str, str]:
    """The ZH object of static/js/i18n.js, which is written as strict JSON for this test."""
    found = re.search(
        r"^const ZH = (\{.*?^\});", JS_TABLE.read_text("utf-8"), flags=re.DOTALL | re.MULTILINE
    )
    return json.loads(found.group(1))


def needs_entry(key: str) -> bool:
    """Symbols such as the operators ">" and "≤" read the same in every language."""
    return any(ch.isalpha() for ch in key)


def placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in Formatter().parse(text) if name is not None)


def _json_block(keys) -> str:
    return json.dumps({key: "" for key in sorted(keys)}, ensure_ascii=False, indent=2)


def _check_catalog(catalog: dict[str, str], used: set[str], where: str) -> None:
    missing = {key for key in used if needs_entry(key) and key not in catalog}
    unused = set(catalog) - used
    problems = []
    if missing:
        problems.append(
            f"{where} lacks {len(missing)} key(s); translate and add:\n{_json_block(missing)}"
        )
    if unused:
        problems.append(
            f"{where} has {len(unused)} key(s) nothing uses; remove:\n{_json_block(unused)}"
        )
    assert not problems, "\n\n".join(problems)


def _check_placeholders(catalog: dict[str, str]) -> None:
    wrong = {
        key: value for key, value in catalog.items() if placeholders(key) != placeholders(value)
    }
    assert not wrong, "placeholders differ from the English key:\n" + json.dumps(
        wrong, ensure_ascii=False, indent=2
    )
    assert all(value.strip() for value in catalog.values()), "empty translations"


# --- the catalogs are complete, clean and well-formed ---------------------------------------


def test_zh_catalog_has_every_ui_string():
    templates, _ = template_calls()
    python, _ = python_calls()
    used = set(templates) | set(python) | set().union(*dynamic_keys().values())
    _check_catalog(
        json.loads(ZH_CATALOG.read_text("utf-8")), used, ZH_CATALOG.relative_to(ROOT).as_posix()
    )


def test_every_variable_call_is_known():
    _, in_templates = template_calls()
    _, in_python = python_calls()
    unknown = (in_templates | in_python) - set(dynamic_keys())
    assert not unknown, (
        f"_()/_t()/translate() get these variables; list their keys in dynamic_keys(): {sorted(unknown)}"
    )


def test_zh_catalog_is_sorted_and_keeps_placeholders():
    text = ZH_CATALOG.read_text("utf-8")
    catalog = json.loads(text)
    assert list(catalog) == sorted(catalog), "keep zh.json sorted: json.dumps(..., sort_keys=True)"
    _check_placeholders(catalog)


def test_js_table_has_every_script_string():
    table = js_table()
    _check_catalog(table, js_calls() | js_table_texts(), "static/js/i18n.js ZH")
    _check_placeholders(table)


def test_extraction_sees_literals_and_variables():
    templates, variables = template_calls()
    python, _ = python_calls()
    assert (
        templates["Welcome back, {name}."].endswith("launcher.html") and "Recycle bin" in templates
    )
    assert {"ev.action", "spec"} <= variables
    assert "Moved {title} to the recycle bin." in python and "No matches" in js_calls()
    assert "Cut values that are too long" in js_table_texts()  # properties.js: a convert choice


# --- each user sees their language ----------------------------------------------------------


def set_language(engine, language: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).values(language=language))


def page(client, path: str, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.fixture
def record(web) -> str:
    response = web.post("/a/crm_customers/account/new", data={"name": "Acme", "tier": "standard"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_zh_user_sees_chinese_ui_and_labels(web, engine, record):
    set_language(engine, "zh")
    launcher = page(web, "/")
    assert '<html lang="zh' in launcher
    assert "欢迎回来，Ann Lee。" in launcher and "客户管理" in launcher and ">客户<" in launcher
    listing = page(web, "/a/crm_customers/account")
    assert (
        "回收站" in listing
        and "筛选" in listing
        and "名称" in listing
        and "Recycle bin" not in listing
    )
    assert "为空" in listing  # an operator label, a dynamic key
    form = page(web, "/a/crm_customers/account/new")
    assert "新建 客户" in form and ">保存<" in form and ">取消<" in form
    detail = page(web, record)
    assert "编辑" in detail and "历史记录" in detail and "创建了" in detail and "名称" in detail


def test_en_user_sees_english(web, record):
    listing = page(web, "/a/crm_customers/account")
    assert '<html lang="en">' in listing and "Recycle bin" in listing and "回收站" not in listing
    detail = page(web, record)
    assert "History" in detail and "created" in detail and "客户" not in detail


def test_account_page_saves_the_language_and_the_next_page_uses_it(web):
    html = page(web, "/me")
    assert "ann@example.com" in html and "Ann Lee" in html and 'value="zh"' in html
    response = web.post("/me", data={"language": "zh"}, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "已保存" in html and '<html lang="zh' in html
    assert "回收站" in page(web, "/a/crm_customers/account")


def test_account_page_returns_to_a_local_next_page_only(web):
    response = web.post("/me", data={"language": "zh", "next": "/a/crm_customers/account"})
    assert response.headers["Location"].endswith("/a/crm_customers/account")
    response = web.post("/me", data={"language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/me")


def test_account_page_refuses_an_unknown_language(web, engine):
    response = web.post("/me", data={"language": "fr"})
    assert response.status_code == 422
    assert "Choose one of the listed languages." in response.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.execute(users.select()).one().language == "en"


def test_account_page_needs_sign_in(client):
    assert client.get("/me").status_code == 302


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-TW", "zh"),
        ("en-US,en;q=0.9,zh;q=0.5", "en"),
        ("fr", "en"),
    ],
)
def test_before_sign_in_the_browser_language_counts(app, client, header, lang):
    login = page(client, "/login", **{"Accept-Language": header})
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in login
    assert ("登录 metacrm" in login) == (lang == "zh")
    with app.test_request_context("/login", headers={"Accept-Language": header}):
        assert user_language() == lang
        assert render_template_string("{{ html_lang }} {{ _('Search') }}") == (
            "zh-CN 搜索" if lang == "zh" else "en Search"
        )


def test_error_page_for_anonymous_visitor_in_browser_language(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "页面不存在" in html and "requested URL" not in html


def test_language_menu_switches_and_comes_back_to_the_page(app, engine, user_id):
    with engine.connect() as conn:
        ann = CurrentUser.from_row(get_user(conn, user_id))
    with app.test_request_context("/a/crm_customers/account?q=acme"):
        assert render_template("web/_language_menu.html").strip() == ""  # not signed in
        login_user(ann)
        html = render_template("web/_language_menu.html")
    assert (
        html.count('action="/me"') == 2
        and 'name="next" value="/a/crm_customers/account?q=acme"' in html
    )
    assert re.search(r'active" lang="en" aria-current="true" data-language="en">English<', html)
    assert 'data-language="zh">中文<' in html and 'href="/me"' in html
