"""The authorisation matrix: every route × every role answers as tests/access_table.py declares.

Each role gets its own seeded world (SQLite and PostgreSQL): two events, built agendas of
sessions S1 and S2, and for project A (T-P001) × institution X (T-I01) a signed intent, a
due-diligence task, a pending meeting request and X's contact phone. Every rule of the table is
then requested as that role — API routes with its bearer token, pages with its signed-in cookie
session and the CSRF token, so that the role check and not CSRF decides — and the answer is
compared with the declared letter; a role refused outright is asked again with a malformed
request. Write rules get a fresh target just before they run (a pending request asked of the
right side, a free slot, a spare intent to delete), so an allowed write is a real success and a
refusal comes from the role check, not from the state. No response may show a private value of
the pair to a role that may not see it, no refusal may show any, and each value must show
somewhere to those who may see it (or the search for leaks would be blind).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from access_table import (
    ALL_ROLES,
    OUTCOMES,
    PAIR,
    PHRASE,
    SCOPED,
    TABLE,
    Rule,
    Upload,
    coverage_problems,
)
from receivers import WebhookReceiver
from sqlalchemy import func, select
from tests_support import add_roadshow, page_sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import (
    Institution,
    Intent,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Project,
    User,
)
from matchmaker.domain import MeetingStatus, RequestStatus, Role

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

CSRF = "matrix-csrf-token"
PHONE_A = "13800000001"  # T-P001's contact phone (tests/data/projects.csv)
PHONE_X = "13900000011"
AMOUNT = 12_340_000
NOTE = "NOTE-AX-5521"
OUTCOME = "DD-AX-9034"
LANDING_NOTE = "LANDING-AX-3307"
MESSAGE = "MSG-AX-7788"
PARTIES = {"entrant", "investor", "staff", "organiser"}  # may read the A × X pair's ledger
# private values of the pair A × X: (the ways it is written, roles that may see it)
SECRETS = {
    "project A's phone": ((PHONE_A,), {"entrant", "staff", "organiser"}),
    "institution X's phone": ((PHONE_X,), {"investor", "staff", "organiser"}),
    "the intent's amount": ((str(AMOUNT), "1234万", "12,340,000"), PARTIES),
    "the intent's note": ((NOTE,), PARTIES),
    "the task's outcome": ((OUTCOME,), PARTIES),
    "the landing's note": ((LANDING_NOTE,), PARTIES),
    "the meeting request's message": ((MESSAGE,), PARTIES),
}
# what /book books for each party when asked for T-P001 × T-I01: always its own side
BOOKS = {"entrant_b": ("T-P002", "T-I01"), "investor_b": ("T-P001", "T-I02")}
LIVE = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


class World:
    """The seeded event; ``{placeholders}`` in the table are read from it at request time."""

    def __init__(self, client: Any, accounts: Any, factory: Any) -> None:
        self.client, self.accounts, self.factory = client, accounts, factory
        self.who = "anonymous"
        with transaction(factory) as db:
            self.user_ids = {name: uid for name, uid in db.execute(select(User.username, User.id))}
        self.fixed: dict[str, Any] = {
            "password": accounts.password,
            "intent_note": NOTE,
            "task_outcome": OUTCOME,
        }
        # a second event: every request must say which event it means, as on a real server
        self.call(
            "organiser", "post", "/api/v1/events", {"code": "T2025", "name": "上届", "year": 2025}
        )
        self._add_county_organiser()
        self.call("organiser", "patch", "/api/v1/institutions/T-I01", {"contact_phone": PHONE_X})
        for session in ("S1", "S2"):  # S1 takes bookings, S2 stays publishable
            self.call(
                "organiser", "post", f"/api/v1/events/T2026/sessions/{session}/agenda/build", {}
            )
        intent = {"status": "signed", "amount": AMOUNT, "signed_at": "2026-11-20", "note": NOTE}
        made = self.call("staff", "post", "/api/v1/intents", {**PAIR, **intent})
        self.fixed["intent"] = made["id"]
        task = {"owner": "王敏", "outcome": OUTCOME, "due_date": "2026-11-30"}
        made = self.call("staff", "post", "/api/v1/due-diligence", {**PAIR, **task})
        self.fixed["task"] = made["id"]
        landing = {"kind": "合作", "cooperation": "贷款", "value_pending": True,
                   "landed_on": "2026-11-28", "note": LANDING_NOTE}  # fmt: skip
        self.fixed["landing"] = self.call("staff", "post", "/api/v1/landings", {**PAIR, **landing})[
            "id"
        ]
        self["asked_investor"]  # a pending request A → X, carrying the message
        with transaction(factory) as db:  # investors may apply from T2026's public page
            from matchmaker.services.registry.events import get_event
            from matchmaker.services.registry.signups import set_signups_open

            set_signups_open(db, get_event(db, "T2026"), True)
        self.seed_alumni_source()
        add_roadshow(factory, published_seed=17)  # R1: investors X and Y watch and tap
        self.fixed["job"] = self.call("organiser", "post", "/api/v1/events/T2026/index/rebuild")[
            "id"
        ]
        # the log's test send goes to a real receiver (a channel not configured is an error)
        self.hook = WebhookReceiver().start()
        client.application.config.update(
            MATCHMAKER_WEBHOOK_URL=self.hook.url, MATCHMAKER_WEBHOOK_SECRET=self.hook.secret
        )

    def seed_alumni_source(self) -> None:
        """T2026 gets an alumni session R0; last year's T2025 shares one project with the
        library, which the alumni route draws into R0 (again and again: then it is here)."""
        from matchmaker.services.library.sharing import set_share_library
        from matchmaker.services.registry.events import SessionSpec, add_session, get_event
        from matchmaker.services.registry.registrations import import_registrations

        sheet = "报名编号,项目名称,赛道,组别\nT25-P01,上届返场储能项目,绿色经济,企业组\n"
        spec = {"code": "R0", "kind": "alumni", "name": "往届项目专场", "date": "2036-12-10",
                "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2}  # fmt: skip
        with transaction(self.factory) as db:
            add_session(db, get_event(db, "T2026"), SessionSpec.from_dict(spec))
            past = get_event(db, "T2025")
            import_registrations(db, past, "projects", sheet.encode(), "projects.csv")
            set_share_library(db, past, True)

    def __getitem__(self, name: str) -> Any:
        if name in self.fixed:
            return self.fixed[name]
        return getattr(self, f"make_{name}")()

    def call(self, who: str, method: str, url: str, body: Any = None) -> Any:
        """Make a request through the API as ``who``; it must succeed."""
        response = self.client.open(
            url, method=method.upper(), json=body, headers=self.accounts.headers(who)
        )
        assert response.status_code < 300, (method, url, response.get_json())
        return response.get_json()

    def _add_county_organiser(self) -> None:
        """The scoped role: an organiser limited to T2025 (another county's event), asking
        for T2026's records."""
        from matchmaker.services.registry.accounts import create_user, issue_token
        from matchmaker.services.registry.events import get_event
        from matchmaker.services.registry.scopes import set_scope

        with transaction(self.factory) as db:
            made = create_user(db, SCOPED, Role.ORGANISER, "")
            set_scope(db, made, get_event(db, "T2025"))
            self.accounts.tokens[SCOPED], _ = issue_token(db, made, "matrix")
            self.user_ids[SCOPED] = made.id

    # ---- targets made fresh before each request ---------------------------------------------

    def make_meeting(self) -> int:
        """A scheduled meeting of session S1."""
        with transaction(self.factory) as db:
            found = db.scalar(
                select(Meeting.id)
                .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
                .where(MatchmakingSession.code == "S1", Meeting.status == MeetingStatus.SCHEDULED)
                .order_by(Meeting.id)
            )
        assert found is not None
        return int(found)

    def make_day_meeting(self) -> int:
        """A meeting of A × X in a session under way (its slot began five minutes ago)."""
        if "day_meeting" not in self.fixed:
            from datetime import timedelta

            from tests_support import retime_session

            from matchmaker.db.types import utcnow

            body = {"code": "SD", "name": "当天专场", "kind": "other", "date": "2036-12-12",
                    "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2}  # fmt: skip
            self.call("organiser", "post", "/api/v1/events/T2026/sessions", body)
            retime_session(self.factory, "SD", utcnow() - timedelta(minutes=5))
            with transaction(self.factory) as db:
                day = db.scalars(select(MatchmakingSession).where(MatchmakingSession.code == "SD"))
                session = day.one()
                project = db.scalars(select(Project).where(Project.code == "T-P001")).one()
                found = select(Institution).where(Institution.code == "T-I01")
                institution = db.scalars(found).one()
                session.projects.append(project)  # the pair takes part in the session
                session.institutions.append(institution)
                meeting = Meeting(
                    session_id=session.id,
                    slot_id=session.slots[0].id,
                    table_id=session.tables[0].id,
                    project_id=project.id,
                    institution_id=institution.id,
                )
                db.add(meeting)
                db.flush()
                self.fixed["day_meeting"] = meeting.id
        return int(self.fixed["day_meeting"])

    def make_no_show(self) -> int:
        """The meeting of the session under way, marked a no-show by an organiser (the project
        did not come). Of its own session: S1's repairs see the whole matrix's bookings."""
        from matchmaker.db.models import MeetingMark

        meeting_id = self.make_day_meeting()
        with transaction(self.factory) as db:
            meeting = db.get_one(Meeting, meeting_id)
            if meeting.status != MeetingStatus.NO_SHOW:
                meeting.status = MeetingStatus.NO_SHOW
                key = f"matrix-{meeting_id}"
                mark = MeetingMark(meeting_id=meeting_id, side="organiser", client_key=key)
                db.add(mark)
                mark.mark = "project_absent"
        return meeting_id

    def make_late_report(self) -> int:
        """A pending late report of entrant A for session S1."""
        from matchmaker.services.agendas.lateness import report_late
        from matchmaker.services.registry.events import get_session

        with transaction(self.factory) as db:
            entrant = db.get_one(User, self.user_ids["entrant"])
            made, _new = report_late(db, entrant, get_session(db, "T2026", "S1"), 20)
            return int(made.id)

    def make_pair_slot(self) -> int:
        """A slot of S1 free for T-P001 × T-I01, after withdrawing the pair's live requests."""
        return self._free_slot("T-P001", "T-I01")

    def make_book_slot(self) -> int:
        """A free slot for the pair the signed-in party books on /book."""
        return self._free_slot(*BOOKS.get(self.who, ("T-P001", "T-I01")))

    def make_asked_investor(self) -> int:
        """A pending request from entrant A to investor X."""
        return self._pending(Role.ENTRANT, "entrant")

    def make_asked_entrant(self) -> int:
        """A pending request from investor X to entrant A."""
        return self._pending(Role.INVESTOR, "investor")

    def make_attachment(self) -> int:
        """A PDF of T-P001 (made fresh: the delete rule takes one away)."""
        from matchmaker.services.registry.attachments import add_attachment

        store = self.client.application.extensions["matchmaker.attachments"]
        with transaction(self.factory) as db:
            organiser = db.get_one(User, self.user_ids["organiser"])
            made = add_attachment(db, store, organiser, "T-P001", "T2026", "bp.pdf", b"%PDF-1.4")
            return int(made.id)

    def make_spare_session(self) -> str:
        """A session of T2026 without meetings, made fresh for a request to delete."""
        self.fixed["sessions_made"] = self.fixed.get("sessions_made", 0) + 1
        code = f"SP{self.fixed['sessions_made']}"
        body = {"code": code, "name": f"备用{code}", "kind": "other", "date": "2036-12-11",
                "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 1}  # fmt: skip
        self.call("organiser", "post", "/api/v1/events/T2026/sessions", body)
        return code

    def make_spare_intent(self) -> int:
        """An intent of T-P004 × T-I03, there to be deleted."""
        with transaction(self.factory) as db:
            found = db.scalar(select(Intent.id).where(*self._pair(Intent, "T-P004", "T-I03")))
        if found is not None:
            return int(found)
        body = {"event": "T2026", "project_id": "T-P004", "institution_id": "T-I03"}
        return int(self.call("staff", "post", "/api/v1/intents", body)["id"])

    def make_spare_task(self) -> int:
        """A due-diligence task of T-P004 × T-I03, there to be deleted."""
        body = {
            "event": "T2026",
            "project_id": "T-P004",
            "institution_id": "T-I03",
            "owner": "赵敏",
        }
        return int(self.call("staff", "post", "/api/v1/due-diligence", body)["id"])

    def make_spare_landing(self) -> int:
        """A landing of T-P004 with no institution, there to be deleted."""
        body = {"event": "T2026", "project_id": "T-P004", "kind": "落户", "place": "晋中",
                "landed_on": "2026-11-20"}  # fmt: skip
        return int(self.call("staff", "post", "/api/v1/landings", body)["id"])

    # ---- helpers --------------------------------------------------------------------------

    @staticmethod
    def _pair(model: Any, project: str, institution: str) -> list[Any]:
        return [
            model.project_id == select(Project.id).where(Project.code == project).scalar_subquery(),
            model.institution_id
            == select(Institution.id).where(Institution.code == institution).scalar_subquery(),
        ]

    def _live(self, project: str, institution: str) -> list[tuple[int, Role, RequestStatus]]:
        with transaction(self.factory) as db:
            rows = db.execute(
                select(MeetingRequest.id, MeetingRequest.requested_by, MeetingRequest.status)
                .where(*self._pair(MeetingRequest, project, institution))
                .where(MeetingRequest.status.in_(LIVE))
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]

    def _clear(self, project: str, institution: str) -> None:
        """Free the pair to book S1: withdraw its live requests, cancel the agenda's meeting."""
        for request_id, _by, _status in self._live(project, institution):
            self.call("organiser", "post", f"/api/v1/meeting-requests/{request_id}/withdraw")
        with transaction(self.factory) as db:
            seated = db.scalars(
                select(Meeting.id)
                .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
                .where(*self._pair(Meeting, project, institution))
                .where(MatchmakingSession.code == "S1", Meeting.status != MeetingStatus.CANCELLED)
            ).all()
        for meeting_id in seated:  # a pair the agenda seats may not book the session again
            self.call("organiser", "post", f"/api/v1/meetings/{meeting_id}/cancel")

    def _free_slot(self, project: str, institution: str) -> int:
        self._clear(project, institution)
        query = f"event=T2026&institution={institution}&session=S1"
        slots = self.call("organiser", "get", f"/api/v1/projects/{project}/free-slots?{query}")
        assert slots, (project, institution)
        return int(slots[0]["number"])

    def _pending(self, asker: Role, who: str) -> int:
        for request_id, by, status in self._live("T-P001", "T-I01"):
            if by == asker and status == RequestStatus.PENDING:
                return request_id
        slot = self._free_slot("T-P001", "T-I01")
        body = {"session": "S1", **PAIR}
        made = self.call(
            who, "post", "/api/v1/meeting-requests", {**body, "slot": slot, "message": MESSAGE}
        )
        return int(made["id"])

    def make_failed_delivery(self) -> int:
        """A failed e-mail delivery of a notice to the organiser (retry makes it pending)."""
        from matchmaker.db.models import NoticeDelivery
        from matchmaker.domain import NoticeKind
        from matchmaker.services.notifications.outbox import notify

        with transaction(self.factory) as db:
            organiser = db.get_one(User, self.user_ids["organiser"])
            (notice,) = notify(db, [organiser], NoticeKind.TEST, {"channel": "x"}, event_id=None)
            notice.dispatched_at = notice.created_at
            delivery = NoticeDelivery(notice=notice, channel="email", address="o@example.cn")
            delivery.status, delivery.last_error = "failed", "550 mailbox unavailable"
            db.add(delivery)
            db.flush()
            return int(delivery.id)

    def make_badge_code(self) -> str:
        """The badge code of project T-P001 (a check-in: the first records, later ones say when)."""
        from matchmaker.services.registry.badges import badge_code

        with transaction(self.factory) as db:
            project_id = db.scalar(select(Project.id).where(Project.code == "T-P001"))
        secret = self.client.application.config["SECRET_KEY"]
        return badge_code(secret, "T2026", "project", int(project_id))

    def make_spare_account(self) -> str:
        """A new invited account (no password yet) for T-P003, to send a link to."""
        from matchmaker.services.registry.accounts import create_user
        from matchmaker.services.registry.catalog import get_project

        with transaction(self.factory) as db:
            n = len(self.user_ids) + db.scalar(select(func.count(User.id)))
            user = create_user(db, f"spare{n}", Role.ENTRANT, project=get_project(db, "T-P003"))
            return user.username

    def make_invite_token(self) -> str:
        return self._link("invite")

    def make_reset_token(self) -> str:
        return self._link("reset")

    def _link(self, purpose: str) -> str:
        from matchmaker.services.registry.links import send_link

        username = self.make_spare_account()
        with transaction(self.factory) as db:
            sent = send_link(db, username, purpose, "http://test")
        return sent.link.rsplit("/", 1)[1]

    def make_signup(self) -> int:
        """A pending application of an investor from T2026's sign-up page, to decide."""
        from matchmaker.services.registry.events import get_event
        from matchmaker.services.registry.signups import Applicant, submit_signup

        n = self.make_signup_username().rsplit("-", 1)[1]
        applicant = Applicant("申请人", "13700000000", "", f"applicant-{n}", PHRASE, PHRASE)
        values = {"name": f"申请机构{n}", "type": "vc"}
        with transaction(self.factory) as db:
            return submit_signup(db, get_event(db, "T2026"), values, applicant).id

    def make_library_proposal(self) -> int:
        """A pending proposal: T2026's institution Y may be a party of an earlier contest."""
        from matchmaker.db.models import Institution, LibraryParty, LibraryProposal
        from matchmaker.services.registry.events import get_event

        with transaction(self.factory) as db:
            event = get_event(db, "T2026")
            party = LibraryParty(kind="institution", name="上届机构")
            db.add(party)
            db.flush()
            institution = db.scalar(
                select(Institution.id).where(
                    Institution.event_id == event.id, Institution.code == "T-I02"
                )
            )
            proposal = LibraryProposal(
                event_id=event.id,
                institution_id=institution,
                party_id=party.id,
                reasons="phone",
                status="pending",
            )
            db.add(proposal)
            db.flush()
            return proposal.id

    def make_signup_name(self) -> str:
        return f"报名机构{self.make_signup_username().rsplit('-', 1)[1]}"

    def make_signup_username(self) -> str:
        """A user name no account or application has (a counter over both)."""
        from matchmaker.db.models import SignupRequest

        with transaction(self.factory) as db:
            n = db.scalar(select(func.count(User.id))) + db.scalar(
                select(func.count(SignupRequest.id))
            )
        self.signups = getattr(self, "signups", 0) + 1
        return f"signup-{n}{self.signups}"

    def make_entrant_notice(self) -> int:
        """A notice to entrant A (each rule marks a fresh one read)."""
        from matchmaker.domain import NoticeKind
        from matchmaker.services.notifications.outbox import notify

        with transaction(self.factory) as db:
            entrant = db.get_one(User, self.user_ids["entrant"])
            (made,) = notify(db, [entrant], NoticeKind.TEST, {"channel": "x"}, event_id=None)
            return int(made.id)

    def make_unsubscribe_token(self) -> str:
        """Entrant A's link to turn off reminders, as their mail carries it."""
        from matchmaker.domain import NoticeKind
        from matchmaker.services.notifications.links import unsubscribe_token

        secret = self.client.application.config["SECRET_KEY"]
        return unsubscribe_token(secret, self.user_ids["entrant"], NoticeKind.REMINDER)

    def fresh_token(self, who: str) -> str:
        from matchmaker.services.registry.accounts import issue_token

        with transaction(self.factory) as db:
            token, _row = issue_token(db, db.get_one(User, self.user_ids[who]), "matrix")
        return token


@pytest.fixture
def world(client: Any, accounts: Any, factory: Any) -> Iterator[World]:
    made = World(client, accounts, factory)
    yield made
    made.hook.stop()


def fill(value: Any, world: World) -> Any:
    """Fill ``{placeholders}`` in a body; ``"{name}"`` alone becomes the value itself."""
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    if isinstance(value, str):
        return value.format_map(world)
    return value


def send(world: World, rule: Rule, who: str, malformed: bool = False) -> Any:
    """Make the rule's request as ``who`` (pages: cookie session + CSRF; API: bearer token).

    ``malformed``: the same request with a body (or query) no schema accepts and, on pages,
    without the CSRF token — a refusal by role must not depend on what was sent.
    """
    world.who = who
    client = world.client
    url, body = rule.url.format_map(world), fill(rule.body, world)
    if malformed:
        uploads = isinstance(body, dict) and any(isinstance(v, Upload) for v in body.values())
        if uploads:  # still multipart (the request guard refuses JSON to an upload first)
            body = {"file": Upload("junk.txt", b"not a sheet at all")}
        else:
            body = {"unexpected": ["?"]} if rule.method != "GET" else None
        url += ("&" if "?" in url else "?") + "page=-1&date=never"
    files = isinstance(body, dict) and any(isinstance(v, Upload) for v in body.values())
    if files:
        body = {
            k: (io.BytesIO(v.content), v.name) if isinstance(v, Upload) else v
            for k, v in body.items()
        }
    kwargs: dict[str, Any] = {"method": rule.method, "headers": {}}
    client.delete_cookie("lang")  # /lang/en remembers English: each request starts afresh
    if rule.page:
        with client.session_transaction() as session:
            session.clear()
            session["csrf"] = CSRF
            if who != "anonymous":
                session["sign_in"] = page_sign_in(world.factory, world.user_ids[who])
        kwargs["headers"]["Accept"] = "text/html"
        if rule.method != "GET":
            kwargs["data"] = body if malformed else {**(body or {}), "csrf": CSRF}
    else:
        if who != "anonymous":
            token = world.fresh_token(who) if rule.fresh_token else world.accounts.tokens[who]
            kwargs["headers"]["Authorization"] = f"Bearer {token}"
        if files:
            kwargs["data"] = body
        elif body is not None:
            kwargs["json"] = body
    return client.open(url, **kwargs)


def text_of(response: Any) -> str:
    """The response as text; a workbook's cells and an archive's members joined (compression
    would hide them from a search)."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        return _cells(response.get_data())
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            return " ".join(
                _cells(archive.read(name))
                if name.endswith(".xlsx")
                else archive.read(name).decode("utf-8", errors="replace")
                for name in archive.namelist()
            )
    return response.get_data(as_text=True)


def _cells(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
    book.close()
    return " ".join(str(cell) for cell in cells)


def to_sign_in(response: Any) -> bool:
    """Whether the response sends the visitor to sign in and then back where they were."""
    location = urlsplit(response.headers.get("Location", ""))
    back = parse_qs(location.query).get("next", [""])[0]
    return location.path == "/login" and back.startswith(response.request.path)


def mismatch(
    world: World, rule: Rule, who: str, response: Any, shown: set[str], malformed: bool = False
) -> str | None:
    """Say how the response differs from the declared outcome, or None when it agrees.

    ``shown`` collects the private values the response shows (to those who may see them). A
    page POST sent without its CSRF token (``malformed``) may also be refused by the CSRF check,
    which runs before any view: 400 with the "page expired" message.
    """
    expected, status = rule.expected[who], response.status_code
    if (
        malformed
        and rule.page
        and status == 400
        and "页面已过期" in response.get_data(as_text=True)
    ):
        pass
    elif expected in "AO":
        if rule.page and status in (302, 303) and not to_sign_in(response):
            with world.client.session_transaction() as session:
                notice = session.get("notice") or {}
            if notice.get("kind") == "error":
                return f"expected {expected}, got {status} with the error notice {notice}"
        elif not 200 <= status < 300:
            return f"expected {expected}, got {status} {response.get_data(as_text=True)[:200]}"
    elif expected in "DF":
        if rule.page and who == "anonymous":
            if status != 302 or not to_sign_in(response):
                where = response.headers.get("Location")
                return f"expected a redirect to sign in, got {status} {where}"
        elif status != (401 if who == "anonymous" else 403):
            return f"expected {expected}, got {status} {response.get_data(as_text=True)[:200]}"
        elif not rule.page and set(response.get_json()) != {"code", "status", "message", "errors"}:
            return f"a refusal not in the error shape: {response.get_json()}"
    elif status != 404:
        return f"expected N (404), got {status} {response.get_data(as_text=True)[:200]}"
    text = text_of(response)
    for what, (forms, seen_by) in SECRETS.items():
        found = [form for form in forms if form in text]
        if found and (expected in "ODFN" or who not in seen_by):
            return f"shows {what} ({found[0]}) to {who}"
        if found:
            shown.add(what)
    return None


@pytest.mark.parametrize("who", ALL_ROLES)
def test_every_route_answers_each_role_as_declared(world: World, who: str) -> None:
    wrong, shown = [], set()
    for rule in TABLE:
        tries = [False, True] if rule.expected[who] == "D" else [False]
        for malformed in tries:
            response = send(world, rule, who, malformed)
            try:
                problem = mismatch(world, rule, who, response, shown, malformed)
            finally:
                response.close()  # static files stream from an open file
            if problem:
                sent = " (malformed, no CSRF)" if malformed else ""
                wrong.append(f"{rule.method} {rule.url}{sent} as {who}: {problem}")
    assert not wrong, "\n".join(wrong)
    # the search for leaks would be blind if the values never showed where they belong
    assert shown == {what for what, (_s, seen_by) in SECRETS.items() if who in seen_by}


def test_a_party_edits_its_registration_but_not_its_sessions(client: Any, accounts: Any) -> None:
    """Organisers invite to sessions; a party moving itself would book and be seated there."""
    for who, url, other in (
        ("entrant", "/api/v1/projects/T-P001", {"region": "山西省晋中市"}),
        ("investor", "/api/v1/institutions/T-I01", {"thesis": "专注储能"}),
    ):
        headers = accounts.headers(who)
        before = client.get(url, headers=headers).get_json()["sessions"]
        moved = client.patch(url, json={"sessions": ["S1", "S2"]}, headers=headers)
        assert moved.status_code == 403 and "组委会" in moved.get_json()["message"]
        assert client.get(url, headers=headers).get_json()["sessions"] == before
        same = client.patch(url, json={"sessions": before, **other}, headers=headers)
        assert same.status_code == 200, same.get_json()
        by_organiser = client.patch(
            url, json={"sessions": ["S1", "S2"]}, headers=accounts.headers("organiser")
        )
        assert by_organiser.get_json()["sessions"] == ["S1", "S2"]


# ---- the table covers the app: one rule per route, no rule without a route ---------------------


def app_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, rule) the app answers, HEAD and OPTIONS aside."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    from matchmaker.app import create_app

    home = tmp_path_factory.mktemp("routes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MATCHMAKER_INSTANCE_DIR", str(home / "instance"))
        app = create_app({"DATABASE_URL": f"sqlite:///{home / 'routes.db'}", "TESTING": True})
    found = app_routes(app)
    app.extensions["matchmaker.engine"].dispose()
    return found


def test_every_route_has_exactly_one_rule(routes: set[tuple[str, str]]) -> None:
    problems = coverage_problems(routes, TABLE)
    assert not problems, "\n".join(problems)


def test_removing_any_rule_fails_the_check_naming_its_route(routes: set[tuple[str, str]]) -> None:
    for rule in TABLE:
        rest = [other for other in TABLE if other is not rule]
        assert coverage_problems(routes, rest) == [
            f"{rule.method} {rule.rule}: no rule in tests/access_table.py — declare who may use it"
        ]


def test_stale_doubled_and_malformed_rules_fail_the_check(routes: set[tuple[str, str]]) -> None:
    gone = Rule("GET", "/api/v1/gone", "D AA AA AA")
    assert coverage_problems(routes, [*TABLE, gone]) == [
        "GET /api/v1/gone: rule for a route the app no longer has"
    ]
    twice = [*TABLE, TABLE[0]]
    assert coverage_problems(routes, twice) == [f"GET {TABLE[0].rule}: declared 2 times"]
    short = [replace(TABLE[0], outcomes="D AA AA A"), *TABLE[1:]]
    assert len(coverage_problems(routes, short)) == 1
    unknown = [replace(TABLE[0], outcomes="D AA AA AX"), *TABLE[1:]]
    assert f"must be one of {OUTCOMES}" in coverage_problems(routes, unknown)[0]
