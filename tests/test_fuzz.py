"""Property-based tests of everything that reads customer input, and a bounded schema fuzz of the API.

Hypothesis feeds arbitrary forms, headers and paths to the readers (domain/forms.py, each question kind's
`read`, `negotiate`, `normalise_ticket`, opening hours, an audit's times) and, through the app in-process,
to the endpoints that take customer input; schemathesis generates requests from /schema/openapi.json,
anonymous and with each role's token. The property everywhere: no exception, never a 5xx. Example
counts are bounded and generation is derandomized (the same examples every run, no example database
written), so the file runs in seconds and does not flake. A 5xx found here is fixed in its layer and
pinned by name in `test_hardening.py`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error

from audit_api.book.i18n import negotiate
from audit_api.book.questions import QuestionKind
from audit_api.config import Settings
from audit_api.domain import form_tokens, forms
from audit_api.domain.audits import AuditSubmission, check_submission, proof_of_visit_flags
from audit_api.domain.complaints import new_ticket, normalise_ticket
from audit_api.domain.hours import day_start, status_at
from audit_api.domain.links import link_token
from audit_api.http import create_app
from audit_api.render.labels import FORM_ERRORS
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .audit_helpers import BOOK
from .conftest import NOON_TUESDAY, STORE_X, Actor, Snapshots, make_client
from .test_authorization import world
from .test_complaints import FORM as COMPLAINT
from .test_kinds import every_question
from .test_survey_pages import GOOD

settings.register_profile(
    "fuzz",
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the repository
    derandomize=True,  # the same examples on every run: a failure here is a real one, not luck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("fuzz")
FEW = settings(FUZZ, max_examples=50)  # through the whole app: each example is a request

SURVEY = BOOK.surveys[0]
LABEL_KEYS = set(FORM_ERRORS)
# Every field the customers' pages post: the survey's questions and every literal field name in the pages' templates.
TEMPLATES = Path(forms.__file__).parent.parent / "render" / "templates"


def posted_fields(page: str) -> set[str]:
    return set(re.findall(r'name="([\w-]+)"', (TEMPLATES / page).read_text(encoding="utf-8")))


SURVEY_FIELDS = sorted({q.id for q in SURVEY.questions} | {forms.HONEYPOT, "contact_name", "contact_email", "contact_phone"} | posted_fields("survey.html"))
FIELDS = sorted({*SURVEY_FIELDS, *posted_fields("complaint.html")})

# --- what customers (and bots) type -----------------------------------------------------------

NASTY = ["", " ", "--5", "-0", "+5", "5.0", "1e3", "NaN", "0x10", "\u00b2", "\u0663", "\uff15", "\x00", "yes", "no", "on",
         "9999-12-31", "0001-01-01", "+999999-01-01", "2026-02-30", "2026-W48-2", "99999999999999999999", "9" * 5000,
         "1.AAAAAAAAAAAAAAAA", "a.b.\u00e9", "C-0000-0000", "a@b.c", "+387 61 000 000", "<script>", "%", "&", "=", "\ud7ff\ue000"]
# Every character str.isdigit() takes for a digit: '²', '①' and '𝟠' among them, which int() may refuse.
DIGITS = "".join(c for c in map(chr, range(0x110000)) if c.isdigit())
numbers = st.one_of(
    st.text(st.sampled_from(DIGITS), min_size=1, max_size=6).flatmap(lambda text: st.sampled_from([text, f"-{text}", f"--{text}"])),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    numbers,
    st.lists(st.text(max_size=6), min_size=2, max_size=4).map(".".join),  # shaped like a signed reference or a form token
    st.sampled_from([o.id for q in SURVEY.questions for o in getattr(q, "options", [])] + [*forms.DESIRED, *BOOK.stores_by_id]),
)
form_dicts = st.builds(
    lambda known, unknown: {**unknown, **known},
    st.fixed_dictionaries({}, optional={name: st.lists(values, max_size=3) for name in FIELDS}),  # a key posted several times: several values
    st.dictionaries(st.text(max_size=12), st.lists(values, max_size=2), max_size=3),
)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)
accept_language = st.one_of(
    header_text,
    st.lists(st.tuples(st.sampled_from(["en", "bs", "ru", "bs-BA", "*", "de", "", "EN", "en-"]), st.sampled_from(["", ";q=0", ";q=0.5", ";q=nan", ";q=inf", ";q=-1", ";q=1e309", ";q="])), max_size=5)
    .map(lambda parts: ", ".join(tag + q for tag, q in parts)),
)


def stripped(raw: list[str]) -> list[str]:
    """What `read_survey` hands a question: the posted values, stripped, blanks dropped."""
    return [v.strip() for v in raw if v.strip()]


# --- the readers ------------------------------------------------------------------------------


@FUZZ
@given(form=form_dicts)
def test_read_survey_reads_any_form(form: forms.Form) -> None:
    answers, errors = forms.read_survey(SURVEY, form)
    assert set(errors.values()) <= LABEL_KEYS, "every error is a label the page can show"
    msgspec.json.encode(answers.answers)  # what response_job stores
    for question in SURVEY.questions:
        value = answers.answers.get(question.id)
        if value is None:
            continue
        if question.range() is not None:
            low, high = question.range()
            assert isinstance(value, int) and low <= value <= high
    consent = next(q.id for q in SURVEY.questions if q.contact_consent)
    assert answers.contact is None or answers.answers.get(consent) is True, "contact details only with consent"


@FUZZ
@given(form=form_dicts, today=st.dates())
def test_read_complaint_reads_any_form(form: forms.Form, today: dt.date) -> None:
    complaint, errors = forms.read_complaint(form, lambda store_id: today if store_id in BOOK.stores_by_id else None, today)
    assert set(errors.values()) <= LABEL_KEYS
    assert (complaint is None) == bool(errors)
    if complaint is not None:
        assert complaint.store_id in BOOK.stores_by_id and complaint.happened_on <= today
        assert complaint.desired in forms.DESIRED and 0 < len(complaint.what) <= 4000


@pytest.mark.parametrize("question", [*every_question(), *SURVEY.questions], ids=lambda q: f"{q.kind}-{q.id}")
def test_every_question_kind_reads_any_value(question: QuestionKind) -> None:
    @FUZZ
    @given(raw=st.lists(values, max_size=4))
    def reads(raw: list[str]) -> None:
        value, error = question.read(stripped(raw))
        assert error is None or error in LABEL_KEYS
        assert error is None or value is None
        if value is not None and question.range() is not None:
            low, high = question.range()
            assert type(value) is int and low <= value <= high

    reads()


@FUZZ
@given(text=st.one_of(values, st.text(max_size=80)), response_id=st.integers(min_value=1, max_value=10**18 - 1))
def test_only_the_servers_own_complaint_reference_links_a_response(text: str, response_id: int) -> None:
    secret, other = b"k" * 32, b"o" * 32
    assert forms.linked_response({"from": [text]}, secret) is None, "no text but the server's own reference links"
    reference = forms.complaint_reference(secret, response_id)
    assert forms.linked_response({"from": [reference]}, secret) == response_id
    assert forms.linked_response({"from": [reference]}, other) is None


@FUZZ
@given(token=st.one_of(values, st.text(max_size=80)))
def test_a_form_token_check_reads_any_text(token: str) -> None:
    nonce, problem = form_tokens.check(b"k" * 32, token, STORE_X, "checkout", NOON_TUESDAY)
    assert nonce is None and problem is not None, "no text but an issued token is good"


@FUZZ
@given(
    available=st.lists(st.sampled_from(["en", "bs", "ru", "sw", "es"]), min_size=1, unique=True),
    explicit=st.one_of(st.none(), header_text),
    accept=st.one_of(st.none(), accept_language),
)
def test_negotiate_answers_an_offered_language_for_any_header(available: list[str], explicit: str | None, accept: str | None) -> None:
    assert negotiate(available, available[0], explicit=explicit, accept=accept) in available


@FUZZ
@given(text=st.text(max_size=40))
def test_normalise_ticket_takes_any_text(text: str) -> None:
    assert normalise_ticket(text).startswith("C-")


@FUZZ
@given(chars=st.text(st.sampled_from("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), min_size=8, max_size=8))  # as new_ticket draws them
def test_a_ticket_as_a_person_types_it_reads_back(chars: str) -> None:
    ticket = f"C-{chars[:4]}-{chars[4:]}"
    typed = f"  {ticket.lower().replace('0', 'o').replace('1', 'l')} "
    assert normalise_ticket(typed) == normalise_ticket(ticket[2:]) == ticket
    assert len(new_ticket()) == len(ticket)


any_offset = st.builds(dt.timezone, st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59), max_value=dt.timedelta(hours=23, minutes=59)))
aware = st.one_of(
    st.datetimes(timezones=any_offset),
    st.datetimes(timezones=st.timezones()),
    st.sampled_from([dt.datetime.min, dt.datetime.max]).flatmap(lambda edge: st.builds(edge.replace, tzinfo=any_offset)),
)


@FUZZ
@given(instant=aware)
def test_opening_hours_answer_for_any_aware_instant(instant: dt.datetime) -> None:
    for store in BOOK.stores:
        status_at(store, instant)
        day_start(store, instant)


@FUZZ
@given(started=aware, finished=aware, now=aware)
def test_an_audits_times_are_checked_without_overflow(started: dt.datetime, finished: dt.datetime, now: dt.datetime) -> None:
    audit = AuditSubmission(visit_id="v", started_at=started, finished_at=finished, answers=[])
    errors = check_submission(BOOK.checklists_by_id["in-store-visit"], 1, audit, now)
    if not any(e.path.startswith(("body.started_at", "body.finished_at")) for e in errors):
        proof_of_visit_flags(BOOK.stores_by_id[STORE_X], audit, now)


# --- the customers' endpoints, through the app ------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_database(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One copy of the database with the demo book and the six actors, shared by this module's requests."""
    target = tmp_path_factory.mktemp("fuzz") / "audit.db"
    shutil.copyfile(snapshots.actors, target)
    database = Database(target)
    yield database
    database.close()


