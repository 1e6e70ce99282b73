"""Each touchpoint serves its own survey: the phone line's is not the fitting room's.

A touchpoint names its survey, else its store does, else the chain's `default_survey`, else the book's
only survey. Each touchpoint's printed QR code, decoded, leads to that survey; each response keeps the
survey's id and published version; coupon and draw codes carry the book's prefix. `audit check` refuses
a reference to a survey the book lacks, and a touchpoint left without a survey.
"""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import zxingcpp
from PIL import Image

from audit_api.book import check_book, load_book
from audit_api.book.models import Incentive
from audit_api.domain.forms import SurveyAnswers
from audit_api.domain.links import link_token
from audit_api.posters import write_posters
from audit_api.services import feedback
from audit_api.store import Database, current_book, publish
from audit_api.store.secret import instance_secret

from .audit_helpers import BOOK
from .conftest import NOON_TUESDAY, make_client
from .test_book_check import edit, line_of, messages
from .test_survey_pages import GOOD, answer, responses

PUBLIC_URL = "http://127.0.0.1:8000"
STORE = "moskva-arbat"  # its checkout serves the chain's default survey; its phone line names its own
PHONE = {"handled": "4", "easy": "6", "answered-quickly": "5", "friendly-voice": "4", "knew-how": "3", "kept-promise": "5",
         "call-back": "not-needed", "improve": "Nothing, thank you."}


def printed_links(database: Database, folder: Path) -> dict[str, str]:
    """touchpoint -> the path its poster's PNG QR code carries, read back by a real decoder."""
    write_posters(current_book(database), instance_secret(database.path), PUBLIC_URL, folder)
    links = {}
    for png in sorted((folder / STORE).glob("*.png")):
        [code] = zxingcpp.read_barcodes(Image.open(png))
        links[png.stem] = code.text.removeprefix(PUBLIC_URL)
    return links


def test_each_touchpoint_serves_its_own_survey_from_its_own_qr_code(loaded: Database, tmp_path: Path) -> None:
    links = printed_links(loaded, tmp_path / "qr")
    assert sorted(links) == ["checkout", "fitting-room", "phone-line"] and len(set(links.values())) == 3
    with make_client(loaded) as client:
        checkout = client.get(links["checkout"] + "?lang=en")
        phone = client.get(links["phone-line"] + "?lang=en")
        assert "How did we do?" in checkout.text and 'name="recommend"' in checkout.text and 'name="handled"' not in checkout.text
        assert "How was your call?" in phone.text and 'name="handled"' in phone.text and 'name="recommend"' not in phone.text
        store_thanks = answer(client, links["checkout"], {**GOOD, "lang": "en"})
        phone_thanks = answer(client, links["phone-line"], {**PHONE, "lang": "en"})
        wrong = answer(client, links["phone-line"], {**GOOD, "lang": "en"})  # the store's answers do not fit the phone's survey
    assert wrong.status_code == 422 and 'id="handled-error"' in wrong.text
    rows = responses(loaded)
    stored = [(r["touchpoint_id"], r["survey_id"], r["survey_version"], r["csat"], r["reward"][:5]) for r in rows]
    assert stored == [("checkout", "store-feedback", 1, 5, "DRAW-"), ("phone-line", "telephone-feedback", 1, 4, "LIPA-")]
    assert rows[0]["reward"] in store_thanks.text and rows[1]["reward"] in phone_thanks.text


def test_each_response_keeps_the_version_its_survey_had(loaded: Database, book_dir: Path) -> None:
    edit(book_dir / "surveys" / "telephone-feedback.yaml", "    at_most: 2\n", "    at_most: 3\n")
    publish(loaded, load_book(book_dir))  # the phone survey is at version 2, the store survey unchanged at 1
    secret = instance_secret(loaded.path)
    links = {t.id: f"/s/{link_token(secret, STORE, t.id)}" for t in BOOK.stores_by_id[STORE].touchpoints}
    with make_client(loaded) as client:
        answer(client, links["phone-line"], PHONE)
        answer(client, links["fitting-room"], GOOD)
    assert [(r["survey_id"], r["survey_version"]) for r in responses(loaded)] == [("telephone-feedback", 2), ("store-feedback", 1)]


def test_which_survey_a_touchpoint_serves() -> None:
    """The touchpoint's own, else its store's, else the chain's default, else the book's only survey."""
    store = BOOK.stores_by_id[STORE]
    checkout, phone = store.touchpoint("checkout"), store.touchpoint("phone-line")
    assert checkout is not None and phone is not None
    assert (BOOK.survey_id_for(store, checkout), BOOK.survey_id_for(store, phone)) == ("store-feedback", "telephone-feedback")
    by_store = msgspec.structs.replace(store, survey="telephone-feedback")
    assert (BOOK.survey_id_for(by_store, checkout), BOOK.survey_id_for(by_store, phone)) == ("telephone-feedback", "telephone-feedback")
    no_default = msgspec.structs.replace(BOOK, chain=msgspec.structs.replace(BOOK.chain, default_survey=None))
    assert no_default.survey_id_for(store, checkout) is None
    only_one = msgspec.structs.replace(no_default, surveys=[BOOK.surveys_by_id["store-feedback"]])
    assert only_one.survey_id_for(store, checkout) == "store-feedback"


