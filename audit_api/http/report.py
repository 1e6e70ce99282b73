"""`GET /api/v1/visits/{id}/report`: one audit as a printable HTML page in the reader's language.

Photos are embedded (data URIs), so the page prints and saves whole without further requests.
Roles: whoever may see the visit.
"""

from __future__ import annotations

import base64

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from ..book import pick
from ..store import accounts, visits
from .auth import require
from .context import AcceptLanguage, Context, Lang, language_for
from .labels import labels
from .render import templates


class _Photo:
    def __init__(self, record: visits.EvidenceRecord, data: bytes):
        self.filename, self.media_type, self.item_id = record.filename, record.media_type, record.item_id
        # Browsers show JPEG and PNG inline; HEIC and PDF are listed by name.
        inline = record.media_type in ("image/jpeg", "image/png")
        self.data_uri = f"data:{record.media_type};base64,{base64.b64encode(data).decode()}" if inline else ""


class ReportController(Controller):
    path = "/api/v1/visits/{visit_id:str}/report"
    tags = ["visits"]
    guards = [require("admin", "manager", "auditor")]

    @get("/", summary="Printable audit report (HTML)", media_type="text/html", sync_to_thread=True)
    def report(
        self,
        context: NamedDependency[Context],
        visit_id: FromPath[str],
        lang: Lang = None,
        accept_language: AcceptLanguage = None,
    ) -> Response[str]:
        return Response(render_report(context, visit_id, language_for(context, lang, accept_language)), media_type="text/html")


def render_report(context: Context, visit_id: str, lang: str) -> str:
    database, default = context.database, context.book.chain.default_language
    visit = visits.visible_visit(database, context.user, visit_id)
    checklist = visits.checklist_of(database, visit)
    latest = visits.latest_audit(database, visit)
    audit, result = latest if latest else (None, None)
    store = context.book.stores_by_id.get(visit.store_id)
    photos = [_Photo(r, context.blobs.read(r.sha256)) for r in visits.list_evidence(database, visit)]
    return templates.get_template("report.html").render(
        lang=lang,
        t=labels(lang),
        visit=visit,
        audit=audit,
        result=result,
        auditor=accounts.get_user(database, visit.auditor_id).display_name,
        store_name=store.name if store else visit.store_id,
        checklist_title=pick(checklist.title, lang, default),
        stage_titles={s.id: pick(s.title, lang, default) for s in checklist.stages},
        item_texts={i.id: pick(i.text, lang, default) for s in checklist.stages for i in s.items},
        comments={a.item: a.comment for a in audit.answers} if audit else {},
        missing=visits.missing_photos(database, visit, latest),
        photos_by_item={i: [p for p in photos if p.item_id == i] for i in {p.item_id for p in photos}},
        other_photos=[p for p in photos if not p.item_id],
    )
