"""The backend registry: every system the gateway can talk to, by role and name.

A system registers one `BackendKind` from its own package (`erp_backends/<system>/kind.py`
calls `register`): the role it plays, the options `[backends.<role>]` takes for it, how
to open its ports over a `Connection`, and where its emulator lives. Config, wiring, the
`sandbox` and `demo` commands and the test harness iterate the registry, so adding a
system touches only its own package.

Systems outside this package (a company's own SAP adapter, a test double) register by
being imported: name their modules in `[backends] plugins` of the config file, or call
`load_plugins` before reading the config.

The registry never imports an emulator: `EmulatorEntry` names its module, which is
imported only when an emulator is started, so `erp-gateway serve` loads no emulator code.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from erp_backends.http import BackendHttp
from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from erp_backends.writes import ErpWriter

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from erp_backends.emulation.faults import FaultOptions

OptionsT = TypeVar("OptionsT")
PortsT = TypeVar("PortsT")


class Role(StrEnum):
    ERP = "erp"
    CRM = "crm"
    SHOP = "shop"


@dataclass(frozen=True, slots=True)
class Connection:
    """What the gateway hands a system to open its ports: its HTTP client (timeout,
    retries, circuit breaker and rate limit already applied), its credentials and the
    role it plays (for error messages)."""

    http: BackendHttp
    credentials: str
    role: str


@dataclass(frozen=True, slots=True)
class ErpPorts:
    """An ERP's reader and, when it accepts writes, its writer. Both go over the same
    connection: one rate limit, one circuit breaker."""

    reader: ErpBackend
    writer: ErpWriter | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """A `sandbox` option of an emulator: `--<name>`, with the default the demo uses."""

    name: str  # "consumer_key" is given as --consumer-key
    default: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class EmulatedAccess:
    """How a gateway talks to an emulator started with given flags."""

    credentials: str
    options: Any  # the kind's options
    detail: str  # printed by the demo and `sandbox`: "database demo, login admin"


class EmulatorModule(Protocol):
    """What an emulator entry's module provides."""

    def create_app(self, seed: int, faults: FaultOptions, flags: Mapping[str, str]) -> ASGIApp:
        """The emulator's ASGI app over its seeded world."""
        ...

    def access(self, flags: Mapping[str, str]) -> EmulatedAccess: ...


@dataclass(frozen=True, slots=True)
class EmulatorEntry:
    module: str  # imported by `load`, never by the registry itself
    default_port: int
    summary: str  # one line for `erp-gateway sandbox --help`
    flags: tuple[Flag, ...] = ()

    def load(self) -> EmulatorModule:
        module: EmulatorModule = importlib.import_module(self.module)
        return module

    def defaults(self) -> dict[str, str]:
        return {flag.name: flag.default for flag in self.flags}


def _no_problem(_: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class BackendKind(Generic[OptionsT, PortsT]):
    """One system in one role. `options` is a frozen dataclass: the config reads each of
    its fields from `[backends.<role>]` (str, int, float, bool or a Literal of strings;
    a field without a default is required)."""

    name: str  # the config's `kind`
    title: str  # how people write it: "WooCommerce"
    role: Role
    options: type[OptionsT]
    open: Callable[[Connection, OptionsT], PortsT]
    emulator: EmulatorEntry | None = None
    # What is wrong with the credentials' shape (None: nothing), checked at start-up.
    check_credentials: Callable[[str], str | None] = _no_problem
    # The ERP customer fields a CRM or shop can find its customers by.
    link_fields: tuple[str, ...] = ("email", "reference")


ErpKind = BackendKind[Any, ErpPorts]
CrmKind = BackendKind[Any, CrmBackend]
ShopKind = BackendKind[Any, ShopBackend]

_KINDS: dict[tuple[Role, str], BackendKind[Any, Any]] = {}
_discovered = False


class UnknownKind(LookupError):
    def __init__(self, role: Role, name: str) -> None:
        known = ", ".join(kind.name for kind in kinds(role)) or "none"
        super().__init__(f"no {role} system named {name!r}; known: {known}")


def register(kind: BackendKind[Any, Any]) -> None:
    """Add a system; registering the same (role, name) twice is a mistake."""
    existing = _KINDS.get((kind.role, kind.name))
    if existing is not None and existing is not kind:
        raise ValueError(f"the {kind.role} role already has a system named {kind.name!r}")
    _KINDS[(kind.role, kind.name)] = kind


def kinds(role: Role | None = None) -> list[BackendKind[Any, Any]]:
    """Every registered system (of a role), in registration order."""
    _discover()
    return [kind for kind in _KINDS.values() if role is None or kind.role is role]


def kind(role: Role | str, name: str) -> BackendKind[Any, Any]:
    _discover()
    found = _KINDS.get((Role(role), name))
    if found is None:
        raise UnknownKind(Role(role), name)
    return found


def erp(name: str) -> ErpKind:
    return kind(Role.ERP, name)


def crm(name: str) -> CrmKind:
    return kind(Role.CRM, name)


def shop(name: str) -> ShopKind:
    return kind(Role.SHOP, name)


def load_plugins(modules: Iterable[str]) -> None:
    """Import modules that register more systems; an import error names the module."""
    for module in modules:
        importlib.import_module(module)


def _discover() -> None:
    """Import `erp_backends/<system>/kind.py` of every system package, once."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module("erp_backends")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.ispkg and _has_kind(package.__path__, info.name):
            importlib.import_module(f"erp_backends.{info.name}.kind")


def _has_kind(search_path: Iterable[str], package: str) -> bool:
    """Whether `erp_backends/<package>/` holds a `kind` module, found without importing
    the package: `find_spec` of a submodule would import `erp_backends.emulation` too."""
    locations = [os.path.join(path, package) for path in search_path]
    return any(module.name == "kind" for module in pkgutil.iter_modules(locations))
