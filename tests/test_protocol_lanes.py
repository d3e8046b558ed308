"""`make test-protocols` reruns the tests that build a gateway over the emulators with the
Odoo adapter on its other protocols and the WooCommerce emulator over HTTPS. It runs
the modules listed in the Makefile's WIRE_TESTS; a module left out would silently run
on one protocol only, so this test finds every module that depends on the lane's
settings and fails on any that the list does not cover."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
# What makes a test follow ODOO_PROTOCOL and WOOCOMMERCE_EMULATOR_TLS: the gateway
# settings that default to the lane's protocol, and the WooCommerce emulator's URL.
DEPENDS_ON_THE_LANE = re.compile(
    r"\b(odoo_settings|federated_settings)\(|\bwoocommerce_emulator_url\b"
)


def wire_tests() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^WIRE_TESTS := (.*)$", makefile, re.MULTILINE)
    assert match, "the Makefile has no WIRE_TESTS"
    return match.group(1).split()


def depends_on_the_lane(module: Path) -> bool:
    """The module, or a conftest.py between it and tests/ (whose fixtures it gets)."""
    sources = [module] + [
        folder / "conftest.py"
        for folder in module.parents
        if folder != TESTS and TESTS in folder.parents and (folder / "conftest.py").exists()
    ]
    return any(DEPENDS_ON_THE_LANE.search(source.read_text(encoding="utf-8")) for source in sources)


def covered(module: str, entries: list[str]) -> bool:
    # A folder covers its modules, a file itself; a test id (file::test) is taken as the
    # module's one test that depends on the lane.
    return any(
        module == entry.split("::")[0] or module.startswith(entry.rstrip("/") + "/")
        for entry in entries
    )


def test_every_module_that_follows_the_protocol_settings_runs_in_the_lanes():
    entries = wire_tests()
    for entry in entries:
        assert (ROOT / entry.split("::")[0]).exists(), f"WIRE_TESTS names {entry}, which is gone"
    dependent = sorted(
        str(module.relative_to(ROOT))
        for module in TESTS.rglob("test_*.py")
        if depends_on_the_lane(module)
    )
    assert "tests/commands/test_batch_drain.py" in dependent  # through its conftest
    missing = [module for module in dependent if not covered(module, entries)]
    assert not missing, f"add these to WIRE_TESTS in the Makefile: {missing}"
