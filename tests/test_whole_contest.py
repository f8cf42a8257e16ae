"""A whole contest of one's own, as a new organiser runs it (#15, must show 1): from an empty
database, with the `matchmaker` command and the pages only — no JSON API, no demo.

Create the event with its own tracks (not the 中国创翼 six), add three sessions with a lunch
break, import projects and institutions written in those tracks, invite every contact, accept
two invitations, edit both profiles on their pages, then build and publish S1.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker
from tests_support import MATCHMAKER, server

from matchmaker.db.models import AuditEntry, Institution, Meeting, Project, User
from matchmaker.domain import local_minute

DATA = Path(__file__).parent / "data"
EVENT = "CZ2027"
PASSWORD = "长治创投对接会2027-春"

pytestmark = pytest.mark.xdist_group("whole_contest")


def cli(db: str, *args: str) -> Any:
    """Run ``matchmaker --json …`` and return its answer; fail the test naming what it said."""
    done = subprocess.run(
        [MATCHMAKER, "--db", db, "--json", *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return json.loads(done.stdout)


class Form(HTMLParser):
    """The fields of the first form on a page with ``action`` in its target, as a browser would
    post them (disabled fields left out, checked boxes only, selected options)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and self.action in (a.get("action") or self.action):
            self.inside = a.get("method", "get").lower() == "post"
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


