"""Odoo domains: parsing, errors and evaluation over a small in-memory database."""

from __future__ import annotations

from typing import Any

import pytest

from erp_backends.odoo.domain import (
    And,
    Constant,
    DomainError,
    InvalidFieldError,
    Leaf,
    Not,
    Or,
    compile_domain,
    parse,
)
from erp_backends.odoo.emulator.db import Database, FieldSpec, ModelSpec

SPECS = (
    ModelSpec(
        "res.country",
        "Country",
        (
            FieldSpec("name", "char", "Name"),
            FieldSpec("code", "char", "Code"),
        ),
    ),
    ModelSpec("res.partner.category", "Tag", (FieldSpec("name", "char", "Name"),)),
    ModelSpec(
        "res.partner",
        "Contact",
        (
            FieldSpec("name", "char", "Name"),
            FieldSpec("email", "char", "Email"),
            FieldSpec("active", "boolean", "Active"),
            FieldSpec("rank", "integer", "Rank"),
            FieldSpec("created", "date", "Created"),
            FieldSpec("seen", "datetime", "Seen"),
            FieldSpec("country_id", "many2one", "Country", comodel="res.country"),
            FieldSpec("parent_id", "many2one", "Parent", comodel="res.partner"),
            FieldSpec(
                "child_ids", "one2many", "Children", comodel="res.partner", inverse="parent_id"
            ),
            FieldSpec("category_ids", "many2many", "Tags", comodel="res.partner.category"),
        ),
    ),
)

# A table, one partner a row: exploded, its rows would no longer line up with COLUMNS.
COLUMNS = "name email active rank created seen country_id parent_id category_ids".split()
PARTNERS = {
    1: ("Azure Interior", "info@azure.example", True, 3, "2026-01-10", "2026-01-10 09:00:00",
        1, None, [1]),
    2: ("Azure, Billing", None, True, 0, "2026-02-01", None, 1, 1, []),
    3: ("Deco Addict", "deco@addict.example", True, 1, "2026-03-15", "2026-03-15 18:30:00",
        2, None, [1, 2]),
    4: ("Gemini 100%_Furniture", "GEMINI@example.com", True, 0, None, None, None, None, [2]),
    5: ("Old Archive", None, False, 5, "2020-05-05", None, 2, None, []),
}  # fmt: skip


@pytest.fixture(scope="module")
def db():
    database = Database(SPECS)
    database.insert("res.country", {"name": "Belgium", "code": "BE"})
    database.insert("res.country", {"name": "United States", "code": "US"})
    database.insert("res.partner.category", {"name": "VIP"})
    database.insert("res.partner.category", {"name": "Reseller"})
    for pid, row in PARTNERS.items():
        database.insert("res.partner", {"id": pid, **dict(zip(COLUMNS, row, strict=True))})
    return database


def ids(db: Database, domain: list[Any], *, active_test: bool = False) -> list[int]:
    return db.table("res.partner").search(domain, active_test=active_test)


# --- parsing -----------------------------------------------------------------------------


def test_empty_domain_matches_everything():
    assert parse([]) == Constant(True)


def test_consecutive_terms_are_anded():
    assert parse([("a", "=", 1), ("b", "=", 2)]) == And(
        (Leaf(("a",), "=", 1), Leaf(("b",), "=", 2))
    )


def test_prefix_operators_nest_in_polish_notation():
    # Given '|' over two terms, then a third term ANDed with the OR
    domain = ["|", ("a", "=", 1), "!", ("b", "=", 2), ("c.d", "ilike", "x")]
    # Then the tree is (a OR NOT b) AND c.d
    assert parse(domain) == And(
        (
            Or((Leaf(("a",), "=", 1), Not(Leaf(("b",), "=", 2)))),
            Leaf(("c", "d"), "ilike", "x"),
        )
    )


def test_long_or_chains_are_flattened_without_recursion():
    domain = ["|"] * 1999 + [("id", "=", n) for n in range(2000)]
    tree = parse(domain)
    assert isinstance(tree, Or)
    assert len(tree.children) == 2000


def test_true_and_false_leaves_are_constants():
    assert parse([(1, "=", 1)]) == Constant(True)
    assert parse([(0, "=", 1)]) == Constant(False)


@pytest.mark.parametrize(
    ("domain", "names"),
    [
        ("state = sale", "Invalid domain 'state = sale'"),
        ({"state": "sale"}, "a domain is a list"),
        ([("state", "=")], "Invalid domain term ('state', '=')"),
        ([("state", "=", "sale", 1)], "expected [field, operator, value]"),
        ([("state", "==", "sale")], "Invalid operator '=='"),
        ([(3, "=", "sale")], "Invalid field 3"),
        ([("state", "=", "sale"), "&"], "operator '&' is missing an operand"),
        (["|", ("state", "=", "sale")], "operator '|' is missing an operand"),
        (["and", ("a", "=", 1), ("b", "=", 1)], "Invalid domain operator 'and'"),
        ([("parent_id", "child_of", 1)], "Operator 'child_of' is not supported"),
    ],
)
def test_malformed_domains_raise_value_errors_naming_the_bad_part(domain, names):
    with pytest.raises(DomainError) as raised:
        parse(domain)
    assert isinstance(raised.value, ValueError)
    assert names in str(raised.value)


