"""Steps in the entity designer that several browser tests take: create an entity, add fields, save."""

from __future__ import annotations

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect


def create_entity(page, name: str, label: str) -> None:
    """On the new-entity page: create ``name`` and wait for its designer to be ready."""
    page.fill("#entity-name", name)
    page.fill("#entity-label-en", label)
    with page.expect_navigation():
        page.click("[data-testid=create-entity]")
    expect(page.locator("body")).to_have_attribute("data-designer-ready", "1")


def add_field(page, type_: str, name: str, label: str) -> None:
    """Add a field from the palette and name it; it is then the selected field."""
    page.click(f"[data-testid=palette-{type_}]")
    page.fill("[data-testid=prop-name]", name)
    page.fill("[data-testid=label-en]", label)
    expect(page.locator(f"[data-testid=field-row][data-name={name}]")).to_be_visible()


def add_select(page, name: str, label: str, options: list[tuple[str, str]]) -> None:
    """Add a select field with ``options`` as (value, English label) pairs."""
    add_field(page, "select", name, label)
    for i, (value, text) in enumerate(options):
        if i:
            page.click("[data-testid=add-option]")
        page.locator("[data-testid=option-value]").nth(i).fill(value)
        page.locator("[data-testid=option-label-en]").nth(i).fill(text)


def save_entity(page) -> None:
    page.click("[data-testid=save-entity]")
    expect(page.locator("[data-status]")).to_have_text("Saved")
