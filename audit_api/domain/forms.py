"""Read the customer's forms (survey, complaint) as a browser posts them, and say what is wrong where.

Input is the parsed form (`name -> [values]`); output is clean values plus errors keyed by field,
each error a label key that the page shows in the customer's language next to the field.
A survey answer is read by its question's kind (`read` in `book/questions.py`), so every kind is read
and none is skipped. Contact details are kept only with consent. Pure functions.

A complaint may name the survey response it follows (`from`): the thank-you page after a low score
links to the complaint form with `complaint_reference`, `<response id>.<HMAC of the id under the
instance's secret>`, which only the server can make; `linked_response` reads it back, and anything
else (missing, altered, another response's id) reads as no response at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable

import msgspec

from ..book.models import Survey

Form = dict[str, list[str]]
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it
DESIRED = ("exchange", "refund", "repair", "discount", "apology", "other")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[+0-9 ()./-]{6,25}$")
_REFERENCE = re.compile(r"([1-9][0-9]{0,17})\.([A-Za-z0-9_-]{16})")  # an id SQLite's integers hold, and its signature


class Contact(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    email: str
    phone: str


class SurveyAnswers(msgspec.Struct, frozen=True, kw_only=True):
    answers: dict[str, int | str | list[str] | bool]
    contact: Contact | None


class ComplaintForm(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    happened_on: dt.date
    what: str
    desired: str
    contact: Contact | None


def _one(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def is_bot(form: Form) -> bool:
    return bool(_one(form, HONEYPOT))


def read_contact(form: Form, errors: dict[str, str], *, consent: bool) -> Contact | None:
    """The contact fields, only when the customer agreed to be contacted."""
    if not consent:
        return None
    contact = Contact(name=_one(form, "contact_name")[:100], email=_one(form, "contact_email")[:200], phone=_one(form, "contact_phone")[:40])
    if not contact.email and not contact.phone:
        errors["contact_email"] = "contact_needed"
    if contact.email and not _EMAIL.match(contact.email):
        errors["contact_email"] = "bad_email"
    if contact.phone and not _PHONE.match(contact.phone):
        errors["contact_phone"] = "bad_phone"
    return contact


def read_survey(survey: Survey, form: Form) -> tuple[SurveyAnswers, dict[str, str]]:
    answers: dict[str, int | str | list[str] | bool] = {}
    errors: dict[str, str] = {}
    consent = False
    for question in survey.questions:
        raw = [v.strip() for v in form.get(question.id, []) if v.strip()]
        value, error = question.read(raw)
        if error:
            errors[question.id] = error
        elif value is not None:
            answers[question.id] = value
        if question.contact_consent:
            consent = value is True
    contact = read_contact(form, errors, consent=consent)
    return SurveyAnswers(answers=answers, contact=contact), errors


def read_complaint(
    form: Form, today_at: Callable[[str], dt.date | None], latest_today: dt.date
) -> tuple[ComplaintForm | None, dict[str, str]]:
    """`today_at(store_id)` is the store's own local date (None: no such store), so "today" is the
    customer's today wherever the store is: after local midnight in Moscow, the new day. Without a
    known store, a date is in the future only if it is after `latest_today`, the chain's latest date."""
    errors: dict[str, str] = {}
    store_id = _one(form, "store")
    store_today = today_at(store_id) if store_id else None
    if store_today is None:
        errors["store"] = "choose_store"
    today = store_today or latest_today
    try:
        happened_on = dt.date.fromisoformat(_one(form, "happened_on"))
        if happened_on > today:
            errors["happened_on"] = "date_future"
    except ValueError:
        happened_on = today
        errors["happened_on"] = "date_needed"
    what = _one(form, "what")
    if not what:
        errors["what"] = "required"
    elif len(what) > 4000:
        errors["what"] = "too_long"
    desired = _one(form, "desired")
    if desired not in DESIRED:
        errors["desired"] = "choose_one"
    contact = read_contact(form, errors, consent=_one(form, "consent") == "yes")
    if errors:
        return None, errors
    return ComplaintForm(store_id=store_id, happened_on=happened_on, what=what, desired=desired, contact=contact), errors


def complaint_reference(secret: bytes, response_id: int) -> str:
    """What the thank-you page's complaint link carries for `from`: the response id and its signature."""
    return f"{response_id}.{_signature(secret, response_id)}"


def linked_response(form: Form, secret: bytes) -> int | None:
    """The survey response a complaint form names in `from`, if the server made that reference."""
    found = _REFERENCE.fullmatch(_one(form, "from"))
    if found is None or not hmac.compare_digest(found[2], _signature(secret, int(found[1]))):
        return None
    return int(found[1])


def _signature(secret: bytes, response_id: int) -> str:
    # Its own prefix, so no QR link token (an HMAC of "store/touchpoint" under the same key) is ever one.
    digest = hmac.new(secret, f"complaint-from:{response_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()
