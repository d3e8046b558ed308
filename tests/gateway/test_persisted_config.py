"""Trusted documents: the manifest `persisted export` writes, how the config reads it,
and the bounds of the registered (APQ) documents."""

import dataclasses
import hashlib
import json
import types
from pathlib import Path

import pytest
from graphql import parse, print_ast

from gateway.auth.principal import ANONYMOUS
from gateway.config import GraphQLSettings, settings_from_dict
from gateway.config_reader import ConfigError
from gateway.wiring.cli import main
from gateway.wiring.graphql_http import GatewayGraphQL
from gateway.wiring.persisted import (
    PERSISTED_ERROR_CODES,
    PersistedOperations,
    RegisteredDocuments,
)
from resolvers.context import Federation
from resolvers.limits.document_cache import MAX_DOCUMENTS
from resolvers.schema import GatewaySchema, build_schema
from tests.gateway.test_config import ENV, erp

OPERATIONS = Path(__file__).parents[2] / "mobile_examples/operations"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_export_holds_every_operation_file_by_the_hash_of_its_document(capsys):
    assert main(["persisted", "export", "--operations", str(OPERATIONS)]) == 0
    manifest = json.loads(capsys.readouterr().out)

    files = sorted(OPERATIONS.glob("*.graphql"))
    assert len(files) == 4
    expected = {print_ast(parse(f.read_text())) for f in files}
    assert set(manifest.values()) == expected
    assert all(key == sha256(document) for key, document in manifest.items())
    assert all("#" not in document for document in manifest.values())  # no comments kept


def test_the_export_writes_a_file_the_config_reads(tmp_path, capsys):
    out = tmp_path / "persisted-documents.json"

    assert main(["persisted", "export", "--operations", str(OPERATIONS), "--out", str(out)]) == 0
    assert "wrote 4 documents" in capsys.readouterr().err
    settings = settings_from_dict(
        {**erp(), "graphql": {"persisted_manifest": str(out)}}, ENV, source=str(tmp_path / "g")
    )
    assert settings.graphql.persisted_documents == json.loads(out.read_text())
    assert settings.graphql.persisted_manifest == out


def test_the_manifest_path_is_relative_to_the_config_file(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({sha256("{ a }"): "{ a }"}))
    config = tmp_path / "gateway.toml"

    settings = settings_from_dict(
        {**erp(), "graphql": {"persisted_manifest": "manifest.json"}}, ENV, source=str(config)
    )

    assert settings.graphql.persisted_documents == {sha256("{ a }"): "{ a }"}


@pytest.mark.parametrize(
    ("folder", "says"),
    [
        ("missing", "no such folder"),
        ("empty", "holds no .graphql files"),
        ("broken", "Broken.graphql: Syntax Error: Expected Name, found <EOF>"),
    ],
)
def test_the_export_names_what_is_wrong_with_the_operations(tmp_path, capsys, folder, says):
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken/Broken.graphql").write_text("query Broken { viewer {")

    assert main(["persisted", "export", "--operations", str(tmp_path / folder)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("erp-gateway: --operations: ")
    assert says in error
    assert "Traceback" not in error


def test_apollo_persisted_query_manifests_are_read_too(tmp_path):
    body = "query A { viewer { __typename } }"
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256(body), "name": "A", "type": "query", "body": body}],
    }
    (tmp_path / "m.json").write_text(json.dumps(manifest))

    settings = settings_from_dict(
        {**erp(), "graphql": {"persisted_manifest": str(tmp_path / "m.json")}}, ENV
    )

    assert settings.graphql.persisted_documents == {sha256(body): body}


GOOD = "{ viewer { __typename } }"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object of SHA-256 hash -> document"),
        ("{}", "holds no documents"),
        (json.dumps({"MyOrders": GOOD}), "entry 'MyOrders': expected a SHA-256 hash"),
        (json.dumps({sha256(GOOD).upper(): GOOD}), "expected a SHA-256 hash in lowercase hex"),
        (
            json.dumps({hashlib.sha1(GOOD.encode()).hexdigest(): GOOD}),
            "expected a SHA-256 hash",
        ),
        (json.dumps({sha256(GOOD): 42}), "expected the document's text, got 42"),
        (json.dumps({sha256("{ other }"): GOOD}), "the key is not the SHA-256 of its document"),
        (json.dumps({sha256("{ a"): "{ a"}), "Syntax Error: Expected Name, found <EOF>"),
        (
            json.dumps({"format": "apollo-persisted-query-manifest", "version": 2}),
            "expected version 1, got 2",
        ),
    ],
)
def test_a_bad_manifest_is_a_config_error_naming_the_file_and_the_problem(tmp_path, content, says):
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)

    with pytest.raises(ConfigError) as raised:
        settings_from_dict({**erp(), "graphql": {"persisted_manifest": str(path)}}, ENV)

    message = str(raised.value)
    assert message.startswith(f"config: graphql.persisted_manifest: {path}: "), message
    assert says in message


