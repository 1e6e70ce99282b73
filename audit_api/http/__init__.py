"""Litestar controllers: thin translation between HTTP and the book, domain and store."""

from .app import create_app

__all__ = ["create_app"]