def test_unknown_field_names_field_and_model(db):
    with pytest.raises(InvalidFieldError, match=r"Invalid field 'foo' on model 'res\.partner'"):
        ids(db, [("foo", "=", 1)])


def test_unknown_field_in_a_path_names_the_comodel(db):
    with pytest.raises(ValueError, match=r"Invalid field 'iso' on model 'res\.country'"):
        ids(db, [("country_id.iso", "=", "BE")])


def test_a_path_through_a_scalar_field_is_refused(db):
    with pytest.raises(DomainError, match="'name' is not a relational field"):
        ids(db, [("name.code", "=", "BE")])


# --- evaluation --------------------------------------------------------------------------

CASES = [
    ([("name", "=", "Deco Addict")], [3]),
    ([("name", "!=", "Deco Addict")], [1, 2, 4, 5]),
    ([("email", "=", False)], [2, 5]),
    ([("email", "!=", False)], [1, 3, 4]),
    ([("email", "ilike", "EXAMPLE.com")], [4]),
    ([("email", "like", "example")], [1, 3, 4]),
    ([("email", "not ilike", "azure")], [2, 3, 4, 5]),  # unset values match negations
    ([("name", "=like", "Azure%")], [1, 2]),
    ([("name", "=ilike", "azure_interior")], [1]),
    ([("name", "like", "100%_F")], [4]),
    ([("rank", ">", 0)], [1, 3, 5]),
    ([("rank", "<=", 1)], [2, 3, 4]),
    ([("rank", "in", [0, 5])], [2, 4, 5]),
    ([("rank", "not in", [0, 5])], [1, 3]),
    ([("created", ">=", "2026-02-01")], [2, 3]),
    ([("created", "<", "2026-02-01")], [1, 5]),
    ([("seen", ">=", "2026-03-15")], [3]),  # a date against a datetime means midnight
    ([("active", "=", False)], [5]),
    ([("active", "!=", True)], [5]),
    ([("id", "in", [2, 4, 99])], [2, 4]),
    ([("country_id", "=", 1)], [1, 2]),
    ([("country_id", "=", False)], [4]),
    ([("country_id", "in", [2, False])], [3, 4, 5]),
    ([("country_id", "not in", [1])], [3, 4, 5]),
    ([("country_id", "ilike", "belg")], [1, 2]),
    ([("country_id", "=", "United States")], [3, 5]),
    ([("country_id.code", "=", "US")], [3, 5]),
    ([("country_id.code", "!=", "US")], [1, 2, 4]),  # no country: a LEFT JOIN keeps it
    ([("parent_id.country_id.code", "=", "BE")], [2]),
    ([("parent_id.country_id", "=", 1)], [2]),  # indexed through the parent's index
    ([("parent_id.id", "in", [1, 3])], [2]),
    ([("parent_id", "=", False)], [1, 3, 4, 5]),
    ([("child_ids", "!=", False)], [1]),
    ([("child_ids", "=", False)], [2, 3, 4, 5]),
    ([("child_ids.name", "ilike", "billing")], [1]),
    ([("category_ids", "in", [2])], [3, 4]),
    ([("category_ids", "not in", [2])], [1, 2, 5]),
    ([("category_ids", "=", 1)], [1, 3]),
    ([("category_ids", "=", False)], [2, 5]),
    ([("category_ids.name", "=", "VIP")], [1, 3]),
    ([("category_ids.name", "!=", "VIP")], [2, 4, 5]),  # negation on x2many: none matches
    ([("category_ids", "ilike", "resell")], [3, 4]),
    ([("category_ids", "any", [("name", "=", "Reseller")])], [3, 4]),
    ([("country_id", "not any", [("code", "=", "BE")])], [3, 4, 5]),
    ([("email", "=?", False)], [1, 2, 3, 4, 5]),
    ([("rank", "=?", 3)], [1]),
    (["|", ("rank", "=", 3), ("name", "ilike", "deco")], [1, 3]),
    (["!", ("country_id.code", "=", "BE")], [3, 4, 5]),
    (["&", ("rank", ">", 0), "|", ("country_id", "=", 2), ("email", "ilike", "azure")], [1, 3, 5]),
    ([("rank", ">", 0), ("country_id", "=", 2)], [3, 5]),
    ([(0, "=", 1)], []),
]


@pytest.mark.parametrize(("domain", "expected"), CASES, ids=[str(d) for d, _ in CASES])
def test_domain_matches_like_odoo(db, domain, expected):
    assert ids(db, domain) == expected


def test_archived_records_are_hidden_unless_the_domain_filters_on_active(db):
    assert ids(db, [("rank", ">", 0)], active_test=True) == [1, 3]
    assert ids(db, [("active", "in", [True, False])], active_test=True) == [1, 2, 3, 4, 5]