@pytest.fixture(scope="module")
def app_client(fuzz_database: Database) -> Iterator[TestClient]:
    """The app, its rate limits out of the way (a 429 would hide what a request does)."""
    with make_client(fuzz_database, public_rate_limit=10**9, form_rate_limit=10**9) as client:
        yield client


def not_5xx(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


def headers(language: str, **more: str) -> dict[str, bytes]:
    """Headers as bytes: an Accept-Language may hold any Latin-1 text, which httpx would not encode itself."""
    return {"accept-language": language.encode("latin-1"), **{k.replace("_", "-"): v.encode() for k, v in more.items()}}


def survey_path(database: Database) -> str:
    return f"/s/{link_token(instance_secret(database.path), STORE_X, 'checkout')}"


def form_bodies(valid: dict[str, str | list[str]]) -> st.SearchStrategy[bytes]:
    """Bodies a browser or a bot might post: a valid form with fields changed, any form, any bytes."""
    return st.one_of(
        st.dictionaries(st.sampled_from(FIELDS), st.lists(values, max_size=3), max_size=2)
        .map(lambda changes: urlencode({**valid, **changes}, doseq=True).encode()),
        form_dicts.map(lambda form: urlencode(form, doseq=True).encode()),
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )


@FEW
@given(body=form_bodies(GOOD), accept=accept_language)
def test_posting_any_survey_form_is_never_a_server_error(app_client: TestClient, fuzz_database: Database, body: bytes, accept: str) -> None:
    app_client.cookies.clear()  # each example a new browser, so none is absorbed as a repeat
    response = app_client.post(survey_path(fuzz_database), content=body, headers=headers(accept, content_type="application/x-www-form-urlencoded"))
    not_5xx(response)


@FEW
@given(body=form_bodies(COMPLAINT), accept=accept_language)
def test_posting_any_complaint_form_is_never_a_server_error(app_client: TestClient, body: bytes, accept: str) -> None:
    response = app_client.post("/complaint", content=body, headers=headers(accept, content_type="application/x-www-form-urlencoded"))
    not_5xx(response)


@pytest.mark.parametrize("field", SURVEY_FIELDS)
def test_any_value_of_any_field_of_a_valid_survey_is_taken_or_shown_as_an_error(app_client: TestClient, fuzz_database: Database, field: str) -> None:
    @settings(FUZZ, max_examples=20)
    @given(value=st.lists(values, min_size=1, max_size=3))
    def posts(value: list[str]) -> None:
        app_client.cookies.clear()
        response = app_client.post(survey_path(fuzz_database), data={**GOOD, field: value})
        assert response.status_code in (200, 422), response.text[:500]

    posts()


@FEW
@given(source=st.one_of(values, st.text(max_size=60)))
def test_a_valid_complaint_is_filed_whatever_it_names_as_its_survey_response(app_client: TestClient, fuzz_database: Database, source: str) -> None:
    response = app_client.post("/complaint", data={**COMPLAINT, "from": source})
    assert response.status_code == 200, response.text[:500]
    ticket = response.text.split('id="ticket">', 1)[1][:11]
    linked = fuzz_database.read().execute("SELECT source_response FROM complaints WHERE ticket = ?", [ticket]).fetchone()
    assert linked == (None,), "only a reference the server signed links a response"


@FEW
@given(ticket=st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(NASTY[1:])), accept=accept_language)
def test_any_ticket_lookup_is_never_a_server_error(app_client: TestClient, ticket: str, accept: str) -> None:
    browser = headers(accept, accept="text/html")
    not_5xx(app_client.get(f"/complaint/status/{quote(ticket, safe='')}", headers=browser))
    not_5xx(app_client.get("/complaint/status", params={"ticket": ticket}, headers=browser, follow_redirects=False))


