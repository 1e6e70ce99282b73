"""Visits for auditors' phones and their managers: assign, list, download the checklist, review, history;
and planning (`PlanningController`): waves, a CSV import, cancel, reassign, auditors' exclusions.

Roles: managers (of the store) and admins assign and review; an auditor sees and works only their own
visits; an upcoming visit is hidden from everyone but the admin, its assigner and its auditor
(`services/access.py`). Each handler parses, calls one service function and answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED
from msgspec import Meta

from ..domain.checklist_view import ChecklistView, checklist_view
from ..domain.visits import Decision, State
from ..services import planning, visits
from ..services.planning import AuditorChoice, ChecklistChoice, Exclusions, Wave
from ..services.visits import Assignment, LatestAudit, VisitDetail, VisitHistory, VisitView
from ..store.planning import AUDITOR_ORDER
from ..store.visits import VISIT_ORDER
from .auth import require
from .context import AcceptLanguage, Lang, SignedIn, language_for
from .openapi import NOT_MODIFIED, Documented, Revalidated, headers, problems
from .paging import DEFAULT_LIMIT, NEXT_PAGE, Cursor, Limit, answer, position
from .threads import to_thread

IfNoneMatch = Annotated[str | None, HeaderParameter(name="If-None-Match")]
CHECKLIST_MAX_AGE = 7 * 24 * 3600  # a visit's checklist version never changes: phones may keep it for days


class NewVisit(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    store_id: str
    checklist_id: str
    auditor: str
    window_start: dt.date
    window_end: dt.date
    scenario: Annotated[str, Meta(min_length=1, max_length=2000, description="what the shopper asks for or buys")]


class ReviewDecision(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    decision: Decision
    comment: Annotated[str, Meta(max_length=4000)] = ""


class VisitsController(Controller):
    path = "/api/v1/visits"
    tags = ["visits"]
    guards = [require("admin", "manager", "auditor")]

    @post(
        "/", guards=[require("admin", "manager")], summary="Assign a visit (manager of the store, admin)", sync_to_thread=True,
        responses=problems(400, 401, 403, 413, 422),
    )
    def assign(self, context: NamedDependency[SignedIn], data: JSONBody[NewVisit]) -> VisitView:
        assignment = msgspec.convert(data, Assignment, from_attributes=True)
        return visits.assign_visit(context.database, context.book, context.user, assignment, context.now)

    @get(
        "/", summary="The visits I may see (an auditor: their own), a page at a time", sync_to_thread=True,
        description=(
            "By the window's first day, then id. At most `limit` visits a page; when more follow, the `Link` header "
            "names the next page (`rel=\"next\"`, the same query with `cursor` set)."
        ),
        response_headers=NEXT_PAGE, responses=problems(400, 401),
    )
    def index(
        self,
        request: Request[Any, Any, Any],
        context: NamedDependency[SignedIn],
        visit_state: Annotated[State | None, QueryParameter(name="state", description="only visits in this state")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[VisitView]]:
        after = position(cursor, "visits", VISIT_ORDER)
        rows = visits.list_visits(context.database, context.book, context.user, visit_state, after=after, limit=limit + 1)
        return answer(request, rows, limit, "visits", VISIT_ORDER)

    @get(
        "/{visit_id:str}", summary="A visit with its latest score, flags and completeness", sync_to_thread=True,
        responses=problems(401, 404), operation_class=Documented,
    )
    def show(self, context: NamedDependency[SignedIn], visit_id: FromPath[str]) -> VisitDetail:
        return visits.visit_detail(context.database, context.book, context.user, visit_id)

    @post(
        "/{visit_id:str}/start", guards=[require("auditor")], summary="The auditor starts the visit", sync_to_thread=True, status_code=200,
        responses=problems(401, 403, 404, 409), operation_class=Documented,
    )
    def start(self, context: NamedDependency[SignedIn], visit_id: FromPath[str]) -> VisitView:
        return visits.start(context.database, context.book, context.user, visit_id, context.now)

    @get(
        "/{visit_id:str}/checklist", summary="The visit's exact checklist version, for offline use (ETag)", sync_to_thread=True,
        response_headers=headers({
            "ETag": "The checklist version and language: send it back in If-None-Match",
            "Cache-Control": f"private, max-age={CHECKLIST_MAX_AGE}", "Vary": "Accept-Language, Authorization",
            "Content-Language": "The language of the checklist's texts",
        }),
        responses={304: NOT_MODIFIED, **problems(401, 404)}, operation_class=Revalidated,
    )
    def checklist(
        self,
        context: NamedDependency[SignedIn],
        visit_id: FromPath[str],
        lang: Lang = None,
        accept_language: AcceptLanguage = None,
        if_none_match: IfNoneMatch = None,
    ) -> Response[ChecklistView | None]:
        visit, digest = visits.visit_checklist_hash(context.database, context.user, visit_id)
        language = language_for(context, lang, accept_language)
        etag = f'"{digest[:20]}-{language}"'
        headers = {"ETag": etag, "Cache-Control": f"private, max-age={CHECKLIST_MAX_AGE}", "Vary": "Accept-Language, Authorization"}
        if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return Response(content=None, status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        checklist, _ = visits.checklist_of(context.database, visit)
        view = checklist_view(checklist, visit.checklist_version, digest, language, context.book.chain.default_language)
        return Response(view, headers={**headers, "Content-Language": language})

    @post(
        "/{visit_id:str}/review", guards=[require("admin", "manager")], summary="Approve, reject or return (manager, admin)",
        sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    def review(self, context: NamedDependency[SignedIn], visit_id: FromPath[str], data: JSONBody[ReviewDecision]) -> VisitDetail:
        return visits.review(context.database, context.book, context.user, visit_id, data.decision, data.comment, context.now)

    @get(
        "/{visit_id:str}/audit", summary="The latest audit as it was submitted, with its score and flags", sync_to_thread=True,
        responses=problems(401, 404), operation_class=Documented,
    )
    def audit(self, context: NamedDependency[SignedIn], visit_id: FromPath[str]) -> LatestAudit:
        return visits.latest_audit(context.database, context.user, visit_id)

    @get(
        "/{visit_id:str}/history", summary="Every event and every submitted revision", sync_to_thread=True,
        responses=problems(401, 404), operation_class=Documented,
    )
    def history(self, context: NamedDependency[SignedIn], visit_id: FromPath[str]) -> VisitHistory:
        return visits.history(context.database, context.book, context.user, visit_id)


# --- planning -----------------------------------------------------------------------------------

Logins = Annotated[list[str], Meta(min_length=1, max_length=100, description="auditors' logins; ties go to the first")]


class NewWave(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    store_ids: Annotated[list[str], Meta(min_length=1, max_length=planning.MAX_WAVE, description="one visit per store")]
    checklist_id: str
    auditors: Logins
    window_start: dt.date
    window_end: dt.date
    scenario: Annotated[str, Meta(min_length=1, max_length=planning.MAX_SCENARIO, description="what the shopper asks for or buys")]


class Cancellation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(min_length=1, max_length=2000)]


class Reassignment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    auditor: Annotated[str, Meta(description="the new auditor's login")]


class ExclusionList(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    stores: Annotated[list[str], Meta(max_length=1000, description="every store the auditor is excluded from (none: [])")]


@dataclass
class CsvBody(Documented):
    """An operation whose body is a CSV file, read as it is rather than parsed by Litestar. Documented as
    bytes (`application/octet-stream`), which every client generator can send; the server reads the
    bytes whatever the Content-Type says, `text/csv` included."""

    def __post_init__(self) -> None:
        super().__post_init__()
        columns = ",".join(planning.CSV_COLUMNS)
        self.request_body = RequestBody(
            required=True,
            description=f"A CSV file (send it as `text/csv`): UTF-8 (a byte order mark is fine), a header row `{columns}`, "
            "then a visit a line",
            content={"application/octet-stream": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))},
        )


class PlanningController(Controller):
    """Planning by admins and area managers (for their stores): waves, imports, cancelling and reassigning;
    admins set which stores each auditor is excluded from."""

    path = "/api/v1"
    tags = ["planning"]
    guards = [require("admin", "manager")]

    @post(
        "/visit-waves", summary="Plan a wave: a visit per store, spread over the auditors", sync_to_thread=True,
        description="All or none. Each store goes to the chosen auditor with the fewest visits of this wave so far (ties: the order "
        "given), never to one excluded from it. Answers the visits made.",
        responses=problems(400, 401, 403, 413, 422),
    )
    def plan_wave(self, context: NamedDependency[SignedIn], data: JSONBody[NewWave]) -> list[VisitView]:
        wave = msgspec.convert(data, Wave, from_attributes=True)
        return planning.plan_wave(context.database, context.book, context.user, wave, context.now)

    @post(
        "/visit-imports", summary="Import visits from a CSV file (text/csv)",
        description="All or none; every problem is named by its line and column (`line 3.auditor`). Answers the visits made.",
        responses=problems(401, 403, 413, 422), operation_class=CsvBody,
    )
    async def import_visits(self, request: Request[Any, Any, Any], context: NamedDependency[SignedIn]) -> Response[list[VisitView]]:
        content = await request.body()
        made = await to_thread(
            planning.import_csv, context.database, context.book, context.user, content, context.settings.max_body_bytes, context.now
        )
        return Response(made, status_code=201)

    @post(
        "/visits/{visit_id:str}/cancel", summary="Cancel an upcoming visit, saying why", sync_to_thread=True, status_code=200,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    def cancel(self, context: NamedDependency[SignedIn], visit_id: FromPath[str], data: JSONBody[Cancellation]) -> VisitView:
        return planning.cancel(context.database, context.book, context.user, visit_id, data.reason, context.now)

    @post(
        "/visits/{visit_id:str}/reassign", summary="Give a visit not yet started to another auditor", sync_to_thread=True,
        status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    def reassign(self, context: NamedDependency[SignedIn], visit_id: FromPath[str], data: JSONBody[Reassignment]) -> VisitView:
        return planning.reassign(context.database, context.book, context.user, visit_id, data.auditor, context.now)

    @get(
        "/auditors", summary="The auditors a planner may send, with the stores each is excluded from, a page at a time",
        description=(
            "For those who plan visits (admins, area managers; a store's managers where the book lets them). By login. "
            "`excluded_stores`: of the stores the reader covers. At most `limit` a page; when more follow, the `Link` header names "
            "the next page (`rel=\"next\"`)."
        ),
        sync_to_thread=True, response_headers=NEXT_PAGE, responses=problems(400, 401, 403),
    )
    def auditors(
        self, request: Request[Any, Any, Any], context: NamedDependency[SignedIn], limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[AuditorChoice]]:
        after = position(cursor, "auditors", AUDITOR_ORDER)
        rows = planning.list_auditors(context.database, context.book, context.user, after=after, limit=limit + 1)
        return answer(request, rows, limit, "auditors", AUDITOR_ORDER)

    @get(
        "/checklists", summary="The checklists a planner may plan visits with, titled in the reader's language",
        description="For those who plan visits. The book's published checklists, by id (a book holds a handful: not paged).",
        sync_to_thread=True, responses=problems(400, 401, 403),
    )
    def checklists(
        self, context: NamedDependency[SignedIn], lang: Lang = None, accept_language: AcceptLanguage = None
    ) -> list[ChecklistChoice]:
        language = language_for(context, lang, accept_language)
        return planning.list_checklists(context.database, context.book, context.user, language)

    @get(
        "/users/{name:str}/exclusions", guards=[require("admin")], summary="The stores an auditor is excluded from (admin)",
        sync_to_thread=True, responses=problems(401, 403, 404, 422), operation_class=Documented,
    )
    def exclusions(self, context: NamedDependency[SignedIn], name: FromPath[str]) -> Exclusions:
        return planning.exclusions(context.database, name)

    @put(
        "/users/{name:str}/exclusions", guards=[require("admin")], summary="Set the stores an auditor is excluded from (admin)",
        sync_to_thread=True, responses=problems(400, 401, 403, 404, 413, 422),
    )
    def set_exclusions(self, context: NamedDependency[SignedIn], name: FromPath[str], data: JSONBody[ExclusionList]) -> Exclusions:
        return planning.set_exclusions(context.database, context.book, name, data.stores, context.now)


class ChecklistsController(Controller):
    """A published checklist's texts, for the managers' screens that name its stages and items."""

    path = "/api/v1/checklists"
    tags = ["visits"]
    guards = [require("admin", "manager")]

    @get(
        "/{checklist_id:str}", summary="A published checklist in the reader's language (managers, admin)", sync_to_thread=True,
        description="The version new visits are assigned with: stages and items with their texts, as a visit's checklist is given.",
        responses=problems(400, 401, 403, 404),
    )
    def show(
        self, context: NamedDependency[SignedIn], checklist_id: FromPath[str], lang: Lang = None, accept_language: AcceptLanguage = None
    ) -> ChecklistView:
        language = language_for(context, lang, accept_language)
        return visits.published_checklist(context.database, context.book, checklist_id, language)
