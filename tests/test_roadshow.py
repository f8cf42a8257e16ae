"""Roadshow sessions (#17): a pitch order drawn by lot that anyone can re-check from its seed,
investors' interest taps (idempotent by client_key), and interest turned into a score bonus or
booking requests in the next one-to-one session — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest
from sqlalchemy import select
from tests_support import CSRF, MATCHMAKER, ROADSHOW_PROJECTS, add_roadshow, db_snapshot, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, MeetingRequest, RoadshowDraw, User
from matchmaker.domain import RequestStatus, Role
from matchmaker.services.agendas.roadshow import draw_order, interest_counts
from matchmaker.services.registry.events import get_session

pytestmark = pytest.mark.fake_encoder

PITCHING = ROADSHOW_PROJECTS
MANAGE = "/sessions/R1/roadshow/manage"
WATCH = "/sessions/R1/roadshow"


def cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [MATCHMAKER, "--db", db_url, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def page_client(app: Any, factory: Any, username: str) -> Any:
    client = app.test_client()
    sign_in(client, factory, username)
    return client


def tap(client: Any, project: str) -> tuple[Any, str]:
    """Open the roadshow page and tap the project's button as the page offers it; return the
    answer and the form's fields (to send again)."""
    page = client.get(WATCH).get_data(as_text=True)
    card = page[page.index(f'id="p-{project}"') :]
    form = card[: card.index("</form>")]
    fields = dict(re.findall(r'name="(client_key|interested)" value="([^"]*)"', form))
    body = {"csrf": CSRF, "project": project, **fields}
    return client.post(WATCH, data=body), body


def test_a_recorded_draw_is_rechecked_from_its_seed_and_frozen_once_published(
    app: Any, factory: Any, accounts: Any, db_url: str
) -> None:
    add_roadshow(factory)
    organiser = page_client(app, factory, "organiser")
    draw = {"csrf": CSRF, "action": "draw", "seed": "20261207"}
    assert organiser.post(MANAGE, data=draw).status_code == 303
    assert organiser.post(MANAGE, data={**draw, "seed": "7"}).status_code == 303  # a re-draw
    with factory() as db:
        draws = db.scalars(select(RoadshowDraw).order_by(RoadshowDraw.number)).all()
        assert [(d.number, d.seed) for d in draws] == [(1, 20261207), (2, 7)]
        assert draws[1].order == draw_order(PITCHING, 7)  # random.Random(7).shuffle, sorted first
        trail = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "roadshow_draws"))
        assert [(e.action, e.after["seed"]) for e in trail] == [("draw", 20261207), ("draw", 7)]

    # anyone with the seed checks the standing draw: the CLI draws again and compares
    result = cli(db_url, "--json", "roadshow", "verify", "--event", "T2026", "--session", "R1")
    assert result.returncode == 0, result.stderr
    checked = json.loads(result.stdout)
    assert checked["ok"] and checked["recorded"] == checked["expected"] == draw_order(PITCHING, 7)
    page = organiser.get(MANAGE).get_data(as_text=True)
    assert 'data-testid="verify" class="ok"' in page and "20261207" in page

    # investors see nothing until the order is published; then the order with its times
    investor = page_client(app, factory, "investor")
    assert 'data-testid="not-published"' in investor.get(WATCH).get_data(as_text=True)
    organiser.post(MANAGE, data={"csrf": CSRF, "action": "publish"})
    shown = investor.get(WATCH).get_data(as_text=True)
    names = {"T-P001": "晋能储能电池管理系统", "T-P002": "智慧养老陪护机器人"}
    order = [code for code in draw_order(PITCHING, 7) if code in names]
    assert shown.index(names[order[0]]) < shown.index(names[order[1]])
    assert "09:00–09:10" in shown  # the first pitch takes the first slot

    # published: no new draw, and the refusal changes nothing
    before = db_snapshot(factory)
    refused = organiser.post(MANAGE, data={**draw, "seed": "1"}, follow_redirects=True)
    assert "不能重新抽签" in refused.get_data(as_text=True)
    assert db_snapshot(factory) == before
    result = cli(db_url, "roadshow", "draw", "--event", "T2026", "--session", "R1")
    assert result.returncode != 0 and "不能重新抽签" in result.stdout + result.stderr
    assert db_snapshot(factory) == before