def test_codes_take_their_prefix_from_the_book(loaded: Database) -> None:
    store_survey, phone_survey = BOOK.surveys_by_id["store-feedback"], BOOK.surveys_by_id["telephone-feedback"]
    plain_coupon, plain_draw = (msgspec.structs.replace(store_survey, incentive=Incentive(kind=kind, text="-")) for kind in ("coupon", "prize_draw"))
    answers = SurveyAnswers(answers={"recommend": 9, "satisfied": 5}, contact=None)
    codes = [
        loaded.submit(feedback.response_job(
            survey, 1, at=BOOK.stores_by_id[STORE], touchpoint_id="checkout", language="en", answers=answers, browser=None, now=NOON_TUESDAY
        )).result().reward or ""
        for survey in (store_survey, phone_survey, plain_coupon, plain_draw)
    ]
    # The book's prefixes; without one, a word of no chain that says what the code is.
    assert [code[:-8] for code in codes] == ["DRAW-", "LIPA-", "CODE-", "DRAW-"]
    assert all(re.fullmatch(r"[A-Z]+-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}", code) for code in codes)
    assert phone_survey.incentive is not None and phone_survey.incentive.value is not None
    assert phone_survey.incentive.value.percent == 10 and phone_survey.incentive.value.currency is None
    assert store_survey.incentive is not None and store_survey.incentive.value is not None
    assert (store_survey.incentive.value.amount, store_survey.incentive.value.currency) == (100, "BAM")


# --- audit check --------------------------------------------------------------------------------


def located(found: list[str], expected: str) -> bool:
    """Whether a problem reads `expected`, after the book folder's own path."""
    return any(expected in problem for problem in found)


def test_a_reference_to_a_missing_survey_is_refused_where_it_is_written(book_dir: Path) -> None:
    arbat, alta, chain = book_dir / "stores" / "moskva-arbat.yaml", book_dir / "stores" / "sarajevo-alta.yaml", book_dir / "chain.yaml"
    edit(arbat, "    survey: telephone-feedback\n", "    survey: telephone-feedbak\n")
    edit(alta, "touchpoints:\n", "survey: entrance-poll\ntouchpoints:\n")
    edit(chain, "default_survey: store-feedback\n", "default_survey: shop-feedback\n")
    found = messages(book_dir)
    assert located(found, f"checklists/stores/moskva-arbat.yaml:{line_of(arbat, 'telephone-feedbak')}: error: $.touchpoints[2].survey: "
                          "unknown survey 'telephone-feedbak' (did you mean 'telephone-feedback'?)")
    assert located(found, f"checklists/stores/sarajevo-alta.yaml:{line_of(alta, 'entrance-poll')}: error: $.survey: "
                          "unknown survey 'entrance-poll' (surveys: store-feedback, telephone-feedback)")
    assert located(found, f"checklists/chain.yaml:{line_of(chain, 'shop-feedback')}: error: $.default_survey: unknown survey 'shop-feedback'")
    assert len(found) == 3, found


def test_a_touchpoint_left_without_a_survey_is_refused(book_dir: Path) -> None:
    """Two surveys and no default: every touchpoint that names none, in a store that names none, has nothing to serve."""
    edit(book_dir / "chain.yaml", "default_survey: store-feedback\n", "")
    mostar = book_dir / "stores" / "mostar-centar.yaml"
    found = messages(book_dir)
    checkout_line = line_of(mostar, "- id: checkout")
    assert located(found, f"checklists/stores/mostar-centar.yaml:{checkout_line}: error: $.touchpoints[0]: touchpoint 'checkout' has no survey to serve")
    assert not any("mostar-centar.yaml" in m and "touchpoints[1]" in m for m in found), "the phone line names its survey"
    touchpoints = sum(len(store.touchpoints) for store in BOOK.stores)
    assert len(found) == touchpoints - 3, found  # every touchpoint but the three phone lines


def test_a_book_of_one_survey_needs_no_default(book_dir: Path) -> None:
    (book_dir / "surveys" / "telephone-feedback.yaml").unlink()
    edit(book_dir / "chain.yaml", "default_survey: store-feedback\n", "")
    for store in ("moskva-arbat", "mostar-centar", "dar-es-salaam-kariakoo"):
        edit(book_dir / "stores" / f"{store}.yaml", "    survey: telephone-feedback\n", "")
    result = check_book(book_dir)
    assert result.errors == [] and result.warnings == []


def test_a_survey_no_touchpoint_serves_is_a_warning(book_dir: Path) -> None:
    for store in ("moskva-arbat", "mostar-centar", "dar-es-salaam-kariakoo"):
        edit(book_dir / "stores" / f"{store}.yaml", "    survey: telephone-feedback\n", "")
    result = check_book(book_dir)
    assert result.errors == []
    survey = book_dir / "surveys" / "telephone-feedback.yaml"
    [warning] = [str(w) for w in result.warnings]
    assert warning.endswith(
        f"checklists/surveys/telephone-feedback.yaml:{line_of(survey, 'id: telephone-feedback')}: warning: $.id: "
        "no touchpoint serves survey 'telephone-feedback' (name it with `survey:` on a touchpoint or a store)"
    )


def test_a_dimension_keeps_one_scale_and_a_value_its_currency(book_dir: Path) -> None:
    phone = book_dir / "surveys" / "telephone-feedback.yaml"
    edit(phone, "    dimension: assurance\n", "    dimension: assurance\n    max: 7\n")
    edit(phone, "  value: {percent: 10}\n", "  value: {amount: 10}\n")
    store = book_dir / "surveys" / "store-feedback.yaml"
    edit(store, "currency: BAM", "currency: KMX")
    found = messages(book_dir)
    assert located(found, f"checklists/surveys/telephone-feedback.yaml:{line_of(phone, 'dimension: assurance')}: error: $.questions[4].dimension: "
                          f"assurance is rated 1..5 at {book_dir}/surveys/store-feedback.yaml:")
    assert any("telephone-feedback.yaml" in m and "$.incentive.value: an amount needs its currency" in m for m in found), found
    assert any("store-feedback.yaml" in m and "$.incentive.value.currency: 'KMX' is not an ISO 4217 currency code" in m for m in found), found
