"""`erp-gateway serve` and the worker load no emulator code, checked on what Python really
imports (the import-linter contracts in pyproject.toml check the import statements).

Each check runs in a fresh interpreter: this test process has imported the emulators
already (tests/conftest.py starts them).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.harness import TEST_SECRET

# Starts fresh interpreters.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]

# Prints the modules loaded after `code` as a JSON list, on its last line.
REPORT = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def loaded_modules(code: str, env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", f"{textwrap.dedent(code)}\n{REPORT}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def emulator_modules(modules: list[str]) -> list[str]:
    """`erp_backends.<system>.emulator...` and `erp_backends.emulation...`."""
    found = []
    for name in modules:
        parts = name.split(".")
        if parts[0] != "erp_backends" or len(parts) < 2:
            continue
        if parts[1] == "emulation" or (len(parts) > 2 and parts[2] == "emulator"):
            found.append(name)
    return found


def test_the_entry_points_import_no_emulator():
    modules = loaded_modules(
        "import gateway.wiring.app, gateway.wiring.cli, gateway.wiring.worker_process"
    )
    assert "gateway.wiring.app" in modules
    assert emulator_modules(modules) == []


SERVE_CONFIG = """\
[backends.erp]
kind = "odoo"
url = "http://127.0.0.1:8069"
database = "demo"
credentials_env = "ODOO_API_KEY"

[backends.crm]
kind = "hubspot"
url = "http://127.0.0.1:8071"
credentials_env = "HUBSPOT_TOKEN"

[backends.shop]
kind = "woocommerce"
url = "http://127.0.0.1:8072"
credentials_env = "WOO_KEYS"

[auth]
store = "sqlite:///{tmp}/auth.sqlite3"

[queue]
url = "sqlite:///{tmp}/queue.sqlite3"
"""


def test_serve_imports_no_emulator(tmp_path):
    """What `erp-gateway serve` runs up to listening: the parser as `main` builds it
    (every system's `sandbox` command included), the config with all three roles read
    through the registry, and the app built."""
    config = tmp_path / "gateway.toml"
    config.write_text(SERVE_CONFIG.format(tmp=tmp_path))
    code = f"""
        import os
        from pathlib import Path
        from gateway.wiring import cli
        args = cli._parser().parse_args(["serve", "--config", {str(config)!r}])
        assert args.run is cli._serve
        from gateway.wiring.app import create_app
        settings = cli.load_settings(Path(args.config), os.environ)
        assert settings.shop is not None and settings.crm is not None
        create_app(settings)
    """
    env = {
        "ODOO_API_KEY": "x",
        "HUBSPOT_TOKEN": "pat-x",
        "WOO_KEYS": "ck_x:cs_x",
        "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal(),
    }
    modules = loaded_modules(code, env)
    assert "erp_backends.woocommerce.kind" in modules
    assert emulator_modules(modules) == []
