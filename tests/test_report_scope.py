"""Which stores a report, dashboard or export reads: the reader's scope, narrowed by store, city or country.

`access.report_stores` is the one place these filters become a scope; each filter narrows what the reader
already covers and never widens it, so naming another manager's store reads nothing.
"""

from __future__ import annotations

import pytest

from audit_api.services.access import report_stores
from audit_api.store.accounts import Role, User
from audit_api.store.scope import EVERYTHING, NOTHING, Scope

from .audit_helpers import BOOK


def user(role: Role, stores: list[str] | None = None, *, all_stores: bool = False) -> User:
    return User(
        id=1, name="someone", display_name="Someone", role=role, all_stores=all_stores, stores=stores or [], language=None,
        plans_visits=False, pseudonym="Auditor 00001", disabled_at=None,
    )


def chosen(scope: Scope) -> list[str]:
    """The store ids an IN-list scope names (each arm is one store)."""
    return sorted(str(arm.args[0]) for arm in scope.arms()) if scope not in (EVERYTHING, NOTHING) else []


ADMIN = user("admin")
SARAJEVO_MANAGER = user("manager", ["sarajevo-alta", "moskva-arbat"])


def test_no_filter_is_the_readers_whole_scope() -> None:
    assert report_stores(ADMIN, BOOK) == EVERYTHING
    assert chosen(report_stores(SARAJEVO_MANAGER, BOOK)) == ["moskva-arbat", "sarajevo-alta"]
    assert report_stores(user("auditor"), BOOK) == NOTHING


@pytest.mark.parametrize(
    ("filters", "stores"),
    [
        ({"country": "BA"}, ["banja-luka-delta", "mostar-centar", "sarajevo-alta", "sarajevo-ferhadija"]),
        ({"country": "ba"}, ["banja-luka-delta", "mostar-centar", "sarajevo-alta", "sarajevo-ferhadija"]),
        ({"city": "Sarajevo"}, ["sarajevo-alta", "sarajevo-ferhadija"]),
        ({"city": "москва"}, ["moskva-arbat"]),  # any of the city's names, case aside
        ({"city": "Moscú"}, ["moskva-arbat"]),
        ({"store": "kazan-baumana"}, ["kazan-baumana"]),
        ({"country": "RU", "city": "Kazan"}, ["kazan-baumana"]),
    ],
)
def test_an_admin_narrows_the_chain_by_store_city_or_country(filters: dict[str, str], stores: list[str]) -> None:
    assert chosen(report_stores(ADMIN, BOOK, **filters)) == stores


def test_a_filter_never_widens_a_managers_scope() -> None:
    assert chosen(report_stores(SARAJEVO_MANAGER, BOOK, city="Sarajevo")) == ["sarajevo-alta"]
    assert report_stores(SARAJEVO_MANAGER, BOOK, store="kazan-baumana") == NOTHING
    assert report_stores(SARAJEVO_MANAGER, BOOK, country="TZ") == NOTHING


def test_a_filter_naming_nothing_reads_nothing() -> None:
    assert report_stores(ADMIN, BOOK, city="Atlantis") == NOTHING
    assert report_stores(ADMIN, BOOK, country="RU", city="Sarajevo") == NOTHING
