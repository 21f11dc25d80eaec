"""Is ``"account"`` or ``"crm_customers.account"`` an entity this app may point to?

Shared by link/table fields and role grants: a bare name is an entity of this
app; ``app.entity`` must be an installed app that app.json lists in
``requires``, so an install never depends on an app it did not declare.
"""

from __future__ import annotations

from runtime.metadata.layout import Layout
from runtime.metadata.model import split_target
from runtime.metadata.schema_messages import did_you_mean


def _names(app) -> list[str]:
    return [e.name for e in app.entities]


def target_problem(layout: Layout, target: str, what: str = "target") -> str | None:
    """Why ``target`` does not name a reachable entity, or None when it does."""
    app = layout.app
    app_name, entity = split_target(target, app.name)
    if app_name == app.name:
        if app.has_entity(entity) or layout.is_broken(entity):
            return None
        known = ", ".join(sorted(_names(app))) or "none"
        return f"{what} {target!r} does not exist in this app{did_you_mean(entity, _names(app))} (entities: {known})"
    if app_name not in app.requires:
        return (
            f'{what} {target!r} is in app {app_name!r}, which app.json does not list in "requires"; '
            f'add "requires": {{"{app_name}": ">=1.0"}}'
        )
    other = layout.installed.get(app_name)
    if other is None:
        return f"{what} {target!r} needs app {app_name!r}, which is not installed"
    if not other.has_entity(entity):
        return f"app {app_name!r} has no entity {entity!r}{did_you_mean(entity, _names(other))}"
    return None
