"""The public site looks like the chain's, leads a customer to the nearest answer, weighs little, and searches every script.

Built for real (MkDocs Material) from the demo book; served by the real app, in-process for the headers and in a
real browser (Debian's Chromium; `site_server` and `chromium` from conftest.py) for what a customer sees: the brand, the home
page, the 404 page in the reader's language, a store page's weight on first load, and search in Cyrillic.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import msgspec
import pytest

from audit_api.book import check_book, load_book, pick
from audit_api.book.rules import contrast
from audit_api.site.build import LOGO, SEARCH_SEPARATOR, SiteBuildFailed, build_site
from audit_api.store import Database

from .conftest import DEMO_BOOK, NOON_TUESDAY, ROOT, make_client
from .test_browser import NEEDS_BROWSER, SCREENSHOTS, csp_violations, outside_requests, serious_violations, shot

BOOK = load_book(DEMO_BOOK)
WEIGHT_LIMIT = 150_000  # bytes transferred by a store page's first load, everything the browser fetches before it is idle
STORE_PAGE = "/bs/stores/sarajevo-alta/"


@pytest.fixture(scope="module")
def built(demo_site: Path) -> Path:
    return demo_site


def page_text(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


# --- the brand -----------------------------------------------------------------------------------


def test_the_brand_from_the_book_is_on_every_page(built: Path) -> None:
    brand = BOOK.chain.brand
    assert brand is not None and brand.logo and brand.primary and brand.accent
    for lang in BOOK.chain.languages:
        assert (built / lang / LOGO).read_bytes() == (DEMO_BOOK / brand.logo).read_bytes(), "the book's logo, as it is"
        for page in ("index.html", "stores/sarajevo-alta/index.html", "404.html"):
            text = page_text(built, f"{lang}/{page}")
            assert re.search(r'<img src="[./]*(/' + lang + r'/)?assets/logo\.svg" alt=""', text), f"{lang}/{page}: the logo in the header"
            assert re.search(r'<link rel="icon" href="[^"]*assets/logo\.svg"', text), f"{lang}/{page}: the logo is the tab's icon"
            style = re.search(r"<style>(:root\{[^<]*\})</style>", text)
            assert style and f"--md-primary-fg-color:{brand.primary};" in style[1] and f"--md-accent-fg-color:{brand.accent};" in style[1]
            assert text.index("assets/site.css") < text.index(style[0]), "the brand's colours come after the site's own, so they win"
            assert "Made with" not in text and "squidfunk" not in text, "the footer is the chain's"
            assert not re.search(r"stylesheets/palette\.[0-9a-f]+\.min\.css", text), "no palette stylesheet: the colours are custom properties"


def test_without_a_brand_the_site_keeps_its_own_look(tmp_path: Path) -> None:
    plain = msgspec.structs.replace(BOOK, chain=msgspec.structs.replace(BOOK.chain, brand=None, languages=["en"]))  # the page read here
    build_site(plain, ROOT, tmp_path / "site", now=NOON_TUESDAY, book_dir=DEMO_BOOK)
    text = page_text(tmp_path / "site", "en/index.html")
    assert "assets/logo.svg" not in text and "<style>:root" not in text
    assert 'class="md-header__button md-logo"' in text and "<svg" in text.split('md-logo"')[1][:400], "Material's icon instead"
    css = (ROOT / "site/assets/site.css").read_text(encoding="utf-8")
    defaults = dict(re.findall(r"(--md-(?:primary|accent)-fg-color): (#[0-9a-f]{6});", css))
    assert all(contrast(colour, "#ffffff") >= 4.5 for colour in defaults.values()) and len(defaults) == 2


def test_a_logo_changed_since_the_check_stops_the_build(tmp_path: Path) -> None:
    book_dir = tmp_path / "checklists"
    shutil.copytree(DEMO_BOOK, book_dir)
    (book_dir / "brand/logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', encoding="utf-8")
    with pytest.raises(SiteBuildFailed, match="script"):
        build_site(BOOK, ROOT, tmp_path / "site", now=NOON_TUESDAY, book_dir=book_dir)


def _logo(book_dir: Path, name: str, content: str | bytes | None) -> int:
    """The book's brand names the logo `name` (written with `content`, unless None); the line that names it."""
    if content is not None:
        (book_dir / name).write_bytes(content.encode() if isinstance(content, str) else content)
    chain = book_dir / "chain.yaml"
    chain.write_text(re.sub(r"(?m)^  logo: .*$", f"  logo: {name}", chain.read_text(encoding="utf-8")), encoding="utf-8")
    return next(n for n, text in enumerate(chain.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("  logo:"))


SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("brand/missing.svg", None, "no file 'brand/missing.svg'"),
        ("brand/logo.png", b"\x89PNG\r\n", "not an SVG file"),
        ("../outside.svg", None, "not inside the book folder"),
        ("brand/script.svg", SVG.format("<script>alert(1)</script>"), "holds a <script> element"),
        ("brand/onload.svg", SVG.format('<circle r="4" onload="alert(1)"/>'), "event handler (onload)"),
        ("brand/link.svg", SVG.format('<a href=" java\nscript:alert(1)"><circle r="4"/></a>'), "javascript: link"),
        ("brand/remote.svg", SVG.format('<image href="https://cdn.example/leaf.png"/>'), "must be self-contained"),
        ("brand/html.svg", "<html><body>leaf</body></html>", "first element must be <svg"),
        ("brand/broken.svg", "<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not well-formed"),
        ("brand/entities.svg", '<!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG.format("&a;"), "DOCTYPE"),
        ("brand/big.svg", SVG.format("<!--" + "x" * 40_000 + "-->"), "over the 32 KB"),
    ],
)
def test_audit_check_refuses_a_bad_logo_where_the_book_names_it(book_dir: Path, name: str, content: str | bytes | None, expected: str) -> None:
    line = _logo(book_dir, name, content)
    result = check_book(book_dir)
    found = [p for p in result.errors if p.path == "$.brand.logo"]
    assert len(found) >= 1 and expected in found[0].message, [str(p) for p in result.problems]
    assert (found[0].file, found[0].line) == (f"{book_dir}/chain.yaml", line), "the book's one error shape: file, path, line"
    assert result.book is None, "an error: nothing loads"


