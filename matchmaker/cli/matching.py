"""Commands for shortlists, recommendations, duplicates and learned weights."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx, progress_bar

if TYPE_CHECKING:
    from matchmaker.services.matching.shortlists import Matches


@main.group()
def index() -> None:
    """Build the matching index (text vectors are cached in the database)."""


@index.command("build")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option(
    "--background", is_flag=True, help="Queue it for a worker (needs MATCHMAKER_REDIS_URL)."
)
@pass_ctx
@handles_errors
def index_build(ctx: Context, event_code: str | None, background: bool) -> None:
    """Encode every registration whose text changed and rebuild the FAISS indexes."""
    import time

    from matchmaker.services.registry.events import get_event

    if background:
        _queue_rebuild(ctx, event_code)
        return
    matcher = ctx.matcher()
    started = time.perf_counter()
    with progress_bar(ctx, "编码文本 / encoding texts") as tick, ctx.transaction() as db:
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


def _queue_rebuild(ctx: Context, event_code: str | None) -> None:
    from matchmaker.domain import JobKind
    from matchmaker.errors import MatchmakerError
    from matchmaker.services.operations import jobs
    from matchmaker.services.registry.events import get_event

    queue = ctx.queue()
    if not queue.background:
        raise MatchmakerError("job.no_queue")
    with ctx.transaction() as db:
        job_id = jobs.create_job(db, JobKind.INDEX_REBUILD, get_event(db, event_code)).id
    jobs.dispatch(ctx.factory(), queue, job_id, 1)
    ctx.emit({"ok": True, "job": job_id}, f"queued job #{job_id} (matchmaker jobs shows it)")


def _matches(ctx: Context, found: Matches, kind: str) -> None:
    items = found.items
    data = {"ok": True, "total": found.total, "items": [m.to_dict(ctx.lang) for m in items]}
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
    from matchmaker.services.matching.matcher import ShortlistQuery
    from matchmaker.services.matching.shortlists import shortlist_of
    from matchmaker.services.registry.catalog import get_institution

    query = ShortlistQuery(k=k, page=page, diversity=diversity)
    with ctx.transaction() as db:
        institution = get_institution(db, code, event_code)
        found = shortlist_of(db, ctx.matcher(), institution, query)
    _matches(ctx, found, "project")


@main.command()
@click.option("--project", "code", required=True, help="Project registration id.")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def recommend(ctx: Context, code: str, k: int, page: int, event_code: str | None) -> None:
    """Institutions that fit a project best, with the reasons."""
    from matchmaker.services.matching.matcher import ShortlistQuery
    from matchmaker.services.matching.shortlists import recommendations_of
    from matchmaker.services.registry.catalog import get_project

    with ctx.transaction() as db:
        project = get_project(db, code, event_code)
        found = recommendations_of(db, ctx.matcher(), project, ShortlistQuery(k=k, page=page))
    _matches(ctx, found, "institution")


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
    from matchmaker.services.matching.learning import learn_weights
    from matchmaker.services.registry.events import get_event

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
    from matchmaker.services.matching.duplicates import event_duplicates
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        pairs = event_duplicates(db, get_event(db, event_code), ctx.matcher())
    data = {
        "ok": True,
        "pairs": [p.to_dict(ctx.lang) | {"similarity": round(p.similarity, 4)} for p in pairs],
    }
    lines = []
    for p in pairs:
        lines.append(f"{p.a} ~ {p.b}  {p.similarity:.2f}  {p.kind_label(ctx.lang)}")
        lines += [f"    {e}" for e in p.evidence_text(ctx.lang)]
    ctx.emit(data, "\n".join(lines) or "no suspicious pairs")
