"""Where a benchmark keeps what it prints, for programs: `build/bench/<name>.json`, a list of objects, one a printed
row, each named (`name`) and with its figures under the names the table's columns have. `make bench` writes one
file per benchmark (`results.json` for the server's table), so that runs can be compared by a program.

Not for: measuring (`load.py`, `serving.py`).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench"


def keep(name: str, rows: list[dict[str, object]]) -> Path:
    """Write `rows` to `build/bench/{name}.json` (replacing the last run's), say where, and return the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"figures: {path.relative_to(ROOT)}")
    return path