def test_a_logo_without_a_view_box_is_a_warning(book_dir: Path) -> None:
    _logo(book_dir, "brand/fixed.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30"/></svg>')
    result = check_book(book_dir)
    assert result.book is not None
    assert [p.message for p in result.warnings if p.path == "$.brand.logo"] == [
        'the logo has no viewBox, so it cannot scale to the header and the tab icon: add one, e.g. viewBox="0 0 64 64"'
    ]


def test_colours_too_light_for_white_text_are_warned_about(book_dir: Path) -> None:
    chain = book_dir / "chain.yaml"
    text = chain.read_text(encoding="utf-8")
    chain.write_text(text.replace('primary: "#2d6a4f"', 'primary: "#ffd54f"').replace('accent: "#9a5b13"', 'accent: "#1f5fa8"'), encoding="utf-8")
    result = check_book(book_dir)
    brand = [p for p in result.problems if p.path.startswith("$.brand")]
    assert [(p.severity, p.path) for p in brand] == [("warning", "$.brand.primary")], [str(p) for p in brand]
    assert "contrast of 1.41:1, below the 4.5:1 of WCAG AA" in brand[0].message
    assert brand[0].line == next(n for n, line in enumerate(chain.read_text(encoding="utf-8").splitlines(), 1) if "#ffd54f" in line)


def test_a_colour_is_written_as_rrggbb(book_dir: Path) -> None:
    chain = book_dir / "chain.yaml"
    chain.write_text(chain.read_text(encoding="utf-8").replace('accent: "#9a5b13"', "accent: honey"), encoding="utf-8")
    found = [p for p in check_book(book_dir).errors if p.path == "$.brand.accent"]
    assert len(found) == 1 and "#rrggbb" in found[0].message


def test_the_demo_brand_passes_the_check() -> None:
    result = check_book(DEMO_BOOK)
    assert [str(p) for p in result.problems if p.path.startswith("$.brand")] == []
    logo = (DEMO_BOOK / "brand/logo.svg").read_text(encoding="utf-8")
    assert 'viewBox="0 0 64 64"' in logo and len(logo) < 2000, "a small drawing"


# --- the home page and the 404 page, as built ---------------------------------------------------


def test_the_home_page_leads_to_every_answer(built: Path) -> None:
    for lang in BOOK.chain.languages:
        text = page_text(built, f"{lang}/index.html")
        tagline = pick(BOOK.chain.tagline, lang, BOOK.chain.default_language)
        assert tagline.replace("'", "&#x27;") in text or tagline in text
        form = re.search(r'<form [^>]*class="home-find"[^>]*>', text)
        assert form and 'action="stores/"' in form[0] and 'method="get"' in form[0], "the store search goes to the finder"
        assert 'name="find"' in text
        tiles = re.findall(r'<a class="home-tile" href="([^"]+)"', text)
        assert tiles == ["stores/", f"/complaint?lang={lang}", f"/complaint/status?lang={lang}", "faq/", "contacts/"]
        assert 'class="md-sidebar md-sidebar--primary"' in text and "hidden" in text.split("md-sidebar--primary")[1][:120]
    index = json.loads(page_text(built, "en/search/search_index.json"))
    assert all(doc["location"] not in ("", "#how-can-we-help") for doc in index["docs"]), "the home page only repeats the others"


def test_every_language_gets_its_own_not_found_page(built: Path) -> None:
    for lang in BOOK.chain.languages:
        text = page_text(built, f"{lang}/404.html")
        assert f'<html lang="{lang}"' in text
        for link in (f"/{lang}/stores/", f"/{lang}/faq/", f"/{lang}/contacts/"):
            assert f'href="{link}"' in text, f"{lang}: a way back to {link}"
        assert re.search(rf'<form class="site-search" action="/{lang}/\.?" method="get" role="search">', text)
    assert "Страница не найдена" in page_text(built, "ru/404.html")
    assert "Nismo mogli pronaći ovu stranicu" in page_text(built, "bs/404.html")


def test_search_settings_suit_every_language(built: Path) -> None:
    for lang in BOOK.chain.languages:
        config = json.loads(page_text(built, f"{lang}/search/search_index.json"))["config"]
        assert config["separator"] == SEARCH_SEPARATOR
        if lang in ("en", "ru", "es"):  # lunr knows them: their stop words go, nothing is stemmed (prefix queries are not)
            assert (config["lang"], config["pipeline"]) == ([lang], ["stopWordFilter"])
        else:  # bs, sw, bg: whole words as written, no English stop words or stemmer on them
            assert (config["lang"], config["pipeline"]) == (["en"], [])
    assert re.split(SEARCH_SEPARATOR, "(обмен, возврат) «Lipa» — pritužbu? 10.5 a&amp;b") == [
        "", "обмен", "возврат", "Lipa", "pritužbu", "10.5", "a", "b"
    ]


# --- the server ----------------------------------------------------------------------------------


def test_unknown_site_paths_answer_404_in_the_path_language(loaded: Database, built: Path) -> None:
    with make_client(loaded, site_dir=built) as client:
        russian = client.get("/ru/nope", headers={"Accept": "text/html"})
        bosnian = client.get("/bs/stores/atlantis/", headers={"Accept-Language": "ru"})
        elsewhere = client.get("/nope", headers={"Accept": "text/html", "Accept-Language": "bs,en;q=0.5"})
        head = client.head("/ru/nope")
        api = client.get("/api/v1/nope", headers={"Accept": "text/html"})
        lost_client = client.get("/nope", headers={"Accept": "application/json"})
        found = client.get("/ru/faq/")
    assert (russian.status_code, bosnian.status_code, elsewhere.status_code, head.status_code) == (404, 404, 404, 404)
    assert '<html lang="ru"' in russian.text and "Страница не найдена" in russian.text
    assert '<html lang="bs"' in bosnian.text, "the path's language, not the browser's"
    assert '<html lang="bs"' in elsewhere.text, "no language in the path: the reader's"
    assert head.content == b""
    csp = russian.headers["content-security-policy"]
    assert csp == found.headers["content-security-policy"] and "script-src 'self'" in csp, "the site's own page, under the site's policy"
    assert russian.headers["x-frame-options"] == "DENY"
    for problem in (api, lost_client):
        assert problem.status_code == 404 and problem.headers["content-type"].startswith("application/problem+json"), problem.text[:200]


def test_the_site_is_served_compressed_and_the_product_pages_are_not(loaded: Database, built: Path) -> None:
    with make_client(loaded, site_dir=built) as client:
        gz = {"Accept-Encoding": "gzip"}
        page = client.get(STORE_PAGE, headers=gz)
        css = next(p for p in (built / "bs/assets/stylesheets").glob("main.*.min.css"))
        style = client.get(f"/bs/assets/stylesheets/{css.name}", headers=gz)
        logo = client.get("/bs/assets/logo.svg", headers=gz)
        api = client.get("/api/v1/faq", headers=gz)
        form = client.get("/complaint", headers=gz)
    for response in (page, style):
        assert response.headers["content-encoding"] == "gzip" and "accept-encoding" in response.headers["vary"].lower()
    assert style.content == css.read_bytes(), "the client unpacks what the build wrote"
    assert len(gzip.compress(css.read_bytes())) < css.stat().st_size / 4
    assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg+xml")
    for response in (api, form):
        assert "content-encoding" not in response.headers, "the product's pages carry tokens next to typed text: not compressed (BREACH)"


# --- in a real browser ---------------------------------------------------------------------------


@NEEDS_BROWSER
def test_a_store_page_weighs_at_most_150_kb_and_search_loads_on_demand(site_server: str, chromium) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)  # a new context: an empty cache
    outside = outside_requests(context)
    page = context.new_page()
    fetched: list[tuple[str, int]] = []

    def count(request) -> None:
        sizes = request.sizes()
        fetched.append((request.url, max(0, sizes["responseBodySize"]) + max(0, sizes["responseHeadersSize"])))

    page.on("requestfinished", count)
    page.goto(site_server + STORE_PAGE, wait_until="networkidle")
    total = sum(size for _, size in fetched)
    print(f"\n{STORE_PAGE} first load: {total / 1000:.1f} KB transferred in {len(fetched)} requests (limit {WEIGHT_LIMIT / 1000:.0f} KB)")
    for url, size in sorted(fetched, key=lambda item: -item[1]):
        print(f"  {size / 1000:7.1f} KB  {urlparse(url).path}")
    assert total <= WEIGHT_LIMIT
    names = [urlparse(url).path for url, _ in fetched]
    assert not any("search_index" in n or "/workers/" in n or "/lunr/" in n or "sitemap" in n for n in names), "search waits for the reader"
    assert not any(n.endswith((".woff", ".woff2", ".ttf")) for n in names), "fonts: the system's"
    assert outside == []

    with page.expect_response(lambda response: "search_index.json" in response.url):
        page.locator("label.md-header__button[for=__search]").click()  # the magnifier: the index loads now
    page.locator("input.md-search__input").press_sequentially("alta", delay=20)
    page.locator(".md-search-result__item").first.wait_for()
    assert outside == []
    context.close()


