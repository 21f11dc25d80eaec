"""The web process's composition root.

``create_app`` only builds objects and wires them together: no database
creation, migration or network access happens here (``metacrm init`` does that).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from apps.config import Settings
from apps.config import open_engine
from builder.designer import create_builder_blueprint
from runtime.api import create_api_blueprint
from runtime.automation.jobs import JobQueue
from runtime.errors import MetacrmError
from runtime.security.login import init_login
from runtime.storage.system import MAX_INTEGER_ID
from runtime.web import create_blueprint
from runtime.web.i18n import translate
from runtime.web.labels import user_language
from runtime.web.refusals import note_http_refusal

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
    engine = open_engine(settings)
    jobs = JobQueue(engine, settings.redis_url)
    app.extensions["metacrm"] = {"engine": engine, "settings": settings, "jobs": jobs}
    csrf = CSRFProtect(app)
    init_login(app, engine)
    app.url_map.converters["id32"] = SmallId  # before any route is added
    app.register_blueprint(create_blueprint())
    app.register_blueprint(create_builder_blueprint())
    api = create_api_blueprint()
    csrf.exempt(api)  # the API checks CSRF itself, for session calls only (not Bearer tokens)
    app.register_blueprint(api)
    _init_limiter(app, settings)
    app.register_error_handler(MetacrmError, _handle_metacrm_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.after_request(_security_headers)
    return app


class SmallId(IntegerConverter):
    """``<id32:...>`` in page routes for ids of 32-bit system tables (users, shares, saved views,
    versions): a bigger number matches no route (404) instead of a database error. The API checks
    its ids itself, so that a bad id there is a JSON 404 rather than another route's 405."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_INTEGER_ID)


def _configure(app: Flask, settings: Settings) -> None:
    # Over HTTPS the cookies get the __Host- prefix: the browser then keeps them to this exact
    # host, Secure and Path=/ (a sibling subdomain cannot plant or overwrite them).
    cookie = "__Host-metacrm_{}" if settings.https else "metacrm_{}"
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_NAME=cookie.format("session"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,  # and per request behind HTTPS: _SessionInterface
        # a session cookie lasts as long as the browser and its signature no longer than a session
        # may; the server-side record (runtime.security.sessions) enforces the idle and absolute ends
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        REMEMBER_COOKIE_NAME=cookie.format("remember"),
        REMEMBER_COOKIE_DURATION=timedelta(days=settings.remember_days),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.https,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session does
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,  # a bigger body is a 413 before it is read
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.session_interface = _SessionInterface()
    if settings.base_url:  # links in emails are built from the Host header: accept only ours
        base = urlsplit(settings.base_url)
        app.config.update(TRUSTED_HOSTS=[base.hostname], PREFERRED_URL_SCHEME=base.scheme)
    if settings.proxy_hops:  # client address (rate limits, audit), scheme and host as the proxy saw them
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS, even unconfigured."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def _init_limiter(app: Flask, settings: Settings) -> Limiter:
    """Per-IP limits on the forms that check secrets, shared through Redis when there is one."""
    limiter = Limiter(
        get_remote_address, app=app, storage_uri=settings.redis_url or "memory://",
        key_prefix="metacrm-limit", strategy="fixed-window",
        in_memory_fallback_enabled=True,  # Redis down: limit per process rather than fail sign-in
    )
    limited = ("web.login", "web.forgot_password", "web.reset_password", "web.confirm")
    for endpoint in limited:
        limit = limiter.limit(settings.login_rate_limit, methods=["POST"])
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])
    # Every other request skips the limiter at once (it otherwise walks its limit tables per request).
    limiter.request_filter(lambda: request.endpoint not in limited)
    app.extensions["metacrm"]["limiter"] = limiter
    return limiter


def _wants_json() -> bool:
    """The REST API and the builder's own JSON endpoints answer errors in JSON."""
    return request.path.startswith(("/api/", "/builder/api/"))


def _handle_metacrm_error(err: MetacrmError):
    """One place turns a product error into a JSON body (API) or a page (browser)."""
    if _wants_json():
        return jsonify(err.to_dict()), err.http_status
    page = _error_page(err.http_status, err.message, err.details)
    return page, err.http_status


def _handle_http_error(exc: HTTPException):
    """Werkzeug errors (404, 405, CSRF …) in the same two shapes, keeping their headers;
    the security refusals among them (CSRF, 413, 429) go into the audit log too."""
    response = exc.get_response()
    if isinstance(exc, SecurityError):  # an untrusted Host: no URL can be built, so no page around it
        return response
    note_http_refusal(exc)
    message = exc.description or exc.name
    if isinstance(exc, CSRFError):
        message = EXPIRED_FORM
    if _wants_json():
        code = exc.name.lower().replace(" ", "_").replace("'", "")
        body = {"error": {"code": code, "message": message, "details": None}}
        response.set_data(json.dumps(body))
        response.content_type = "application/json"
        return response
    if message == type(exc).description:  # Werkzeug's generic wording: say it shorter, translated
        message = ERROR_MESSAGES.get(exc.code, message)
    response.set_data(_error_page(exc.code, message, None, fallback_title=exc.name))
    response.content_type = "text/html; charset=utf-8"
    return response


def _error_page(status: int, message: str, details, fallback_title: str | None = None) -> str:
    """The HTML error page in the visitor's language; service messages stay as they are
    unless the catalog happens to know them."""
    lang = user_language()
    title = ERROR_TITLES.get(status) or fallback_title or ERROR_TITLES[500]
    return render_template(
        "web/error.html",
        status=status,
        title=translate(title, lang),
        message=translate(message, lang),
        details=details,
    )


ERROR_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Conflict",
    413: "Too large",
    422: "Please check your input",
    429: "Too many attempts",
    500: "Something went wrong",
}
EXPIRED_FORM = "This form has expired. Reload the page and try again."
ERROR_MESSAGES = {  # for the HTML page, instead of Werkzeug's generic descriptions
    404: "There is nothing at this address. Check the link, or start again from your apps.",
    405: "This page cannot be used that way.",
    413: "The upload is too large.",
    429: "Too many attempts from your address. Wait a minute and try again.",
    500: "The server ran into a problem. Try again in a moment.",
}


_NO_STORE = {"web.login", "web.two_factor", "web.security", "web.reset_password",
             "web.admin_users"}


def _security_headers(response):
    headers = response.headers
    if request.is_secure:  # HSTS only means something (and only sticks) over HTTPS
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint in _NO_STORE or (request.endpoint != "static" and current_user.is_authenticated):
        # keys, recovery codes, reset links and anyone's records stay out of caches (and out of
        # the back button after signing out)
        headers["Cache-Control"] = "no-store"
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    return response
