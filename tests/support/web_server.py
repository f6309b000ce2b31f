"""A small HTTP server on 127.0.0.1 for `clusterqa add` tests: pages, redirects, errors, slow and large answers."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None
    delay: float = 0.0
    etag: bool = True
    length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass
class Site:
    """Routes by path; tests change them between fetches. `hits` counts requests per path."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            site.hits[self.path] = site.hits.get(self.path, 0) + 1
            route = site.routes.get(self.path, Route(b"<html><body><p>no such page</p></body></html>", status=404))
            time.sleep(route.delay)
            tag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.etag and route.status == 200 and self.headers.get("If-None-Match") == tag:
                site.not_modified += 1
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            if route.length:
                self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", tag)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_site() -> Iterator[Site]:
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def article_page(title: str, paragraphs: list[str], date: str = "2025-03-04") -> bytes:
    """An article with the furniture of a real site around it: menu, cookie notice, footer."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{date}T09:00:00Z"><meta name="author" content="Ada Quill">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/topics">Topics menu entry</a></li>
<li><a href="/subscribe">Subscribe to the newsletter</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your browsing experience. Accept all cookies.</div>
<main><article><h1>{title}</h1>{body}</article></main>
<footer><p>Copyright Footer Holdings. All rights reserved. Privacy policy and terms of use.</p></footer>
</body></html>""".encode()
