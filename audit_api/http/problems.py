"""The one error shape of the API: RFC 9457 problem details, for every 4xx and 5xx.

    {"type": "urn:audit:problem:not-found", "title": "Not Found", "status": 404,
     "detail": "no store 'x'", "instance": "/api/v1/stores/x", "errors": [{"path": ..., "message": ...}]}

`errors` is always present (empty when there is nothing per field), so a phone app needs one parser.
A 5xx never shows a stack trace or an internal message; it is logged instead.

The customers' pages (outside /api/) are read by people in browsers: there the same problem is shown
as a small HTML page in their language, with the same status code.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from ..book import negotiate
from ..errors import AuditError, BookNotLoaded, Conflict, FieldError, Forbidden, InvalidInput, NotFound, TooLarge
from ..words import catalog_languages, words
from .render import html

log = logging.getLogger("audit_api")

PROBLEM_JSON = "application/problem+json"


class ProblemDetails(msgspec.Struct, frozen=True, kw_only=True):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError]  # always present, empty when there is nothing per field


_STATUS_OF: dict[type[AuditError], int] = {
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    InvalidInput: 422,
    BookNotLoaded: 503,
}


def problem(request: Request[Any, Any, Any], status: int, detail: str, errors: list[FieldError] | None = None, headers: Any = None) -> Response[Any]:
    phrase = HTTPStatus(status).phrase
    body = ProblemDetails(
        type=f"urn:audit:problem:{phrase.lower().replace(' ', '-').replace('-/-', '-')}",
        title=phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or [],
    )
    if _wants_html(request):
        return _html_problem(request, body, headers)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/schema", "/healthz")) and "text/html" in request.headers.get("accept", "")


def _html_problem(request: Request[Any, Any, Any], body: ProblemDetails, headers: Any) -> Response[Any]:
    """The problem as a page in the reader's language (`?lang=`, else Accept-Language): what happened and what to do."""
    plug = getattr(request.app.state, "plug", None)  # none in an app that is not ours (tests of the error shape)
    chain = plug.book().chain if plug else None
    offered, default = (chain.languages, chain.default_language) if chain else (catalog_languages(), "en")
    lang = negotiate(offered, default, explicit=request.query_params.get("lang"), accept=request.headers.get("accept-language"))
    response = html("error.html", body.status, lang=lang, t=words(lang, chain), chain=chain.name if chain else "", problem=body)
    if headers:
        response.headers.update(headers)
    return response


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        log.exception("HTTP %s on %s", status, request.url.path, exc_info=exc)
        return problem(request, status, HTTPStatus(status).description)
    errors = _validation_errors(request, exc) if isinstance(exc, ValidationException) else []
    detail = exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else HTTPStatus(status).description
    return problem(request, status, detail, errors, headers=exc.headers)


def handle_audit(request: Request[Any, Any, Any], exc: AuditError) -> Response[Any]:
    status = _STATUS_OF.get(type(exc), 400)
    errors = exc.errors if isinstance(exc, InvalidInput) else []
    return problem(request, status, str(exc), errors)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "Something went wrong on our side; it has been logged.")


def _validation_errors(request: Request[Any, Any, Any], exc: ValidationException) -> list[FieldError]:
    """Litestar's per-field messages, with paths in the API's one syntax (see `errors.py`)."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            source = str(getattr(item.get("source"), "value", item.get("source") or "body"))
            key = str(item.get("key") or "")
            message = str(item.get("message", ""))
            if source == "body":
                key = "" if key == "data" else key  # Litestar names the body's root `data`
                if unknown := _UNKNOWN_FIELD.match(message):  # the path of the field that should not be there
                    key = f"{key}.{unknown[1]}" if key else unknown[1]
                name = key
            else:
                name = _wire_name(request, source, key)
            errors.append(FieldError(path=f"{source}.{name}" if name else source, message=message))
    return errors


_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `([^`]+)`$")


def _wire_name(request: Request[Any, Any, Any], source: str, key: str) -> str:
    """A parameter as the client sends it (`from`), not as the handler calls it (`since`)."""
    field = request.route_handler.parsed_fn_signature.parameters.get(key)
    kwarg = getattr(field, "kwarg_definition", None)
    alias = getattr(kwarg, source, None) or getattr(kwarg, "name", None)  # QueryParameter(name=...) or Parameter(query=...)
    name = alias if isinstance(alias, str) and alias else key
    return name.lower() if source == "header" else name


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    HTTPException: handle_http,
    AuditError: handle_audit,
    Exception: handle_unexpected,
}
