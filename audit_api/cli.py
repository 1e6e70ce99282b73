"""`audit`: the one console script. Each command is a few lines over a function of the library.

    audit check            validate the standards book (exit 1 on any error)
    audit load             validate, then publish the book into the database (all or nothing)
    audit db migrate       bring the database schema up to date
    audit schema           regenerate the book's JSON Schemas
    audit serve            run the HTTP server
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import msgspec

from .book import check_book
from .book.schema import write_schemas
from .config import Settings
from .errors import AuditError
from .store import Database, migrate, publish


def _settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--db and --book on every command that needs them, over the AUDIT_* environment."""

    @click.option("--db", "db_path", type=click.Path(path_type=Path), help="SQLite file [AUDIT_DB, var/audit.db]")
    @click.option("--book", "book_path", type=click.Path(path_type=Path), help="book folder [AUDIT_BOOK, checklists]")
    @functools.wraps(func)
    def wrapper(db_path: Path | None, book_path: Path | None, **kwargs: Any) -> Any:
        return func(Settings.from_env(db_path=db_path, book_path=book_path), **kwargs)

    return wrapper


@click.group()
def main() -> None:
    """Service standards, audits and customer feedback for store chains."""


@main.command()
@_settings_options
@click.option("--json", "as_json", is_flag=True, help="print the problems as JSON")
@click.option("--strict", is_flag=True, help="fail on warnings too")
def check(settings: Settings, as_json: bool, strict: bool) -> None:
    """Validate the standards book; name every problem by file, path and line."""
    result = check_book(settings.book_path)
    if as_json:
        click.echo(msgspec.json.encode(result.problems).decode())
    else:
        for problem in result.problems:
            click.echo(str(problem), err=problem.severity == "error")
        book = result.book
        counts = (
            f" ({len(book.stores)} stores, {len(book.checklists)} checklists, {len(book.surveys)} surveys, "
            f"{len(book.faq.entries)} FAQ entries)"
            if book
            else ""
        )
        click.echo(f"{settings.book_path}: {len(result.errors)} error(s), {len(result.warnings)} warning(s){counts}")
    if result.errors or (strict and result.warnings):
        sys.exit(1)


@main.command()
@_settings_options
def load(settings: Settings) -> None:
    """Validate the book, then publish it into the database; an invalid book changes nothing."""
    result = check_book(settings.book_path)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.book is None:
        click.echo(f"{settings.book_path}: {len(result.errors)} error(s): nothing loaded", err=True)
        sys.exit(1)
    database = Database(settings.db_path)
    migrate(database)
    report = publish(database, result.book)
    for line in report.added:
        click.echo(f"new version   {line}")
    for line in report.switched:
        click.echo(f"back to       {line}")
    for line in report.retired:
        click.echo(f"retired       {line}")
    click.echo(
        f"{settings.db_path}: {len(report.added)} new, {len(report.switched)} switched, "
        f"{len(report.retired)} retired, {report.unchanged} unchanged (generation {report.generation})"
    )


@main.group()
def db() -> None:
    """The database."""


@db.command("migrate")
@_settings_options
def db_migrate(settings: Settings) -> None:
    """Apply pending schema migrations."""
    applied = migrate(Database(settings.db_path))
    click.echo(f"{settings.db_path}: " + (f"applied {', '.join(applied)}" if applied else "up to date"))


@main.command()
@_settings_options
def schema(settings: Settings) -> None:
    """Regenerate the JSON Schemas of the book's files (commit them)."""
    changed = write_schemas(settings.book_path)
    click.echo("\n".join(f"wrote {path}" for path in changed) or "schemas are current")


@main.command()
@_settings_options
@click.option("--host", help="[AUDIT_HOST, 127.0.0.1]")
@click.option("--port", type=int, help="[AUDIT_PORT, 8000]")
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Serve the API over the published book."""
    import uvicorn

    from .http import create_app

    settings = msgspec.structs.replace(settings, host=host or settings.host, port=port or settings.port)
    try:
        app = create_app(settings)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