def test_operators_are_case_insensitive(db):
    assert ids(db, [("name", "ILIKE", "azure")]) == [1, 2]


def test_writes_keep_the_indexes_as_a_rebuild_would_make_them():
    """Inserts, updates and deletes maintain a table's indexes in place; what they leave
    is exactly what a rebuild from the records gives, and searches see every write."""
    database = Database(SPECS)
    partners = database.table("res.partner")
    database.insert("res.country", {"name": "Belgium", "code": "BE"})
    database.insert("res.country", {"name": "United States", "code": "US"})
    for pid, row in PARTNERS.items():
        database.insert("res.partner", {"id": pid, **dict(zip(COLUMNS, row, strict=True))})
    assert partners.index("country_id") == {1: [1, 2], 2: [3, 5]}  # built now, then kept

    database.insert("res.partner", {"name": "New", "country_id": 2, "parent_id": 3})
    database.update("res.partner", 1, {"country_id": 2})
    database.update("res.partner", 4, {"country_id": 1, "name": "Gemini"})
    database.update("res.partner", 3, {"name": "Deco"})  # no indexed field changes
    database.delete("res.partner", 5)

    kept = {name: partners.index(name) for name in ("country_id", "parent_id")}
    rebuilt = Database(SPECS)
    for record in partners.records.values():
        rebuilt.table("res.partner").records[record["id"]] = dict(record)
    expected = {name: rebuilt.table("res.partner").index(name) for name in kept}
    assert kept == expected
    assert kept["country_id"] == {1: [2, 4], 2: [1, 3, 6]}
    assert partners.search([["country_id", "=", 2]], active_test=False) == [1, 3, 6]
    assert partners.search([["parent_id", "in", [1, 3]]], active_test=False) == [2, 6]


def test_texts_looked_up_by_exact_value_find_what_a_scan_finds_after_writes():
    """`=` and `in` on a text field go through an index of its values (kept by writes);
    they find exactly what comparing every record finds: case and spaces count, unset
    values are not texts."""
    database = Database(SPECS)
    partners = database.table("res.partner")
    for pid, row in PARTNERS.items():
        database.insert("res.partner", {"id": pid, **dict(zip(COLUMNS, row, strict=True))})

    def both(domain: list) -> list[int]:
        indexed = partners.search(domain, active_test=False)
        leaf = domain[0]
        values = leaf[2] if leaf[1] == "in" else [leaf[2]]
        scanned = [i for i, r in sorted(partners.records.items()) if r[leaf[0]] in values]
        assert indexed == scanned, domain
        return indexed

    assert both([["email", "in", ["deco@addict.example", "GEMINI@example.com"]]]) == [3, 4]
    assert both([["email", "=", "gemini@example.com"]]) == []  # exact: case counts
    assert both([["name", "in", ["Azure, Billing", "Nobody"]]]) == [2]
    database.update("res.partner", 2, {"email": "billing@azure.example"})
    database.update("res.partner", 3, {"email": None})
    database.insert("res.partner", {"id": 9, "name": "Nine", "email": "deco@addict.example"})
    assert both([["email", "=", "billing@azure.example"]]) == [2]
    assert both([["email", "in", ["deco@addict.example"]]]) == [9]
    unset = [i for i, r in sorted(partners.records.items()) if not r["email"]]
    assert partners.search([["email", "=", False]], active_test=False) == unset
    assert "index:email" in partners._cache  # the lookups went through the index


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("child_ids.name", "=", "Azure, Billing")], [1]),
        ([("child_ids.name", "in", ["Nobody", "Azure, Billing"])], [1]),
        ([("child_ids.id", "in", [2, 3])], [1]),
        ([("child_ids.name", "=", "Deco Addict")], []),  # a partner, but nobody's child
        (["|", ("id", "in", [3]), ("parent_id", "=", 1)], [2, 3]),
        (
            ["|", ("child_ids.name", "=", "Azure, Billing"), ("email", "=", "deco@addict.example")],
            [1, 3],
        ),
    ],
)
def test_indexed_terms_through_a_one2many_or_in_an_or_find_what_a_scan_finds(db, domain, expected):
    """A term through a one2many narrows to the owners of the comodel's indexed matches,
    and an OR to the union of its branches' matches, each a superset the domain then
    filters: they find what testing every record finds."""
    partners = db.table("res.partner")
    predicate = compile_domain(parse(domain), partners)
    scanned = [i for i, record in sorted(partners.records.items()) if predicate(record)]
    assert partners._candidates(parse(domain)) is not None  # narrowed, not scanned
    assert ids(db, domain) == scanned == expected


def test_an_or_with_a_branch_no_index_narrows_is_scanned(db):
    domain = ["|", ("id", "=", 4), ("name", "ilike", "deco")]
    assert db.table("res.partner")._candidates(parse(domain)) is None
    assert ids(db, domain) == [3, 4]