def test_bad_draw_input_names_the_field_and_changes_nothing(
    app: Any, factory: Any, accounts: Any
) -> None:
    add_roadshow(factory)
    organiser = page_client(app, factory, "organiser")
    before = db_snapshot(factory)
    answer = organiser.post(
        MANAGE, data={"csrf": CSRF, "action": "draw", "seed": "abc"}, follow_redirects=True
    )
    text = answer.get_data(as_text=True)
    # the field is named as the form names it
    assert answer.status_code == 200 and "[种子] &#39;abc&#39;: 种子应为" in text
    assert db_snapshot(factory) == before
    # S1 is a one-to-one session: no roadshow page for it, and no 500
    assert organiser.get("/sessions/S1/roadshow/manage").status_code == 422


def publish(app: Any, factory: Any) -> None:
    organiser = page_client(app, factory, "organiser")
    organiser.post(MANAGE, data={"csrf": CSRF, "action": "draw", "seed": "3"})
    organiser.post(MANAGE, data={"csrf": CSRF, "action": "publish"})


def counts(factory: Any) -> dict[tuple[str, str], int]:
    with factory() as db:
        session = get_session(db, "T2026", "R1")
        projects = {p.id: p.code for p in session.projects}
        institutions = {i.id: i.code for i in session.institutions}
        found = interest_counts(db, session)
        return {(institutions[i], projects[p]): n for (i, p), n in found.items()}


def test_two_investors_tap_once_each_even_when_a_tap_is_sent_twice(
    app: Any, factory: Any, accounts: Any
) -> None:
    add_roadshow(factory)
    publish(app, factory)
    investor, investor_b = (page_client(app, factory, n) for n in ("investor", "investor_b"))
    answer, sent = tap(investor, "T-P001")
    assert answer.status_code == 303
    again = investor.post(WATCH, data=sent)  # the phone replays its queue: already done
    assert again.status_code == 303
    tap(investor, "T-P002")
    tap(investor_b, "T-P002")
    assert counts(factory) == {
        ("T-I01", "T-P001"): 1,
        ("T-I01", "T-P002"): 1,
        ("T-I02", "T-P002"): 1,
    }
    page = investor.get(WATCH).get_data(as_text=True)
    assert page.count('aria-pressed="true"') == 2  # the two taps show as taken

    # tap again to undo; replaying the first tap afterwards does not switch it back on
    _answer, first = tap(investor_b, "T-P004")
    tap(investor_b, "T-P004")
    investor_b.post(WATCH, data=first)
    assert ("T-I02", "T-P004") not in counts(factory)

    # entrants cannot tap; a tap without its client_key changes nothing
    entrant = page_client(app, factory, "entrant")
    before = db_snapshot(factory)
    assert entrant.post(WATCH, data={"csrf": CSRF, "project": "T-P001"}).status_code == 403
    keyless = {"csrf": CSRF, "project": "T-P004", "interested": "1"}
    assert "client_key" in investor.post(WATCH, data=keyless, follow_redirects=True).get_data(
        as_text=True
    )
    assert db_snapshot(factory) == before


