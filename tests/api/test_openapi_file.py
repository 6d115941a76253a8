"""The OpenAPI document in the repository is the one the code serves."""

import json

from kabinet.core.management.commands.api_schema import SCHEMA_FILE, current_schema_text


def test_openapi_file_is_current():
    assert SCHEMA_FILE.exists(), "docs/api/openapi.json is missing: run `manage.py api_schema`"
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json.loads(
        current_schema_text()
    ), "docs/api/openapi.json is stale: run `python manage.py api_schema` and commit it"


def test_served_document_is_the_file(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    on_disk = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert served.json()["paths"].keys() == on_disk["paths"].keys()
    assert served.json()["info"]["title"] == "Kabinet API"


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/docs").url == "/api/v1/docs"
