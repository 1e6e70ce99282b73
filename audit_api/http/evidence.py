"""Photos and receipts of a visit: uploaded by its auditor, served to whoever may see the visit.

Accepted: JPEG, PNG, HEIC and PDF, recognised by content (the name and the declared type do not
count). Larger than the limit (10 MB by default): 413. Stored once by SHA-256, so a retried upload
answers 200 with the same record instead of 201.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import FromPath, MultipartBody

from ..domain.media import ACCEPTED, sniff
from ..errors import Conflict, FieldError, InvalidInput, NotFound
from ..store import visits
from ..store.visits import EvidenceRecord
from .auth import require
from .context import Context

MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_STATES = visits.OPEN_FOR_SUBMISSION | {"submitted"}  # photos may follow the audit on bad networks


@dataclass
class Upload:
    file: UploadFile
    item: str = ""


class EvidenceController(Controller):
    path = "/api/v1/visits/{visit_id:str}/evidence"
    tags = ["visits"]
    guards = [require("admin", "manager", "auditor")]

    @post("/", guards=[require("auditor")], summary="Upload a photo or receipt (multipart: file, optional item)")
    async def upload(
        self,
        context: NamedDependency[Context],
        visit_id: FromPath[str],
        data: MultipartBody[Upload],
    ) -> Response[EvidenceRecord]:
        content = await data.file.read()
        limit = context.settings.evidence_max_bytes
        if len(content) > limit:
            raise ClientException(status_code=413, detail=f"the file is {len(content)} bytes; the limit is {limit}")
        media_type = sniff(content)
        name = data.file.filename or "upload"
        if media_type is None:
            kinds = ", ".join(ACCEPTED.values())
            raise InvalidInput(
                f"'{name}' is not a photo or document we accept",
                [FieldError("file", f"its content is none of: {kinds} (the file name and declared type do not count)")],
            )
        return await _store(context, visit_id, data.item, content, media_type, name)

    @get("/", summary="The visit's evidence", sync_to_thread=True)
    def index(self, context: NamedDependency[Context], visit_id: FromPath[str]) -> list[EvidenceRecord]:
        return visits.list_evidence(context.database, visits.visible_visit(context.database, context.user, visit_id))

    @get("/{sha256:str}", summary="One evidence file", sync_to_thread=True, media_type="application/octet-stream")
    def file(self, context: NamedDependency[Context], visit_id: FromPath[str], sha256: FromPath[str]) -> Response[bytes]:
        visit = visits.visible_visit(context.database, context.user, visit_id)
        record = next((r for r in visits.list_evidence(context.database, visit) if r.sha256 == sha256), None)
        if record is None:
            raise NotFound(f"no evidence '{sha256}' for visit '{visit_id}'")
        return Response(
            context.blobs.read(sha256),
            media_type=record.media_type,
            headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )


async def _store(context: Context, visit_id: str, item: str, content: bytes, media_type: str, name: str) -> Response[EvidenceRecord]:
    def work() -> tuple[EvidenceRecord, bool]:
        visit = visits.visible_visit(context.database, context.user, visit_id)
        if visit.auditor_id != context.user.id:
            raise NotFound(f"no visit '{visit_id}'")
        if visit.state not in UPLOAD_STATES:
            raise Conflict(f"visit '{visit_id}' is {visit.state}: evidence can no longer be added")
        if item and item not in {i.id for s in visits.checklist_of(context.database, visit).stages for i in s.items}:
            raise InvalidInput(f"no item '{item}' in this visit's checklist", [FieldError("item", f"unknown item '{item}'")])
        digest = context.blobs.put(content)
        created = visits.add_evidence(context.database, context.user, visit, item, digest, media_type, len(content), name, context.now)
        record = next(r for r in visits.list_evidence(context.database, visit) if r.sha256 == digest and r.item_id == item)
        return record, created

    record, created = await anyio.to_thread.run_sync(work)
    return Response(record, status_code=201 if created else 200)
