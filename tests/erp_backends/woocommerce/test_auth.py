"""WooCommerce's authentication by scheme: the OAuth 1.0a signature held to oauthlib's,
the RFC 3986 encoding held to urllib's, and Basic over HTTPS.

That WooCommerce (the emulator, which checks signatures as `class-wc-rest-authentication.php`
does) takes these signatures is tested over HTTP in test_adapter.py and test_emulator.py.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from urllib.parse import quote

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY, Client

from erp_backends.woocommerce.auth import WooCommerceAuth, percent_encode, with_encoded_query

KEY, SECRET = "ck_4f1e", "cs_&s3cr3t é"  # a secret with characters the key must encode
NONCE, TIMESTAMP = "9b1d7c0e", 1_764_000_000

QUERIES: list[tuple[str, Mapping[str, str | int]]] = [
    ("http://shop.test/wp-json/wc/v3/orders", {"include": "1001,1002", "per_page": 100}),
    ("http://127.0.0.1:8080/wp-json/wc/v3/products", {"sku": ",".join("ABC") * 40}),
    ("http://Shop.Example:80/blog/wp-json/wc/v3/customers", {"email": "a+b@example.org"}),
    ("http://shop.test/wp-json/wc/v3/products", {"search": "50% off: a b+c ~ é/ñ *!'()"}),
    ("http://shop.test/wp-json/wc/v3/products", {"empty": "", "_fields": "id,sku,price"}),
    ("http://shop.test/wp-json/wc/v3/products", {}),
]


def signed(auth: httpx.Auth, url: str) -> httpx.Request:
    request = httpx.Request("GET", url)
    return next(auth.auth_flow(request))


def oauthlib_signature(url: httpx.URL) -> str:
    """What oauthlib signs for the same URL, nonce and timestamp."""
    client = Client(
        KEY,
        client_secret=SECRET,
        signature_method=SIGNATURE_HMAC_SHA256,
        signature_type=SIGNATURE_TYPE_QUERY,
        nonce=NONCE,
        timestamp=str(TIMESTAMP),
    )
    uri, _headers, _body = client.sign(str(url), http_method="GET")
    return httpx.URL(uri).params["oauth_signature"]


def auth() -> WooCommerceAuth:
    return WooCommerceAuth(KEY, SECRET, clock=lambda: TIMESTAMP + 0.7, nonce=lambda: NONCE)


@pytest.mark.parametrize(("url", "params"), QUERIES)
def test_a_query_written_by_the_auth_is_signed_as_oauthlib_signs_it(url, params):
    request = signed(auth().with_query(params), url)
    sent = request.url.params
    assert {name: sent[name] for name in params} == {k: str(v) for k, v in params.items()}
    assert sent["oauth_consumer_key"] == KEY
    assert sent["oauth_nonce"] == NONCE
    assert sent["oauth_timestamp"] == str(TIMESTAMP)
    assert sent["oauth_signature_method"] == "HMAC-SHA256"
    assert sent["oauth_signature"] == oauthlib_signature(
        httpx.Request("GET", url, params=params).url
    )
    assert SECRET not in str(request.url)
    assert quote(SECRET) not in str(request.url)


@pytest.mark.parametrize(("url", "params"), QUERIES)
def test_a_query_httpx_wrote_is_signed_as_oauthlib_signs_it(url, params):
    request = httpx.Request("GET", url, params=params)  # httpx's own encoding (quote_plus)
    expected = oauthlib_signature(request.url)
    sent = next(auth().auth_flow(request)).url.params
    assert {name: sent[name] for name in params} == {k: str(v) for k, v in params.items()}
    assert sent["oauth_signature"] == expected


@pytest.mark.parametrize(("url", "params"), QUERIES)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_written_query_makes_the_url_httpx_makes_of_it(url, params, scheme):
    url = url.replace("http:", f"{scheme}:", 1)
    request = signed(auth().with_query(params), url)
    query = request.url.query.decode("ascii")
    # What httpx parses and checks itself: the same URL, in every part.
    parsed = httpx.URL(url).copy_with(query=query.encode("ascii"))
    assert request.url == parsed
    assert (request.url.raw_path, request.url.params, str(request.url)) == (
        parsed.raw_path,
        parsed.params,
        str(parsed),
    )


def test_the_query_is_set_by_httpx_where_its_parsed_form_is_not_found(monkeypatch):
    url = httpx.URL("http://shop.test/wp-json/wc/v3/products")
    stripped = httpx.URL.__new__(httpx.URL)  # a later httpx may keep its parts elsewhere
    copied: list[bytes] = []

    def copy_with(self: httpx.URL, query: bytes) -> httpx.URL:
        copied.append(query)
        return url

    monkeypatch.setattr(httpx.URL, "copy_with", copy_with)
    assert with_encoded_query(stripped, "sku=A%2CB") is url
    assert copied == [b"sku=A%2CB"]


def test_each_request_is_signed_with_a_fresh_nonce():
    shop = WooCommerceAuth(KEY, SECRET)
    nonces = {
        signed(shop.with_query({"page": 1}), QUERIES[0][0]).url.params["oauth_nonce"]
        for _ in range(20)
    }
    assert len(nonces) == 20


def test_over_https_the_query_is_written_and_basic_credentials_sent_instead():
    request = signed(auth().with_query({"sku": "A-1,B 2", "per_page": 100}), "https://shop.test/x")
    assert dict(request.url.params) == {"sku": "A-1,B 2", "per_page": "100"}
    credentials = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"


def test_over_http_no_credentials_travel_in_a_header():
    request = signed(auth().with_query({"page": 1}), "http://shop.test/x")
    assert "Authorization" not in request.headers


@pytest.mark.parametrize(
    "text",
    [
        "".join(map(chr, range(128))),  # every ASCII character, "%" among them
        "%2C already encoded stays text",
        "é€ñ 漢字 😀",
        "",
        "plain-text_1.0~",
    ],
)
def test_percent_encoding_is_rfc_3986s_as_urllib_writes_it(text):
    assert percent_encode(text) == quote(text, safe="")
