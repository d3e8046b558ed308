"""Servers on real loopback sockets for the duration of a test."""

from __future__ import annotations

import datetime
import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.types import ASGIApp

from gateway.wiring import server
from gateway.wiring.server import serve_in_thread

__all__ = [
    "Certificate",
    "bind_free_socket",
    "self_signed_certificate",
    "serve_in_thread",
    "serve_tls_in_thread",
]


def bind_free_socket(host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    return sock


def free_port() -> int:
    """A port free a moment ago, for a server another process starts on it."""
    sock = bind_free_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@contextmanager
def serve_tls_in_thread(
    app: ASGIApp, certfile: str, keyfile: str, *, timeout_s: float = 30.0
) -> Iterator[str]:
    """Serve `app` over HTTPS with the given certificate on a free loopback port, from a
    thread of its own; yields its `https://127.0.0.1:<port>` base URL. The app sees the
    scheme of the socket only: no proxy headers are trusted."""
    sock = server.bind("127.0.0.1", 0)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        proxy_headers=False,
        timeout_graceful_shutdown=1,
        timeout_keep_alive=server.BACKEND_KEEP_ALIVE_S,
    )
    with server.running_in_thread(config, sock, timeout_s=timeout_s):
        yield f"https://127.0.0.1:{sock.getsockname()[1]}"


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost: its own trust anchor."""

    certfile: str
    keyfile: str


def self_signed_certificate(directory: Path) -> Certificate:
    """Write a fresh key and a self-signed certificate valid for a day into `directory`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "erp-gateway tests")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "shop.crt", directory / "shop.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(str(certfile), str(keyfile))
