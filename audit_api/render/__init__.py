"""The pages this product renders itself (customers' pages, error pages, audit reports, posters):
the one Jinja environment and its templates.

Autoescaping is on for HTML: text from the book and from people is escaped wherever it lands.
The product's words are written in English in the templates (`{{ _("Send") }}`, `{% trans %}`) and
looked up per render in the reader's language: `render(..., t=words(lang, chain))` hands the template
that language's `gettext`, `ngettext` and `pgettext` (Jinja's i18n extension calls them by name), so the
environment, shared by every thread, holds no language of its own. `t.gettext(...)` looks up a word
chosen by a key (`labels.py`). Not for: HTTP (`http/render.py` wraps a page in a response) or the
public site (MkDocs, `site/`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..words import Words
from .labels import FIELD_NAMES, FORM_ERRORS, problem_words

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    auto_reload=False,  # the templates ship with the package: no file stat() on every render (bench/requests.py)
)
templates.newstyle_gettext = True  # type: ignore[attr-defined]  # _("within %(num)s hours", num=n): filled, then escaped whole
templates.globals.update(form_errors=FORM_ERRORS, field_names=FIELD_NAMES, problem_words=problem_words)


def render(template: str, *, t: Words, **values: Any) -> str:
    """`template` with `values`, its words in the language of `t`."""
    return templates.get_template(template).render(
        t=t, gettext=t.gettext, _=t.gettext, ngettext=t.ngettext, pgettext=t.pgettext, npgettext=t.npgettext, **values
    )
