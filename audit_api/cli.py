"""`audit`: the one console script. Each command is a few lines over a function of the library.

    audit check            validate the standards book (exit 1 on any error)
    audit load             validate, then publish the book into the database (all or nothing)
    audit db migrate       bring the database schema up to date
    audit schema           regenerate the book's JSON Schemas
    audit serve            run the HTTP server
    audit users add        create an admin, manager or auditor
    audit users enrol      a one-time enrolment QR code for a user's phone
    audit users list       every user
    audit users disable    stop a user's every token at once (audit users enable: undo)
    audit qr               QR codes and A5 posters for every store and touchpoint
    audit privacy purge    remove personal data older than the book's retention period
    audit site build       the public site, from the published book, with MkDocs Material
    audit export           audits, survey responses or complaints as CSV or JSON lines, the whole chain's

The long ones (load, qr, privacy purge, site build, export) show their progress on stderr (`progress.py`)
and end with a one-line summary, with the time they took.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
import msgspec

from .book import check_book
from .book.schema import write_schemas
from .config import Settings
from .domain.exports import Format, Kind
from .domain.links import enrolment_url
from .errors import AuditError
from .posters import write_posters
from .progress import Progress
from .qr import qr_text, write_qr_png
from .services import accounts, exports, feedback
from .services import book as books
from .site.build import build_site, project_root
from .store import Database, current_book, migrate
from .store.accounts import Role
from .store.secret import instance_secret


def _settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--db and --book on every command that needs them, over the AUDIT_* environment."""

    @click.option("--db", "db_path", type=click.Path(path_type=Path), help="SQLite file [AUDIT_DB, var/audit.db]")
    @click.option("--book", "book_path", type=click.Path(), help="book folder [AUDIT_BOOK, checklists]")
    @functools.wraps(func)
    def wrapper(db_path: Path | None, book_path: str | None, **kwargs: Any) -> Any:
        try:
            settings = Settings.from_env(db_path=db_path, book_path=book_path)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        # The folder as typed (a Path drops a leading ./): messages name the book's files the same way.
        click.get_current_context().meta["book_as_given"] = book_path or os.environ.get("AUDIT_BOOK") or str(settings.book_path)
        return func(settings, **kwargs)

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
    book_as_given = click.get_current_context().meta["book_as_given"]
    result = check_book(book_as_given)
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
        click.echo(f"{book_as_given}: {len(result.errors)} error(s), {len(result.warnings)} warning(s){counts}")
    if result.errors or (strict and result.warnings):
        sys.exit(1)


@main.command()
@_settings_options
def load(settings: Settings) -> None:
    """Validate the book, then publish it into the database; an invalid book changes nothing."""
    with Progress("loading", "stores") as progress:
        loaded = books.load(settings.db_path, settings.book_path, step=progress.step, total=progress.set_total)
        took = progress.summary()
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    report = loaded.report
    if report is None:
        errors = sum(problem.severity == "error" for problem in loaded.problems)
        click.echo(f"{settings.book_path}: {errors} error(s): nothing loaded", err=True)
        sys.exit(1)
    for line in report.added:
        click.echo(f"new version   {line}")
    for line in report.switched:
        click.echo(f"back to       {line}")
    for line in report.retired:
        click.echo(f"retired       {line}")
    click.echo(
        f"{settings.db_path}: {len(report.added)} new, {len(report.switched)} switched, "
        f"{len(report.retired)} retired, {report.unchanged} unchanged (generation {report.generation}"
        f"{'' if loaded.read_again else '; the files are as last loaded'}): {took}"
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


@main.group()
def users() -> None:
    """Accounts: admins, managers (of all stores or some) and auditors."""


def _database(settings: Settings) -> Database:
    database = Database(settings.db_path)
    migrate(database)
    return database


@users.command("add")
@_settings_options
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "manager", "auditor"]), required=True)
@click.option("--display-name", default="", help="the name shown on reports")
@click.option("--store", "stores", multiple=True, help="a store a manager looks after (repeat)")
@click.option("--all-stores", is_flag=True, help="a manager of every store")
@click.option("--language", help="preferred language for checklists and reports")
@click.option("--plans-visits", is_flag=True, help="an area manager: plans mystery visits to their stores and sees auditors by name")
def users_add(
    settings: Settings, name: str, role: Role, display_name: str, stores: tuple[str, ...], all_stores: bool, language: str | None,
    plans_visits: bool,
) -> None:
    """Create a user."""
    database = _database(settings)
    try:
        known = set(current_book(database).stores_by_id)
    except AuditError:
        known = None
    try:
        user = accounts.add_user(
            database, name, role, display_name=display_name, stores=list(stores), all_stores=all_stores,
            language=language, plans_visits=plans_visits, known_stores=known,
        )
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    scope = " of every store" if user.all_stores else (f" of {', '.join(user.stores)}" if user.stores else "")
    click.echo(f"added {user.role} {user.name}{scope}{', plans visits' if user.plans_visits else ''}")


