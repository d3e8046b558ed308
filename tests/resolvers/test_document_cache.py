"""A document is parsed and validated once per query text (resolvers/limits/
document_cache.py); the checks before validation still run on every request, and an
invalid document gets its errors every time."""

from collections.abc import Iterator

import pytest
import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.limits.document_cache import CachedDocuments, DocumentCache


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"hello {name}"


class RefuseWhenAsked(SchemaExtension):
    """Stands for `OperationLimits`: refuses before validation when the context says."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.context.get("refuse"):
            self.execution_context.pre_execution_errors = [GraphQLError("over a limit")]
        yield


@pytest.fixture
def cache():
    return DocumentCache()


@pytest.fixture
def validations(monkeypatch):
    """How often graphql-core's validation ran."""
    import strawberry.schema.schema as strawberry_schema

    runs = []
    validate = strawberry_schema.validate_document

    def counted(*args, **kwargs):
        runs.append(args[1])
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counted)
    return runs


def schema_with(cache):
    return strawberry.Schema(
        query=Query, extensions=[RefuseWhenAsked, lambda: CachedDocuments(cache=cache)]
    )


async def test_the_same_text_is_parsed_and_validated_once(cache, validations):
    schema = schema_with(cache)
    query = "query Greet($n: String!) { hello(name: $n) }"

    first = await schema.execute(query, variable_values={"n": "a"}, context_value={})
    second = await schema.execute(query, variable_values={"n": "b"}, context_value={})

    assert (first.data, second.data) == ({"hello": "hello a"}, {"hello": "hello b"})
    assert (cache.parsed, len(validations)) == (1, 1)


async def test_an_invalid_document_gets_its_errors_every_time(cache, validations):
    schema = schema_with(cache)

    for _ in range(2):
        result = await schema.execute("{ goodbye }", context_value={})
        assert result.errors
        assert "goodbye" in result.errors[0].message

    assert len(validations) == 2  # never marked valid


async def test_a_check_before_validation_still_refuses_a_cached_document(cache, validations):
    schema = schema_with(cache)
    await schema.execute("{ hello }", context_value={})

    refused = await schema.execute("{ hello }", context_value={"refuse": True})
    again = await schema.execute("{ hello }", context_value={})

    assert [e.message for e in refused.errors or []] == ["over a limit"]
    assert again.data == {"hello": "hello world"}
    assert len(validations) == 1


def test_the_least_recently_used_text_goes_first():
    from graphql import parse

    cache = DocumentCache(max_documents=2)
    for query in ("{ a }", "{ b }"):
        cache.put(query, parse(query))
    cache.get("{ a }")
    cache.put("{ c }", parse("{ c }"))

    assert cache.get("{ b }") is None
    assert cache.get("{ a }") is not None
    assert cache.get("{ c }") is not None
