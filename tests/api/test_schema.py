"""Property-based: schemathesis generates requests from the OpenAPI document; none may be a 5xx."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.conftest import Api


@pytest.fixture(scope="module")
def schema_and_token(api: Api):  # type: ignore[no-untyped-def]
    _, client = api.user("fuzz@example.org")
    return schemathesis.openapi.from_url(f"{api.url}/openapi.json"), api.token_of(client)


@pytest.fixture(scope="module")
def api_schema(schema_and_token):  # type: ignore[no-untyped-def]
    return schema_and_token[0]


@pytest.fixture
def token(schema_and_token) -> str:  # type: ignore[no-untyped-def]
    return schema_and_token[1]  # type: ignore[no-any-return]


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token: str) -> None:  # type: ignore[no-untyped-def]
    """Given any request the OpenAPI document allows (authenticated or not), then the server
    never answers 5xx and every error has the one error shape."""
    response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code < 500, response.text
    content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis: name -> values
    if response.status_code >= 400 and content_type.startswith("application/json"):
        body = response.json()
        assert set(body) == {"error"} and isinstance(body["error"]["code"], str)


def test_the_document_is_valid_openapi(api: Api) -> None:
    doc = httpx.get(f"{api.url}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            assert "200" in op["responses"] or "201" in op["responses"] or "204" in op["responses"] \
                or "303" in op["responses"], (method, path)
