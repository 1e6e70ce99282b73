"""What the OpenAPI document (/schema/openapi.json) says beyond what Litestar infers from the handlers.

Litestar documents a handler's success from its return type and every error as a 400 in its own
shape. This API answers every error in one shape (`problems.py`: RFC 9457 problem details, as
`application/problem+json`) with the statuses each route really gives, so each route decorator names
them, from the list below:

    @get("/{visit_id:str}", ..., responses=problems(401, 404))

    400  a parameter or the body does not parse (Litestar's validation), or a list's cursor is not one it
         gave (`http/paging.py`); `errors` names each place
    401  no device token, or an unknown, expired or revoked one (every signed-in route)
    403  the caller's role may not do this (routes whose guard leaves some role out)
    404  no such resource, or one the caller may not know of
    409  contradicts what is stored
    413  the body is over its size limit (every route that takes a body)
    422  breaks a rule of the product; `errors` names each place
    429  too many requests from this address (public routes), with Retry-After

What a `ResponseSpec` cannot say, an operation class says (`operation_class=`): that there is no
400 where nothing can fail to parse (`Documented`; the others extend it), that a route needs no token
(`NoToken`: an explicit empty `security`), the headers of a 304 (`Revalidated`), the real media
types of a download (`EvidenceFile`), a body that may be left out (`OptionalBody`). Headers of a
success: `response_headers=headers({...})` (a list's `Link` to its next page: `paging.NEXT_PAGE`).
`StructSchemas` makes the schema of a msgspec Struct say what msgspec enforces and Litestar leaves out.

Not for: behaviour. Nothing here changes what a route answers; tests/test_api_contract.py checks
that the document and the answers agree, through a client generated from the document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin  # Litestar's own; no public name
from litestar.datastructures import ResponseHeader
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Reference, Schema, Tag
from litestar.openapi.spec.enums import OpenAPIFormat

from ..domain.media import ACCEPTED
from .problems import PROBLEM_JSON, ProblemDetails

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

_MEANING = {
    400: "The request does not parse: a parameter or the body breaks its schema, or a list's `cursor` is not one it gave. "
    "`errors` names each place.",
    401: "No device token, or one that is unknown, expired or revoked: send `Authorization: Bearer <token>`.",
    403: "The caller's role may not do this.",
    404: "No such resource, or one the caller may not know of.",
    409: "The request contradicts what is stored.",
    413: "The body is over its size limit.",
    422: "The request breaks a rule of the product. `errors` names each place.",
    429: "Too many requests from this address: wait the seconds in Retry-After.",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The error responses of a route, each in the API's one error shape."""
    return {
        status: ResponseSpec(
            ProblemDetails, description=_MEANING.get(status, HTTPStatus(status).description), media_type=PROBLEM_JSON, generate_examples=False
        )
        for status in statuses
    }


def headers(described: Mapping[str, str], *, required: bool = True) -> list[ResponseHeader]:
    """Headers the success response carries, name: description (documentation only: the handler sets them);
    `required=False` for headers it carries only sometimes (a list's `Link`, absent on the last page)."""
    return [
        ResponseHeader(name=name, description=text, documentation_only=True, value="", required=required) for name, text in described.items()
    ]


NOT_MODIFIED = ResponseSpec(None, description="Not Modified: the If-None-Match tag is current; the phone keeps its copy.")

_STRING = Schema(type=OpenAPIType.STRING)
_RETRY_AFTER = {
    "Retry-After": OpenAPIHeader(schema=Schema(type=OpenAPIType.INTEGER, minimum=1), description="Seconds to wait.", required=True)
}
_REVALIDATED = {
    "ETag": OpenAPIHeader(schema=_STRING, description="The checklist version's tag, as in the 200 answer.", required=True),
    "Cache-Control": OpenAPIHeader(schema=_STRING, description="As in the 200 answer.", required=True),
    "Vary": OpenAPIHeader(schema=_STRING, description="As in the 200 answer.", required=True),
}


def _in_our_shape(response: OpenAPIResponse | Reference) -> bool:
    return isinstance(response, OpenAPIResponse) and PROBLEM_JSON in (response.content or {})


def _add_headers(operation: Operation, status: int, added: Mapping[str, OpenAPIHeader]) -> None:
    response = (operation.responses or {}).get(str(status))
    if isinstance(response, OpenAPIResponse):
        response.headers = {**(response.headers or {}), **added}


@dataclass
class Documented(Operation):
    """An operation whose errors are the ones its decorator names.

    Litestar adds a 400 in its own shape to any route with parameters, even where none can fail to
    parse (a string in the path): that one goes. Every error left is in the API's one shape.
    """

    def __post_init__(self) -> None:
        responses = self.responses or {}
        for status in [status for status, response in responses.items() if status[0] in "45" and not _in_our_shape(response)]:
            del responses[status]


