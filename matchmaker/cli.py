"""The ``matchmaker`` command: set up the database, import/export registrations, demo, serve."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matchmaker.config import Settings
from matchmaker.domain import LOCAL_TZ, Role
from matchmaker.errors import MatchmakerError
from matchmaker.messages import render


class Context:
    """What every subcommand gets: settings, language, output mode, a lazily made engine."""

    def __init__(self, db_url: str | None, lang: str, as_json: bool) -> None:
        settings = Settings.from_env()
        self.db_url = db_url or settings.database_url
        self.lang = lang
        self.as_json = as_json
        self._factory: Any = None

    def matcher(self) -> Any:
        """Return a matcher that keeps its indexes beside this database."""
        from matchmaker.services.index_store import index_dir_for
        from matchmaker.services.matching import Matcher

        return Matcher(index_dir=index_dir_for(self.db_url, Settings.from_env().instance_dir))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session committed on success and rolled back on any error."""
        from matchmaker.db.engine import make_engine, session_factory, transaction

        if self._factory is None:
            self._factory = session_factory(make_engine(self.db_url))
        with transaction(self._factory) as session:
            yield session

    def emit(self, data: Any, text: str) -> None:
        """Print ``data`` as JSON with --json, else ``text``."""
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            click.echo(text)


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures into a one-line reason (plus a line per problem) and exit 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx: Context = click.get_current_context().find_object(Context)
        try:
            return func(*args, **kwargs)
        except MatchmakerError as exc:
            _fail(
                ctx,
                exc.message(ctx.lang),
                [p.to_dict(ctx.lang) for p in exc.problems],
                [p.line(ctx.lang) for p in exc.problems],
                exc.code,
            )
        except SQLAlchemyError as exc:
            reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
            _fail(ctx, f"database error: {reason}", [], [], "error.database")
        except OSError as exc:
            _fail(ctx, f"{exc.strerror or exc}: {exc.filename or ''}".strip(), [], [], "error.os")
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # process edge: a one-line reason, never a traceback
            _fail(
                ctx,
                f"{render('error.server', ctx.lang)} ({exc.__class__.__name__}: {exc})",
                [],
                [],
                "error.internal",
            )

    return wrapper


def _fail(ctx: Context, message: str, problems: list[Any], lines: list[str], code: str) -> None:
    if ctx.as_json:
        payload = {"ok": False, "code": code, "message": message, "errors": problems}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(f"error: {message}", err=True)
        for line in lines:
            click.echo(f"  - {line}", err=True)
    sys.exit(2)


@click.group()
@click.option(
    "--db",
    "db_url",
    envvar="MATCHMAKER_DATABASE_URL",
    metavar="URL",
    help="Database URL (default: SQLite under instance/).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    envvar="MATCHMAKER_LANGUAGE",
    help="Language of messages.",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.version_option(package_name="matchmaker")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, lang: str, as_json: bool) -> None:
    """matchmaker: investor–project matchmaking for entrepreneurship competitions."""
    ctx.obj = Context(db_url, lang, as_json)


pass_ctx = click.make_pass_decorator(Context)


@main.command()
@pass_ctx
@handles_errors
def init(ctx: Context) -> None:
    """Create or upgrade the database schema."""
    from matchmaker.db.engine import make_engine, migrate

    migrate(make_engine(ctx.db_url))
    ctx.emit(
        {"ok": True, "database": _safe_url(ctx.db_url)}, f"database ready: {_safe_url(ctx.db_url)}"
    )


