"""Corrective actions for the store's managers: the queue, one action, its photos, closing it.

Roles: managers of the action's store and admins; auditors none (403 at the guard); a manager of
another store gets 404, as if the action did not exist (`services/actions.py`). The photo upload is
the one route with a large body: `ActionPhotosController` sits on the uploads router, beside the
visits' evidence, under the evidence size limit. Each handler parses, calls one service function and
answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import FromPath, JSONBody, MultipartBody, QueryParameter
from msgspec import Meta

from ..services import actions
from ..services.actions import NOTE_MAX_CHARS, PHOTO_TYPES, ActionDetail, ActionView
from ..store.actions import ACTION_ORDER, ActionPhoto, ActionState, Sha256
from .auth import require
from .context import SignedIn
from .openapi import Documented, headers, problems
from .paging import DEFAULT_LIMIT, NEXT_PAGE, Cursor, Limit, answer, position
from .security import content_disposition
from .threads import to_thread


class Closing(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=NOTE_MAX_CHARS, description="what was done (required, not blank)")]
    photo: Annotated[Sha256 | None, Meta(description="a photo uploaded for this action (`POST .../photo`), by its SHA-256")] = None


class ActionsController(Controller):
    path = "/api/v1/actions"
    tags = ["actions"]
    guards = [require("admin", "manager")]

    @get(
        "/", summary="Corrective actions: soonest due first, overdue flagged, a page at a time", sync_to_thread=True,
        description=(
            "Each failed item of an approved audit opens an action for the store's managers, due at the end of the store-local "
            "day the checklist's `action_days` after the approval. By the due time, then id. `overdue`: open and past its due "
            "time, now; `failed_again`: an earlier audit of the store and checklist had an action for the same item. At most "
            "`limit` actions a page; when more follow, the `Link` header names the next page (`rel=\"next\"`, the same query "
            "with `cursor` set)."
        ),
        response_headers=NEXT_PAGE, responses=problems(400, 401, 403),
    )
    def index(
        self,
        request: Request[Any, Any, Any],
        context: NamedDependency[SignedIn],
        action_state: Annotated[ActionState | None, QueryParameter(name="state", description="only open or only closed actions")] = None,
        overdue: Annotated[bool, QueryParameter(name="overdue", description="only open actions past their due time")] = False,
        store: Annotated[str | None, QueryParameter(name="store", description="only this store's actions")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[ActionView]]:
        after = position(cursor, "actions", ACTION_ORDER)
        rows = actions.list_actions(
            context.database, context.book, context.user, context.now, state=action_state, overdue=overdue, store_id=store, after=after,
            limit=limit + 1,
        )
        return answer(request, rows, limit, "actions", ACTION_ORDER)

    @get(
        "/{action_id:str}", summary="One corrective action with the photos uploaded for it", sync_to_thread=True,
        responses=problems(401, 403, 404), operation_class=Documented,
    )
    def show(self, context: NamedDependency[SignedIn], action_id: FromPath[str]) -> ActionDetail:
        return actions.action_detail(context.database, context.user, action_id, context.now)

    @post(
        "/{action_id:str}/close", summary="Close an action: what was done, and optionally a photo uploaded for it",
        description="A note is required; `photo` names a photo uploaded for this action. Closing a closed action answers 409.",
        sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    def close(self, context: NamedDependency[SignedIn], action_id: FromPath[str], data: JSONBody[Closing]) -> ActionDetail:
        return actions.close(context.database, context.user, action_id, data.note, data.photo, context.now)


@dataclass
class PhotoUpload:
    file: UploadFile


@dataclass
class PhotoFile(Documented):
    """The download of an action's photo: its bytes, in the image type its content was recognised as."""

    def __post_init__(self) -> None:
        super().__post_init__()
        response = (self.responses or {}).get("200")
        if isinstance(response, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            response.content = {media_type: OpenAPIMediaType(schema=binary) for media_type in PHOTO_TYPES}


class ActionPhotosController(Controller):
    path = "/api/v1/actions/{action_id:str}/photo"
    tags = ["actions"]
    guards = [require("admin", "manager")]

    @post(
        "/", summary="Upload a photo of what was done (multipart: file): JPEG, PNG or HEIC",
        response_description="Stored: a photo new to this action",
        responses={200: ResponseSpec(ActionPhoto, description="Already there: the same photo again; nothing stored", generate_examples=False),
                   **problems(400, 401, 403, 404, 409, 413, 422)},
    )
    async def upload(self, context: NamedDependency[SignedIn], action_id: FromPath[str], data: MultipartBody[PhotoUpload]) -> Response[ActionPhoto]:
        content = await data.file.read()
        photo, created = await to_thread(
            actions.upload_photo, context.database, context.blobs, context.user, action_id, content, data.file.filename,
            context.settings.evidence_max_bytes, context.now,
        )
        return Response(photo, status_code=201 if created else 200)

    @get(
        "/{sha256:str}", summary="One photo of the action", sync_to_thread=True, media_type="application/octet-stream",
        response_description="The photo, in the image type its content was recognised as", operation_class=PhotoFile,
        response_headers=headers({
            "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline, with the file's name",
        }),
        responses=problems(401, 403, 404),
    )
    def file(self, context: NamedDependency[SignedIn], action_id: FromPath[str], sha256: FromPath[str]) -> Response[bytes]:
        photo, content = actions.photo_file(context.database, context.blobs, context.user, action_id, sha256)
        return Response(
            content, media_type=photo.media_type,
            headers={
                "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
                "Content-Disposition": content_disposition(photo.media_type, photo.filename),
            },
        )
