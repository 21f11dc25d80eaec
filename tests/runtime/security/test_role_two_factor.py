"""2FA required by role, in the services: the one SQL definition of "required", the per-role
and per-user switches with their audit rows, tokens made before enrollment, an admin reset
ending the sessions, and new recovery codes."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy import select

from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.security import sessions
from runtime.security import twofactor
from runtime.security.recovery import remaining_codes
from runtime.security.recovery import use_code
from runtime.security.role_grants import Actor
from runtime.security.role_grants import role_holders
from runtime.security.role_grants import roles_requiring_2fa
from runtime.security.role_grants import set_role_requires_2fa
from runtime.security.tokens import authenticate_token
from runtime.security.tokens import create_token
from runtime.security.users import get_user
from runtime.storage.system import audit_log
from runtime.storage.system import role_policy
from runtime.storage.system import user_roles
from tests.runtime.security.permissions_app import install
from tests.runtime.security.test_twofactor import T0
from tests.runtime.security.test_twofactor import enroll

ADMIN = Actor(None, "root@example.com", "10.0.0.1")


@pytest.fixture
def people(engine):
    return install(engine)


@pytest.fixture
def conn(engine, people):
    with engine.begin() as connection:
        yield connection


def required(conn, user_id) -> bool:
    """Both ways of asking (the row helper and the per-request session query) must agree."""
    user = get_user(conn, user_id)
    by_row = twofactor.requires_2fa(conn, user)
    key = sessions.start(conn, user, remember=False, now=T0).key
    assert sessions.session_user(conn, key).two_factor_required == by_row
    return by_row


def audit_details(conn, event):
    return [r.detail for r in conn.execute(select(audit_log).where(audit_log.c.event == event)
                                           .order_by(audit_log.c.id))]


def test_holding_a_marked_role_in_any_app_requires_2fa(conn, people):
    assert not required(conn, people["rep_east"])
    assert set_role_requires_2fa(conn, "sales.rep", True, ADMIN) is True
    assert set_role_requires_2fa(conn, "sales.rep", True, ADMIN) is False  # unchanged
    assert roles_requiring_2fa(conn) == {"sales.rep"}
    assert required(conn, people["rep_east"]) and required(conn, people["rep_west"])
    assert not required(conn, people["manager"]) and not required(conn, people["nobody"])
    conn.execute(insert(user_roles).values(user_id=people["manager"], role="sales.rep"))
    assert required(conn, people["manager"])  # a second role is enough
    set_role_requires_2fa(conn, "sales.rep", False, ADMIN)
    assert not required(conn, people["rep_east"])
    assert audit_details(conn, "2fa_requirement_changed") == [{"role": "sales.rep", "required": True},
                                                               {"role": "sales.rep", "required": False}]


def test_an_unknown_role_cannot_be_marked_but_any_can_be_released(conn):
    with pytest.raises(ValidationFailed) as refused:
        set_role_requires_2fa(conn, "gone.role", True, ADMIN)
    assert refused.value.details == {"role": "No installed app declares this role."}
    assert conn.execute(select(role_policy)).all() == []
    conn.execute(insert(role_policy).values(role="gone.role", require_2fa=True))  # left by an uninstall
    assert set_role_requires_2fa(conn, "gone.role", False, ADMIN) is True
    assert roles_requiring_2fa(conn) == set()


def test_the_per_user_switch_is_audited(conn, people):
    nobody = people["nobody"]
    assert twofactor.set_user_requirement(conn, nobody, True, actor_id=people["admin"]) is True
    assert twofactor.set_user_requirement(conn, nobody, True, actor_id=people["admin"]) is False
    assert required(conn, nobody)
    assert audit_details(conn, "2fa_requirement_changed") == [{"user": "nobody@example.com", "required": True}]
    with pytest.raises(NotFound):
        twofactor.set_user_requirement(conn, 99999, True)


def test_role_holders_counts_who_has_no_2fa(conn, people):
    enroll(conn, get_user(conn, people["rep_east"]))
    assert role_holders(conn) == {"sales.rep": (3, 2), "sales.manager": (1, 1), "sales.viewer": (1, 1)}


def test_a_token_made_before_enrollment_stops_when_2fa_is_required(conn, people):
    rep = people["rep_east"]
    before = create_token(conn, rep, "before", now=T0 - timedelta(days=1))
    assert authenticate_token(conn, before, now=T0) is not None
    set_role_requires_2fa(conn, "sales.rep", True, ADMIN)
    assert authenticate_token(conn, before, now=T0) is None
    enroll(conn, get_user(conn, rep))  # enrolled at T0
    after = create_token(conn, rep, "after", now=T0 + timedelta(seconds=1))
    assert authenticate_token(conn, before, now=T0 + timedelta(minutes=1)) is None
    assert authenticate_token(conn, after, now=T0 + timedelta(minutes=1)) is not None


@pytest.mark.parametrize("required_, enabled_at, made_at, allowed", [
    (False, None, T0, True),
    (True, None, T0, False),
    (True, T0, T0 - timedelta(seconds=1), False),
    (True, T0, T0, True),
])
def test_token_allowed(required_, enabled_at, made_at, allowed):
    assert twofactor.token_allowed(required_, enabled_at, made_at) is allowed


def test_an_admin_reset_ends_the_sessions_and_a_users_own_disable_does_not(conn, people):
    rep = people["rep_east"]
    enroll(conn, get_user(conn, rep))
    generation = get_user(conn, rep).session_generation
    twofactor.disable(conn, rep)
    assert get_user(conn, rep).session_generation == generation
    enroll(conn, get_user(conn, rep))
    twofactor.disable(conn, rep, event="2fa_reset", actor_id=people["admin"])
    row = get_user(conn, rep)
    assert row.session_generation == generation + 1 and not twofactor.is_enabled(row)
    assert remaining_codes(conn, rep) == 0


def test_new_recovery_codes_replace_the_old_ones(conn, people):
    user = get_user(conn, people["rep_east"])
    with pytest.raises(NotFound):
        twofactor.regenerate_codes(conn, user)
    _, old = enroll(conn, user)
    new = twofactor.regenerate_codes(conn, get_user(conn, user.id), ip="10.0.0.9")
    assert set(new).isdisjoint(old) and remaining_codes(conn, user.id) == 10
    later = datetime(2026, 1, 6)
    assert not use_code(conn, user.id, old[0], later) and use_code(conn, user.id, new[0], later)
    assert conn.execute(select(audit_log.c.email, audit_log.c.ip).where(
        audit_log.c.event == "recovery_codes_regenerated")).all() == [("rep_east@example.com", "10.0.0.9")]