@main.command()
@click.option(
    "--reset/--no-reset",
    default=False,
    help="Drop every table first (all data in this database is lost).",
)
@pass_ctx
@handles_errors
def demo(ctx: Context, reset: bool) -> None:
    """Load the demo event: three sessions, ~240 projects, ~40 institutions, four accounts."""
    from matchmaker.db.engine import make_engine, migrate, reset_schema
    from matchmaker.services.demo import DEMO_PASSWORD, load_demo

    engine = make_engine(ctx.db_url)
    if reset:
        reset_schema(engine)
    migrate(engine)
    with _progress(ctx, "导入报名数据 / importing registrations") as tick, ctx.transaction() as db:
        event, accounts = load_demo(db, tick)
        summary = {
            "event": event.code,
            "name": event.name,
            "sessions": [s.code for s in event.sessions],
            "accounts": [
                {
                    "username": a.username,
                    "role": a.role.value,
                    "password": DEMO_PASSWORD,
                    "bound_to": a.bound_to,
                }
                for a in accounts
            ],
        }
    lines = [f"demo event {event.code}: {event.name}", "accounts (password " + DEMO_PASSWORD + "):"]
    lines += [f"  {a.username:<10} {a.role.label(ctx.lang)} {a.bound_to}" for a in accounts]
    ctx.emit(summary, "\n".join(lines))


