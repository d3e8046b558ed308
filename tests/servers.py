"""Servers on real loopback sockets for the duration of a test."""

from __future__ import annotations

import socket

from gateway.wiring.server import serve_in_thread

__all__ = ["bind_free_socket", "serve_in_thread"]


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
