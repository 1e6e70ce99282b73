"""Settings of one instance, from the environment with sensible defaults (a laptop runs it as is).

    AUDIT_DB                 SQLite file                      var/audit.db
    AUDIT_BOOK               the standards book folder        checklists
    AUDIT_HOST, AUDIT_PORT   where `audit serve` listens      127.0.0.1, 8000
    AUDIT_PUBLIC_RATE_LIMIT  public requests a minute per client address   120
    AUDIT_MAX_BODY_BYTES     largest request body accepted    1000000
    AUDIT_EVIDENCE_MAX_BYTES largest evidence file (photo, receipt)  10000000
    AUDIT_PUBLIC_URL         how phones and customers reach this server (QR codes)  http://127.0.0.1:8000
    AUDIT_FORM_RATE_LIMIT    customers' form posts a minute, per address and store (a flood guard)  30
    AUDIT_TOKEN_DAYS         a device token expires after this many days without use  90
    AUDIT_TRUSTED_PROXIES    addresses of reverse proxies whose X-Forwarded-For is believed, comma-separated  (none)
    AUDIT_SECRET             the key that signs QR links        (else var/secret.key, made on first use)
    AUDIT_SITE_DIR           the built public site, served at /   build/site
    AUDIT_WORKERS            server processes of `audit serve`    one per core
    AUDIT_LIMITS_FILE        the rate limits' table the server's processes share (`audit serve` makes it afresh
                             beside the database at each start)  (none: each process its own)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    db_path: Path = Path("var/audit.db")
    book_path: Path = Path("checklists")
    host: str = "127.0.0.1"
    port: int = 8000
    public_rate_limit: int = 120
    max_body_bytes: int = 1_000_000
    evidence_max_bytes: int = 10_000_000
    public_url: str = "http://127.0.0.1:8000"
    form_rate_limit: int = 30
    token_days: Annotated[int, Meta(ge=1)] = 90
    trusted_proxies: str = ""  # comma-separated addresses or networks; empty: believe no forwarding header
    site_dir: Path = Path("build/site")
    workers: Annotated[int, Meta(ge=0)] = 0  # 0: one per core
    limits_path: Path | None = None

    @property
    def https(self) -> bool:
        """Whether people reach this instance by HTTPS (its public URL): cookies are Secure, HTTPS is pinned."""
        return self.public_url.lower().startswith("https://")

    @property
    def evidence_dir(self) -> Path:
        """Evidence files live beside the database."""
        return self.db_path.parent / "evidence"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        names = {
            "db_path": "AUDIT_DB",
            "book_path": "AUDIT_BOOK",
            "host": "AUDIT_HOST",
            "port": "AUDIT_PORT",
            "public_rate_limit": "AUDIT_PUBLIC_RATE_LIMIT",
            "max_body_bytes": "AUDIT_MAX_BODY_BYTES",
            "evidence_max_bytes": "AUDIT_EVIDENCE_MAX_BYTES",
            "public_url": "AUDIT_PUBLIC_URL",
            "form_rate_limit": "AUDIT_FORM_RATE_LIMIT",
            "token_days": "AUDIT_TOKEN_DAYS",
            "trusted_proxies": "AUDIT_TRUSTED_PROXIES",
            "site_dir": "AUDIT_SITE_DIR",
            "workers": "AUDIT_WORKERS",
            "limits_path": "AUDIT_LIMITS_FILE",
        }
        values: dict[str, object] = {field: env[var] for field, var in names.items() if env.get(var)}
        values |= {k: v for k, v in overrides.items() if v is not None}
        paths = {k: Path(str(v)) for k, v in values.items() if k in ("db_path", "book_path", "site_dir", "limits_path")}  # msgspec has no Path from str
        try:
            return msgspec.structs.replace(msgspec.convert({k: v for k, v in values.items() if k not in paths}, cls, strict=False), **paths)
        except msgspec.ValidationError as exc:
            field = str(exc).rpartition("$.")[2].rstrip("`")
            raise ValueError(f"bad setting {names.get(field, field)}: {exc}") from None
