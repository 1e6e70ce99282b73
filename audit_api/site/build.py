"""`audit site build`: write each language's pages and MkDocs config, then build them with Material.

One MkDocs build per language (`/<lang>/`), each config INHERITing the repository's `mkdocs.yml`,
built in parallel (one process per core) in strict mode. The navigation lists the few top pages only:
Material renders the whole navigation into every page, so listing every store would make the build
grow with the square of the stores; store pages are reached from the store finder instead.
Where Material has no translation for a language (Bosnian, Swahili...), a small custom language file
keeps the page's `lang` right and borrows the nearest translation Material has.

Material writes a few inline scripts into every page. The build lists the SHA-256 of each inline script
and style it finds in the built pages in `<out>/.csp.json`; the server's Content-Security-Policy for
the site allows exactly those, and scripts from its own origin (`http/security.py`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import material
import msgspec

from ..book.i18n import LANGUAGE_NAMES
from ..book.models import Book
from ..errors import AuditError
from ..render.csp import source_hash
from .labels import site_labels
from .pages import pages_for

MATERIAL_LANGUAGES = {p.stem for p in (Path(material.__file__).parent / "templates/partials/languages").glob("*.html")}
NEAREST = {"bs": "sh", "sw": "en"}  # Serbo-Croatian reads naturally to Bosnian readers
SEARCH_LANGUAGES = {p.name.split(".")[1] for p in (Path(material.__file__).parent / "templates/assets/javascripts/lunr/min").glob("lunr.*.min.js")} - {"stemmer", "multi"}
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
    book: Book, repo: Path, out: Path, *, public_url: str = "http://127.0.0.1:8000", now: dt.datetime | None = None, jobs: int = 2
) -> SiteReport:
    """Generate and build the whole site into `out` (replaced whole, so no stale page survives)."""
    now = now or dt.datetime.now(dt.UTC)
    out = out.resolve()
    work = out.parent / f"{out.name}-src"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    configs, count = [], 0
    for lang in book.chain.languages:
        pages = pages_for(book, lang, now)
        count += len(pages)
        site_url = f"{public_url.rstrip('/')}/{lang}/"
        configs.append(str(_write_language(book, repo.resolve(), work / lang, out / lang, lang, pages, site_url)))
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(configs)))) as pool:
        failures = [error for error in pool.map(_mkdocs_build, configs) if error]
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


def _write_language(book: Book, repo: Path, work: Path, site_dir: Path, lang: str, pages: dict[str, str], site_url: str) -> Path:
    docs = work / "docs"
    for path, text in pages.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shutil.copytree(repo / "site" / "assets", docs / "assets")
    overrides = work / "overrides"
    shutil.copytree(repo / "site" / "overrides", overrides)
    theme_language = lang
    if lang not in MATERIAL_LANGUAGES:
        theme_language = "custom"
        nearest = NEAREST.get(lang, "en")
        (overrides / "partials" / "languages").mkdir(parents=True, exist_ok=True)
        (overrides / "partials" / "languages" / "custom.html").write_text(
            f'{{% import "partials/languages/{nearest}.html" as fallback %}}\n'
            f'{{% macro t(key) %}}{{{{ {{"language": "{lang}", "direction": "ltr"}}[key] or fallback.t(key) }}}}{{% endmacro %}}\n',
            encoding="utf-8",
        )
    t = site_labels(lang)
    config = {
        "INHERIT": str(repo / "mkdocs.yml"),
        "site_name": book.chain.name,
        "site_url": site_url,
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "theme": {"name": "material", "language": theme_language, "custom_dir": str(overrides)},
        "plugins": [{"search": {"lang": [lang] if lang in SEARCH_LANGUAGES else ["en"]}}],
        "extra": {"alternate": [{"name": LANGUAGE_NAMES.get(code, code), "link": f"/{code}/", "lang": code} for code in book.chain.languages]},
        "nav": [{t["home"]: "index.md"}, {t["stores"]: "stores/index.md"}, {t["faq"]: "faq.md"},
                {t["complaints"]: "complaints.md"}, {t["contacts"]: "contacts.md"}],
    }
    config_file = work / "mkdocs.yml"
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")  # JSON is YAML
    return config_file


def _mkdocs_build(config_file: str) -> str | None:
    """Build one language; the error text, or None. Runs in a worker process."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        build(load_config(config_file, strict=True))
    except (MkDocsException, SystemExit) as exc:
        return f"{config_file}: {exc}"
    return None
