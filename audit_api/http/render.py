"""The one Jinja environment for the pages this product renders (customers' pages, reports, posters).

Autoescaping is on for HTML: text from the book and from people is escaped wherever it lands.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))