def test_interest_becomes_a_score_bonus_and_requests_in_the_next_session(
    app: Any, factory: Any, accounts: Any
) -> None:
    from matchmaker.services.agendas.build import build_agenda, instance_of
    from matchmaker.services.agendas.instance import INTEREST_BONUS
    from matchmaker.services.agendas.options import AgendaOptions

    add_roadshow(factory)
    publish(app, factory)
    investor, investor_b = (page_client(app, factory, n) for n in ("investor", "investor_b"))
    tap(investor, "T-P001")
    tap(investor, "T-P002")
    tap(investor_b, "T-P002")
    matcher = app.extensions["matchmaker.matcher"]

    def s1_scores() -> dict[tuple[str, str], float]:
        with transaction(factory) as db:
            data = instance_of(db, matcher, get_session(db, "T2026", "S1"))
        return {(r["institution"], r["project"]): r["score"] for r in data["scores"]}

    plain = s1_scores()
    organiser = page_client(app, factory, "organiser")
    page = organiser.get(MANAGE).get_data(as_text=True)
    assert page.count('name="pair"') == 3  # interest per pair, most first

    # a pair nobody tapped is refused, and nothing changes
    before = db_snapshot(factory)
    bad = {"csrf": CSRF, "action": "bonus", "target": "S1", "pair": "T-I02|T-P001"}
    assert "T-I02|T-P001" in organiser.post(MANAGE, data=bad, follow_redirects=True).get_data(
        as_text=True
    )
    assert db_snapshot(factory) == before

    # (a) a bonus for one pair: visible in the next session's instance
    organiser.post(MANAGE, data={**bad, "pair": "T-I02|T-P002"})
    raised = s1_scores()
    assert raised[("T-I02", "T-P002")] == pytest.approx(plain[("T-I02", "T-P002")] + INTEREST_BONUS)
    assert {k: v for k, v in raised.items() if k != ("T-I02", "T-P002")} == {
        k: v for k, v in plain.items() if k != ("T-I02", "T-P002")
    }

    # (b) requests in bulk (nothing ticked: every pair), on the institutions' behalf
    done = organiser.post(
        MANAGE, data={"csrf": CSRF, "action": "request", "target": "S1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "完成 3 对，跳过 0 对" in done
    with factory() as db:
        made = db.scalars(select(MeetingRequest).order_by(MeetingRequest.id)).all()
        assert sorted((r.institution.code, r.project.code) for r in made) == [
            ("T-I01", "T-P001"),
            ("T-I01", "T-P002"),
            ("T-I02", "T-P002"),
        ]
        assert {(r.requested_by, r.status, r.session.code) for r in made} == {
            (Role.INVESTOR, RequestStatus.PENDING, "S1")
        }
        assert len({(r.institution_id, r.slot_id) for r in made}) == 3  # no double booking
    # the entrant answers, as for any request an investor made; the next build keeps it
    entrant = page_client(app, factory, "entrant")
    first = made[0]
    entrant.post(f"/agenda/requests/{first.id}", data={"csrf": CSRF, "action": "accept"})
    with transaction(factory) as db:
        s1 = get_session(db, "T2026", "S1")
        outcome = build_agenda(db, matcher, s1, AgendaOptions(time_limit=5))
        assert outcome.status != "infeasible"
    mine = entrant.get("/agenda").get_data(as_text=True)
    assert "汾河新能源创投" in mine  # the meeting is on the entrant's agenda
    # asking again finds the pairs already requested: reported, nothing made twice
    again = organiser.post(
        MANAGE, data={"csrf": CSRF, "action": "request", "target": "S1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "完成 0 对，跳过 3 对" in again


def test_requests_from_interest_write_their_notices(app: Any, factory: Any, accounts: Any) -> None:
    """The requests go through bookings, so the booking notices (#16) are written for them."""
    pytest.importorskip(
        "matchmaker.services.agendas.notices", reason="booking notices (#16) not merged here yet"
    )
    from matchmaker.db.models import Notice

    add_roadshow(factory)
    publish(app, factory)
    investor = page_client(app, factory, "investor")
    tap(investor, "T-P001")
    organiser = page_client(app, factory, "organiser")
    organiser.post(MANAGE, data={"csrf": CSRF, "action": "request", "target": "S1"})
    with factory() as db:
        (request,) = db.scalars(select(MeetingRequest)).all()
        told = db.execute(
            select(User.username, Notice.kind).join(User, User.id == Notice.user_id)
        ).all()
        assert request.requested_by == Role.INVESTOR
    assert ("entrant", "request_received") in told  # the side that answers is asked
    assert ("investor", "request_received") in told  # the institution learns it was asked for
