"""The OpenAPI document tells the truth: what a client generated from it expects is what the API answers.

A typed client is generated from /schema/openapi.json with openapi-python-client (once per module)
and drives the real app in-process, as a phone and a manager would: every answer must come back as a
documented status with a parsed, typed body, and a hook checks each answer against the document as
well (its status, media type, documented headers, and body by the JSON Schema, formats included).
The document itself passes a lint: openapi-spec-validator, then the rules of Redocly's
"recommended" ruleset that apply (see `test_the_document_passes_the_lint`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from litestar.testing import TestClient, transport
from openapi_spec_validator import validate as validate_spec
from PIL import Image

from audit_api.domain.forms import ComplaintForm
from audit_api.services import feedback
from audit_api.store import Database

from .audit_helpers import BOOK, audit_body
from .conftest import NOON_TUESDAY, STORE_X, Actor, Snapshots, make_client
from .test_authorization import MATRIX

# The module's fixtures (the document, the generated client) are made once for the run, in one test process.
pytestmark = pytest.mark.xdist_group("api-contract")
PACKAGE = "audit_api_client"  # the generated client's package
CLIENT_CONFIG = {
    "post_hooks": [],  # formatting the generated code (ruff) takes time and changes nothing it does
    # Evidence downloads are photos and PDFs: read their bytes, as a client would for any file type.
    "content_type_overrides": {t: "application/octet-stream" for t in ("image/jpeg", "image/png", "image/heic", "application/pdf")},
}
BASE_URL = "http://testserver.local"
# Headers a client acts on: where an answer carries one, the document names it. (The security headers
# every response carries, X-Content-Type-Options and on pages the CSP, are the server's, not a route's.)
MEANINGFUL_HEADERS = ("etag", "cache-control", "vary", "content-language", "content-disposition", "retry-after", "location", "link")


# --- the document and the client generated from it ----------------------------------------------------


@pytest.fixture(scope="module")
def spec(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("spec")
    shutil.copyfile(snapshots.loaded, folder / "audit.db")
    database = Database(folder / "audit.db")
    try:
        with make_client(database) as client:
            response = client.get("/schema/openapi.json")
    finally:
        database.close()
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def api(spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated client package, imported; the generator must understand every part of the document."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(spec))
    (folder / "config.json").write_text(json.dumps(CLIENT_CONFIG))
    generate = [
        sys.executable, "-m", "openapi_python_client", "generate", "--path", str(folder / "openapi.json"),
        "--output-path", str(folder / PACKAGE), "--meta", "none", "--config", str(folder / "config.json"), "--fail-on-warning",
    ]
    run = subprocess.run(generate, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"openapi-python-client could not use the document:\n{run.stdout}\n{run.stderr}"
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module(PACKAGE)
        importlib.import_module(f"{PACKAGE}.models")
        importlib.import_module(f"{PACKAGE}.types")
        yield package
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def endpoint(api: ModuleType, name: str) -> Any:
    """One generated operation module, e.g. `visits.api_v1_audits_audit_id_submit`."""
    return importlib.import_module(f"{api.__name__}.api.{name}")


class Conformance:
    """An httpx response hook: each request's JSON body and each answer must be as the document
    describes them for the operation."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.templates = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path) for path in spec["paths"]]
        self.answered: list[tuple[str, str, int]] = []  # (method, path template, status)

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        method, path = response.request.method, response.request.url.path
        template = next(t for pattern, t in self.templates if pattern.match(path))
        operation = self.spec["paths"][template][method.lower()]
        sent = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if sent and response.request.content:
            self.validate(json.loads(response.request.content), sent["schema"], f"{method} {template}: the request body")
        status = response.status_code
        documented = operation["responses"].get(str(status))
        assert documented is not None, f"{method} {template}: {status} is not documented ({sorted(operation['responses'])})"
        content = documented.get("content") or {}
        if not content:
            assert response.content == b"", f"{method} {template}: {status} has a body the document does not describe"
        else:
            media_type = response.headers["content-type"].split(";")[0].strip()
            assert media_type in content, f"{method} {template}: {status} answered {media_type}, documented {sorted(content)}"
            schema = content[media_type]["schema"]
            if media_type.endswith("json"):
                self.validate(response.json(), schema, f"{method} {template}: the {status} body")
        headers = {name.lower() for name in documented.get("headers", {})}
        required = {name.lower() for name, header in documented.get("headers", {}).items() if header.get("required")}
        missing = [name for name in required if name not in response.headers]
        assert not missing, f"{method} {template}: {status} lacks the documented headers {missing}"
        undocumented = [name for name in MEANINGFUL_HEADERS if name in response.headers and name not in headers]
        assert not undocumented, f"{method} {template}: {status} sends headers the document does not name: {undocumented}"
        self.answered.append((method, template, status))

    def validate(self, value: object, schema: dict[str, Any], what: str) -> None:
        validator = Draft202012Validator({**schema, "components": self.spec["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER)
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]
        assert not problems, f"{what} breaks its schema: {problems}"


def caller(api: ModuleType, test_client: TestClient, check: Conformance, token: str | None = None) -> Any:
    """A generated client for one caller, anonymous or with a device token, sending to the in-process app.

    Each caller has its own httpx client (its own Authorization header, which `set_httpx_client` makes
    the one sent) over the test client's transport: no connection of its own, nothing to close.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx.Client(base_url=BASE_URL, transport=transport.TestClientTransport(test_client), headers=headers, event_hooks={"response": [check]})
    generated = api.AuthenticatedClient(base_url=BASE_URL, token=token, raise_on_unexpected_status=True) if token else api.Client(
        base_url=BASE_URL, raise_on_unexpected_status=True
    )
    return generated.set_httpx_client(http)


def call(operation: Any, status: int, parsed: type | tuple[type, ...] | None, *args: Any, **kwargs: Any) -> Any:
    """Call a generated operation; the answer must have `status` and a body parsed into `parsed`."""
    response = operation.sync_detailed(*args, **kwargs)
    assert response.status_code == status, response.content[:500]
    if parsed is None:
        assert response.parsed is None
    else:
        assert isinstance(response.parsed, parsed), f"parsed as {type(response.parsed).__name__}, not {parsed}"
    return response


def png(size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((size, size), 64).convert("RGB").save(out, format="PNG")
    return out.getvalue()


# --- the flows -----------------------------------------------------------------------------------------


def test_a_generated_client_runs_the_auditor_and_the_manager_flows(
    api: ModuleType, spec: dict[str, Any], loaded: Database, actors: dict[str, Actor]
) -> None:
    m = api.models

    def e(name: str) -> Any:
        return endpoint(api, name)

    def file(data: bytes) -> Any:
        return m.Upload(file=api.types.File(payload=io.BytesIO(data), file_name="shelf.png", mime_type="image/png"))

    check = Conformance(spec)
    photo = png()
    complaint = ComplaintForm(store_id=STORE_X, happened_on=dt.date(2026, 11, 20), what="Rude at the till.", desired="apology", contact=None)
    ticket = feedback.file_complaint(loaded, BOOK, complaint, "en", NOON_TUESDAY)
    with make_client(loaded, evidence_max_bytes=len(photo) + 100) as test_client:
        anonymous = caller(api, test_client, check)
        admin = caller(api, test_client, check, _token(actors["admin"]))
        manager = caller(api, test_client, check, _token(actors["manager_x"]))

        # A phone enrols: an admin's code (no body needed), exchanged for a device token.
        enrolment = call(e("accounts.api_v1_users_name_enrolments_enrol"), 201, m.EnrolmentAnswer, "auditor-a", client=admin).parsed
        issued = call(e("accounts.api_v1_devices_enrol_device"), 201, m.IssuedToken,
                      client=anonymous, body=m.DeviceRequest(code=enrolment.code, device="contract phone")).parsed
        auditor = caller(api, test_client, check, issued.token)
        assert call(e("accounts.api_v1_me_me"), 200, m.User, client=auditor).parsed.name == "auditor-a"

        visit = call(e("visits.api_v1_visits_assign"), 201, m.VisitView, client=admin, body=m.NewVisit(
            store_id=STORE_X, checklist_id="in-store-visit", auditor="auditor-a", window_start=dt.date(2026, 11, 23),
            window_end=dt.date(2026, 11, 30), scenario="Ask about wholesale discounts.",
        )).parsed
        listed = call(e("visits.api_v1_visits_index"), 200, list, client=auditor).parsed
        assert [v.id for v in listed] == [visit.id] and all(isinstance(v, m.VisitView) for v in listed)

        # The checklist, then again with its ETag: 304, no body, the caching headers repeated.
        first = call(e("visits.api_v1_visits_visit_id_checklist_checklist"), 200, m.ChecklistView, visit.id, client=auditor)
        assert first.parsed.stages[0].items[0].kind in {"yes_no", "scale", "number", "choice"}
        again = call(e("visits.api_v1_visits_visit_id_checklist_checklist"), 304, None, visit.id, client=auditor,
                     if_none_match=first.headers["etag"])
        assert again.headers["etag"] == first.headers["etag"]
        call(e("visits.api_v1_visits_visit_id_start_start"), 200, m.VisitView, visit.id, client=auditor)

        # The audit: one broken rule (422, read through the generated model), then stored (201),
        # replayed (200, the same result), and another body under the same id (409).
        submit = e("visits.api_v1_audits_audit_id_submit")
        body = audit_body(visit.id)
        broken = m.AuditSubmission.from_dict({**body, "answers": [{**body["answers"][0], "value": "often"}, *body["answers"][1:]]})
        refused = call(submit, 422, m.ProblemDetails, uuid.uuid4(), client=auditor, body=broken).parsed
        assert refused.status == 422 and [error.path for error in refused.errors] == ["body.answers[0].value"]
        audit_id = uuid.uuid4()
        stored = call(submit, 201, m.AuditResult, audit_id, client=auditor, body=m.AuditSubmission.from_dict(body)).parsed
        replayed = call(submit, 200, m.AuditResult, audit_id, client=auditor, body=m.AuditSubmission.from_dict(body)).parsed
        assert (replayed.audit_id, replayed.revision, replayed.submitted_at) == (stored.audit_id, stored.revision, stored.submitted_at)
        assert isinstance(stored.submitted_at, dt.datetime)  # a date-time, parsed as one
        conflict = call(submit, 409, m.ProblemDetails, audit_id, client=auditor, body=m.AuditSubmission.from_dict({**body, "comment": "again"}))
        assert conflict.parsed.errors == []

        # Evidence: up (multipart; 201, then 200 for the same file), too large (413), listed, down as bytes.
        upload = e("visits.api_v1_visits_visit_id_evidence_upload")
        record = call(upload, 201, m.EvidenceRecord, visit.id, client=auditor, body=file(photo)).parsed
        assert call(upload, 200, m.EvidenceRecord, visit.id, client=auditor, body=file(photo)).parsed.sha256 == record.sha256
        call(upload, 413, m.ProblemDetails, visit.id, client=auditor, body=file(png(64)))
        assert [r.sha256 for r in call(e("visits.api_v1_visits_visit_id_evidence_index"), 200, list, visit.id, client=auditor).parsed] == [record.sha256]
        download = call(e("visits.api_v1_visits_visit_id_evidence_sha_256_file"), 200, api.types.File, visit.id, record.sha256, client=auditor)
        assert download.parsed.payload.read() == photo and download.headers["content-type"] == "image/png"
        report = call(e("visits.api_v1_visits_visit_id_report_report"), 200, str, visit.id, client=auditor).parsed
        assert "<html" in report.lower()

        # Typed refusals: the wrong role, a visit the caller may not know of.
        call(e("accounts.api_v1_users_users"), 403, m.ProblemDetails, client=auditor)
        call(e("visits.api_v1_visits_visit_id_show"), 404, m.ProblemDetails, "no-such-visit", client=manager)

        # The store's manager: review, history, the complaint queue, metrics.
        reviewed = call(e("visits.api_v1_visits_visit_id_review_review"), 200, m.VisitDetail, visit.id, client=manager,
                        body=m.ReviewDecision(decision=m.ReviewDecisionDecision.APPROVE)).parsed
        assert reviewed.visit.state == "approved"
        history = call(e("visits.api_v1_visits_visit_id_history_history"), 200, m.VisitHistory, visit.id, client=manager).parsed
        assert history.visit.id == visit.id and len(history.events) >= 4 and len(history.revisions) == 1
        queue = call(e("feedback.api_v1_complaints_index"), 200, list, client=manager).parsed
        assert [c.ticket for c in queue] == [ticket] and isinstance(queue[0], m.ComplaintView)
        moved = call(e("feedback.api_v1_complaints_ticket_transitions_move"), 200, m.ComplaintDetail, ticket, client=manager,
                     body=m.Transition(to=m.TransitionTo.ACKNOWLEDGED)).parsed
        assert moved.complaint.state == "acknowledged" and isinstance(moved.complaint.received_at, dt.datetime)
        metrics = call(e("feedback.api_v1_metrics_metrics"), 200, m.Metrics, client=manager).parsed
        assert isinstance(metrics.overall, m.Figures) and all(isinstance(row, m.StoreMetrics) for row in metrics.stores)
    assert {status for _, _, status in check.answered} >= {200, 201, 304, 403, 404, 409, 413, 422}


def test_public_answers_and_refusals_come_back_typed(api: ModuleType, spec: dict[str, Any], loaded: Database) -> None:
    m = api.models
    check = Conformance(spec)
    with make_client(loaded, public_rate_limit=4) as test_client:
        anonymous = caller(api, test_client, check)
        stores = call(endpoint(api, "public.api_v1_stores_stores"), 200, m.StoreList, client=anonymous).parsed
        assert stores.stores and all(day.day in {"mon", "tue", "wed", "thu", "fri", "sat", "sun"} for day in stores.stores[0].hours)
        call(endpoint(api, "public.api_v1_stores_store_id_store"), 404, m.ProblemDetails, "atlantis", client=anonymous)
        call(endpoint(api, "accounts.api_v1_me_me"), 401, m.ProblemDetails, client=caller(api, test_client, check, "not-a-token"))
        faq = endpoint(api, "public.api_v1_faq_faq")
        answers = [faq.sync_detailed(client=anonymous) for _ in range(4)]
    assert [a.status_code for a in answers][-1] == 429, [a.status_code for a in answers]
    assert isinstance(answers[-1].parsed, m.ProblemDetails) and int(answers[-1].headers["retry-after"]) >= 1


def _token(actor: Actor) -> str:
    return actor.headers["Authorization"].removeprefix("Bearer ")


# --- the document --------------------------------------------------------------------------------------

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
URL_SAFE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*$")
JSON_TYPES: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def walk(node: object) -> Iterator[dict[str, Any]]:
    """Every object in the document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_the_document_passes_the_lint(spec: dict[str, Any]) -> None:
    """openapi-spec-validator (the `spec` rule), then these rules of Redocly's "recommended" ruleset,
    checked here because `make test` must not need Node:

    operation-operationId, operation-operationId-unique, operation-operationId-url-safe,
    operation-summary, operation-2xx-response, operation-4xx-response, operation-parameters-unique,
    path-parameters-defined, path-not-include-query, no-path-trailing-slash, no-identical-paths,
    no-ambiguous-paths, no-empty-servers, no-server-trailing-slash, no-server-example.com,
    no-unused-components, no-enum-type-mismatch, no-required-schema-properties-undefined,
    security-defined, tag-description; and, off in "recommended" but this API's contract,
    operation-4xx-problem-details-rfc7807 (every 4xx is application/problem+json, our ProblemDetails)
    and operation-tag-defined.

    Not checked: info-license and info-license-url (the product states no licence; choosing one is
    not the document's call). One exception, by name: GET /healthz has no 4xx, as nothing a caller
    sends to a liveness probe can be wrong (it takes no input, no token, and is not rate limited).
    """
    validate_spec(spec)
    errors: list[str] = []
    ids = [op.get("operationId") for _, _, op in operations(spec)]
    errors += [f"duplicate operationId {i}" for i in {i for i in ids if ids.count(i) > 1}]
    tags = {tag["name"]: tag.get("description") for tag in spec.get("tags", [])}
    errors += [f"tag {name} has no description" for name, text in tags.items() if not text]
    schemes = spec["components"].get("securitySchemes", {})
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        if not op.get("operationId") or not URL_SAFE.match(op["operationId"]):
            errors.append(f"{where}: operationId missing or not URL-safe")
        if not op.get("summary"):
            errors.append(f"{where}: no summary")
        statuses = set(op["responses"])
        if not any(s.startswith("2") for s in statuses):
            errors.append(f"{where}: no 2xx response")
        if not any(s.startswith("4") for s in statuses) and path != "/healthz":
            errors.append(f"{where}: no 4xx response")
        for status in (s for s in statuses if s.startswith("4")):
            schema = op["responses"][status].get("content", {}).get("application/problem+json", {}).get("schema")
            if schema != {"$ref": "#/components/schemas/ProblemDetails"}:
                errors.append(f"{where}: {status} is not application/problem+json ProblemDetails")
        parameters = [(p["name"], p["in"]) for p in op.get("parameters", [])]
        if len(parameters) != len(set(parameters)):
            errors.append(f"{where}: a parameter is declared twice")
        declared = {name for name, where_in in parameters if where_in == "path"}
        if declared != set(re.findall(r"\{([^}]+)\}", path)):
            errors.append(f"{where}: path parameters {sorted(declared)} do not match the path")
        if "security" not in op and "security" not in spec:
            errors.append(f"{where}: no security requirement (public operations say security: [])")
        for requirement in op.get("security", []):
            errors += [f"{where}: undefined security scheme {name}" for name in requirement if name not in schemes]
        errors += [f"{where}: undefined tag {tag}" for tag in op.get("tags", []) if tag not in tags]
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        closed = _resolve(spec, _non_null(body)) if body else None
        if closed is not None and closed.get("additionalProperties") is not False:
            errors.append(f"{where}: its body refuses unknown fields but the schema does not say additionalProperties: false")
    paths = list(spec["paths"])
    for path in paths:
        if "?" in path or (path.endswith("/") and path != "/"):
            errors.append(f"{path}: a query or a trailing slash in the path")
    for i, a in enumerate(paths):
        for b in paths[i + 1:]:
            if shape(a) == shape(b):
                errors.append(f"identical paths {a} and {b}")
            elif _ambiguous(a, b):
                errors.append(f"ambiguous paths {a} and {b}")
    servers = spec.get("servers", [])
    if not servers:
        errors.append("no servers")
    for server in servers:
        url = server["url"]
        if (url.endswith("/") and url != "/") or "example.com" in url:
            errors.append(f"server {url}: trailing slash or example.com")
    refs = {node["$ref"] for node in walk(spec) if isinstance(node.get("$ref"), str)}
    for kind, components in spec["components"].items():
        if kind != "securitySchemes":
            errors += [f"unused component {kind}/{name}" for name in components if f"#/components/{kind}/{name}" not in refs]
    for node in walk(spec):
        if "enum" in node and "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            errors += [f"enum value {v!r} is not of type {types}" for v in node["enum"] if not any(JSON_TYPES[t](v) for t in types)]
        if isinstance(node.get("required"), list) and isinstance(node.get("properties"), dict):
            errors += [f"required property {name} is not defined" for name in node["required"] if name not in node["properties"]]
    assert errors == []


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """X, of `oneOf: [X, null]` (a body that may be `null` or left out)."""
    values = [s for s in schema.get("oneOf", []) if s.get("type") != "null"]
    return values[0] if len(values) == 1 else schema


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _ambiguous(a: str, b: str) -> bool:
    """Redocly's no-ambiguous-paths: as many segments, and each pair equal or at least one a template."""
    left, right = a.split("/"), b.split("/")
    return len(left) == len(right) and all(x == y or x.startswith("{") or y.startswith("{") for x, y in zip(left, right))


def test_every_status_of_the_authorization_matrix_is_documented(spec: dict[str, Any]) -> None:
    """Each status tests/test_authorization.py expects of a route (401, 403, 404 as its guards and scopes
    give) is in that route's documented responses; the customers' HTML pages are not in the document."""
    documented = {(method.upper(), shape(path)): set(op["responses"]) for path, method, op in operations(spec)}
    missing = []
    for method, path, _, statuses in MATRIX:
        if path.startswith(("/s/", "/complaint", "/app", "/enrol")):
            assert (method, shape(path)) not in documented, f"{method} {path} is a customer's page or the auditors' app: keep it out of the schema"
            continue
        missing += [f"{method} {path}: {s}" for s in sorted(set(statuses)) if str(s) not in documented[(method, shape(path))]]
    assert missing == []