@FEW
@given(
    path=st.sampled_from(["/api/v1/stores", f"/api/v1/stores/{STORE_X}", "/api/v1/faq", "/api/v1/contacts", "/api/v1/complaint-procedure",
                          "/complaint", "/complaint/status", "SURVEY", "/healthz"]),
    params=st.dictionaries(st.sampled_from(["lang", "city", "store", "from", "ticket", "page", "x"]), st.one_of(values, header_text), max_size=4),
    accept=accept_language,
)
def test_any_query_on_a_public_page_is_never_a_server_error(app_client: TestClient, fuzz_database: Database, path: str, params: dict[str, str], accept: str) -> None:
    target = survey_path(fuzz_database) if path == "SURVEY" else path
    not_5xx(app_client.get(target, params=params, headers=headers(accept), follow_redirects=False))


# --- the schema fuzz --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api_schema(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[schemathesis.BaseSchema, dict[str, str]]]:
    """schemathesis over the app's own /schema/openapi.json, in-process, on its own copy of the database,
    with the path parameters of things that exist there (a submitted visit, a complaint, a user...)."""
    target = tmp_path_factory.mktemp("schema-fuzz") / "audit.db"
    shutil.copyfile(snapshots.actors, target)
    database = Database(target)
    things = world(database, copy.deepcopy(snapshots.people))
    known = {"visit_id": things["submitted"], "ticket": things["ticket"], "name": things["name"], "store_id": STORE_X,
             "sha256": things["sha"], "token_id": things["token_b"]}
    app = create_app(
        Settings(db_path=target, public_rate_limit=10**9, form_rate_limit=10**9), database=database, clock=lambda: NOON_TUESDAY
    )
    yield schemathesis.openapi.from_asgi("/schema/openapi.json", app), known
    database.close()