@main.command(name="import")
@click.argument("kind", type=click.Choice(["projects", "institutions"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def import_(ctx: Context, kind: str, file: Path, event_code: str | None) -> None:
    """Import projects or institutions from a CSV or XLSX file (all rows or none)."""
    from matchmaker.services.events import get_event
    from matchmaker.services.registrations import import_registrations

    data = file.read_bytes()
    with _progress(ctx, f"{file.name}") as tick, ctx.transaction() as db:
        event = get_event(db, event_code)
        report = import_registrations(db, event, kind, data, file.name, tick)
    text = render(
        "import.done", ctx.lang, total=report.total, created=report.created, updated=report.updated
    )
    for warning in report.warnings:
        text += f"\n  ! {warning.line(ctx.lang)}"
    ctx.emit({"ok": True, **report.to_dict(ctx.lang)}, text)


@main.command()
@click.argument("kind", type=click.Choice(["projects", "institutions"]))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default=None,
    help="File format (default: from --output's suffix, else csv).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def export(
    ctx: Context, kind: str, fmt: str | None, output: Path | None, event_code: str | None
) -> None:
    """Export projects or institutions as CSV or XLSX (imports back unchanged)."""
    from matchmaker.services.events import get_event
    from matchmaker.services.registrations import export_registrations

    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix else "csv")
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    with ctx.transaction() as db:
        data = export_registrations(db, get_event(db, event_code), kind, fmt, ctx.lang)
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("refusing to write XLSX to a terminal; use --output FILE")
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    ctx.emit({"ok": True, "path": str(output), "bytes": len(data)}, f"wrote {output}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@pass_ctx
@handles_errors
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the web app and API with gunicorn."""
    from matchmaker.app import serve as run
    from matchmaker.db.engine import make_engine, migrate

    engine = make_engine(ctx.db_url)
    migrate(engine)  # once, before the workers fork; a no-op when the schema is current
    engine.dispose()
    click.echo(f"matchmaker: http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)")
    run(ctx.db_url, host, port, workers)


@main.group()
def index() -> None:
    """Build the matching index (text vectors are cached in the database)."""


@index.command("build")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def index_build(ctx: Context, event_code: str | None) -> None:
    """Encode every registration whose text changed and rebuild the FAISS indexes."""
    import time

    from matchmaker.services.events import get_event

    matcher = ctx.matcher()
    started = time.perf_counter()
    with _progress(ctx, "编码文本 / encoding texts") as tick, ctx.transaction() as db:
        state = matcher.rebuild(db, get_event(db, event_code), tick)
    seconds = time.perf_counter() - started
    summary = {
        "ok": True,
        "encoder": matcher.encoder.name,
        "dimension": state.space.dim,
        "projects": len(state.projects),
        "institutions": len(state.institutions),
        "approximate": state.project_index.approximate_,
        "seconds": round(seconds, 2),
    }
    ctx.emit(
        summary,
        f"index built: {summary['projects']} projects, "
        f"{summary['institutions']} institutions, encoder {summary['encoder']}, "
        f"{summary['dimension']} dimensions, {seconds:.1f} s",
    )


def _matches(ctx: Context, items: list, total: int, kind: str) -> None:
    data = {"ok": True, "total": total, "items": [m.to_dict(ctx.lang) for m in items]}
    lines = []
    for rank_, item in enumerate(items, start=1):
        lines.append(f"{rank_:>3}. {item.code}  {item.name}  ({item.score:.3f})")
        lines += [f"       + {r.text(ctx.lang)}" for r in item.reasons if r.positive]
        lines += [f"       - {r.text(ctx.lang)}" for r in item.reasons if not r.positive]
    ctx.emit(data, "\n".join(lines) or f"no {kind} fits")


@main.command()
@click.option("--institution", "code", required=True, help="Institution registration id.")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--diversity", default=0.0, show_default=True, type=click.FloatRange(0, 1))
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def shortlist(
    ctx: Context, code: str, k: int, page: int, diversity: float, event_code: str | None
) -> None:
    """Projects that fit an institution best, with the reasons."""
    from matchmaker.services.catalog import get_institution
    from matchmaker.services.events import get_event
    from matchmaker.services.matching import ShortlistQuery

    with ctx.transaction() as db:
        institution = get_institution(db, code, event_code)
        event = get_event(db, event_code) if event_code else _event_by_id(db, institution)
        items, total = ctx.matcher().shortlist(
            db, event, institution, ShortlistQuery(k=k, page=page, diversity=diversity)
        )
    _matches(ctx, items, total, "project")


@main.command()
@click.option("--project", "code", required=True, help="Project registration id.")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def recommend(ctx: Context, code: str, k: int, page: int, event_code: str | None) -> None:
    """Institutions that fit a project best, with the reasons."""
    from matchmaker.services.catalog import get_project
    from matchmaker.services.events import get_event
    from matchmaker.services.matching import ShortlistQuery

    with ctx.transaction() as db:
        project = get_project(db, code, event_code)
        event = get_event(db, event_code) if event_code else _event_by_id(db, project)
        items, total = ctx.matcher().recommend(db, event, project, ShortlistQuery(k=k, page=page))
    _matches(ctx, items, total, "institution")


def _event_by_id(db: Session, row: Any) -> Any:
    from matchmaker.db.models import Event

    return db.get_one(Event, row.event_id)


@main.group()
def weights() -> None:
    """Learn the shortlist's block weights from the event's own outcomes."""


@weights.command("fit")
@click.option("--event", "event_code")
@click.option("--dry-run", is_flag=True, help="Report only; never store the weights.")
@pass_ctx
@handles_errors
def weights_fit(ctx: Context, event_code: str | None, dry_run: bool) -> None:
    """Fit weights on likes/passes, meeting ratings and intents; keep them only if they win."""
    from matchmaker.services.events import get_event
    from matchmaker.services.learning import learn_weights

    with ctx.transaction() as db:
        learned = learn_weights(db, get_event(db, event_code), ctx.matcher(), apply=not dry_run)
    report = learned.to_dict()
    lines = [
        f"outcomes: {learned.outcomes} pairs",
        f"fitted: {learned.fit.fitted} ({learned.fit.reason})",
    ]
    if learned.fit.fitted:
        m = learned.fit.metrics
        lines.append(
            f"held out ({m.get('evaluated_groups')} institutions): nDCG@10 fitted "
            f"{m.get('ndcg_fitted', float('nan')):.4f} vs default "
            f"{m.get('ndcg_default', float('nan')):.4f}; AUC "
            f"{m.get('auc_fitted', float('nan')):.4f} vs "
            f"{m.get('auc_default', float('nan')):.4f}"
        )
        lines.append("weights: " + " ".join(f"{b}={w:.3f}" for b, w in report["weights"].items()))
    lines.append(
        "applied: the event's shortlists now use these weights"
        if learned.applied
        else "applied: no — shortlists keep their current weights"
    )
    ctx.emit({"ok": True, **report}, "\n".join(lines))


@main.command()
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def duplicates(ctx: Context, event_code: str | None) -> None:
    """Registrations that look like the same project entered twice or copied."""
    from matchmaker.services.duplicates import event_duplicates
    from matchmaker.services.events import get_event

    with ctx.transaction() as db:
        pairs = event_duplicates(db, get_event(db, event_code), ctx.matcher())
    data = {
        "ok": True,
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "similarity": round(p.similarity, 4),
                "kind": p.kind,
                "evidence": list(p.evidence),
            }
            for p in pairs
        ],
    }
    lines = []
    for p in pairs:
        lines.append(f"{p.a} ~ {p.b}  {p.similarity:.2f}  {p.kind}")
        lines += [f"    {e}" for e in p.evidence]
    ctx.emit(data, "\n".join(lines) or "no suspicious pairs")


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--institution", "institution_code", help="Investor's institution id.")
@click.option("--project", "project_code", help="Entrant's project id.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def user_add(
    ctx: Context,
    username: str,
    role: str,
    institution_code: str | None,
    project_code: str | None,
    password: str,
    event_code: str | None,
) -> None:
    """Create an account (investors need --institution, entrants --project)."""
    from matchmaker.services.accounts import create_user
    from matchmaker.services.catalog import get_institution, get_project

    with ctx.transaction() as db:
        institution = (
            get_institution(db, institution_code, event_code) if institution_code else None
        )
        project = get_project(db, project_code, event_code) if project_code else None
        create_user(db, username, role, password, institution=institution, project=project)
    ctx.emit({"ok": True, "username": username, "role": role}, f"created {username} ({role})")


@main.group()
def token() -> None:
    """Issue and revoke API bearer tokens."""


@token.command("issue")
@click.argument("username")
@click.option("--days", default=30, show_default=True, type=int, help="0 = never expires.")
@click.option("--label", default="cli")
@pass_ctx
@handles_errors
def token_issue(ctx: Context, username: str, days: int, label: str) -> None:
    """Print a new bearer token for USERNAME (shown once; only its hash is kept)."""
    from matchmaker.services.accounts import get_user, issue_token

    with ctx.transaction() as db:
        value, _row = issue_token(db, get_user(db, username), label, days or None)
    ctx.emit({"ok": True, "username": username, "token": value}, value)


@token.command("revoke")
@click.argument("value")
@pass_ctx
@handles_errors
def token_revoke(ctx: Context, value: str) -> None:
    """Revoke a bearer token."""
    from matchmaker.services.accounts import revoke_token

    with ctx.transaction() as db:
        revoke_token(db, value)
    ctx.emit({"ok": True}, "revoked")


@main.command("events")
@pass_ctx
@handles_errors
def events(ctx: Context) -> None:
    """List events and their sessions."""
    from sqlalchemy import select

    from matchmaker.db.models import Event

    with ctx.transaction() as db:
        rows = [
            {
                "code": e.code,
                "name": e.name,
                "sessions": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "starts_at": s.starts_at.astimezone(LOCAL_TZ).isoformat(),
                        "slots": len(s.slots),
                        "tables": s.table_count,
                    }
                    for s in e.sessions
                ],
            }
            for e in db.scalars(select(Event).order_by(Event.code))
        ]
    text = "\n".join(
        f"{r['code']}  {r['name']}\n"
        + "\n".join(
            f"    {s['code']}  {s['name']}  {s['starts_at']}  {s['slots']} slots, "
            f"{s['tables']} tables"
            for s in r["sessions"]
        )
        for r in rows
    )
    ctx.emit(rows, text or "no events")


@contextmanager
def _progress(ctx: Context, label: str) -> Iterator[Callable[[int, int], None] | None]:
    if ctx.as_json or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
