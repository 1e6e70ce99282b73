"""`audit site build`: write each language's pages and MkDocs config, then build them with Material.

One MkDocs build per language (`/<lang>/`), each config INHERITing the repository's `mkdocs.yml`,
built in parallel (one process per core) in strict mode. The navigation lists the few top pages only:
Material renders the whole navigation into every page, so listing every store would make the build
grow with the square of the stores; store pages are reached from the store finder instead.
The theme's own words (the search box, "Skip to content", the language selector...) come from the
product's catalogs like every other word (`THEME_WORDS`), through a generated language file: so a
language Material has no translation for (Bosnian, Swahili) reads in its own words, and a chain's own
word wins there too. A key the catalogs leave out, and every key of a language without a catalog that
Material translates, is Material's own; else the nearest translation Material has.

The chain's brand (`brand:` in chain.yaml) gives the header its logo (also the tab's icon), copied from
the book folder, and the colours, as Material's CSS custom properties in a <style> after the site's
stylesheet; without one the site keeps its own (`site/assets/site.css`).

Search (Material's lunr) matches the beginning of words as the reader types, in every language: Material
turns each typed word into a prefix query, which lunr never stems, so the index is not stemmed either
(a stemmed index would miss the very word typed: "жалобы" is stored as "жалоб"); the words split at
punctuation of any script, so "(обмен," is found as "обмен"; a language lunr knows drops its stop words.

Material writes a few inline scripts into every page. The build lists the SHA-256 of each inline script
and style it finds in the built pages in `<out>/.csp.json`; the server's Content-Security-Policy for
the site allows exactly those, and scripts from its own origin (`http/security.py`).

Progress (`audit site build`): the Markdown pages are quick to write (about 1 ms each, a few percent of the
build); MkDocs renders each into HTML in a worker process, some 30 ms each. So `total` is told the pages
once they are written, and `step` of each page as a worker renders it: a small MkDocs plugin in each
worker (`_page_counter`) sends a note per page over a queue, which the parent reads while the builds run.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import queue
import re
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import material
import msgspec

from ..book.i18n import language_name
from ..book.models import Book, Brand
from ..book.rules import logo_problems
from ..config import Settings
from ..errors import AuditError
from ..progress import Step, Total, no_step
from ..render.csp import source_hash
from ..words import N_, words
from .labels import COMPLAINTS, CONTACTS, FAQ, HOME, NAVIGATION
from .pages import pages_for

MATERIAL_LANGUAGES = {p.stem for p in (Path(material.__file__).parent / "templates/partials/languages").glob("*.html")}
NEAREST = {"bs": "sh", "sw": "en"}  # for the keys no catalog has (search settings): Serbo-Croatian suits Bosnian
# Material's keys (partials/languages/en.html) that this site shows or reads out, and their English ids.
THEME_WORDS = {
    "action.skip": N_("Skip to content"),
    "clipboard.copy": N_("Copy to clipboard"),
    "clipboard.copied": N_("Copied to clipboard"),
    # TRANSLATORS: the page's footer and header, as a screen reader names them.
    "footer": N_("Footer"),
    # TRANSLATORS: links to the next and the previous page.
    "footer.next": N_("Next"),
    "footer.previous": N_("Previous"),
    "header": N_("Header"),
    "nav": N_("Navigation"),
    "search": N_("Search"),
    "search.placeholder": N_("Search"),
    # TRANSLATORS: a button that empties the search box.
    "search.reset": N_("Clear"),
    "search.result.initializer": N_("Initializing search"),
    "search.result.placeholder": N_("Type to start searching"),
    "search.result.none": N_("No matching documents"),
    "search.result.one": N_("1 matching document"),
    # TRANSLATORS: "#" stands for a count of 2 or more: keep it, and word it so it suits any such count ("Results: #").
    "search.result.other": N_("# matching documents"),
    "search.result.more.one": N_("1 more on this page"),
    "search.result.more.other": N_("# more on this page"),
    # TRANSLATORS: before a search word that a found page does not contain.
    "search.result.term.missing": N_("Missing"),
    "select.language": N_("Select language"),
    "select.version": N_("Select version"),
    "toc": N_("Table of contents"),
    "top": N_("Back to top"),
}
# The words of the site's own templates (overrides/404.html, the footer), under keys of the same language file.
SITE_WORDS = {
    "site.home": HOME,
    "site.stores": N_("Find a store"),
    "site.faq": FAQ,
    "site.complaints": COMPLAINTS,
    "site.contacts": CONTACTS,
    "site.notfound": N_("We could not find this page"),
    "site.notfound.text": N_("The address may be mistyped, or the page has moved. One of these will help:"),
    # TRANSLATORS: the label of a search box that searches every page of the public site.
    "site.search": N_("Search this site"),
}
SEARCH_LANGUAGES = {p.name.split(".")[1] for p in (Path(material.__file__).parent / "templates/assets/javascripts/lunr/min").glob("lunr.*.min.js")} - {"stemmer", "multi"}
# Where words split, in the index and in the query: white space, dashes and punctuation of any script, and
# HTML entities; a point only before a non-digit (10.5 stays one word).
SEARCH_SEPARATOR = r"&[a-z]+;|&#[0-9]+;|[\s\-\u2010-\u2015,;:!?¡¿…\"'«»‹›„“”‚‘’()\[\]{}<>/\\|=+*&^%$#@~`·•]+|\.(?!\d)"
LOGO = "assets/logo.svg"
CSP_FILE = ".csp.json"
# An inline element's text runs to the first `</script` (or `</style`), as an HTML parser reads it.
_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1[\s/>]", re.S | re.I)
_SRC = re.compile(r"\ssrc\s*=", re.I)
_TYPE = re.compile(r"\stype\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}  # what a browser runs (not JSON data)


def project_root() -> Path:
    """Where mkdocs.yml and site/ are: the working folder if it has them, else beside the package."""
    here = Path.cwd()
    return here if (here / "mkdocs.yml").is_file() else Path(__file__).resolve().parents[2]


class SiteBuildFailed(AuditError):
    pass


class SiteReport(msgspec.Struct, frozen=True, kw_only=True):
    languages: list[str]
    pages: int
    out: str


def build_site(
    book: Book, repo: Path, out: Path, *, public_url: str = "http://127.0.0.1:8000", now: dt.datetime | None = None, jobs: int = 2,
    book_dir: Path | None = None, step: Step = no_step, total: Total | None = None,
) -> SiteReport:
    """Generate and build the whole site into `out` (replaced whole, so no stale page survives). The brand's
    logo is read from `book_dir`, the book's folder (AUDIT_BOOK, `checklists`, if not given). `total` is told
    the number of pages once their Markdown is written, `step` of each page MkDocs renders."""
    now = now or dt.datetime.now(dt.UTC)
    logo = read_logo(book.chain.brand, book_dir or Settings.from_env().book_path)
    out = out.resolve()
    work = out.parent / f"{out.name}-src"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    configs, count = [], 0
    for lang in book.chain.languages:
        pages = pages_for(book, lang, now)
        count += len(pages)
        site_url = f"{public_url.rstrip('/')}/{lang}/"
        configs.append(str(_write_language(book, repo.resolve(), work / lang, out / lang, lang, pages, site_url, logo)))
    if total is not None:
        total(count)
    failures = _build_languages(configs, jobs, step)
    if failures:
        raise SiteBuildFailed("the site did not build:\n" + "\n".join(failures))
    default = book.chain.default_language
    (out / "index.html").write_text(
        f'<!doctype html><html lang="{default}"><head><meta charset="utf-8"><title>{book.chain.name}</title>'
        f'<meta http-equiv="refresh" content="0; url=/{default}/"></head>'
        f'<body><p><a href="/{default}/">{book.chain.name}</a></p></body></html>',
        encoding="utf-8",
    )
    write_csp_hashes(out)
    return SiteReport(languages=list(book.chain.languages), pages=count, out=str(out))


def write_csp_hashes(out: Path) -> dict[str, list[str]]:
    """Hash every inline script a browser would run, and every inline style, of the built pages into `out/.csp.json`."""
    found: dict[str, set[str]] = {"script-src": set(), "style-src": set()}
    for page in out.rglob("*.html"):
        for tag, attributes, text in _INLINE.findall(page.read_bytes().decode("utf-8")):  # bytes: keep \r\n as written
            if tag.lower() == "style":
                found["style-src"].add(source_hash(text))
            elif not _SRC.search(attributes):
                kind = _TYPE.search(attributes)
                if (kind.group(1).lower() if kind else "") in _SCRIPT_TYPES:
                    found["script-src"].add(source_hash(text))
    hashes = {directive: sorted(values) for directive, values in found.items()}
    (out / CSP_FILE).write_text(json.dumps(hashes, indent=1) + "\n", encoding="utf-8")
    return hashes


def read_logo(brand: Brand | None, book_dir: Path) -> bytes | None:
    """The brand's logo file, as `audit check` accepts it; the build stops on one it would refuse (changed since `audit load`)."""
    if brand is None or brand.logo is None:
        return None
    errors, _ = logo_problems(book_dir, brand.logo)
    if errors:
        raise SiteBuildFailed(f"the brand's logo: {'; '.join(errors)} (run `audit check`)")
    return (book_dir / brand.logo).read_bytes()


