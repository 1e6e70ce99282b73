"""Keys the lower floors hand to the pages, and the English words they stand for (message ids).

The domain says *what* is wrong with a form as a key (`forms.py`, a question kind's `read`); a page
shows it in the reader's language: `t.gettext(FORM_ERRORS[key])` in a template, through the catalogs
(`audit_api/words.py`). The ids are marked with `N_` so `make extract` finds them. Words that belong to
one template only are written in that template.
"""

from __future__ import annotations

from ..words import N_

FORM_ERRORS: dict[str, str] = {
    "required": N_("Please answer this question."),
    "choose_one": N_("Please choose one of the answers."),
    "choose_listed": N_("Please choose from the listed answers."),
    "too_long": N_("Please shorten this answer."),
    "contact_needed": N_("Give an e-mail address or a phone number, or untick the box."),
    "bad_email": N_("This does not look like an e-mail address."),
    "bad_phone": N_("This does not look like a phone number."),
    "choose_store": N_("Please choose the store."),
    "date_needed": N_("Please give the date (YYYY-MM-DD)."),
    "date_future": N_("The date cannot be in the future."),
}

# The form fields the pages name in their error summary (a survey's questions are named by the book).
FIELD_NAMES: dict[str, str] = {
    "contact_name": N_("Your name"),
    "contact_email": N_("E-mail"),
    "contact_phone": N_("Phone"),
    "store": N_("Store"),
    "happened_on": N_("Date of the visit"),
    "what": N_("What happened?"),
    "desired": N_("What would put it right?"),
}

# An error page's heading and a plain explanation, by status; any other status by its class.
PROBLEMS: dict[int, tuple[str, str]] = {
    400: (N_("We could not read that"), N_("Something in the request was not as we expected. Please go back and try again.")),
    403: (N_("This page is not open to you"), N_("You do not have access to this page.")),
    404: (N_("We could not find this page"), N_("The link or the ticket number may be mistyped, or no longer valid. If you scanned a code in a store, please scan it again.")),
    405: (N_("That did not work"), N_("This page cannot be used that way. Please go back and try again.")),
    409: (N_("That did not work"), N_("This was changed in the meantime. Please load the page again.")),
    413: (N_("That was too long"), N_("What you sent is too long for us to accept. Please shorten it and send it again.")),
    422: (N_("Please check what you entered"), N_("Something you entered is not valid. Please go back and correct it.")),
    429: (N_("Please wait a moment"), N_("Several forms were sent from here in a short time. Please wait a minute and try again.")),
    500: (N_("Something went wrong on our side"), N_("We have noted the error and will look into it. Please try again later.")),
    503: (N_("We are not ready just now"), N_("This service is not available at the moment. Please try again in a few minutes.")),
}
_ANY_CLIENT_ERROR = (N_("That did not work"), N_("Please go back and try again."))


def problem_words(status: int) -> tuple[str, str]:
    """The English ids of an error page's heading and explanation for `status`."""
    return PROBLEMS.get(status) or (PROBLEMS[500] if status >= 500 else _ANY_CLIENT_ERROR)