class Browser:
    """One person's browser: cookies kept, forms read from the page and posted back."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def submit(
        self, path: str, changes: dict[str, Any], action: str | None = None
    ) -> tuple[int, str, str]:
        """Open ``path``, fill its form with ``changes`` (a list value ticks boxes), post it."""
        status, page = self.get(path)
        assert status == 200, page[-2000:]
        form = Form(action or path)
        form.feed(page)
        assert form.fields, f"no form on {path}"
        kept = [(k, v) for k, v in form.fields if k not in changes]
        for key, value in changes.items():
            kept += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
        body = urllib.parse.urlencode(kept).encode()
        try:
            with self.opener.open(self.base + (action or path), body, timeout=120) as answer:
                return answer.status, answer.url, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()


def test_a_whole_contest_from_an_empty_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'changzhi.db'}"
    cli(db, "init")

    # 1. the event, with its own tracks instead of the 中国创翼 six
    event = cli(
        db, "event", "create", "--code", EVENT, "--name", "2027年长治市创新创业大赛", "--year",
        "2027", "--city", "长治", "--organiser", "长治市人力资源和社会保障局",
        "--preset", "none", "--tracks", "电子信息,生物医药,非遗文创",
    )  # fmt: skip
    assert event["code"] == EVENT
    listed = cli(db, "tracks", "--event", EVENT)
    assert [t["zh"] for t in listed["tracks"]] == ["电子信息", "生物医药", "非遗文创"]

    # 2. three sessions, each with a lunch break no slot overlaps
    for code, kind, day in (("S1", "local", "06-10"), ("S2", "national", "06-11"),
                            ("S3", "roadshow", "06-12")):  # fmt: skip
        cli(
            db, "session", "add", "--event", EVENT, "--code", code, "--name", f"{code} 对接专场",
            "--kind", kind, "--date", f"2027-{day}", "--start", "09:00", "--end", "17:00",
            "--slot-minutes", "30", "--tables", "4", "--breaks", "12:00-13:30",
        )  # fmt: skip
    sessions = cli(db, "session", "list", "--event", EVENT)
    assert [s["code"] for s in sessions] == ["S1", "S2", "S3"]
    for row in sessions:
        assert not [t for t in row["slot_times"] if "12:00" < t.split("-")[1] <= "13:30"]
        assert len(row["slot_times"]) == 13  # 09:00-12:00 and 13:30-17:00 in half hours

    # 3. the two sheets, written in the event's own tracks
    projects = cli(db, "import", "projects", str(DATA / "contest_projects.csv"), "--event", EVENT)
    institutions = cli(
        db, "import", "institutions", str(DATA / "contest_institutions.csv"), "--event", EVENT
    )
    assert (projects["created"], institutions["created"]) == (8, 4)
    assert any("出海咨询" in str(w) for w in projects["warnings"])  # kept, not refused

    # 4. every contact invited in one step each, the lists written for mail merge
    invited = {}
    for source in ("projects", "institutions"):
        out = tmp_path / f"invites-{source}.csv"
        answer = cli(db, "accounts", "invite", "--event", EVENT, "--from", source, "-o", str(out))
        with out.open(encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
        assert answer["count"] == len(rows) - 1 == (8 if source == "projects" else 4)
        invited.update({i["party"]: i for i in answer["invites"]})
    again = cli(db, "accounts", "invite", "--event", EVENT, "--from", "projects")
    assert again["count"] == 0  # nobody twice

    factory = sessionmaker(create_engine(db))
    env = {**os.environ, "MATCHMAKER_DATABASE_URL": db,
           "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance")}  # fmt: skip
    with server(env) as (base, _process):
        # 5. two people accept their invitations: a project team and an investor
        entrant, investor = Browser(base), Browser(base)
        for person, party in ((entrant, "CZ-P02"), (investor, "CZ-I03")):
            path = urllib.parse.urlparse(invited[party]["link"]).path
            status, url, page = person.submit(path, {"password": PASSWORD, "confirm": PASSWORD})
            assert status == 200 and urllib.parse.urlparse(url).path == "/", page[-1500:]
            status, used = person.get(path)
            assert status == 410 and "已经使用过" in used

        # 6. each edits its own profile on its page
        status, url, page = entrant.submit(
            "/projects/CZ-P02/edit",
            {"description": "上党党参溯源平台：已接入32家合作社，区块链存证，年服务药企6家。",
             "funding_ask": "500", "needs": ["funding", "policy", "market"]},
        )  # fmt: skip
        assert status == 200 and "/projects/CZ-P02" in url, page[-1500:]
        status, url, page = investor.submit(
            "/institutions/CZ-I03/edit",
            {"thesis": "科技贷与知识产权质押贷款，重点支持长治本地中药材与电子信息企业。",
             "ticket_min": "100", "ticket_max": "1500"},
        )  # fmt: skip
        assert status == 200 and "/institutions/CZ-I03" in url, page[-1500:]
        # a party's form is its own: the team cannot open another project's
        assert entrant.get("/projects/CZ-P01/edit")[0] == 403

    with factory() as check:
        p02 = check.scalars(select(Project).where(Project.code == "CZ-P02")).one()
        i03 = check.scalars(select(Institution).where(Institution.code == "CZ-I03")).one()
        assert p02.funding_ask == 5_000_000 and "32家合作社" in p02.description
        assert p02.track == "生物医药" and set(p02.needs) == {"funding", "policy", "market"}
        assert (i03.ticket_min, i03.ticket_max) == (1_000_000, 15_000_000)
        active = check.scalars(select(User).where(User.password_hash != "")).all()
        assert {u.username for u in active} == {
            invited["CZ-P02"]["username"],
            invited["CZ-I03"]["username"],
        }
        edits = check.scalars(select(AuditEntry).where(AuditEntry.action == "update")).all()
        assert {(e.entity_type, e.entity_id) for e in edits} >= {
            ("projects", p02.id),
            ("institutions", i03.id),
        }

    # 7. S1's agenda, built and published
    built = cli(db, "agenda", "build", "--session", "S1", "--event", EVENT, "--time-limit", "5")
    assert built["meetings"] > 0
    published = cli(db, "agenda", "publish", "--session", "S1", "--event", EVENT)
    assert published["status"] == "published"
    with factory() as check:
        meetings = check.scalars(select(Meeting)).all()
        assert len(meetings) == built["meetings"]
        lunch = [m for m in meetings if "12:00" < local_minute(m.slot.ends_at)[-5:] <= "13:30"]
        assert not lunch
