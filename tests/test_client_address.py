"""Whose request is it: behind no proxy the client address is the socket's, whatever X-Forwarded-For
says; only a proxy named in AUDIT_TRUSTED_PROXIES may name the client. Rate limits count that address."""

from __future__ import annotations

from pathlib import Path

import httpx

from audit_api.store import Database

from .server_helpers import serving

LIMIT = 20


def statuses(base: str, forwarded: list[str]) -> list[int]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return [client.get("/api/v1/contacts", headers={"X-Forwarded-For": address}).status_code for address in forwarded]


def rotating(count: int) -> list[str]:
    return [f"198.51.100.{n % 250 + 1}" for n in range(count)]


def test_a_forged_forwarding_header_does_not_escape_the_limit(loaded: Database, tmp_path: Path) -> None:
    loaded.close()
    with serving(loaded.path, tmp_path / "serve.log", AUDIT_PUBLIC_RATE_LIMIT=str(LIMIT)) as base:
        seen = statuses(base, rotating(130))
    assert seen.count(200) == LIMIT and seen.count(429) == 130 - LIMIT


def test_a_trusted_proxy_names_the_client(loaded: Database, tmp_path: Path) -> None:
    loaded.close()
    settings = {"AUDIT_PUBLIC_RATE_LIMIT": str(LIMIT), "AUDIT_TRUSTED_PROXIES": "127.0.0.1"}
    with serving(loaded.path, tmp_path / "serve.log", **settings) as base:
        many_clients = statuses(base, rotating(130))
        one_client = statuses(base, ["203.0.113.7"] * (LIMIT + 5))
    assert many_clients == [200] * 130, "each forwarded address has its own allowance"
    assert one_client == [200] * LIMIT + [429] * 5, "the forwarded address is the one limited"