def test_persisted_only_for_names_the_unknown_kinds(tmp_path):
    with pytest.raises(ConfigError) as raised:
        settings_from_dict(
            {**erp(), "graphql": {"persisted_only_for": ["customer", "robot", "app"]}}, ENV
        )

    assert "graphql.persisted_only_for: no such principal kind: robot, app" in str(raised.value)


def test_persisted_only_for_needs_a_manifest():
    with pytest.raises(ConfigError, match="persisted_only_for: needs persisted_manifest"):
        settings_from_dict({**erp(), "graphql": {"persisted_only_for": ["customer"]}}, ENV)


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"apq": "yes"}, "graphql.apq: expected true or false"),
        ({"apq_max_documents": 0}, "graphql.apq_max_documents: expected a whole number"),
        ({"apq_max_bytes": -1}, "graphql.apq_max_bytes: expected a whole number"),
        ({"persisted_only_for": "customer"}, "graphql.persisted_only_for: expected a list"),
    ],
)
def test_each_invalid_persisted_setting_is_named(table, says):
    with pytest.raises(ConfigError, match=says):
        settings_from_dict({**erp(), "graphql": table}, ENV)


def test_persisted_settings_default_to_apq_on_and_nothing_trusted():
    graphql = settings_from_dict(erp(), ENV).graphql

    assert graphql.apq is True
    assert (graphql.apq_max_documents, graphql.apq_max_bytes) == (1000, 4 * 1024 * 1024)
    assert graphql.persisted_manifest is None
    assert dict(graphql.persisted_documents) == {}
    assert graphql.persisted_only_for == frozenset()


def test_registered_documents_are_bounded_in_count_least_recently_used_first():
    store = RegisteredDocuments(max_documents=3, max_bytes=10_000)
    for name in "abcd":
        store.put(sha256(name), name)
        if name == "c":
            assert store.get(sha256("a")) == "a"  # used: b is now the oldest

    assert len(store) == 3
    assert store.get(sha256("b")) is None
    assert [store.get(sha256(n)) for n in "acd"] == ["a", "c", "d"]


def test_registered_documents_are_bounded_in_bytes():
    store = RegisteredDocuments(max_documents=100_000, max_bytes=1000)
    for number in range(100_000):  # an attacker registering as many as it can
        store.put(sha256(str(number)), f"{{ a{number:0>90} }}")

    assert store.bytes <= 1000
    assert len(store) == 1000 // len("{ a" + "0" * 90 + " }")
    assert store.get(sha256("99999")) is not None

    store.put(sha256("x" * 2000), "x" * 2000)  # over the whole budget: not kept at all
    assert store.get(sha256("x" * 2000)) is None
    assert store.get(sha256("99999")) is not None


async def test_trusted_documents_are_parsed_at_start_and_never_again():
    """A known hash costs no parse: the view pins the manifest's documents in the
    schema's document cache, where a flood of other query texts cannot evict them."""
    trusted = "query Trusted { __typename }"
    schema = build_schema()
    assert isinstance(schema, GatewaySchema)
    GatewayGraphQL(
        schema,
        Federation(link_field="email"),
        persisted=PersistedOperations(trusted={sha256(trusted): trusted}),
    )
    for number in range(MAX_DOCUMENTS + 10):
        schema.documents.put(f"{{ a{number}: __typename }}", parse("{ __typename }"))
    parsed = schema.documents.parsed
    context = types.SimpleNamespace(principal=ANONYMOUS, request=None, request_id="t")

    first = await schema.execute(trusted, context_value=context)
    again = await schema.execute(trusted, context_value=context)

    assert first.data == again.data == {"__typename": "Query"}
    assert schema.documents.parsed == parsed  # neither request parsed it
    entry = schema.documents.get(trusted)
    assert entry is not None
    assert entry.valid  # the first run validated it; the second skipped validation


def test_the_readme_documents_every_persisted_setting_and_error_code():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    keys = [
        option.name
        for option in dataclasses.fields(GraphQLSettings)
        if option.name.startswith(("apq", "persisted_")) and option.name != "persisted_documents"
    ]

    assert len(keys) == 5
    assert [key for key in keys if f"`{key}`" not in readme] == []
    assert [code for code in PERSISTED_ERROR_CODES if f"`{code}`" not in readme] == []
