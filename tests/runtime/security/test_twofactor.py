"""TOTP: enrollment needs a confirming code, ±1 step is accepted, replays and ±2 are refused,
recovery codes work once, and the secret is stored encrypted."""

from datetime import datetime
from datetime import timedelta

import pyotp
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from runtime.security import twofactor
from runtime.security.recovery import remaining_codes
from runtime.security.users import get_user
from runtime.storage.system import audit_log

KEY = "test-secret"
T0 = datetime(2026, 1, 5, 9, 0, 0)  # a step boundary: 09:00:00 UTC


def code_at(secret, when, steps=0):
    """The code an authenticator shows ``steps`` periods from ``when`` (naive UTC)."""
    return pyotp.TOTP(secret).at(int((when - datetime(1970, 1, 1)).total_seconds()) + 30 * steps)


@pytest.fixture
def user(conn, ann):
    return get_user(conn, ann)


def enroll(conn, user):
    secret = twofactor.pending_secret(conn, user, KEY)
    codes = twofactor.confirm_enrollment(conn, get_user(conn, user.id), code_at(secret, T0), KEY, T0)
    return secret, codes


def test_enrollment_needs_a_confirming_code(conn, user):
    secret = twofactor.pending_secret(conn, user, KEY)
    assert twofactor.pending_secret(conn, get_user(conn, user.id), KEY) == secret  # stable on reload
    row = get_user(conn, user.id)
    assert not twofactor.is_enabled(row)
    assert secret not in row.totp_secret  # encrypted at rest
    assert twofactor.confirm_enrollment(conn, row, "000000", KEY, T0) is None
    codes = twofactor.confirm_enrollment(conn, row, code_at(secret, T0), KEY, T0)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert twofactor.is_enabled(get_user(conn, user.id))


@pytest.mark.parametrize("steps, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_either_side_is_accepted(conn, user, steps, accepted):
    secret, _ = enroll(conn, user)
    later = T0 + timedelta(minutes=10)
    code = code_at(secret, later, steps)
    assert (twofactor.verify_login_code(conn, get_user(conn, user.id), code, KEY, later) == "totp") is accepted


def test_a_code_is_refused_the_second_time_and_so_are_older_ones(conn, user):
    secret, _ = enroll(conn, user)
    now = T0 + timedelta(minutes=5)
    code = code_at(secret, now)
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code, KEY, now) == "totp"
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code, KEY, now) is None
    earlier = code_at(secret, now, -1)  # inside the window, but an older step than the last used
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), earlier, KEY, now) is None
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code_at(secret, now, 1), KEY, now)


def test_a_replay_is_audited_as_such_and_a_wrong_code_is_not(conn, user):
    secret, _ = enroll(conn, user)
    now = T0 + timedelta(minutes=5)
    code = code_at(secret, now)
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code, KEY, now, "198.51.100.4")
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code_at(secret, now, 5), KEY, now,
                                        "198.51.100.4") is None  # wrong: far outside the window
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code, KEY, now, "198.51.100.7") is None
    replays = conn.execute(select(audit_log).where(audit_log.c.event == "2fa_replayed")).all()
    assert [(r.user_id, r.email, r.ip, r.at) for r in replays] == [(user.id, user.email, "198.51.100.7", now)]


def test_the_enrollment_code_cannot_sign_in(conn, user):
    secret, _ = enroll(conn, user)
    assert twofactor.verify_login_code(conn, get_user(conn, user.id), code_at(secret, T0), KEY, T0) is None


def test_recovery_codes_work_once_each(conn, user):
    _, codes = enroll(conn, user)
    row = get_user(conn, user.id)
    assert twofactor.verify_login_code(conn, row, codes[3].upper(), KEY, T0) == "recovery"
    assert twofactor.verify_login_code(conn, row, codes[3], KEY, T0) is None
    assert twofactor.verify_login_code(conn, row, codes[4].replace("-", ""), KEY, T0) == "recovery"
    assert twofactor.verify_login_code(conn, row, "aaaaa-aaaaa", KEY, T0) is None
    assert remaining_codes(conn, user.id) == 8


def test_another_secret_key_cannot_read_the_secret(conn, user):
    enroll(conn, user)
    with pytest.raises(InvalidTag):
        twofactor.verify_login_code(conn, get_user(conn, user.id), "123456", "other-key", T0)


def test_reset_turns_2fa_off_and_drops_the_codes(conn, user):
    enroll(conn, user)
    twofactor.disable(conn, user.id, event="2fa_reset", actor_id=None)
    row = get_user(conn, user.id)
    assert not twofactor.is_enabled(row) and row.totp_secret is None
    assert remaining_codes(conn, user.id) == 0


def test_required_2fa_follows_the_user_flag(conn, user):
    assert twofactor.requires_2fa(conn, user) is False
    conn.execute(twofactor.users.update().where(twofactor.users.c.id == user.id).values(require_2fa=True))
    assert twofactor.requires_2fa(conn, get_user(conn, user.id)) is True
