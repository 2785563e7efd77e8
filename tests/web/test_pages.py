"""The pages over HTTP (no browser): both languages, strict headers, only shipped static files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.conftest import Api, make_api
from stukje.web.pages import SECURITY_HEADERS, STATIC_DIR
from stukje.web.texts import TEXTS

PAGES = ["/", "/case", "/demo", "/helpline"]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(f"sqlite:///{tmp_path / 'bank.db'}", tmp_path)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_renders_in_both_languages_with_strict_headers(
    api: Api, path: str, language: str
) -> None:
    response = api.client.get(path, params={"lang": language})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}">' in response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    # Every script and stylesheet is this server's own; no inline script runs.
    for source in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', response.text):
        assert source.startswith("/static/"), source
    assert not re.search(r"<script(?![^>]*(src=|application/json))", response.text)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("en-US,en;q=0.9", "en"), ("nl-BE", "nl"), ("de-DE,en;q=0.5", "en"), ("", "nl")],
)
def test_language_follows_accept_language(api: Api, accept: str, expected: str) -> None:
    response = api.client.get("/", headers={"Accept-Language": accept})
    assert f'<html lang="{expected}">' in response.text


def test_content_security_policy_allows_no_other_origin() -> None:
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe" not in policy
    assert "http" not in policy


@pytest.mark.parametrize("path", sorted(p.name for p in STATIC_DIR.iterdir()))
def test_static_files_are_served_with_their_type(api: Api, path: str) -> None:
    response = api.client.get(f"/static/{path}")
    assert response.status_code == 200
    expected = "text/css" if path.endswith(".css") else "text/javascript"
    assert response.headers["content-type"].startswith(expected)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", ["missing.js", "..%2Fpages.py", "pages.py", "%2E%2E"])
def test_only_shipped_static_files_are_served(api: Api, name: str) -> None:
    assert api.client.get(f"/static/{name}").status_code == 404


def test_both_languages_have_the_same_words_and_none_shadow_a_dict_method() -> None:
    assert TEXTS["nl"].keys() == TEXTS["en"].keys()
    assert not set(TEXTS["en"]) & set(dir(dict)), "Jinja's t.key would find the dict method"
    for language, table in TEXTS.items():
        for key, text in table.items():
            assert text.strip(), (language, key)


def test_pages_are_not_in_the_api_schema(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not set(PAGES) & set(paths)
    assert "/v1/helpline/stats" in paths
