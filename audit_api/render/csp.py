"""What the product's own pages may load (Content-Security-Policy): no script at all, their inline
<style> blocks by SHA-256, images only inline (the report's photos are data: URIs).

    PAGE_POLICY     sent by the server with every page it renders (customers' pages, errors, reports)
    POSTER_POLICY   written into each poster as <meta http-equiv>: a file has no server to send headers,
                    and a <meta> policy cannot carry frame-ancestors (browsers ignore it there, loudly)

The hashes are of the templates' <style> blocks as written, so a block must hold no Jinja (checked
here, at import). `source_hash` is the one way this product writes a CSP hash (the site's build uses it too).
Not for: the HTTP headers themselves (`http/security.py`).
"""

from __future__ import annotations

import base64
import hashlib
import re

from . import templates

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def source_hash(text: str) -> str:
    """A CSP source allowing exactly this inline script or style: 'sha256-<base64 of its UTF-8 bytes>'."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def style_hashes(template: str) -> list[str]:
    assert templates.loader is not None
    source = templates.loader.get_source(templates, template)[0].replace("\r\n", "\n")  # Jinja renders \n newlines
    blocks = _STYLE.findall(source)
    if any("{{" in block or "{%" in block for block in blocks):
        raise ValueError(f"{template}: a <style> block with Jinja in it cannot be allowed by a fixed hash")
    return [source_hash(block) for block in blocks]


_SERVED = sorted({h for name in templates.list_templates() if name != "poster.html" for h in style_hashes(name)})

PAGE_POLICY = (
    f"default-src 'none'; style-src {' '.join(_SERVED)}; img-src data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
POSTER_POLICY = f"default-src 'none'; style-src {' '.join(style_hashes('poster.html'))}; img-src data:; form-action 'none'; base-uri 'none'"
