"""Photos and receipts of a visit: uploaded by its auditor, served to whoever may see the visit.

Accepted: JPEG, PNG, HEIC and PDF, recognised by content (the name and the declared type do not
count). Larger than the limit (10 MB by default): 413. Stored once by SHA-256, so a retried upload
answers 200 with the same record instead of 201.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, MultipartBody

from ..services import visits
from ..store.visits import EvidenceRecord
from .auth import require
from .context import SignedIn
from .openapi import Documented, EvidenceFile, headers, problems
from .security import content_disposition
from .threads import to_thread

MULTIPART_OVERHEAD = 64 * 1024


@dataclass
class Upload:
    file: UploadFile
    item: str = ""


class EvidenceController(Controller):
    path = "/api/v1/visits/{visit_id:str}/evidence"
    tags = ["visits"]
    guards = [require("admin", "manager", "auditor")]

    @post(
        "/", guards=[require("auditor")], summary="Upload a photo or receipt (multipart: file, optional item)",
        response_description="Stored: a file new to this visit",
        responses={200: ResponseSpec(EvidenceRecord, description="Already there: the same file again; nothing stored", generate_examples=False),
                   **problems(400, 401, 403, 404, 409, 413, 422)},
    )
    async def upload(self, context: NamedDependency[SignedIn], visit_id: FromPath[str], data: MultipartBody[Upload]) -> Response[EvidenceRecord]:
        content = await data.file.read()
        record, created = await to_thread(
            visits.upload_evidence, context.database, context.blobs, context.user, visit_id, data.item, content,
            data.file.filename, context.settings.evidence_max_bytes, context.now,
        )
        return Response(record, status_code=201 if created else 200)

    @get("/", summary="The visit's evidence", sync_to_thread=True, responses=problems(401, 404), operation_class=Documented)
    def index(self, context: NamedDependency[SignedIn], visit_id: FromPath[str]) -> list[EvidenceRecord]:
        return visits.list_evidence(context.database, context.user, visit_id)

    @get(
        "/{sha256:str}", summary="One evidence file", sync_to_thread=True, media_type="application/octet-stream",
        response_description="The file, in the media type its content was recognised as", operation_class=EvidenceFile,
        response_headers=headers({
            "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline for photos, attachment for PDF documents, with the file's name",
        }),
        responses=problems(401, 404),
    )
    def file(self, context: NamedDependency[SignedIn], visit_id: FromPath[str], sha256: FromPath[str]) -> Response[bytes]:
        record, content = visits.evidence_file(context.database, context.blobs, context.user, visit_id, sha256)
        return Response(
            content, media_type=record.media_type,
            headers={
                "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
                "Content-Disposition": content_disposition(record.media_type, record.filename),  # a PDF downloads; photos show
            },
        )
