"""The web UI served by a test on a free port, and asking in its chat as a person does (Playwright)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rag.app import AppContext
from tests.support.ports import free_port
from ui.web.app import create_app
from ui.web.server import launch_options

CHROMIUM = Path(os.environ.get("CLUSTERQA_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
WAIT_MS = 60_000
# The chat's n-th answer, once final (neither waiting, searching nor streaming).
FINAL_ANSWER = (
    "n => { const a = document.querySelectorAll('#cqa-chat .cqa-answer')[n];"
    " return a && !a.matches('.cqa-pending, .cqa-streaming'); }"
)


class Served:
    def __init__(self, ctx: AppContext, auth: list[tuple[str, str]] | None = None) -> None:
        self.ctx = ctx
        self.demo = create_app(ctx)
        self.url = f"http://127.0.0.1:{free_port()}/"
        port = urlsplit(self.url).port or 0
        self.demo.launch(**launch_options(ctx.config, "127.0.0.1", port, auth), prevent_thread_lock=True)

    def close(self) -> None:
        self.demo.close()


def ask(page: Any, question: str) -> Any:
    """Ask in the chat; wait for the final answer message and return it."""
    before = page.locator("#cqa-chat .cqa-answer").count()
    page.fill("#cqa-input textarea", question)
    page.keyboard.press("Enter")
    answer = page.locator("#cqa-chat .cqa-answer").nth(before)
    answer.wait_for()
    page.wait_for_function(FINAL_ANSWER, arg=before)
    return page.locator("#cqa-chat .cqa-answer").nth(before)
