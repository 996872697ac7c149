"""/docs works with no internet: every asset it loads is served by LabIntake itself."""

from __future__ import annotations

import re

from tests.api.conftest import Api


def test_docs_load_only_local_assets(api: Api) -> None:
    client = api.anonymous()
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert urls, "no asset found on the docs page"
    for url in urls:
        assert url.startswith("/"), f"{url} is not served by LabIntake"
        assert client.get(url).status_code == 200, url
    assert client.get("/openapi.json").json()["info"]["title"] == "LabIntake"
