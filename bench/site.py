"""The site build for generated chains: 250 and 1,000 stores in 3 languages, and a minimal baseline.

The baseline builds the very same generated pages with a minimal MkDocs setup (its built-in theme, no
plugins), so the ratio shows what Material and our configuration cost on top.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import msgspec

from audit_api.book import Book, load_book
from audit_api.site.build import _mkdocs_build, build_site
from audit_api.site.pages import pages_for

from .figures import keep

ROOT = Path(__file__).resolve().parent.parent


def chain_of(book: Book, stores: int) -> Book:
    """The demo chain grown to `stores` stores (copies of the demo stores under new ids)."""
    grown = []
    for n in range(stores):
        base = book.stores[n % len(book.stores)]
        grown.append(msgspec.structs.replace(base, id=f"{base.id}-{n}", name=f"{base.name} {n}", address=f"{base.address}/{n}"))
    return msgspec.structs.replace(book, stores=grown)


def minimal_build(book: Book, out: Path, now: dt.datetime, jobs: int = 2) -> None:
    configs = []
    for lang in book.chain.languages:
        work = out.parent / f"minimal-src-{lang}"
        for path, text in pages_for(book, lang, now).items():
            (work / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
            (work / "docs" / path).write_text(text, encoding="utf-8")
        config = {"site_name": book.chain.name, "docs_dir": str(work / "docs"), "site_dir": str(out / lang), "theme": {"name": "mkdocs"},
                  "plugins": [], "markdown_extensions": ["attr_list", "md_in_html"],
                  "nav": ["index.md", "stores/index.md", "faq.md", "complaints.md", "contacts.md"],
                  "validation": {"nav": {"omitted_files": "ignore"}, "links": {"absolute_links": "ignore"}}}
        (work / "mkdocs.yml").write_text(json.dumps(config), encoding="utf-8")
        configs.append(str(work / "mkdocs.yml"))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        errors = [error for error, _ in pool.map(_mkdocs_build, configs) if error]
    if errors:
        raise SystemExit("\n".join(errors))


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    book = load_book(ROOT / "checklists")
    now = dt.datetime.now(dt.UTC)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for stores in (250, 1000):
            grown = chain_of(book, stores)
            ours = timed(lambda: build_site(grown, ROOT, Path(tmp) / f"site-{stores}", now=now))
            minimal = timed(lambda: minimal_build(grown, Path(tmp) / f"minimal-{stores}", now))
            pages = len(grown.chain.languages) * (5 + stores)
            rows.append((stores, pages, ours, minimal))
            shutil.rmtree(Path(tmp) / f"site-{stores}", ignore_errors=True)
    print(f"\nsite build, {len(book.chain.languages)} languages, 2 processes")
    print(f"{'stores':>7} {'pages':>6} {'ours s':>8} {'minimal s':>10} {'ours/minimal':>13}")
    for stores, pages, ours, minimal in rows:
        print(f"{stores:7d} {pages:6d} {ours:8.1f} {minimal:10.1f} {ours / minimal:13.2f}")
    (_, _, small, _), (_, _, large, _) = rows
    print(f"1000 stores / 250 stores: {large / small:.2f} (linear growth would be 4.0)")
    keep("site", [
        {"name": f"site build, {stores} stores", "stores": stores, "pages": pages, "ours_s": round(ours, 2), "minimal_s": round(minimal, 2),
         "ratio": round(ours / minimal, 3)}
        for stores, pages, ours, minimal in rows
    ])


if __name__ == "__main__":
    main()