@dataclass
class NoToken(Documented):
    """A public operation: it needs no token (`security: []`), and its 429 says when to try again."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.security = []
        _add_headers(self, 429, _RETRY_AFTER)


@dataclass
class Revalidated(Documented):
    """An operation answering 304 to a current If-None-Match: the 304 repeats the caching headers and
    has no body, and the 200 always has one (the handler's `X | None` is for the 304)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _add_headers(self, 304, _REVALIDATED)
        response = (self.responses or {}).get("200")
        for media in (response.content or {}).values() if isinstance(response, OpenAPIResponse) else ():
            if isinstance(media.schema, Schema) and media.schema.one_of:
                media.schema = _value_branch(media.schema)


@dataclass
class EvidenceFile(Documented):
    """The download of an evidence file: its bytes, in the media type its content was recognised as."""

    def __post_init__(self) -> None:
        super().__post_init__()
        response = (self.responses or {}).get("200")
        if isinstance(response, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            response.content = {media_type: OpenAPIMediaType(schema=binary) for media_type in ACCEPTED}


@dataclass
class OptionalBody(Documented):
    """An operation whose JSON body may be left out (every field has a default): not required, and
    its schema the Struct's (the handler's `X | None = None` is how Litestar is told it may be absent)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.request_body is not None and not isinstance(self.request_body, Reference):
            self.request_body.required = False
            for media in self.request_body.content.values():
                if isinstance(media.schema, Schema) and media.schema.one_of:
                    media.schema = _value_branch(media.schema)


class StructSchemas(StructSchemaPlugin):
    """Litestar's schema of a msgspec Struct, saying what msgspec enforces and Litestar leaves out:

    - a Struct that forbids unknown fields is `additionalProperties: false`;
    - a field's `Meta(extra_json_schema=...)` keywords (`format`, `enum`, ...) reach its schema
      (Litestar reads only title, description and examples of them);
    - a bound of 0 on an optional number stays (Litestar drops bounds that are falsy);
    - a union whose branches overlap (an integer is a number too) is `anyOf`, not `oneOf`, so that
      a whole number matches.

    Registered before Litestar's own Struct plugin (`Litestar(plugins=[...])`), so it is the one used.
    """

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if isinstance(prop, Schema):
                _say_more(prop, field.type)
        return schema


_NUMERIC_BOUNDS = {"ge": "minimum", "gt": "exclusive_minimum", "le": "maximum", "lt": "exclusive_maximum", "multiple_of": "multiple_of"}
_LITESTAR_READS = {"title", "description", "examples"}


def _say_more(prop: Schema, field_type: msgspec.inspect.Type) -> None:
    value_type = _optional_of(field_type)
    branch = prop if value_type is None else _value_branch(prop)
    if isinstance(branch, Reference):  # a Struct: its own schema says the rest
        return
    field_type = value_type or field_type
    if isinstance(field_type, msgspec.inspect.Metadata):
        aliases = Schema.field_aliases()
        for key, value in (field_type.extra_json_schema or {}).items():
            if key not in _LITESTAR_READS:
                setattr(branch, aliases.get(key, key), value)
        field_type = field_type.type
    if isinstance(field_type, (msgspec.inspect.IntType, msgspec.inspect.FloatType)):
        for bound, keyword in _NUMERIC_BOUNDS.items():
            if (value := getattr(field_type, bound)) is not None and getattr(branch, keyword) is None:
                setattr(branch, keyword, value)
    if prop.one_of and _overlap(prop.one_of):
        prop.any_of, prop.one_of = prop.one_of, None


def _optional_of(field_type: msgspec.inspect.Type) -> msgspec.inspect.Type | None:
    """X, for a field of type `X | None`."""
    if isinstance(field_type, msgspec.inspect.UnionType):
        values = [t for t in field_type.types if not isinstance(t, msgspec.inspect.NoneType)]
        if len(values) == 1 and len(field_type.types) == 2:
            return values[0]
    return None


def _value_branch(prop: Schema) -> Schema | Reference:
    """X, of a schema `oneOf: [X, null]`; else the schema itself."""
    values = [s for s in prop.one_of or [] if not (isinstance(s, Schema) and s.type == OpenAPIType.NULL)]
    return values[0] if len(values) == 1 else prop


def _overlap(branches: Sequence[Schema | Reference]) -> bool:
    types = {branch.type for branch in branches if isinstance(branch, Schema)}
    return OpenAPIType.INTEGER in types and OpenAPIType.NUMBER in types


TAGS = [
    Tag(name="public", description="The book's public data in the reader's language: no token, rate limited per address."),
    Tag(name="accounts", description="Users, enrolment codes and device tokens."),
    Tag(name="visits", description="Mystery visits: assignment, the checklist, audits, evidence, review and history."),
    Tag(name="feedback", description="Customers' complaints, survey responses and their metrics, for managers."),
    Tag(name="planning", description="Waves of visits, CSV imports, cancelling and reassigning, auditors' exclusions."),
    Tag(name="actions", description="Corrective actions opened by the failed items of approved audits, until the store closes them."),
    Tag(name="reports", description="The dashboard's figures and the exports, over a period and a scope, for managers and BI tools."),
    Tag(name="ops", description="For the people who run the service."),
]
