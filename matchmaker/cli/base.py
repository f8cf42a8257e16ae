"""The ``matchmaker`` command group: context, error handling, progress, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import Settings
from matchmaker.errors import MatchmakerError, TooLarge
from matchmaker.messages import render, size_text

if TYPE_CHECKING:  # the parts load on first use, so that ``--help`` stays quick
    from matchmaker.services.matching.matcher import Matcher
    from matchmaker.services.operations.jobs import JobQueue
    from matchmaker.wiring import Parts

LANGUAGES = ("zh", "en")


class Context:
    """What every subcommand gets: settings, language, output mode, and the process's parts
    (engine, matcher, job queue), made by the composition root on first use."""

    def __init__(self, settings: Settings, lang: str, as_json: bool) -> None:
        self.settings = settings
        self.lang = lang
        self.as_json = as_json
        self._parts: Parts | None = None

    @property
    def db_url(self) -> str:
        """The database's URL (``--db``, else ``MATCHMAKER_DATABASE_URL``, else the default)."""
        return self.settings.database_url

    @property
    def parts(self) -> Parts:
        """This command's parts (made on first use: a command that needs none opens nothing)."""
        if self._parts is None:
            from matchmaker.wiring import Parts

            self._parts = Parts(self.settings)
        return self._parts

    def matcher(self) -> Matcher:
        """Return the matcher, which keeps its indexes beside this database."""
        return self.parts.matcher

    def queue(self) -> JobQueue:
        """Return the job queue (RQ on Redis when configured, else jobs run in the command)."""
        return self.parts.queue

    def factory(self) -> sessionmaker[Session]:
        """Return the session factory of this database (made on first use)."""
        return self.parts.session_factory

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[Session]:
        """Yield a session committed on success and rolled back on any error."""
        from matchmaker.db.transactions import transaction

        with transaction(self.factory(), immediate) as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """Yield a read-only session that sees the database at one moment."""
        from matchmaker.db.transactions import snapshot

        with snapshot(self.factory()) as session:
            yield session

    def read_upload(self, path: Path) -> bytes:
        """Return a file to import, refusing one over the upload limit as the web pages do.

        The limit (``MATCHMAKER_MAX_UPLOAD_BYTES``) keeps an import's memory bounded whatever
        door the file comes through; raise the setting for a larger file.
        """
        limit = self.settings.max_upload_bytes
        if path.stat().st_size > limit:
            raise TooLarge(limit=size_text(limit))
        return path.read_bytes()

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
    metavar="URL",
    help="Database URL (default: SQLite under instance/).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="zh",
    show_default=True,
    help="Language of messages.",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.version_option(package_name="matchmaker")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, lang: str, as_json: bool) -> None:
    """matchmaker: investor–project matchmaking for entrepreneurship competitions."""
    # Options not given fall back on Settings (MATCHMAKER_DATABASE_URL, MATCHMAKER_LANGUAGE).
    settings = Settings.from_env()
    if db_url:
        settings = replace(settings, database_url=db_url)
    if ctx.get_parameter_source("lang") is ParameterSource.DEFAULT:
        lang = settings.default_language
    if lang not in LANGUAGES:
        raise click.BadParameter(
            f"{lang!r} is not one of {', '.join(map(repr, LANGUAGES))}.",
            param_hint="'--lang'",
        )
    ctx.obj = Context(settings, lang, as_json)


pass_ctx = click.make_pass_decorator(Context)


def accept_json_after_the_command(group: click.Group) -> None:
    """Let every command of ``group`` (and of its sub-groups) take ``--json`` after its name too
    (``matchmaker shortlist --institution X --json``), as well as before it."""

    def set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.find_object(Context).as_json = True  # type: ignore[union-attr]

    for command in group.commands.values():
        if isinstance(command, click.Group):
            accept_json_after_the_command(command)
        elif not any("--json" in getattr(p, "opts", ()) for p in command.params):
            command.params.append(
                click.Option(
                    ["--json"],
                    is_flag=True,
                    expose_value=False,
                    is_eager=True,
                    callback=set_json,
                    help="Print results as JSON.",
                )
            )


@contextmanager
def progress_bar(ctx: Context, label: str) -> Iterator[Callable[[int, int], None] | None]:
    if ctx.as_json or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