SCHEMA_FUZZ = settings(
    FUZZ, max_examples=5, phases=[Phase.explicit, Phase.generate],  # few examples an operation; no shrinking to bound a failing run
    suppress_health_check=list(HealthCheck),
)


CALLERS = ("anonymous", "auditor_a", "manager_x", "admin")  # one of each role


def test_no_request_the_schema_allows_is_a_server_error(api_schema: tuple[schemathesis.BaseSchema, dict[str, str]], snapshots: Snapshots) -> None:
    """Each operation: valid requests on things that exist, then requests the schema forbids (wrong types,
    missing fields, random ids), each sent as one caller of each role; each answered without a 5xx. (One
    example sent four times: making the examples, not sending them, is most of this test's time.)"""
    schema, known = api_schema
    people: list[Actor] = [snapshots.people[caller] for caller in CALLERS]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20, "the schema lists the API's operations"
    for operation in operations:
        # Without a token every request to a secured operation is a 401: test_hardening.py checks each method of each path.
        callers = [actor for actor in people if actor.user is not None or not operation.definition.raw.get("security")]
        existing = {p.name: known[p.name] for p in operation.path_parameters if p.name in known}
        strategies = [operation.as_strategy(path_parameters=existing)]
        if any(len(part) for part in (operation.path_parameters, operation.query, operation.headers, operation.body)):
            strategies.append(operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))

        for strategy in strategies:

            @SCHEMA_FUZZ
            @given(case=strategy)
            def no_server_error(case: schemathesis.Case) -> None:
                for actor in callers:
                    case.call_and_validate(headers=actor.headers, checks=[not_a_server_error])

            no_server_error()
