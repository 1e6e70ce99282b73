"""A checklist version resolved into one language: what an auditor's phone downloads and caches.

The fields every item has are filled here; what differs by kind comes from the kind's `view`
(`book/items.py`) and must decode into `ItemView`. Not for: scoring or validating answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from ..book.base import Text
from ..book.i18n import pick
from ..book.items import ITEM_KINDS, Evidence, Item
from ..book.models import Channel, Checklist, CriticalCap


class ChoiceView(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    label: str
    points: float
    fails: bool  # choosing it fails the item (the comment or photo the item requires is then asked for)


class ItemView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    id: str
    kind: Annotated[str, Meta(extra_json_schema={"enum": list(ITEM_KINDS)})]
    text: str
    guidance: str
    weight: float
    critical: bool
    na_allowed: bool
    evidence: Evidence  # required when the item fails
    min: int | None = None
    max: int | None = None
    pass_from: int | None = None  # scale: the lowest rating that does not fail
    target: float | None = None
    rule: str | None = None
    unit: str | None = None
    choices: list[ChoiceView] | None = None


class StageView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    expected_result: str
    weight: float
    items: list[ItemView]


class ChecklistView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: int
    hash: str
    language: str
    title: str
    channel: Channel
    reviewed: dt.date
    critical_cap: CriticalCap
    stages: list[StageView]


def checklist_view(checklist: Checklist, version: int, digest: str, lang: str, default: str) -> ChecklistView:
    def text(value: Text) -> str:
        return pick(value, lang, default)

    def item_view(item: Item) -> ItemView:
        return msgspec.convert(
            {
                "id": item.id, "kind": item.kind, "text": text(item.text), "guidance": text(item.guidance), "weight": item.weight,
                "critical": item.critical, "na_allowed": item.na_allowed, "evidence": item.evidence, **item.view(text),
            },
            ItemView,
        )

    return ChecklistView(
        id=checklist.id,
        version=version,
        hash=digest,
        language=lang,
        title=text(checklist.title),
        channel=checklist.channel,
        reviewed=checklist.reviewed,
        critical_cap=checklist.critical_cap,
        stages=[
            StageView(id=s.id, title=text(s.title), expected_result=text(s.expected_result), weight=s.weight,
                      items=[item_view(i) for i in s.items])
            for s in checklist.stages
        ],
    )