@NEEDS_BROWSER
def test_on_a_slow_network_only_the_stylesheets_hold_the_first_paint(site_server: str, chromium) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")  # "Slow 3G", as Chrome's DevTools have it
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000})
    started = time.monotonic()
    page.goto(site_server + STORE_PAGE, wait_until="load", timeout=120_000)
    blocking = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.renderBlockingStatus === 'blocking').map(e => new URL(e.name).pathname)"
    )
    paint = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
    print(f"\n{STORE_PAGE} on slow 3G: first paint at {paint and round(paint)} ms, loaded after {time.monotonic() - started:.1f} s")
    assert sorted(Path(p).name.split(".")[0] for p in blocking) == ["main", "site"], f"render-blocking: {blocking}"
    context.close()


@NEEDS_BROWSER
@pytest.mark.parametrize("lang", ["ru", "bs"])
def test_the_home_page_on_a_phone_and_a_desktop(site_server: str, chromium, lang: str) -> None:
    for width, height, mobile in [(390, 844, True), (1280, 900, False)]:
        context = chromium.new_context(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile)
        outside = outside_requests(context)
        page = context.new_page()
        blocked = csp_violations(page)
        page.goto(f"{site_server}/{lang}/", wait_until="networkidle")
        assert page.locator("header img[src$='assets/logo.svg']").is_visible(), "the chain's logo, on phones too"
        assert page.locator(".md-footer").inner_text().strip().startswith(BOOK.chain.name) and "Made with" not in page.content()
        for target in page.locator("a.home-tile, .home-find button, .home-find input, .home-cities a").all():
            box = target.bounding_box()
            assert box and box["height"] >= 40 and box["width"] >= 44, f"{target.inner_text()!r} is big enough to tap: {box}"
        assert serious_violations(page) == [], f"/{lang}/ at {width}px"
        shot(page, f"site-look-home-{lang}-{width}")
        assert blocked == [] and outside == []
        context.close()


