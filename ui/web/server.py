"""Launching the web UI: local, private and offline, optionally behind a login."""

from __future__ import annotations

import ipaddress
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rag.answering.assistant import WARM_UP_QUESTION
from rag.app import AppContext
from rag.config import AppConfig
from rag.errors import ClusterQAError, ConfigError


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """`user:password[,user:password...]`, or the path of a file of `user:password` lines (# comments)."""
    if not value or not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        entries = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    else:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    pairs = []
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise ConfigError("each login must be written user:password (setting CLUSTERQA_AUTH)")
        pairs.append((user.strip(), password))
    return pairs or None


def auth_from_config(config: AppConfig) -> list[tuple[str, str]] | None:
    """The logins of setting `auth` (CLUSTERQA_AUTH)."""
    return parse_auth(config.auth)


def launch_options(config: AppConfig, host: str, port: int, auth: list[tuple[str, str]] | None) -> dict[str, Any]:
    """No share link, no API page or footer, no analytics, no web fonts, no server-side rendering."""
    from ui.web.evaluation import reports_dir
    from ui.web.style import CSS, theme

    return {
        "server_name": host,
        "server_port": port,
        "auth": auth or None,
        "auth_message": "ClusterQA: sign in to ask questions and manage documents." if auth else None,
        "share": False,
        "footer_links": [],
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "enable_monitoring": False,
        "max_file_size": config.max_file_bytes,
        "allowed_paths": [str(reports_dir(config))],  # the Evaluation tab's report files, for download
        "theme": theme(),
        "css": CSS,
        "show_error": True,
        "quiet": True,
    }


def serve(
    ctx: AppContext, host: str = "127.0.0.1", port: int = 7860, auth: list[tuple[str, str]] | None = None
) -> None:
    """Start the web UI and block; without `auth`, the logins of setting CLUSTERQA_AUTH (if any) apply.

    It says it is ready only once warm: model loaded, index and BM25 open, one question answered, then one
    through its own `/ask` endpoint (gradio's first event costs about half a second), so the first question
    is as fast as any other. The model and index warm up while gradio loads.
    """
    started = time.perf_counter()
    problems: list[str] = []
    warming = threading.Thread(target=warm_up, args=(ctx, problems), name="warm-up", daemon=True)
    warming.start()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.web.app import create_app

    auth = auth if auth is not None else auth_from_config(ctx.config)
    if not auth and not is_loopback(host):
        print(f"warning: serving on {host} without a login; set CLUSTERQA_AUTH=user:password", file=sys.stderr)
    demo = create_app(ctx)
    demo.launch(**launch_options(ctx.config, host, port, auth), prevent_thread_lock=True)
    warming.join()
    if not problems:
        warm_up_endpoint(demo.local_url or f"http://127.0.0.1:{port}/", auth, problems)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    seconds = time.perf_counter() - started
    print(f"ClusterQA web UI ready on http://{host}:{port} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    demo.block_thread()


def warm_up(ctx: AppContext, problems: list[str]) -> None:
    """Answer one question so everything a question needs is loaded; a problem is noted, questions will show it."""
    try:
        ctx.assistant.warm_up()
    except ClusterQAError as exc:
        problems.append(f"not warmed up: {exc}")


def warm_up_endpoint(url: str, auth: list[tuple[str, str]] | None, problems: list[str]) -> None:
    from gradio_client import Client

    try:
        Client(url, auth=auth[0] if auth else None, verbose=False).predict(WARM_UP_QUESTION, api_name="/ask")
    except Exception as exc:  # whatever gradio_client raises: questions will show the problem
        problems.append(f"the ask endpoint did not answer ({type(exc).__name__}: {exc})")


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
