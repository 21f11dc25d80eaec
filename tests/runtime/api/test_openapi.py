"""The generated OpenAPI 3.1 document: valid, and true to the metadata."""

from __future__ import annotations

from openapi_spec_validator import validate


def document(api) -> dict:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_validates(api):
    doc = document(api)
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_document_without_apps_validates(client, engine, write_token):
    from tests.runtime.api.conftest import Api

    doc = document(Api(client, write_token))
    validate(doc)
    assert "/api/v1/me/tokens" in doc["paths"]


def test_one_path_set_per_top_level_entity(api):
    paths = document(api)["paths"]
    for entity in ("account", "opportunity"):
        base = f"/api/v1/sample_sales/{entity}"
        assert set(paths[base]) == {"get", "post"}
        assert set(paths[f"{base}/{{id}}"]) == {"parameters", "get", "patch", "delete"}
        assert f"{base}/{{id}}/history" in paths and f"{base}/{{id}}/restore" in paths
    assert "/api/v1/sample_sales/opportunity_line" not in paths  # rows go through their parent


def test_field_types_become_json_schema(api):
    schemas = document(api)["components"]["schemas"]
    out = schemas["sample_sales.opportunity"]["properties"]
    create = schemas["sample_sales.opportunity.create"]
    inp = create["properties"]
    assert out["amount"]["type"] == ["string", "null"] and "pattern" in out["amount"]
    assert out["weighted"]["readOnly"] is True and "weighted" not in inp and "code" not in inp
    assert out["id"]["readOnly"] is True and "id" not in inp
    assert inp["close_date"]["format"] == "date" and inp["closed_at"]["format"] == "date-time"
    assert inp["stage"]["enum"] == ["qualify", "won", "lost", None]
    assert inp["account"]["type"] == ["integer", "null"]
    assert inp["lines"]["items"]["properties"]["product"]["type"] == "string"
    assert create["required"] == ["name"] and create["additionalProperties"] is False
    assert "required" not in schemas["sample_sales.opportunity.update"]
    assert out["tags"]["items"] == {"type": "string"} and out["account_city"]["type"] == ["string", "null"]


def test_errors_and_security_are_described(api):
    doc = document(api)
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}
    patch = doc["paths"]["/api/v1/sample_sales/account/{id}"]["patch"]
    assert {"401", "404", "412", "422", "428"} <= set(patch["responses"])
    assert doc["components"]["schemas"]["Error"]["required"] == ["error"]