def brand_style(brand: Brand | None) -> str:
    """The brand's colours as Material's CSS custom properties; empty without any (site.css has the site's own)."""
    if brand is None:
        return ""
    rules: dict[str, str] = {}
    if brand.primary:
        rules |= {
            "--md-primary-fg-color": brand.primary,
            "--md-primary-fg-color--light": _mix(brand.primary, "#ffffff", 0.2),
            "--md-primary-fg-color--dark": _mix(brand.primary, "#000000", 0.25),
            "--md-typeset-a-color": brand.primary,
        }
    if brand.accent:
        rules |= {"--md-accent-fg-color": brand.accent, "--md-accent-fg-color--transparent": f"{brand.accent}1a"}
    return f":root{{{''.join(f'{name}:{value};' for name, value in rules.items())}}}" if rules else ""


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` of `other` mixed in, as #rrggbb."""
    channels = (round(int(colour[i:i + 2], 16) * (1 - share) + int(other[i:i + 2], 16) * share) for i in (1, 3, 5))
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def search_settings(lang: str) -> dict[str, object]:
    """Material's search for `lang`: lunr's language where it has one (its stop words), else plain words."""
    known = lang == "en" or lang in SEARCH_LANGUAGES
    return {"lang": [lang] if known else ["en"], "separator": SEARCH_SEPARATOR, "pipeline": ["stopWordFilter"] if known else []}


def _write_language(
    book: Book, repo: Path, work: Path, site_dir: Path, lang: str, pages: dict[str, str], site_url: str, logo: bytes | None
) -> Path:
    docs = work / "docs"
    for path, text in pages.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shutil.copytree(repo / "site" / "assets", docs / "assets")
    theme: dict[str, object] = {"name": "material", "language": "custom", "custom_dir": str(work / "overrides")}
    if logo is not None:
        (docs / LOGO).write_bytes(logo)
        theme |= {"logo": LOGO, "favicon": LOGO}
    overrides = work / "overrides"
    shutil.copytree(repo / "site" / "overrides", overrides)
    (overrides / "partials" / "languages").mkdir(parents=True, exist_ok=True)
    (overrides / "partials" / "languages" / "custom.html").write_text(theme_language(book, lang), encoding="utf-8")
    t = words(lang, book.chain)
    config = {
        "INHERIT": str(repo / "mkdocs.yml"),
        "site_name": book.chain.name,
        "site_url": site_url,
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "theme": theme,
        "plugins": [{"search": search_settings(lang)}],
        "extra": {
            "alternate": [{"name": language_name(code), "link": f"/{code}/", "lang": code} for code in book.chain.languages],
            "brand_style": brand_style(book.chain.brand),
        },
        "nav": [{t.gettext(title): page} for title, page in NAVIGATION],
    }
    config_file = work / "mkdocs.yml"
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")  # JSON is YAML
    return config_file


def theme_language(book: Book, lang: str) -> str:
    """Material's language file for `lang` (`partials/languages/custom.html`): the theme's words from the catalogs."""
    found = words(lang, book.chain)
    # Without a catalog, Material's own translation beats the default language's words; the chain's own still win.
    ours = found.has_catalog or lang not in MATERIAL_LANGUAGES
    table = {"language": lang, **{key: found.gettext(msgid) for key, msgid in THEME_WORDS.items() if ours or found.own(msgid)}}
    table |= {key: found.gettext(msgid) for key, msgid in SITE_WORDS.items()}  # Material has none of these
    fallback = lang if lang in MATERIAL_LANGUAGES else NEAREST.get(lang, "en")
    return (
        f'{{% import "partials/languages/{fallback}.html" as fallback %}}\n'
        f"{{% macro t(key) %}}{{{{ {json.dumps(table, ensure_ascii=False)}[key] or fallback.t(key) }}}}{{% endmacro %}}\n"
    )


def _build_languages(configs: list[str], jobs: int, step: Step) -> list[str]:
    """Build each language's config in a worker process (at most `jobs` at once); the errors. `step` is told
    of each page as a worker renders it."""
    context = multiprocessing.get_context()
    notes: Queue[int] = context.Queue()
    with ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(configs))), mp_context=context, initializer=_send_notes_to, initargs=(notes,)
    ) as pool:
        running = [pool.submit(_mkdocs_build, config) for config in configs]
        noted = _follow(running, notes, step)
        results = [future.result() for future in running]
    # A worker's last notes may still be on their way when its build returns; its count is exact.
    if (late := sum(pages for _, pages in results) - noted) > 0:
        step(late)
    notes.close()
    return [error for error, _ in results if error]


def _follow(running: list[Future[tuple[str | None, int]]], notes: Queue[int], step: Step) -> int:
    """Pass each page's note on to `step` until every build is done; how many were noted."""
    noted = 0
    while not all(future.done() for future in running):
        try:
            pages = notes.get(timeout=0.1)
        except queue.Empty:
            continue
        noted += pages
        step(pages)
    return noted


_notes: Queue[int] | None = None  # in a worker process: the queue its page notes go to (`_send_notes_to`)


def _send_notes_to(notes: Queue[int]) -> None:
    global _notes
    _notes = notes


def _page_counter() -> Any:
    """A MkDocs plugin that notes each page rendered, to `_notes`, and counts them."""
    from mkdocs.config.base import Config
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.pages import Page

    # mkdocs's __init_subclass__ hooks are untyped
    class NoOptions(Config):  # type: ignore[no-untyped-call]
        pass

    class PageCounter(BasePlugin[NoOptions]):  # type: ignore[no-untyped-call]
        pages = 0

        def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
            self.pages += 1
            if _notes is not None:
                _notes.put(1)
            return output

    return PageCounter()


def _mkdocs_build(config_file: str) -> tuple[str | None, int]:
    """Build one language; the error text (or None) and the pages rendered. Runs in a worker process."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    counter = _page_counter()
    try:
        config = load_config(config_file, strict=True)
        config.plugins["audit-pages"] = counter
        build(config)
    except (MkDocsException, SystemExit) as exc:
        return f"{config_file}: {exc}", counter.pages
    return None, counter.pages
