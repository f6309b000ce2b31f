"""The Gradio web UI: `create_app(ctx)` builds it, `serve(ctx, host, port, auth)` starts it."""

from ui.web.app import create_app
from ui.web.server import parse_auth, serve

__all__ = ["create_app", "parse_auth", "serve"]
