"""How the store writes times, and the names that say so: `Timestamp` and `Day`.

A time is text, `datetime.isoformat()` of an aware time (`2026-11-24T11:00:00+00:00`), which is an
RFC 3339 date-time; a day is `YYYY-MM-DD`. A Struct field holding one is typed with these names, so
the schemas the API publishes say `format: date-time` or `format: date` (msgspec's Meta, which
`http/openapi.py` passes on to the OpenAPI document). Not for: parsing or comparing times.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

Timestamp = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]
Day = Annotated[str, Meta(extra_json_schema={"format": "date"})]