@users.command("disable")
@_settings_options
@click.argument("name")
def users_disable(settings: Settings, name: str) -> None:
    """Disable NAME: every device token of theirs fails from the next request on."""
    _switch_user(settings, name, disabled=True)


@users.command("enable")
@_settings_options
@click.argument("name")
def users_enable(settings: Settings, name: str) -> None:
    """Enable NAME again (their tokens that have not expired or been revoked work again)."""
    _switch_user(settings, name, disabled=False)


def _switch_user(settings: Settings, name: str, *, disabled: bool) -> None:
    try:
        user = accounts.set_disabled(_database(settings), name, disabled)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"disabled {user.name} at {user.disabled_at}" if disabled else f"enabled {user.name}")


@users.command("enrol")
@_settings_options
@click.argument("name")
@click.option("--hours", type=int, default=accounts.ENROLMENT_HOURS, show_default=True, help="how long the code lasts")
@click.option("--png", "png_path", type=click.Path(path_type=Path), help="where to write the QR code [var/enrol/NAME.png]")
def users_enrol(settings: Settings, name: str, hours: int, png_path: Path | None) -> None:
    """Print a one-time enrolment QR code for NAME's phone, and write it as a PNG."""
    database = _database(settings)
    try:
        enrolment = accounts.start_enrolment(database, accounts.find_user(database, name), hours)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    url = enrolment_url(settings.public_url, enrolment.code)
    png_path = png_path or settings.db_path.parent / "enrol" / f"{name}.png"
    write_qr_png(url, png_path)
    click.echo(qr_text(url))
    click.echo(f"{url}\nscan within {hours} h (until {enrolment.expires_at:%Y-%m-%d %H:%M} UTC); also written to {png_path}")


@users.command("list")
@_settings_options
def users_list(settings: Settings) -> None:
    """Every user, with role and stores."""
    for user in accounts.list_users(_database(settings)):
        scope = "all stores" if user.all_stores else ", ".join(user.stores)
        click.echo(f"{user.name:20} {user.role:8} {scope}")


@main.command()
@_settings_options
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("var/qr"), show_default=True)
def qr(settings: Settings, out: Path) -> None:
    """Write each store's and touchpoint's survey QR code (SVG, PNG) and an A5 poster (HTML)."""
    try:
        book = current_book(_database(settings))
        secret = instance_secret(settings.db_path)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    with Progress("writing posters", "posters") as progress:
        written = write_posters(book, secret, settings.public_url, out, step=progress.step, total=progress.set_total)
    summary = progress.summary()
    for url, poster in written:
        click.echo(f"{url}  {poster}")
    click.echo(f"{summary}: {out}")


@main.group()
def privacy() -> None:
    """Customers' personal data."""


@privacy.command("purge")
@_settings_options
def privacy_purge(settings: Settings) -> None:
    """Remove contact details and free text older than the retention period; keep the scores.

    In short transactions that let the server's writes through between them; a row already purged is
    skipped, so a run stopped half-way is finished by the next."""
    database = _database(settings)
    try:
        book = current_book(database)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with Progress("purging", "rows") as progress:
            report = feedback.purge(database, book, dt.datetime.now(dt.UTC), step=progress.step, total=progress.set_total)
    finally:
        database.close()  # its committer thread, and each connection
    click.echo(
        f"older than {book.chain.retention_days} days: removed {report.survey_contacts} survey contacts, "
        f"{report.survey_texts} survey comments, {report.complaint_contacts} complaint contacts, "
        f"{report.complaint_texts} complaint texts, in {report.batches} batches: {progress.summary()}"
    )


@main.group()
def site() -> None:
    """The public site."""


