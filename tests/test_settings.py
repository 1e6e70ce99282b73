"""Settings come from the environment (as the README lists them), with clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_api.config import Settings


def test_environment_settings() -> None:
    settings = Settings.from_env({"AUDIT_DB": "/srv/lipa/audit.db", "AUDIT_BOOK": "book", "AUDIT_PORT": "9000", "AUDIT_PUBLIC_RATE_LIMIT": "30"})
    assert settings.db_path == Path("/srv/lipa/audit.db") and settings.book_path == Path("book")
    assert settings.port == 9000 and settings.public_rate_limit == 30
    assert settings.evidence_dir == Path("/srv/lipa/evidence")


def test_overrides_win_over_the_environment() -> None:
    assert Settings.from_env({"AUDIT_DB": "a.db"}, db_path=Path("b.db")).db_path == Path("b.db")


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.db_path == Path("var/audit.db") and settings.port == 8000 and settings.evidence_max_bytes == 10_000_000


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(ValueError, match="bad setting AUDIT_PORT"):
        Settings.from_env({"AUDIT_PORT": "eighty"})
