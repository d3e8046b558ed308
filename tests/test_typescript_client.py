"""The TypeScript client of mobile_examples/typescript, built as an app team builds it:
graphql-codegen over schema.graphql and the operations, then `tsc --noEmit`, strict.

Each test works on a copy of the client (node_modules linked, the generated code
fresh), so a broken schema, operation or use fails here with the tool's own output.
The manifest that codegen writes must be the one `erp-gateway persisted export` writes,
hash for hash, and the compiled client runs against a gateway over the Odoo emulator.
`make test` installs the npm packages first (mobile_examples/typescript/node_modules)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from erp_backends.odoo import emulator as odoo_emulator
from gateway.auth.principal import PrincipalKind
from gateway.config import GraphQLSettings, Settings
from gateway.persisted_documents import read_manifest
from gateway.wiring.cli import main
from tests.harness import (
    NO_CACHE,
    TEST_AUTH,
    data_of,
    emulated_backend,
    graphql,
    own_queue,
    require_node_packages,
    running_gateway,
    token_for,
)
from tests.security.conftest import WRITE_SCOPES
from tests.servers import serve_in_thread

pytestmark = pytest.mark.slow  # it starts Node.js, and a gateway on a socket

ROOT = Path(__file__).parents[1]
CLIENT = ROOT / "mobile_examples/typescript"
OPERATIONS = ROOT / "mobile_examples/operations"
NODE_MODULES = CLIENT / "node_modules"
# What the copies leave out: installed or generated, never written by hand.
NOT_COPIED = shutil.ignore_patterns("node_modules", "gql", "build")

CUSTOMERS_WITH_ORDERS = """
query CustomersWithOrders {
  customers(first: 10) { nodes { id orders(first: 1) { totalCount } } }
  products(first: 1) { nodes { sku } }
}
"""


def run(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A tool of the client's own node_modules, in `project`, its output kept."""
    require_node_packages(CLIENT)
    tool = project / "node_modules/.bin" / command[0]
    return subprocess.run(
        [str(tool), *command[1:]], cwd=project, capture_output=True, text=True, timeout=300
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def failed(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, f"{result.args} passed; expected it to fail"
    return result.stdout + result.stderr


def copy_of_client(tmp_path: Path) -> Path:
    """The client, its operations and the schema, laid out as in the repository."""
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")
    shutil.copytree(OPERATIONS, tmp_path / "mobile_examples/operations")
    project = tmp_path / "mobile_examples/typescript"
    shutil.copytree(CLIENT, project, ignore=NOT_COPIED)
    (project / "node_modules").symlink_to(NODE_MODULES)
    return project


def codegen(project: Path) -> subprocess.CompletedProcess[str]:
    return run(project, "graphql-codegen", "--config", "codegen.ts")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A copy of the client with its code generated and type-checked."""
    project = copy_of_client(tmp_path_factory.mktemp("client"))
    succeeded(codegen(project))
    succeeded(run(project, "tsc", "--noEmit"))
    return project


def test_the_client_builds_and_type_checks_against_the_schema(generated):
    types = (generated / "src/gql/graphql.ts").read_text()

    assert "export const PlaceOrderDocument" in types
    # Decimal (amount), DateTime (orderedAt) and Date (dueOn) are strings, as sent.
    assert "orderedAt: string, total: { amount: string, currency: string }" in types
    assert "dueOn: string | null" in types


def test_an_operation_selecting_a_field_the_schema_lacks_fails_codegen(tmp_path):
    project = copy_of_client(tmp_path)
    operation = tmp_path / "mobile_examples/operations/MyOrders.graphql"
    operation.write_text(operation.read_text().replace("      name\n", "      nickname\n", 1))

    output = failed(codegen(project))

    assert 'Cannot query field "nickname" on type "Customer"' in output


def test_a_decimal_used_as_a_number_fails_tsc(generated):
    misuse = generated / "src/misuse.ts"
    misuse.write_text(
        'import type { OrderDetailQuery } from "./gql/graphql.js";\n'
        "export const cents = (order: NonNullable<OrderDetailQuery['order']>): number =>\n"
        "  order.total.amount * 100;\n"
    )
    try:
        output = failed(run(generated, "tsc", "--noEmit"))
    finally:
        misuse.unlink()

    assert "src/misuse.ts(3,3): error TS2362" in output, output


def test_the_manifest_is_what_persisted_export_writes_and_the_gateway_reads(
    generated, tmp_path, capsys
):
    manifest = generated / "src/gql/persisted-documents.json"
    exported = tmp_path / "exported.json"

    assert (
        main(["persisted", "export", "--operations", str(OPERATIONS), "--out", str(exported)]) == 0
    )
    capsys.readouterr()

    assert manifest.read_bytes() == exported.read_bytes()
    assert len(read_manifest(manifest)) == len(list(OPERATIONS.glob("*.graphql")))


def test_every_generated_operation_carries_its_manifest_hash(generated):
    manifest = json.loads((generated / "src/gql/persisted-documents.json").read_text())
    types = (generated / "src/gql/graphql.ts").read_text()

    embedded = {h for h in manifest if f'{{"hash":"{h}"}}' in types}

    assert embedded == set(manifest)


# --- The compiled client against a gateway -------------------------------------------


@pytest.fixture(scope="module")
def compiled(generated) -> Path:
    succeeded(run(generated, "tsc", "--outDir", "build"))
    return generated / "build/demo.js"


@pytest.fixture(scope="module")
def odoo_url():
    """An Odoo emulator of the module's own: the client places an order in it."""
    with serve_in_thread(odoo_emulator.create_app(odoo_emulator.EmulatorOptions(seed=1))) as url:
        yield url


def gateway_settings(odoo_url: str, graphql_settings: GraphQLSettings) -> Settings:
    # The Odoo adapter on its default protocol: the client sees the gateway only.
    erp = emulated_backend("erp", "odoo", odoo_url)
    queue = own_queue(sync_wait_ms=20_000)
    return Settings(erp=erp, cache=NO_CACHE, auth=TEST_AUTH, queue=queue, graphql=graphql_settings)


def a_customer_and_a_sku(gateway: str) -> tuple[str, str]:
    data = data_of(graphql(gateway, CUSTOMERS_WITH_ORDERS))
    customers = data["customers"]["nodes"]
    customer = next(c["id"] for c in customers if c["orders"]["totalCount"] > 2)
    return customer, data["products"]["nodes"][0]["sku"]


@pytest.mark.parametrize(
    "trusted",
    [True, False],
    ids=["trusted documents only", "automatic persisted queries"],
)
def test_the_compiled_client_runs_every_operation_against_a_gateway(
    compiled, generated, odoo_url, trusted
):
    """Trusted: customers may run only the manifest's documents, which the client names
    by hash. Without a manifest the first hash is unknown and the client sends the text
    once (APQ); either way every operation answers."""
    manifest = read_manifest(generated / "src/gql/persisted-documents.json")
    graphql_settings = (
        GraphQLSettings(persisted_documents=manifest, persisted_only_for=frozenset({"customer"}))
        if trusted
        else GraphQLSettings()
    )
    with running_gateway(gateway_settings(odoo_url, graphql_settings)) as gateway:
        customer, sku = a_customer_and_a_sku(gateway)
        token = token_for(PrincipalKind.CUSTOMER, scopes=WRITE_SCOPES, customer_id=customer)
        env = {
            **os.environ,
            "GATEWAY_URL": f"{gateway}/graphql",
            "GATEWAY_TOKEN": token,
            "SKU": sku,
        }
        result = subprocess.run(
            ["node", str(compiled)], env=env, capture_output=True, text=True, timeout=120
        )

    answer = json.loads(succeeded(result))
    assert answer["orders"] > 2  # every page, two at a time
    assert answer["receipt"][-2].startswith("total ")
    assert answer["stock"]["total"]
    assert answer["placed"]["status"] in {"CONFIRMED", "QUEUED"}
    assert answer["missing"] == "NOT_FOUND"
