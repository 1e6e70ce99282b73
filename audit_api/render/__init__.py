"""The pages this product renders itself (customers' pages, error pages, audit reports, posters):
the one Jinja environment, its templates, and the product's own words on them (`labels.py`).

Autoescaping is on for HTML: text from the book and from people is escaped wherever it lands.
Not for: HTTP (`http/render.py` wraps a page in a response) or the public site (MkDocs, `site/`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))


def render(template: str, **values: Any) -> str:
    return templates.get_template(template).render(**values)
