"""The deal of the form browser tests: a stage that conditions show or hide sections and tabs by."""

from __future__ import annotations

from builder.publish import publish
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

STAGES = [{"value": "qualify", "label": {"en": "Qualify"}}, {"value": "won", "label": {"en": "Won"}},
          {"value": "lost", "label": {"en": "Lost"}}]


def publish_deal(live_server, *more_fields: dict, entities: tuple = (), forms: dict | None = None):
    """Publish app ``sales`` with a deal (name, stage, amount, close date, why we won, then ``more_fields``)."""
    deal = make_entity("deal", [
        make_field("name", required=True, label={"en": "Deal name"}),
        make_field("stage", "select", options=STAGES, default="qualify"),
        make_field("amount", "currency"),
        make_field("close_date", "date", label={"en": "Close date"}),
        make_field("won_reason", "textarea", label={"en": "Why we won"}),
        *more_fields,
    ], title_field="name", label={"en": "Deal"})
    publish(live_server.engine, {**make_app("sales", deal, *entities), **(forms or {})}, author="e2e")
    return live_server
