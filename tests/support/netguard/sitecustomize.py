"""Loaded by Python at start-up when this folder is on PYTHONPATH: refuse and log any connection
that would leave the machine, so a test can prove a command stays offline."""

import os
import socket

_log = os.environ.get("NETGUARD_LOG", "")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _local(address: object) -> bool:
    if isinstance(address, str | bytes):  # a unix socket path
        return True
    host = str(address[0]) if isinstance(address, tuple) else ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _record(address: object) -> None:
    if _log:
        with open(_log, "a", encoding="utf-8") as handle:
            handle.write(f"{address!r}\n")


def connect(self: socket.socket, address: object) -> None:
    if not _local(address):
        _record(address)
        raise OSError("network access is blocked in this test")
    _connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    if not _local(address):
        _record(address)
        return 111
    return _connect_ex(self, address)


def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if host not in (None, "localhost", "127.0.0.1", "::1") and not str(host).startswith("127."):
        _record((host, "dns"))
        raise socket.gaierror("name resolution is blocked in this test")
    return _getaddrinfo(host, *args, **kwargs)


_getaddrinfo = socket.getaddrinfo
socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
