"""The web process's composition root.

``create_app`` only builds objects and wires them together: no database
creation, migration or network access happens here (``metacrm init`` does that).
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from apps.config import Settings
from runtime.api import create_api_blueprint
from runtime.automation.jobs import JobQueue
from runtime.errors import MetacrmError
from runtime.security.login import init_login
from runtime.storage.engine import make_engine
from runtime.web import create_blueprint

__all__ = ["create_app"]

# The repo-level static/ folder; resolved from this file so `pip install -e .` works.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

_CSP_DIRECTIVES = (
    "default-src 'self'",
    "img-src 'self' data:",  # Bootstrap's CSS draws some icons as data: SVGs
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_CSP_DIRECTIVES)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        static_folder=str(STATIC_DIR),
        static_url_path="/static",
        instance_path=str(Path(settings.instance_dir).absolute()),
    )
    _configure(app, settings)
    engine = make_engine(settings.database_url)
    jobs = JobQueue(engine, settings.redis_url)
    app.extensions["metacrm"] = {"engine": engine, "settings": settings, "jobs": jobs}
    csrf = CSRFProtect(app)
    init_login(app, engine)
    app.register_blueprint(create_blueprint())
    api = create_api_blueprint()
    csrf.exempt(api)  # the API checks CSRF itself, for session calls only (not Bearer tokens)
    app.register_blueprint(api)
    app.register_error_handler(MetacrmError, _handle_metacrm_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.after_request(_security_headers)
    return app


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_NAME="metacrm_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session does
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,  # a bigger body is a 413 before it is read
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _handle_metacrm_error(err: MetacrmError):
    """One place turns a product error into a JSON body (API) or a page (browser)."""
    if _wants_json():
        return jsonify(err.to_dict()), err.http_status
    page = render_template(
        "web/error.html",
        status=err.http_status,
        title=_TITLES.get(err.http_status, "Something went wrong"),
        message=err.message,
        details=err.details,
    )
    return page, err.http_status


def _handle_http_error(exc: HTTPException):
    """Werkzeug errors (404, 405, CSRF …) in the same two shapes, keeping their headers."""
    response = exc.get_response()
    message = exc.description or exc.name
    if isinstance(exc, CSRFError):
        message = "This form has expired. Reload the page and try again."
    if _wants_json():
        code = exc.name.lower().replace(" ", "_").replace("'", "")
        body = {"error": {"code": code, "message": message, "details": None}}
        response.set_data(json.dumps(body))
        response.content_type = "application/json"
        return response
    title = _TITLES.get(exc.code, exc.name)
    response.set_data(
        render_template(
            "web/error.html", status=exc.code, title=title, message=message, details=None
        )
    )
    response.content_type = "text/html; charset=utf-8"
    return response


_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Conflict",
    422: "Please check your input",
    500: "Something went wrong",
}


def _security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    return response
