"""schemathesis against the generated document, in process (WSGI), on every backend.

Every operation gets generated requests, valid ones and (for bodies and
parameters) invalid ones; each answer must be no 5xx and must match the
document: a listed status code, content type, headers and body schema.
Bounded to a few examples per operation so the normal ``pytest`` run keeps it.
"""

from __future__ import annotations


import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.runtime.api.conftest import Api

EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
#: Revoking random token ids would revoke the token this run uses; test_me_and_meta covers it.
SKIP = {"DELETE /api/v1/me/tokens/{id}"}


def _seed(api: Api) -> None:
    """A few real records, so reads, changes and links meet existing rows too."""
    for i in range(3):
        account = api.post("/api/v1/sample_sales/account", {"name": f"Acme {i}", "city": "Lyon"}).get_json()
        api.post("/api/v1/sample_sales/opportunity", {
            "name": f"Deal {i}", "account": account["data"]["id"], "amount": "10.50",
            "lines": [{"product": "Seat", "qty": 2, "subtotal": "5.25"}]})


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(app, api, write_token):
    _seed(api)
    headers = {"Authorization": f"Bearer {write_token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, headers=headers)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    for operation in operations:
        if operation.label in SKIP:
            continue
        for mode, examples in EXAMPLES.items():
            try:
                _run(operation, mode, examples, headers)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001  (collect every failure, then report all)
                failures.append(f"{operation.label} [{mode.value}]: {exc!r}"[:3000])
    assert not failures, "\n\n".join(failures)


def _run(operation, mode, examples, headers) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
