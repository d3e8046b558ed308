"""The `operation` label's values stay bounded whatever names clients send."""

from __future__ import annotations

from gateway.observability.operations import ANONYMOUS, OTHER, OperationNames

TRUSTED = {"a" * 64: "query OrderHistory { viewer { subject } } mutation Reorder { x }"}


def test_trusted_names_always_have_their_label_and_others_fill_the_room_left():
    names = OperationNames.of_documents(TRUSTED, max_others=1)
    assert names.label("OrderHistory") == "OrderHistory"
    assert names.label("Reorder") == "Reorder"
    assert names.label("First") == "First"
    assert names.label("Second") == OTHER
    assert names.label("First") == "First"  # still its own once admitted
    assert names.label(None) == ANONYMOUS


def test_no_room_means_trusted_names_only():
    names = OperationNames.of_documents(TRUSTED, max_others=0)
    assert names.label("OrderHistory") == "OrderHistory"
    assert names.label("Anything") == OTHER


def test_names_that_did_not_run_or_are_no_graphql_names_take_no_room():
    names = OperationNames(max_others=5)
    assert names.label("Probe", ran=False) == OTHER
    assert names.label("x" * 65) == OTHER
    assert names.label("not a name") == OTHER
    assert names.label("Real") == "Real"
    assert names.label("Probe") == "Probe"  # room was left for it
