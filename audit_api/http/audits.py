"""`PUT /api/v1/audits/{uuid}`: an auditor's whole audit, idempotent by the client's UUID.

201 when stored, 200 with the same result for a replay of the same body, 409 for another body under
an accepted id, 422 with one error per broken rule (in the API's error shape). The answer is sent
only after the audit is committed to disk.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from litestar import Controller, Response, put
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody

from ..domain.audits import AuditSubmission
from ..services import visits
from ..store.visits import AuditResult
from .auth import require
from .context import SignedIn
from .openapi import problems


class AuditsController(Controller):
    path = "/api/v1/audits"
    tags = ["visits"]
    guards = [require("auditor")]

    @put(
        "/{audit_id:uuid}", summary="Submit (or retry) a whole audit", status_code=201, response_description="Stored: the first time this id came",
        responses={200: ResponseSpec(AuditResult, description="A replay: the same body again; nothing stored", generate_examples=False),
                   **problems(400, 401, 403, 404, 409, 413, 422)},
    )
    async def submit(self, context: NamedDependency[SignedIn], audit_id: FromPath[UUID], data: JSONBody[AuditSubmission]) -> Response[AuditResult]:
        # Reads, validation and scoring are short and run here; the write waits for the group commit
        # without holding a worker thread.
        outcome = visits.submit_audit(context.database, context.book, context.user, str(audit_id), data, context.now)
        result, created = await asyncio.wrap_future(outcome)
        return Response(result, status_code=201 if created else 200)
