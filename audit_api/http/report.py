"""`GET /api/v1/visits/{id}/report`: one audit as a printable HTML page in the reader's language.

Photos are embedded (data URIs), so the page prints and saves whole without further requests.
Roles: whoever may see the visit.
"""

from __future__ import annotations

import base64

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from ..book import Book, pick
from ..domain.audits import GPS_TOLERANCE_M, Flag
from ..render import render, when
from ..services import visits
from ..store.visits import EvidenceRecord
from ..words import Words, words
from .auth import require
from .context import AcceptLanguage, Lang, SignedIn, language_for
from .openapi import Documented, problems


class _Photo:
    def __init__(self, record: EvidenceRecord, data: bytes):
        self.filename, self.media_type, self.item_id = record.filename, record.media_type, record.item_id
        # Browsers show JPEG and PNG inline; HEIC and PDF are listed by name.
        inline = record.media_type in ("image/jpeg", "image/png")
        self.data_uri = f"data:{record.media_type};base64,{base64.b64encode(data).decode()}" if inline else ""


class ReportController(Controller):
    path = "/api/v1/visits/{visit_id:str}/report"
    tags = ["visits"]
    guards = [require("admin", "manager", "auditor")]

    @get(
        "/", summary="Printable audit report (HTML)", media_type="text/html", sync_to_thread=True,
        responses=problems(401, 404), operation_class=Documented,
    )
    def report(
        self,
        context: NamedDependency[SignedIn],
        visit_id: FromPath[str],
        lang: Lang = None,
        accept_language: AcceptLanguage = None,
    ) -> Response[str]:
        report = visits.report(context.database, context.book, context.blobs, context.user, visit_id)
        return Response(render_report(report, context.book, language_for(context, lang, accept_language)), media_type="text/html")


def _flag_detail(flag: Flag, t: Words, timezone: str, lang: str) -> str:
    """A proof-of-visit flag in the reader's language (older audits, stored before flags kept their values: English)."""
    if flag.code == "outside_hours" and flag.at is not None:
        return t.gettext("the store was closed at %(time)s, its local time", time=when.moment(flag.at, timezone, lang))
    if flag.code == "far_from_store" and flag.metres is not None:
        return t.gettext(
            "the GPS fix was %(metres)s m from the store (over %(limit)s m)", metres=when.number(flag.metres, lang), limit=when.number(GPS_TOLERANCE_M, lang)
        )
    if flag.code == "late_submission" and flag.hours is not None:
        return t.ngettext("submitted %(num)s hour after the visit", "submitted %(num)s hours after the visit", flag.hours)
    return flag.detail


def _local_times(report: visits.Report, timezone: str, lang: str) -> dict[str, str]:
    """The visit's times as its reader reads them: in the store's time zone, in the reader's language."""
    audit, result = report.audit, report.result
    if audit is None or result is None:
        return {}
    return {
        "started": when.moment(audit.started_at, timezone, lang),
        "finished": when.moment(audit.finished_at, timezone, lang),
        "submitted": when.moment(result.submitted_at, timezone, lang),
    }


def render_report(report: visits.Report, book: Book, lang: str) -> str:
    checklist, audit, default = report.checklist, report.audit, book.chain.default_language
    store = book.stores_by_id.get(report.visit.store_id)
    photos = [_Photo(record, data) for record, data in report.evidence]
    t = words(lang, book.chain)
    item_texts = {i.id: pick(i.text, lang, default) for s in checklist.stages for i in s.items}
    return render(
        "report.html",
        lang=lang,
        t=t,
        visit=report.visit,
        audit=audit,
        result=report.result,
        auditor=report.auditor,
        times=_local_times(report, store.timezone if store else "UTC", lang),
        flag_details=[_flag_detail(flag, t, store.timezone if store else "UTC", lang) for flag in (report.result.flags if report.result else [])],
        auditor_code=report.auditor.removeprefix("Auditor ") if report.auditor_is_pseudonym else None,
        store_name=pick(store.name, lang, default) if store else report.visit.store_id,
        checklist_title=pick(checklist.title, lang, default),
        stage_titles={s.id: pick(s.title, lang, default) for s in checklist.stages},
        item_texts=item_texts,
        score=lambda value, digits=1: when.score(value, lang, digits),  # "83.3%", "83,3 %": CLDR, for the reader
        number=lambda value: when.number(value, lang),
        comments={a.item: a.comment for a in audit.answers} if audit else {},
        missing=[item_texts.get(item, item) for item in report.missing],  # the items as the auditor read them
        photos_by_item={i: [p for p in photos if p.item_id == i] for i in {p.item_id for p in photos}},
        other_photos=[p for p in photos if not p.item_id],
    )