@NEEDS_BROWSER
def test_the_home_store_search_leads_to_the_finder(site_server: str, chromium) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{site_server}/ru/")
    page.get_by_label("Найти магазин").fill("Mostar")
    page.get_by_label("Найти магазин").press("Enter")
    page.wait_for_url("**/ru/stores/?find=Mostar")
    assert page.locator("[data-store-search]").input_value() == "Mostar", "the finder has the words"
    page.locator("[data-store]:visible").first.wait_for()
    assert page.locator("[data-store]:visible").count() == 1, "and shows the one store they find"
    context.close()


@NEEDS_BROWSER
def test_a_lost_reader_finds_the_way_back_in_their_language(site_server: str, chromium) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US")
    outside = outside_requests(context)
    page = context.new_page()
    blocked = csp_violations(page)
    response = page.goto(f"{site_server}/ru/stores/atlantis/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == "ru" and page.locator("h1").inner_text() == "Страница не найдена"
    assert serious_violations(page) == []
    shot(page, "site-look-404-ru-390")
    page.get_by_label("Поиск по сайту").fill("возврат")
    page.get_by_label("Поиск по сайту").press("Enter")  # a plain form: Material's search opens with ?q=
    page.wait_for_url(re.compile(r"/ru/(\.)?\?q="))
    assert unquote(page.url).endswith("q=возврат")
    _wait_for_result(page, _faq_question("return-period", "ru"))
    assert blocked == [] and outside == []
    context.close()


def _faq_question(entry_id: str, lang: str) -> str:
    entry = next(e for e in BOOK.faq.entries if e.id == entry_id)
    return pick(entry.question, lang, BOOK.chain.default_language)


def _wait_for_result(page, text: str) -> None:
    page.locator(".md-search-result__item", has_text=text).first.wait_for(timeout=15_000)


@NEEDS_BROWSER
def test_search_finds_cyrillic_and_bosnian_words(site_server: str, chromium) -> None:
    desktop = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    blocked = csp_violations(page)
    page.goto(f"{site_server}/ru/")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("возврат", delay=30)  # Cyrillic arrives as text input, no keyup
    _wait_for_result(page, _faq_question("return-period", "ru"))
    links = [unquote(a.get_attribute("href") or "") for a in page.locator(".md-search-result__item a").all()]
    assert any(link.endswith("?h=возврат#return-period") for link in links), links
    page.locator("input.md-search__input").fill("обмен")  # after a parenthesis in the text: "(обмен, возврат денег…"
    page.locator(".md-search-result__item", has_text="обмен").first.wait_for()
    assert blocked == []
    desktop.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{site_server}/bs/")
    page.locator("label.md-header__button[for=__search]").click()  # the magnifier in the header
    page.locator("input.md-search__input").press_sequentially("pritužbu", delay=30)  # Bosnian, with a letter no US keyboard has
    _wait_for_result(page, _faq_question("how-to-complain", "bs"))
    page.locator("input.md-search__input").fill("")
    page.locator("input.md-search__input").press_sequentially("povrat", delay=30)  # Latin letters only, typed key by key
    _wait_for_result(page, _faq_question("return-period", "bs"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site-look-search-bs-390.png"))  # the viewport: the open search covers it
    phone.close()


def test_the_home_page_cities_lead_to_their_stores(built: Path) -> None:
    text = page_text(built, "ru/index.html")
    cities = [unquote(href.replace("+", " ")) for href in re.findall(r'href="stores/\?find=([^"]+)"', text)]
    assert sorted(cities) == sorted({pick(store.city, "ru", BOOK.chain.default_language) for store in BOOK.stores})[:8]
    assert "Москва" in cities
