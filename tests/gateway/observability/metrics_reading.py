"""Reading a /metrics answer back: the value of one sample, by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef"


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(exposition: str, name: str, **labels: str) -> float:
    """The sample's value; 0 for a labelled sample not there yet (a counter not yet moved)."""
    return samples(exposition).get((name, frozenset(labels.items())), 0.0)


def label_values(exposition: str, name: str, label: str) -> set[str]:
    return {
        dict(labels)[label]
        for (sample, labels) in samples(exposition)
        if sample == name and label in dict(labels)
    }
