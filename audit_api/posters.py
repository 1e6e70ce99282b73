"""`audit qr`: for every store and touchpoint, its signed survey link as SVG and PNG QR codes and a
printable A5 poster with the store's name and a call to action in each of the store's languages."""

from __future__ import annotations

from pathlib import Path

from .book import Book, pick
from .domain.links import link_token, survey_url
from .progress import Step, Total, no_step
from .qr import qr_svg, write_qr_png
from .render import render
from .render.csp import POSTER_POLICY
from .words import words


def write_posters(
    book: Book, secret: bytes, public_url: str, folder: Path, *, step: Step = no_step, total: Total | None = None
) -> list[tuple[str, Path]]:
    """Writes `<store>/<touchpoint>.{svg,png,html}`; returns (url, poster path) for each touchpoint. `total` is
    told the number of touchpoints first, `step` of each poster once its three files are written."""
    written = []
    default = book.chain.default_language
    if total is not None:
        total(sum(len(store.touchpoints) for store in book.stores))
    for store in book.stores:
        for touchpoint in store.touchpoints:
            url = survey_url(public_url, link_token(secret, store.id, touchpoint.id))
            base = folder / store.id / touchpoint.id
            base.parent.mkdir(parents=True, exist_ok=True)
            svg = qr_svg(url)
            base.with_suffix(".svg").write_text(svg, encoding="utf-8")
            write_qr_png(url, base.with_suffix(".png"))
            lang = store.languages[0]
            calls = [words(code, book.chain) for code in store.languages]
            poster = render(
                "poster.html",
                lang=lang, t=words(lang, book.chain), store_name=pick(store.name, lang, default), touchpoint=pick(touchpoint.name, lang, default), calls=calls, svg=svg, url=url,
                csp=POSTER_POLICY,  # a file has no server to send the policy: it travels in the page
            )
            base.with_suffix(".html").write_text(poster, encoding="utf-8")
            written.append((url, base.with_suffix(".html")))
            step(1)
    return written
