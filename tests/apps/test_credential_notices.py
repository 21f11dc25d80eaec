"""Credential-change notices (ASVS V2.2.3, V2.5): a password change or reset, 2FA on, off or
reset by an admin, and new recovery codes each mail the user (a real SMTP server on
127.0.0.1) or, without METACRM_SMTP_URL, log the notice like the reset link; the outcome is
audited, no secret is in it, and a failed send does not undo the change."""

import logging
import re
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from apps.web import create_app
from runtime.security.users import create_user
from runtime.storage.system import audit_log
from tests.apps.pinned_clock import Clock
from tests.apps.test_two_factor_web import PASSWORD
from tests.apps.test_two_factor_web import enroll
from tests.smtp_sink import smtp_sink

NEW_PASSWORD = "new secret 42"


@pytest.fixture
def ids(engine):
    with engine.begin() as conn:
        return (create_user(conn, "ann@example.com", PASSWORD, display_name="Ann Lee"),
                create_user(conn, "root@example.com", PASSWORD, is_admin=True))


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


def make_app(settings_override, smtp_url):
    app = create_app(settings_override(smtp_url=smtp_url))
    app.config.update(WTF_CSRF_ENABLED=False)
    app.extensions["metacrm"]["clock"] = Clock()
    return app


def signed_in_client(app, email="ann@example.com", password=PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


def notices(engine):
    with engine.connect() as conn:
        return [(r.event, r.user_id, r.detail) for r in conn.execute(
            select(audit_log).where(audit_log.c.event.in_(["notice_sent", "notice_failed"]))
            .order_by(audit_log.c.id))]


def change_password(client, current=PASSWORD, new=NEW_PASSWORD):
    return client.post("/me/password", data={"current_password": current, "new_password": new,
                                             "confirm_password": new})


def test_every_credential_change_mails_its_owner(settings_override, engine, ids, sink):
    ann, _ = ids
    app = make_app(settings_override, sink.url())
    clock = app.extensions["metacrm"]["clock"]
    client = signed_in_client(app)
    secret, old_codes = enroll(client, clock)
    regenerated = client.post("/me/two-factor/recovery-codes", data={"current_password": PASSWORD})
    new_codes = re.findall(r"<code[^>]*>([a-z2-9]{5}-[a-z2-9]{5})</code>", regenerated.get_data(as_text=True))
    assert len(new_codes) == 10 and "The old ones no longer work" in regenerated.get_data(as_text=True)
    client.post("/me/two-factor/disable", data={"current_password": PASSWORD})
    assert change_password(client).status_code == 302
    enroll(client, clock)
    signed_in_client(app, "root@example.com").post(f"/admin/users/{ann}/reset-2fa")
    app.test_client().post("/forgot", data={"email": "ann@example.com"})
    reset_path = re.search(r"http://localhost(/reset/\S+)", sink.messages[-1].get_content()).group(1)
    app.test_client().post(reset_path, data={"new_password": "another secret 7",
                                             "confirm_password": "another secret 7"})

    notices_only = [m for m in sink.messages if m["Subject"] != "Reset your metacrm password"]
    assert [m["Subject"] for m in notices_only] == [
        "Two-step verification was turned on for your metacrm account",
        "New recovery codes were made for your metacrm account",
        "Two-step verification was turned off for your metacrm account",
        "Your metacrm password was changed",
        "Two-step verification was turned on for your metacrm account",
        "An administrator reset two-step verification for your metacrm account",
        "Your metacrm password was reset",
    ]
    assert {m["To"] for m in notices_only} == {"ann@example.com"}
    assert [detail["about"] for _event, _user, detail in notices(engine)] == [
        "2fa_enabled", "recovery_codes_regenerated", "2fa_disabled", "password_changed",
        "2fa_enabled", "2fa_reset", "password_reset"]
    assert {(event, user, detail["via"]) for event, user, detail in notices(engine)} == {
        ("notice_sent", ann, "smtp")}
    secrets = [PASSWORD, NEW_PASSWORD, "another secret 7", secret, reset_path.rsplit("/", 1)[1],
               *old_codes, *new_codes]
    for message in notices_only:
        body = message.get_content()
        assert "Account: ann@example.com" in body and "http://localhost/forgot" in body
        assert not [s for s in secrets if s in body or s in message["Subject"]]


def test_without_smtp_the_notice_goes_to_the_log(settings_override, engine, ids, caplog):
    caplog.set_level(logging.INFO, logger="runtime.security.notices")
    app = make_app(settings_override, None)
    client = signed_in_client(app)
    assert change_password(client).status_code == 302
    [logged] = [r.getMessage() for r in caplog.records if r.name == "runtime.security.notices"]
    assert logged.startswith("SECURITY NOTICE (no METACRM_SMTP_URL, so logged instead of mailed) "
                             "to ann@example.com: Your metacrm password was changed")
    assert PASSWORD not in logged and NEW_PASSWORD not in logged
    assert notices(engine) == [("notice_sent", ids[0], {"about": "password_changed", "via": "log"})]


def test_a_refused_change_sends_nothing(settings_override, engine, ids, sink):
    app = make_app(settings_override, sink.url())
    client = signed_in_client(app)
    assert change_password(client, current="wrong password").status_code == 422
    client.post("/me/two-factor/disable", data={"current_password": PASSWORD})  # 2FA was never on
    client.post("/me/two-factor/recovery-codes", data={"current_password": PASSWORD})
    assert sink.messages == [] and notices(engine) == []


def test_the_notice_is_in_the_users_language(settings_override, engine, sink):
    with engine.begin() as conn:
        create_user(conn, "li@example.com", PASSWORD, language="zh")
    app = make_app(settings_override, sink.url())
    change_password(signed_in_client(app, "li@example.com"))
    [message] = sink.messages
    assert message["Subject"] == "您的 metacrm 密码已更改"
    assert "账号：li@example.com" in message.get_content()


def test_a_mail_server_that_is_down_does_not_undo_the_change(settings_override, engine, ids):
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(settings_override, f"smtp://127.0.0.1:{port}")
    client = signed_in_client(app)
    assert change_password(client).status_code == 302
    assert signed_in_client(app, password=NEW_PASSWORD)
    [(event, user, detail)] = notices(engine)
    assert (event, user, detail["about"], detail["via"]) == ("notice_failed", ids[0], "password_changed", "smtp")
    assert detail["error"] == "ConnectionRefusedError"


def test_recovery_codes_are_replaced_behind_the_password(settings_override, engine, ids, sink):
    app = make_app(settings_override, sink.url())
    clock = app.extensions["metacrm"]["clock"]
    client = signed_in_client(app)
    _, old_codes = enroll(client, clock)
    wrong = client.post("/me/two-factor/recovery-codes", data={"current_password": "nope"})
    assert wrong.status_code == 302 and wrong.location == "/me/security"
    page = client.post("/me/two-factor/recovery-codes", data={"current_password": PASSWORD})
    new_codes = re.findall(r"<code[^>]*>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.get_data(as_text=True))
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.email).where(
            audit_log.c.event == "recovery_codes_regenerated")).scalars().all() == ["ann@example.com"]
    client.post("/logout")
    clock.now += timedelta(minutes=1)
    for code, works in ((old_codes[0], False), (new_codes[0], True)):
        fresh = app.test_client()
        fresh.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
        assert (fresh.post("/login", data={"code": code}).status_code == 302) is works
