"""Litestar controllers: parse a request, call one service function, answer (JSON, or a page)."""

from .app import create_app, rewire

__all__ = ["create_app", "rewire"]
