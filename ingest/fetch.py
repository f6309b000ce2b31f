"""Fetch one web address safely: http(s) only, public hosts only, every redirect checked, size and time bounded."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from rag.config import AppConfig
from rag.errors import FetchError

MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = "ClusterQA/0.1 (document question answering; fetches addresses a user adds)"
ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,*/*;q=0.1"
)


@dataclass(frozen=True)
class Fetched:
    """One answer to a GET: `body` is empty when the server says it has not changed (HTTP 304)."""

    url: str  # the address after redirects
    status: int
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def normalize(address: str) -> str:
    """One spelling per address: lower-case scheme and host, no default port, no fragment or tracking tags."""
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"refused address: it is not a valid web address ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError("refused address: only http:// and https:// addresses are fetched")
    if parts.username is not None or parts.password is not None:
        raise FetchError("refused address: it contains a user name or password, and ClusterQA stores no credentials")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("refused address: it names no host")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(sorted(pairs)), ""))


def check_public(address: str, allow_private: bool) -> None:
    """Refuse a host whose addresses, after DNS, include a loopback, private, link-local or reserved one."""
    if allow_private:
        return
    parts = urlsplit(address)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or DEFAULT_PORTS[parts.scheme], type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"not found: the host {host} does not exist (no DNS answer)") from None
    for info in infos:
        _check_ip(host, str(info[4][0]))


def _check_ip(host: str, address: str) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    if not (mapped or ip).is_global:
        raise FetchError(
            f"refused address: {host} is {ip}, a loopback, private or other non-public address"
            " (set CLUSTERQA_ALLOW_PRIVATE_URLS=1 to allow them)"
        )


def _check_peer(response: httpx.Response, allow_private: bool) -> None:
    """The address really connected to, checked again: a DNS answer that changed since (rebinding) is refused."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not allow_private and peer:
        _check_ip(response.url.host, str(peer[0]))


def fetch(
    client: httpx.Client, address: str, config: AppConfig, etag: str | None = None, last_modified: str | None = None
) -> Fetched:
    """GET an address, following at most MAX_REDIRECTS redirects by hand so each hop is checked."""
    deadline = time.monotonic() + config.fetch_timeout
    current = normalize(address)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        for _ in range(MAX_REDIRECTS + 1):
            check_public(current, config.allow_private_urls)
            with client.stream("GET", current, headers=headers, follow_redirects=False) as response:
                _check_peer(response, config.allow_private_urls)
                if response.is_redirect and response.headers.get("location"):
                    current = normalize(urljoin(current, response.headers["location"]))
                    continue
                _check_status(response.status_code)
                body = b"" if response.status_code == 304 else _read(response, config, deadline)
                return Fetched(
                    url=current,
                    status=response.status_code,
                    content_type=response.headers.get("content-type", ""),
                    body=body,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
    except httpx.TimeoutException:
        raise FetchError(f"timed out: no complete answer within {config.fetch_timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"could not connect: {exc}") from None
    raise FetchError(f"too many redirects: more than {MAX_REDIRECTS}")


def _check_status(status: int) -> None:
    if status in (404, 410):
        raise FetchError(f"not found: the server answered HTTP {status}")
    if status in (401, 403):
        raise FetchError(f"refused by the server: HTTP {status} (the page needs a login or blocks robots)")
    if status >= 400 or (300 <= status < 400 and status != 304):
        raise FetchError(f"the server answered HTTP {status} instead of the document")


def _read(response: httpx.Response, config: AppConfig, deadline: float) -> bytes:
    limit = config.fetch_max_bytes
    too_large = f"too large: over the limit of {config.fetch_max_mb:g} MB (setting CLUSTERQA_FETCH_MAX_MB)"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(too_large)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(too_large)
        if time.monotonic() > deadline:  # a server trickling bytes must not hold us past the timeout
            raise httpx.ReadTimeout("deadline")
        chunks.append(chunk)
    return b"".join(chunks)


def client(config: AppConfig) -> httpx.Client:
    """A client that trusts no environment proxy and never follows redirects on its own."""
    return httpx.Client(timeout=config.fetch_timeout, follow_redirects=False, trust_env=False)
