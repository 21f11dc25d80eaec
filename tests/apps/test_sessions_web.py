"""Server-side sessions through the test client: a copied cookie dies with its session,
idle and absolute timeouts (normal and "keep me signed in"), remember-me switched off,
the signed-in devices list with per-device sign-out, and the one query per request.

The app's clock is pinned and moved by hand; nothing sleeps.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy import select

from apps.web import create_app
from runtime.security.users import create_user
from runtime.storage.system import audit_log
from runtime.storage.system import sessions

PASSWORD = "password-123-abc"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
ENDED = "Your session has ended; please sign in again."


@pytest.fixture
def user_id(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD, display_name="Ann Lee")


def login(client, agent=FIREFOX, **extra):
    return client.post("/login", data={"email": "ann@example.com", "password": PASSWORD, **extra},
                       headers={"User-Agent": agent})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def session_ids(engine, agent=None) -> list[int]:
    query = select(sessions.c.id).order_by(sessions.c.id)
    if agent:
        query = query.where(sessions.c.user_agent == agent)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def test_a_copied_session_cookie_stops_working_at_logout(client, user_id):
    login(client)
    copied = client.get_cookie("metacrm_session").value
    assert client.post("/logout").status_code == 302
    client.set_cookie("metacrm_session", copied)  # replay the cookie taken before signing out
    assert not signed_in(client)


def test_a_copied_remember_cookie_stops_working_at_logout(app, client, user_id, engine):
    login(client, remember="y")
    copied = client.get_cookie("metacrm_remember").value
    thief = app.test_client()
    thief.set_cookie("metacrm_remember", copied)
    assert signed_in(thief)  # before the logout the copy works: the test below means something
    assert client.post("/logout").status_code == 302
    assert client.get_cookie("metacrm_remember") is None
    other = app.test_client()
    other.set_cookie("metacrm_remember", copied)
    assert not signed_in(other)
    with engine.connect() as conn:
        assert conn.execute(select(sessions.c.revoked_at)).scalar_one() is not None


def test_the_remember_cookie_restores_that_very_session(client, user_id, engine):
    login(client, remember="y")
    with client.session_transaction() as sess:
        key = sess["_user_id"]
        sess.clear()  # the browser closed: only the remember cookie is left
    assert signed_in(client)
    with client.session_transaction() as sess:
        assert sess["_user_id"] == key
    assert len(session_ids(engine)) == 1  # no second record was made


def test_an_idle_session_ends_and_the_login_page_says_so_keeping_next(client, user_id, clock):
    login(client)
    clock.now += timedelta(minutes=29)
    assert signed_in(client)
    clock.now += timedelta(minutes=29)  # 58 minutes in, but used 29 minutes ago
    assert signed_in(client)
    clock.now += timedelta(minutes=31)
    ended = client.get("/me/security?tab=1")
    assert ended.status_code == 302 and ended.location == "/login?next=/me/security?tab%3D1"
    page = client.get(ended.location).get_data(as_text=True)
    assert ENDED in page
    assert ENDED not in client.get("/login").get_data(as_text=True)  # said once
    again = login(client, next="/me/security")
    assert again.status_code == 302


def test_the_next_is_kept_through_the_sign_in_after_a_timeout(client, user_id, clock):
    login(client)
    clock.now += timedelta(hours=1)
    target = client.get("/me/security").location
    done = client.post(target, data={"email": "ann@example.com", "password": PASSWORD})
    assert done.status_code == 302 and done.location == "/me/security"


def test_an_active_session_still_ends_after_twelve_hours(client, user_id, clock):
    login(client)
    for _ in range(35):  # a request every 20 minutes keeps it from idling out
        clock.now += timedelta(minutes=20)
        assert signed_in(client)
    clock.now += timedelta(minutes=20)  # 12 hours since sign-in
    assert not signed_in(client)


def test_a_remembered_session_idles_out_after_seven_days_and_ends_after_fourteen(client, user_id, clock):
    login(client, remember="y")
    with client.session_transaction() as sess:
        sess.clear()
    clock.now += timedelta(days=6, hours=23)
    assert signed_in(client)
    clock.now += timedelta(days=6, hours=23)  # used within the week: still in
    assert signed_in(client)
    clock.now += timedelta(hours=2)  # 14 days and a bit since sign-in
    assert not signed_in(client)


def test_a_remembered_session_unused_for_a_week_ends(client, user_id, clock):
    login(client, remember="y")
    clock.now += timedelta(days=7, minutes=1)
    assert not signed_in(client)
    assert client.get_cookie("metacrm_remember") is None  # the dead cookie is cleared too


def test_remember_days_zero_turns_keep_me_signed_in_off(settings_override, engine, user_id):
    app = create_app(settings_override(remember_days=0))
    app.config.update(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    assert 'name="remember"' not in client.get("/login").get_data(as_text=True)
    response = login(client, remember="y")
    assert response.status_code == 302
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("metacrm_remember=")]
    with engine.connect() as conn:
        assert conn.execute(select(sessions.c.remember)).scalar_one() is False


def test_the_devices_list_shows_each_session_and_signs_one_out(app, user_id, engine):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop), login(phone, agent=IPHONE)
    page = laptop.get("/me/security").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Safari on iOS" in page
    assert page.count('data-testid="this-device"') == 1
    this_row = page.split('data-testid="this-device"')[0].rsplit("<tr", 1)[1]
    assert "Firefox on Windows" in this_row
    (phone_id,) = session_ids(engine, IPHONE)
    done = laptop.post(f"/me/sessions/{phone_id}/sign-out")
    assert done.status_code == 302 and done.location == "/me/security"
    assert not signed_in(phone) and signed_in(laptop)
    assert "Safari on iOS" not in laptop.get("/me/security").get_data(as_text=True)
    assert laptop.post(f"/me/sessions/{phone_id}/sign-out").status_code == 404  # already ended
    with engine.connect() as conn:
        detail = conn.execute(select(audit_log.c.detail).where(audit_log.c.event == "session_revoked")).scalar_one()
    assert detail == {"session": phone_id}


def test_nobody_signs_out_another_users_session(app, user_id, engine):
    with engine.begin() as conn:
        create_user(conn, "bob@example.com", PASSWORD)
    ann, bob = app.test_client(), app.test_client()
    login(ann)
    bob.post("/login", data={"email": "bob@example.com", "password": PASSWORD})
    (ann_id, _bob_id) = session_ids(engine)
    assert bob.post(f"/me/sessions/{ann_id}/sign-out").status_code == 404
    assert signed_in(ann)


def test_signing_out_this_device_from_the_list_signs_out_here(client, user_id, engine):
    login(client)
    (own,) = session_ids(engine)
    done = client.post(f"/me/sessions/{own}/sign-out")
    assert done.status_code == 302 and done.location == "/login"
    assert not signed_in(client)


def test_log_out_everywhere_gives_this_browser_a_new_key(app, user_id, engine):
    laptop = app.test_client()
    login(laptop)
    copied = laptop.get_cookie("metacrm_session").value
    assert laptop.post("/me/sessions/revoke").status_code == 302
    assert signed_in(laptop)
    thief = app.test_client()
    thief.set_cookie("metacrm_session", copied)
    assert not signed_in(thief)
    assert len(re.findall(r'data-testid="device-\d+"', laptop.get("/me/security").get_data(as_text=True))) == 1


@pytest.fixture
def statements(app):
    """The SQL the app's own engine runs."""
    seen: list[str] = []
    engine = app.extensions["metacrm"]["engine"]

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def session_statements(client, seen) -> list[str]:
    """The statements of one signed-in page view that touch the sessions table."""
    seen.clear()
    assert client.get("/me").status_code == 200
    return [s for s in seen if "metacrm_session" in s]


def test_one_query_loads_user_and_session_and_last_seen_is_written_once_a_minute(
        client, user_id, clock, engine, statements):
    login(client)
    (load,) = session_statements(client, statements)
    assert load.lstrip().upper().startswith("SELECT") and "metacrm_user" in load
    assert not [s for s in statements if "metacrm_user" in s and s != load]  # no second user lookup
    clock.now += timedelta(seconds=59)
    assert len(session_statements(client, statements)) == 1  # no write within the minute
    clock.now += timedelta(seconds=2)
    touched = session_statements(client, statements)
    assert len(touched) == 2 and touched[1].lstrip().upper().startswith("UPDATE")
    with engine.connect() as conn:
        assert conn.execute(select(sessions.c.last_seen_at)).scalar_one() == clock.now