@site.command("build")
@_settings_options
@click.option("--out", type=click.Path(path_type=Path), help="[AUDIT_SITE_DIR, build/site]")
def site_build(settings: Settings, out: Path | None) -> None:
    """Generate the pages from the published book and build them (strict) into a static folder."""
    try:
        book = current_book(_database(settings))
        with Progress("building the site", "pages") as progress:
            report = build_site(
                book, project_root(), out or settings.site_dir, public_url=settings.public_url, book_dir=settings.book_path,
                step=progress.step, total=progress.set_total,
            )
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{progress.summary()}, languages {', '.join(report.languages)}: {report.out}")


@main.command("export")
@_settings_options
@click.argument("kind", type=click.Choice(["audits", "responses", "complaints"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--out", required=True, help="the file to write (replaced once the export is whole), or - for stdout")
@click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]), help="first day, in each store's time zone")
@click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]), help="last day (included), in each store's time zone")
@click.option("--store", help="only this store")
@click.option("--city", help="only the stores of this city (any of its names)")
@click.option("--country", help="only the stores of this country (ISO code)")
def export_command(
    settings: Settings, kind: Kind, fmt: Format, out: str, since: dt.datetime | None, until: dt.datetime | None,
    store: str | None, city: str | None, country: str | None,
) -> None:
    """Export KIND (audits: a row per item answer; responses; complaints) as GET /api/v1/exports/KIND does.

    The whole chain's rows, auditors by login (`exports.chain_operator`). With `--out -` the export goes
    to stdout and the summary to stderr."""
    database = _database(settings)
    try:
        book = current_book(database)
        with Progress(f"exporting {kind}", kind) as progress:
            export = exports.export(
                database, book, exports.chain_operator(), kind, fmt, first_day=since and since.date(), last_day=until and until.date(),
                store=store, city=city, country=country, step=progress.step, total=progress.set_total,
            )
            _write_out(export.chunks, out)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        database.close()
    click.echo(f"{progress.summary()}: {'stdout' if out == '-' else out}", err=out == "-")


def _write_out(chunks: Iterable[bytes], out: str) -> None:
    """To stdout (`-`), or to a file that only ever holds a whole export: written beside it, then moved over it."""
    if out == "-":
        stdout = sys.stdout.buffer
        stdout.writelines(chunks)
        stdout.flush()
        return
    target = Path(out)
    part = target.with_name(f".{target.name}.part")
    try:
        with part.open("wb") as file:
            file.writelines(chunks)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)


@main.command()
@_settings_options
@click.option("--host", help="[AUDIT_HOST, 127.0.0.1]")
@click.option("--port", type=int, help="[AUDIT_PORT, 8000]")
@click.option("--workers", type=click.IntRange(min=1), help="server processes on the one database [AUDIT_WORKERS, one per core]")
def serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API over the published book, from one process per core (or --workers N).

    The processes share the database (writes queue on its lock), the rate limits (a table in
    `<db>.limits`, made afresh at each start) and the book (each notices a new `audit load` within a
    second). A worker ends with the server: none outlives a `kill -9` of it."""
    import uvicorn

    from .http import create_app
    from .http.limits import Allowances
    from .http.workers import WorkerFailed, serve_processes

    count = workers or settings.workers or os.cpu_count() or 1
    limits = settings.db_path.with_name(f"{settings.db_path.name}.limits")
    settings = msgspec.structs.replace(settings, host=host or settings.host, port=port or settings.port, limits_path=limits)
    database = Database(settings.db_path)
    try:
        Allowances.create(limits)
        app = create_app(settings, database=database)  # the database and the book are checked before any worker starts
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if count > 1:
            database.close()
    # The client address (rate limits, survey limits) comes from X-Forwarded-For only when a trusted proxy
    # sent it; uvicorn would otherwise believe any loopback client, so anyone on the host could pick theirs.
    proxies = [address.strip() for address in settings.trusted_proxies.split(",") if address.strip()]
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "log_level": "info", "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None,
    }
    if count == 1:
        uvicorn.run(app, **options)
        return
    # Each worker is a fresh process that makes its own app from the environment: these settings as given here.
    os.environ.update(
        AUDIT_DB=str(settings.db_path.resolve()), AUDIT_BOOK=str(settings.book_path.resolve()),
        AUDIT_SITE_DIR=str(settings.site_dir.resolve()), AUDIT_LIMITS_FILE=str(limits.resolve()),
    )
    click.echo(f"serving from {count} processes", err=True)
    try:
        serve_processes(count, options)
    except (WorkerFailed, OSError) as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()
