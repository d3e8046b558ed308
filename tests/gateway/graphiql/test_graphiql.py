"""GraphiQL served by the gateway: the page, its files, and what the address prefills."""

import gzip
import json
import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gateway.config import GraphQLSettings, Settings
from gateway.edge.headers import HTML_CSP
from gateway.graphiql import graphiql_link
from gateway.graphiql.assets import CACHE_FOREVER, STATIC, accepts_gzip
from tests.harness import NO_CACHE, TEST_AUTH, emulated_backend, own_queue, running_gateway
from tests.inprocess import in_process_gateway

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
QUERY = "{ viewer { subject } }"
ASSET = re.compile(r'(?:src|href)="(/graphql/assets/[0-9a-f]{16}/[\w.-]+)"')


def settings(graphiql: bool) -> Settings:
    return Settings(
        erp=emulated_backend("erp", "odoo", "http://erp.in-process"),
        cache=NO_CACHE,
        auth=TEST_AUTH,
        queue=own_queue(),
        graphql=replace(GraphQLSettings(), graphiql=graphiql),
    )


@pytest.fixture(scope="module")
def gateway(odoo_emulator_app):
    with in_process_gateway(settings(graphiql=True), {"erp": odoo_emulator_app}) as client:
        yield client


def assets_of(page: str) -> list[str]:
    return ASSET.findall(page)


def test_the_page_loads_every_file_from_the_gateway_under_a_strict_csp(gateway):
    page = gateway.get("/graphql", headers=BROWSER)

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == HTML_CSP
    assert "script-src 'self';" in HTML_CSP
    assert "http" not in page.text  # no CDN, no absolute URL at all
    assert "<script>" not in page.text  # nothing inline: the CSP allows none
    names = [path.rsplit("/", 1)[1] for path in assets_of(page.text)]
    assert sorted(names) == sorted(p.name for p in STATIC.iterdir())


def test_each_file_has_its_type_and_may_be_kept_a_year(gateway):
    page = gateway.get("/graphql", headers=BROWSER)

    for path in assets_of(page.text):
        answer = gateway.get(path, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200, path
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        assert answer.headers["content-type"] == f"{kind}; charset=utf-8"
        assert answer.headers["cache-control"] == CACHE_FOREVER
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "content-encoding" not in answer.headers
        assert answer.content == (STATIC / path.rsplit("/", 1)[1]).read_bytes()


@pytest.mark.slow
def test_a_client_that_accepts_gzip_gets_it(gateway):
    path = next(
        p
        for p in assets_of(gateway.get("/graphql", headers=BROWSER).text)
        if "graphiql.min.js" in p
    )

    # Over a socket, as the in-process client hands on bodies already decoded; the raw
    # bytes are read from the stream, which httpx would otherwise decompress.
    with (
        running_gateway(settings(graphiql=True)) as url,
        httpx.stream("GET", url + path, headers={"Accept-Encoding": "gzip"}) as answer,
    ):
        raw = b"".join(answer.iter_raw())

    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(raw) == (STATIC / path.rsplit("/", 1)[1]).read_bytes()
    assert len(raw) < len(gzip.decompress(raw)) / 3


@pytest.mark.parametrize(
    "path",
    [
        "/graphql/assets/0000000000000000/graphiql.min.js",  # another version's files
        "{prefix}/nothing.js",
        "{prefix}/..%2Fassets.py",
        "{prefix}/README.md",
    ],
    ids=["other digest", "unknown file", "traversal", "not an asset"],
)
def test_anything_else_under_assets_is_a_json_404(gateway, path):
    prefix = assets_of(gateway.get("/graphql", headers=BROWSER).text)[0].rsplit("/", 1)[0]

    answer = gateway.get(path.format(prefix=prefix))

    assert answer.status_code == 404
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_browser_opening_a_link_with_a_query_gets_graphiql_and_an_api_client_the_answer(
    gateway,
):
    link = graphiql_link("/graphql", QUERY)

    page = gateway.get(link, headers=BROWSER)
    answer = gateway.get(link, headers={"Accept": "application/json"})

    assert page.headers["content-type"].startswith("text/html")
    assert answer.json() == {"data": {"viewer": {"subject": "anonymous"}}}


def test_with_graphiql_off_there_is_no_page_and_no_files(odoo_emulator_app, gateway):
    path = assets_of(gateway.get("/graphql", headers=BROWSER).text)[0]

    with in_process_gateway(settings(graphiql=False), {"erp": odoo_emulator_app}) as off:
        page = off.get("/graphql", headers=BROWSER)
        linked = off.get(graphiql_link("/graphql", QUERY), headers=BROWSER)
        files = off.get(path)

    assert page.status_code == 404
    assert linked.json() == {"data": {"viewer": {"subject": "anonymous"}}}  # runs, as before
    assert files.status_code == 404


def test_a_link_carries_the_query_in_its_address_and_the_headers_after_the_hash():
    link = graphiql_link("http://gw/graphql", QUERY, {"Authorization": "Bearer secret"})

    parts = urlsplit(link)
    assert parse_qs(parts.query) == {"query": [QUERY]}
    assert "secret" not in parts.query  # never sent to a server, never in an access log
    headers = parse_qs(parts.fragment)["headers"][0]
    assert json.loads(headers) == {"Authorization": "Bearer secret"}


@pytest.mark.parametrize(
    ("accept_encoding", "gzip_ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("*;q=0.5, gzip;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_gzip_is_sent_only_when_accepted(accept_encoding, gzip_ok):
    assert accepts_gzip(accept_encoding) is gzip_ok
