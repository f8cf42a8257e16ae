"""Who may do what: one rule per route of the app × the seven roles, checked by
tests/test_authorisation.py. A new route needs one line here, or that test fails and names it.

Each rule: the route as ``app.url_map`` spells it, its method, and one letter per role in the
order of ``ROLES``, written in four groups — anonymous | entrant A, entrant B | investor X,
investor Y | staff, organiser:

``A``  allowed: a real success (API 2xx; a page 2xx, or a redirect that is neither to sign-in
       nor carrying an error notice).
``O``  allowed, own data only: as ``A``, and none of the seeded pair's private values shows
       (the pair is project A = T-P001 × institution X = T-I01).
``D``  denied to the role, whatever is sent: API 401 (anonymous) or 403 in the error shape;
       pages send anonymous visitors to ``/login?next=…`` and show the signed-in a 403 page.
       The test also sends a malformed body (and, on pages, no CSRF token): still refused.
``F``  forbidden for this record: 403 as for ``D``, but the role may use the route for its own
       (an investor on another institution's shortlist, a request asked of the other side).
``N``  not yours to see: 404, as if the record did not exist (intents and due-diligence tasks).

``url`` is the concrete request, with ``{placeholders}`` filled by the test's seeded world
(``intent``, ``task``, ``meeting`` …, see ``World`` in test_authorisation.py); ``body`` is JSON
for the API and the form for pages (the CSRF token is added). A body value that is exactly
``"{name}"`` is replaced by the seeded value itself (a number stays a number).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "entrant", "entrant_b", "investor", "investor_b", "staff", "organiser")
OUTCOMES = "AODFN"
# The eighth role, "county": an organiser scoped to another county's event (T2025), asking
# for T2026's records. Its letter is not written per rule but follows from the others: what
# the organiser is denied it is denied (D); what anyone may do (a public route) it may do
# (A); every other route answers 404 (N), as if T2026 did not exist — except the routes of
# COUNTY_OWN, which answer its own event's view (O: a list of its own, empty, records, its
# own agenda or notices), and none of T2026's private values may show there.
SCOPED = "county"
ALL_ROLES = (*ROLES, SCOPED)


@dataclass(frozen=True)
class Upload:
    """A file in a multipart body (sent fresh with every request)."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Rule:
    """One route's rule: ``Rule("GET", "/api/v1/x/<code>", "D AA AF AA", url="/api/v1/x/T1")``."""

    method: str
    rule: str
    outcomes: str
    url: str = ""
    body: Any = None
    fresh_token: bool = False  # the request spends the caller's token (sign-out): use a new one
    expected: dict[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        letters = self.outcomes.replace(" ", "")
        expected = dict(zip(ROLES, letters, strict=False))
        expected[SCOPED] = _county_letter(self, expected)
        object.__setattr__(self, "expected", expected)
        if not self.url:
            object.__setattr__(self, "url", self.rule)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.rule)

    @property
    def page(self) -> bool:
        return not self.rule.startswith("/api/")


def _county_letter(rule: Rule, expected: dict[str, str]) -> str:
    """The scoped county organiser's letter for ``rule`` (see ``SCOPED``)."""
    organiser, anonymous = expected.get("organiser", "D"), expected.get("anonymous", "D")
    if organiser == "D":
        return "D"
    if anonymous == "A":
        return "A"
    if rule.key in COUNTY_FORBIDDEN:
        return "F"
    return "O" if rule.key in COUNTY_OWN else "N"


# Routes that name no record of T2026: the county organiser gets its own account, or its own
# event's view (T2025: no registrations, its own locks, rules, set-up and sheets), or a list
# of its own records (empty here); none of T2026's values may show.
COUNTY_OWN = {
    ("DELETE", "/api/v1/auth/token"),
    ("GET", "/api/v1/me"),
    ("GET", "/"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/institutions"),
    ("GET", "/projects"),
    ("GET", "/institutions"),
    ("GET", "/locks"),
    ("POST", "/locks"),
    ("GET", "/import"),
    ("GET", "/rules"),
    ("POST", "/rules"),
    ("GET", "/setup"),
    ("GET", "/api/v1/meeting-requests"),
    ("GET", "/intents/import"),
    ("POST", "/notifications/log/test"),
    ("GET", "/api/v1/notifications"),
    ("POST", "/api/v1/notifications/read-all"),
    ("GET", "/api/v1/notifications/settings"),
    ("PUT", "/api/v1/notifications/settings"),
    ("GET", "/notifications"),
    ("POST", "/notifications/read-all"),
    ("GET", "/notifications/settings"),
    ("POST", "/notifications/settings"),
}
# Creating an event: only an account over every event may (403, whatever the body).
COUNTY_FORBIDDEN = {("POST", "/api/v1/events"), ("POST", "/setup/events")}

R = Rule
S1 = "/api/v1/events/T2026/sessions/S1"
PAIR = {"event": "T2026", "project_id": "T-P001", "institution_id": "T-I01"}
INTENTS_SHEET = Upload("intents.csv", "项目编号,机构编号,状态\nT-P002,T-I02,关注\n".encode())
BP_PDF = Upload("商业计划书.pdf", b"%PDF-1.7\n%%EOF\n")
INSTITUTIONS_SHEET = Upload(
    "institutions.csv", "id,name,type\nT-I09,晋中天使会,天使投资\n".encode()
)
INTENT_FORM = {"status": "signed", "amount": "1234万", "signed_at": "2026-11-20",
               "note": "{intent_note}", "signatories": "张伟、王敏"}  # fmt: skip
PHRASE = "amber lantern over the harbour"  # passes the password policy
NEW_PASSWORD = {"password": PHRASE, "confirm": PHRASE}
SIGNUP_FORM = {"name": "{signup_name}", "type": "angel", "contact_name": "申请人",
               "contact_phone": "13700000000", "username": "{signup_username}",
               **NEW_PASSWORD}  # fmt: skip
NOTIFY_SETTINGS = {"channels": ["webhook"], "quiet_start": "22:00", "quiet_end": "07:00"}
TASK_FORM = {"owner": "李雷", "due_date": "2026-11-30", "outcome": "{task_outcome}"}

# fmt: off
TABLE: list[Rule] = [
    # letters: anonymous | entrant A, entrant B | investor X, investor Y | staff, organiser
    # ---- public: health, API documents, static files, language, sign-in
    R("GET", "/healthz",                                                       "A AA AA AA"),
    R("GET", "/api/openapi.json",                                              "A AA AA AA"),
    R("GET", "/api/docs",                                                      "A AA AA AA"),
    R("GET", "/api/docs/static/<path:filename>",                               "A AA AA AA",
      url="/api/docs/static/index.css"),
    R("GET", "/static/<path:filename>",                                        "A AA AA AA",
      url="/static/app.css"),
    R("GET", "/sw.js",                                                         "A AA AA AA"),
    R("GET", "/lang/<code>",                                                   "A AA AA AA",
      url="/lang/en?next=/institutions"),
    R("GET", "/login",                                                         "A AA AA AA"),
    # organisers and staff choose the event pages show (remembered); parties belong to theirs
    R("GET", "/event",                                                         "D DD DD AA",
      url="/event?event=T2026&next=/intents"),
    R("POST", "/login",                                                        "A AA AA AA",
      body={"username": "investor", "password": "{password}"}),
    R("POST", "/logout",                                                       "A AA AA AA"),
    R("POST", "/api/v1/auth/token",                                            "A AA AA AA",
      body={"username": "investor", "password": "{password}"}),
    R("DELETE", "/api/v1/auth/token",                                          "D AA AA AA",
      fresh_token=True),
    R("GET", "/api/v1/me",                                                     "D AA AA AA"),
    R("GET", "/",                                                              "D AA AA AA"),
    # a one-time link sets its own account's password and signs that person in, whoever opens it
    R("GET", "/invite/<token>",                                                "A AA AA AA",
      url="/invite/{invite_token}"),
    R("POST", "/invite/<token>",                                               "A AA AA AA",
      url="/invite/{invite_token}", body=NEW_PASSWORD),
    R("GET", "/reset/<token>",                                                 "A AA AA AA",
      url="/reset/{reset_token}"),
    R("POST", "/reset/<token>",                                                "A AA AA AA",
      url="/reset/{reset_token}", body=NEW_PASSWORD),
    # while the organisers keep it open, anyone may apply on an event's sign-up page
    R("GET", "/events/<code>/signup",                                          "A AA AA AA",
      url="/events/T2026/signup"),
    R("POST", "/events/<code>/signup",                                         "A AA AA AA",
      url="/events/T2026/signup", body=SIGNUP_FORM),
    # organisers open it, and approve or reject each application
    R("GET", "/signups",                                                       "D DD DD DA",
      url="/signups?event=T2026"),
    R("POST", "/signups/open",                                                 "D DD DD DA",
      body={"open": "1", "event": "T2026"}),
    R("POST", "/signups/<int:request_id>",                                     "D DD DD DA",
      url="/signups/{signup}", body={"action": "approve"}),
    # organisers invite people and manage accounts
    R("GET", "/accounts",                                                      "D DD DD DA",
      url="/accounts?event=T2026"),
    R("POST", "/accounts/invite",                                              "D DD DD DA",
      body={"event": "T2026", "source": "institutions", "fmt": "csv", "resend": "1"}),
    R("POST", "/accounts/<username>",                                          "D DD DD DA",
      url="/accounts/{spare_account}", body={"action": "resend"}),
    R("POST", "/accounts/staff",                                               "D DD DD DA",
      body={"username": "new_staff", "role": "staff", "scope": "T2026"}),

    # ---- events and sessions: read by every signed-in role, written by organisers
    R("GET", "/api/v1/events",                                                 "D AA AA AA"),
    R("POST", "/api/v1/events",                                                "D DD DD DA",
      body={"code": "E2027", "name": "新大赛", "year": 2027}),
    R("GET", "/api/v1/events/<code>",                                          "D AA AA AA",
      url="/api/v1/events/T2026"),
    R("PATCH", "/api/v1/events/<code>",                                        "D DD DD DA",
      url="/api/v1/events/T2026", body={"city": "大同"}),
    R("GET", "/api/v1/events/<code>/locks",                                    "D DD DD DA",
      url="/api/v1/events/T2026/locks"),
    R("PUT", "/api/v1/events/<code>/locks",                                    "D DD DD DA",
      url="/api/v1/events/T2026/locks", body={"locked_fields": []}),
    R("GET", "/api/v1/events/<code>/rules",                                    "D DD DD DA",
      url="/api/v1/events/T2026/rules"),
    R("PATCH", "/api/v1/events/<code>/rules",                                  "D DD DD DA",
      url="/api/v1/events/T2026/rules", body={"rules": {"barred": "warn"}}),
    R("GET", "/api/v1/events/<code>/sessions",                                 "D AA AA AA",
      url="/api/v1/events/T2026/sessions"),
    R("POST", "/api/v1/events/<code>/sessions",                                "D DD DD DA",
      url="/api/v1/events/T2026/sessions",
      body={"code": "S9", "name": "加场", "kind": "local", "date": "2026-12-10",
            "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2}),
    R("GET", "/api/v1/events/<code>/sessions/<session_code>",                  "D AA AA AA",
      url=S1),
    R("PATCH", "/api/v1/events/<code>/sessions/<session_code>",                "D DD DD DA",
      url=S1, body={"venue": "会展中心C厅"}),
    R("DELETE", "/api/v1/events/<code>/sessions/<session_code>",               "D DD DD DA",
      url="/api/v1/events/T2026/sessions/{spare_session}"),

    # ---- registrations: entrants see only their own project; investors edit only their own
    R("GET", "/api/v1/projects",                                               "D DD AA AA"),
    R("POST", "/api/v1/projects",                                              "D DD DD DA",
      body={"event": "T2026", "id": "T-P008", "name": "新项目", "track": "绿色经济"}),
    R("GET", "/api/v1/projects/<code>",                                        "D AF AA AA",
      url="/api/v1/projects/T-P001"),
    R("PATCH", "/api/v1/projects/<code>",                                      "D AF DD DA",
      url="/api/v1/projects/T-P001", body={"region": "山西省晋中市"}),
    R("GET", "/api/v1/projects/<code>/attachments",                            "D AF AA AA",
      url="/api/v1/projects/T-P001/attachments"),
    R("POST", "/api/v1/projects/<code>/attachments",                           "D AF DD DA",
      url="/api/v1/projects/T-P001/attachments", body={"file": BP_PDF}),
    R("GET", "/api/v1/projects/<code>/attachments/<int:attachment_id>",        "D AN AA AA",
      url="/api/v1/projects/T-P001/attachments/{attachment}"),
    R("DELETE", "/api/v1/projects/<code>/attachments/<int:attachment_id>",     "D AN DD DA",
      url="/api/v1/projects/T-P001/attachments/{attachment}"),
    R("GET", "/api/v1/institutions",                                           "D AA AA AA"),
    R("POST", "/api/v1/institutions",                                          "D DD DD DA",
      body={"event": "T2026", "id": "T-I08", "name": "新机构", "type": "风险投资"}),
    R("GET", "/api/v1/institutions/<code>",                                    "D AA AA AA",
      url="/api/v1/institutions/T-I01"),
    R("PATCH", "/api/v1/institutions/<code>",                                  "D DD AF DA",
      url="/api/v1/institutions/T-I01", body={"thesis": "专注储能与新型电力系统"}),
    R("GET", "/projects",                                                      "D DD AA AA"),
    R("GET", "/projects/<code>",                                               "D AF AA AA",
      url="/projects/T-P001"),
    R("GET", "/institutions",                                                  "D AA AA AA"),
    R("GET", "/institutions/<code>",                                           "D AA AA AA",
      url="/institutions/T-I01"),
    # ---- own profiles: a team edits its project, an investor its institution, organisers any
    R("GET", "/projects/<code>/edit",                                          "D AF DD DA",
      url="/projects/T-P001/edit"),
    R("POST", "/projects/<code>/edit",                                         "D AF DD DA",
      url="/projects/T-P001/edit", body={"region": "山西省晋中市"}),
    R("GET", "/institutions/<code>/edit",                                      "D DD AF DA",
      url="/institutions/T-I01/edit"),
    R("POST", "/institutions/<code>/edit",                                     "D DD AF DA",
      url="/institutions/T-I01/edit", body={"thesis": "专注储能与新型电力系统"}),
    R("GET", "/locks",                                                         "D DD DD DA"),
    R("POST", "/locks",                                                        "D DD DD DA",
      body={"deadline": ""}),
    # a project's files: its team and organisers add and delete; the event's investors read
    R("POST", "/projects/<code>/attachments",                                  "D AF DD DA",
      url="/projects/T-P001/attachments", body={"file": BP_PDF}),
    R("GET", "/attachments/<int:attachment_id>",                               "D AN AA AA",
      url="/attachments/{attachment}"),
    R("POST", "/attachments/<int:attachment_id>/delete",                       "D AN DD DA",
      url="/attachments/{attachment}/delete"),
    R("GET", "/import",                                                        "D DD DD DA"),
    R("GET", "/rules",                                                         "D DD DD DA"),
    R("POST", "/rules",                                                        "D DD DD DA",
      body={"mode_one_per_enterprise": "refuse", "barred": "往届冠军公司"}),
    R("POST", "/import",                                                       "D DD DD DA",
      body={"event": "T2026", "kind": "institutions", "file": INSTITUTIONS_SHEET}),
    R("GET", "/export/<kind>.<fmt>",                                           "D DD DD AA",
      url="/export/projects.csv?event=T2026"),
    R("GET", "/import/template/<kind>.<fmt>",                                  "D DD DD AA",
      url="/import/template/projects.xlsx?event=T2026&lang=en"),
    R("GET", "/setup",                                                         "D DD DD DA"),
    R("POST", "/setup/events",                                                 "D DD DD DA",
      body={"code": "T2027", "name": "下届", "year": "2027"}),
    R("POST", "/setup/events/<code>",                                          "D DD DD DA",
      url="/setup/events/T2026", body={"name": "测试大赛", "year": "2026"}),
    R("POST", "/setup/events/<code>/tracks",                                   "D DD DD DA",
      url="/setup/events/T2026/tracks", body={"label": "数字文旅"}),
    R("POST", "/setup/events/<code>/tracks/remove",                            "D DD DD DA",
      url="/setup/events/T2026/tracks/remove", body={"track": "数字文旅"}),
    R("POST", "/setup/events/<code>/groups",                                   "D DD DD DA",
      url="/setup/events/T2026/groups", body={"label": "高校组"}),
    R("POST", "/setup/events/<code>/groups/remove",                            "D DD DD DA",
      url="/setup/events/T2026/groups/remove", body={"group": "高校组"}),
    R("POST", "/setup/events/<code>/institution-types",                        "D DD DD DA",
      url="/setup/events/T2026/institution-types", body={"label": "担保公司", "like": "bank"}),
    R("POST", "/setup/events/<code>/institution-types/remove",                 "D DD DD DA",
      url="/setup/events/T2026/institution-types/remove",
      body={"institution_type": "担保公司"}),
    R("POST", "/setup/events/<code>/sessions",                                 "D DD DD DA",
      url="/setup/events/T2026/sessions",
      body={"code": "P9", "name": "加场", "kind": "local", "date": "2036-12-10",
            "start": "09:00", "end": "10:00", "slot_minutes": "20", "tables": "2"}),
    R("GET", "/setup/events/<code>/sessions/<session_code>",                   "D DD DD DA",
      url="/setup/events/T2026/sessions/S1"),
    R("POST", "/setup/events/<code>/sessions/<session_code>",                  "D DD DD DA",
      url="/setup/events/T2026/sessions/S1", body={"venue": "会展中心A厅"}),
    R("POST", "/setup/events/<code>/sessions/<session_code>/delete",           "D DD DD DA",
      url="/setup/events/T2026/sessions/{spare_session}/delete"),

    # ---- matching: an investor's own shortlist, an entrant's own recommendations
    R("GET", "/api/v1/institutions/<code>/shortlist",                          "D DD AF AA",
      url="/api/v1/institutions/T-I01/shortlist"),
    R("POST", "/api/v1/institutions/<code>/feedback",                          "D DD AF DA",
      url="/api/v1/institutions/T-I01/feedback",
      body={"project_id": "T-P001", "verdict": "like"}),
    R("GET", "/api/v1/projects/<code>/recommendations",                        "D AF DD AA",
      url="/api/v1/projects/T-P001/recommendations"),
    R("GET", "/api/v1/events/<code>/duplicates",                               "D DD DD AA",
      url="/api/v1/events/T2026/duplicates"),
    R("POST", "/api/v1/events/<code>/index/rebuild",                           "D DD DD DA",
      url="/api/v1/events/T2026/index/rebuild"),
    R("GET", "/api/v1/events/<code>/archive.zip",                              "D DD DD AA",
      url="/api/v1/events/T2026/archive.zip"),
    R("GET", "/api/v1/events/<code>/jobs",                                     "D DD DD AA",
      url="/api/v1/events/T2026/jobs"),
    R("GET", "/api/v1/jobs/<int:job_id>",                                      "D DD DD AA",
      url="/api/v1/jobs/{job}"),
    R("POST", "/api/v1/events/<code>/weights/fit",                             "D DD DD DA",
      url="/api/v1/events/T2026/weights/fit?dry_run=true"),
    # the pages show a signed-in party its own list whatever ?institution= / ?project= says
    R("GET", "/shortlist",                                                     "D DD AO AA",
      url="/shortlist?institution=T-I01"),
    R("POST", "/shortlist/feedback",                                           "D DD AF DA",
      body={"institution": "T-I01", "project": "T-P001", "verdict": "like",
            "next": "/shortlist"}),
    R("GET", "/recommendations",                                               "D AO DD AA",
      url="/recommendations?project=T-P001"),
    R("GET", "/duplicates",                                                    "D DD DD AA",
      url="/duplicates?event=T2026"),
    # the lasting library: organisers share their contest, decide link proposals, read a
    # project's history across the contests that share
    R("GET", "/api/v1/events/<code>/library/proposals",                        "D DD DD DA",
      url="/api/v1/events/T2026/library/proposals"),
    R("POST", "/api/v1/events/<code>/library/proposals/<int:proposal_id>",     "D DD DD DA",
      url="/api/v1/events/T2026/library/proposals/{library_proposal}",
      body={"action": "reject"}),
    R("PUT", "/api/v1/events/<code>/library/share",                            "D DD DD DA",
      url="/api/v1/events/T2026/library/share", body={"share": True}),
    R("GET", "/api/v1/projects/<code>/history",                                "D DD DD DA",
      url="/api/v1/projects/T-P001/history"),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/alumni",          "D DD DD DA",
      url="/api/v1/events/T2026/sessions/R0/alumni",
      body={"from": "T2025", "projects": ["T25-P01"]}),
    R("GET", "/library",                                                       "D DD DD DA",
      url="/library?event=T2026"),
    R("POST", "/library/share",                                                "D DD DD DA",
      body={"share": "1", "event": "T2026"}),
    R("POST", "/library/proposals/<int:proposal_id>",                          "D DD DD DA",
      url="/library/proposals/{library_proposal}", body={"action": "reject", "event": "T2026"}),

    # ---- agendas: organisers build and repair; parties see their own published meetings
    R("GET", "/api/v1/events/<code>/sessions/<session_code>/agenda",           "D AO AO AA",
      url=S1 + "/agenda"),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/agenda/build",    "D DD DD DA",
      url=S1 + "/agenda/build", body={"time_limit": 5}),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/agenda/publish",  "D DD DD DA",
      url="/api/v1/events/T2026/sessions/S2/agenda/publish"),
    R("GET", "/api/v1/events/<code>/sessions/<session_code>/agenda/instance",  "D DD DD DA",
      url=S1 + "/agenda/instance"),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/agenda/late",     "D DD DD DA",
      url=S1 + "/agenda/late", body={"project_id": "T-P005", "first_slot": 2}),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/agenda/must-meet", "D DD DD DA",
      url=S1 + "/agenda/must-meet", body={"project_id": "T-P005", "institution_id": "T-I02"}),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/broadcast",       "D DD DD DA",
      url=S1 + "/broadcast", body={"text": "签到处已移至一楼东门"}),
    R("POST", "/api/v1/meetings/<int:meeting_id>/lock",                        "D DD DD DA",
      url="/api/v1/meetings/{meeting}/lock", body={"locked": True}),
    R("POST", "/api/v1/meetings/<int:meeting_id>/cancel",                      "D DD DD DA",
      url="/api/v1/meetings/{meeting}/cancel"),
    R("GET", "/api/v1/events/<code>/agenda.<fmt>",                             "D AO AO AA",
      url="/api/v1/events/T2026/agenda.csv"),
    R("GET", "/sessions/<session_code>/agenda",                                "D DD DD AA",
      url="/sessions/S1/agenda?event=T2026"),
    R("POST", "/sessions/<session_code>/agenda",                               "D DD DD DA",
      url="/sessions/S1/agenda?event=T2026", body={"action": "lock", "meeting": "{meeting}"}),
    # ---- #17 roadshow: everyone watches; investors of its institutions tap; organisers draw
    R("GET", "/sessions/<session_code>/roadshow",                              "D AA AA AA",
      url="/sessions/R1/roadshow?event=T2026"),
    R("POST", "/sessions/<session_code>/roadshow",                             "D DD AA DD",
      url="/sessions/R1/roadshow?event=T2026",
      body={"project": "T-P001", "interested": "1", "client_key": "access-table-tap"}),
    R("GET", "/sessions/<session_code>/roadshow/manage",                       "D DD DD AA",
      url="/sessions/R1/roadshow/manage?event=T2026"),
    R("POST", "/sessions/<session_code>/roadshow/manage",                      "D DD DD DA",
      url="/sessions/R1/roadshow/manage?event=T2026",
      body={"action": "bonus", "target": "S1"}),
    # ---- the day (#17 check-in): a party's own badge; staff and organisers check people in
    R("GET", "/badge",                                                         "D AO AO DD"),
    R("GET", "/checkin",                                                       "D DD DD AA",
      url="/checkin?event=T2026&session=S1"),
    R("POST", "/checkin",                                                      "D DD DD AA",
      url="/checkin?event=T2026", body={"code": "{badge_code}", "method": "typed"}),
    R("GET", "/sessions/<session_code>/arrivals",                              "D DD DD AA",
      url="/sessions/S1/arrivals?event=T2026"),
    R("GET", "/sessions/<session_code>/badges",                                "D DD DD AA",
      url="/sessions/S1/badges?event=T2026"),
    R("GET", "/sessions/<session_code>/table-signs",                           "D DD DD AA",
      url="/sessions/S1/table-signs?event=T2026"),
    R("GET", "/sessions/<session_code>/live",                                  "D DD DD AA",
      url="/sessions/S1/live?event=T2026"),
    R("GET", "/sessions/<session_code>/live.json",                             "D DD DD AA",
      url="/sessions/S1/live.json?event=T2026"),
    R("POST", "/api/v1/events/<code>/check-ins",                               "D DD DD AA",
      url="/api/v1/events/T2026/check-ins", body={"code": "{badge_code}"}),
    R("GET", "/api/v1/events/<code>/sessions/<session_code>/check-ins",        "D DD DD AA",
      url=S1 + "/check-ins"),
    R("GET", "/agenda",                                                        "D AO AO AA",
      url="/agenda?event=T2026"),
    R("GET", "/agenda/print",                                                  "D AO AO AA",
      url="/agenda/print?event=T2026"),
    R("GET", "/agenda/export.<fmt>",                                           "D AO AO AA",
      url="/agenda/export.csv?event=T2026"),
    # ---- #17 attendance: the meeting's two sides and organisers tap; parties report lateness
    R("POST", "/api/v1/meetings/<int:meeting_id>/attendance",                  "D AF AF DA",
      url="/api/v1/meetings/{day_meeting}/attendance", body={"mark": "held"}),
    R("POST", "/agenda/meetings/<int:meeting_id>/attendance",                  "D AF AF DA",
      url="/agenda/meetings/{day_meeting}/attendance", body={"mark": "held"}),
    R("GET", "/api/v1/events/<code>/sessions/<session_code>/late-reports",     "D DD DD DA",
      url=S1 + "/late-reports"),
    R("POST", "/api/v1/events/<code>/sessions/<session_code>/late-reports",    "D AA AA DD",
      url=S1 + "/late-reports", body={"minutes": 15}),
    R("POST", "/agenda/late",                                                  "D AA AA DD",
      body={"session": "S1", "minutes": "15"}),
    R("POST", "/api/v1/late-reports/<int:report_id>/<any(confirm, dismiss):action>",
      "D DD DD DA", url="/api/v1/late-reports/{late_report}/dismiss"),
    R("POST", "/sessions/<session_code>/late-reports/<int:report_id>",         "D DD DD DA",
      url="/sessions/S1/late-reports/{late_report}?event=T2026", body={"action": "dismiss"}),
    R("GET", "/api/v1/events/<code>/sessions/<session_code>/no-shows",         "D DD DD DA",
      url=S1 + "/no-shows"),
    R("POST", "/api/v1/meetings/<int:meeting_id>/no-show-repair",              "D DD DD DA",
      url="/api/v1/meetings/{no_show}/no-show-repair"),
    R("POST", "/sessions/<session_code>/no-shows/<int:meeting_id>/repair",     "D DD DD DA",
      url="/sessions/SD/no-shows/{no_show}/repair?event=T2026"),

    # ---- bookings: a party books for itself; only the side asked answers; parties withdraw
    R("GET", "/api/v1/projects/<code>/free-slots",                             "D AF AF DA",
      url="/api/v1/projects/T-P001/free-slots?institution=T-I01&session=S1"),
    R("GET", "/api/v1/meeting-requests",                                       "D AO AO AA"),
    R("POST", "/api/v1/meeting-requests",                                      "D AF AF DA",
      body={"session": "S1", **PAIR, "slot": "{pair_slot}"}),
    R("POST", "/api/v1/meeting-requests/<int:request_id>/accept",              "D FF AF DA",
      url="/api/v1/meeting-requests/{asked_investor}/accept"),
    R("POST", "/api/v1/meeting-requests/<int:request_id>/decline",             "D AF FF DA",
      url="/api/v1/meeting-requests/{asked_entrant}/decline"),
    R("POST", "/api/v1/meeting-requests/<int:request_id>/withdraw",            "D AF AF DA",
      url="/api/v1/meeting-requests/{asked_investor}/withdraw"),
    R("POST", "/agenda/requests/<int:request_id>",                             "D AF FF DA",
      url="/agenda/requests/{asked_entrant}", body={"action": "accept"}),
    # /book always books for the signed-in party: entrant B books T-P002, investor Y T-I02
    R("GET", "/book",                                                          "D AA AA DA",
      url="/book?project=T-P001&institution=T-I01"),
    R("POST", "/book",                                                         "D AA AA DA",
      body={"project": "T-P001", "institution": "T-I01", "session": "S1",
            "slot": "{book_slot}"}),

    # ---- intents: read by the pair's own parties, written by staff and the investor
    R("GET", "/api/v1/intents",                                                "D AO AO AA",
      url="/api/v1/intents?event=T2026"),
    R("POST", "/api/v1/intents",                                               "D DD AF AA",
      body={"event": "T2026", "project_id": "T-P002", "institution_id": "T-I01",
            "status": "watching"}),
    R("GET", "/api/v1/intents/<int:intent_id>",                                "D AN AN AA",
      url="/api/v1/intents/{intent}"),
    R("PATCH", "/api/v1/intents/<int:intent_id>",                              "D DD AN AA",
      url="/api/v1/intents/{intent}", body={"signatories": "张伟、王敏"}),
    R("DELETE", "/api/v1/intents/<int:intent_id>",                             "D DD DD AA",
      url="/api/v1/intents/{spare_intent}"),
    R("GET", "/api/v1/intents/<int:intent_id>/history",                        "D AN AN AA",
      url="/api/v1/intents/{intent}/history"),
    R("GET", "/api/v1/events/<code>/intents.<fmt>",                            "D AO AO AA",
      url="/api/v1/events/T2026/intents.csv"),
    R("POST", "/api/v1/events/<code>/intents/import",                          "D DD DD AA",
      url="/api/v1/events/T2026/intents/import", body={"file": INTENTS_SHEET}),
    R("GET", "/intents",                                                       "D AO AO AA",
      url="/intents?event=T2026"),
    R("POST", "/intents",                                                      "D DD AF AA",
      body={"event": "T2026", "project": "T-P005", "institution": "T-I01", "status": "watching"}),
    R("GET", "/intents/<int:intent_id>",                                       "D AN AN AA",
      url="/intents/{intent}"),
    R("POST", "/intents/<int:intent_id>",                                      "D DD AN AA",
      url="/intents/{intent}", body=INTENT_FORM),
    R("POST", "/intents/<int:intent_id>/delete",                               "D DD DD AA",
      url="/intents/{spare_intent}/delete"),
    R("GET", "/intents/export.<fmt>",                                          "D DD DD AA",
      url="/intents/export.csv?event=T2026"),
    R("GET", "/intents/import",                                                "D DD DD AA"),
    R("POST", "/intents/import",                                               "D DD DD AA",
      body={"event": "T2026", "file": INTENTS_SHEET}),

    # ---- due diligence: read by the pair's own parties, written by staff and organisers
    R("GET", "/api/v1/due-diligence",                                          "D AO AO AA",
      url="/api/v1/due-diligence?event=T2026"),
    R("POST", "/api/v1/due-diligence",                                         "D DD DD AA",
      body={**PAIR, "owner": "李雷"}),
    R("GET", "/api/v1/due-diligence/<int:task_id>",                            "D AN AN AA",
      url="/api/v1/due-diligence/{task}"),
    R("PATCH", "/api/v1/due-diligence/<int:task_id>",                          "D DD DD AA",
      url="/api/v1/due-diligence/{task}", body={"owner": "李雷"}),
    R("DELETE", "/api/v1/due-diligence/<int:task_id>",                         "D DD DD AA",
      url="/api/v1/due-diligence/{spare_task}"),
    R("GET", "/api/v1/due-diligence/<int:task_id>/history",                    "D AN AN AA",
      url="/api/v1/due-diligence/{task}/history"),
    R("GET", "/api/v1/due-diligence/digest",                                   "D AO AO AA",
      url="/api/v1/due-diligence/digest?event=T2026&date=2026-12-01"),
    R("GET", "/due-diligence",                                                 "D AO AO AA",
      url="/due-diligence?event=T2026"),
    R("POST", "/due-diligence",                                                "D DD DD AA",
      body={"event": "T2026", "project": "T-P001", "institution": "T-I01", "owner": "李雷"}),
    R("GET", "/due-diligence/<int:task_id>",                                   "D AN AN AA",
      url="/due-diligence/{task}"),
    R("POST", "/due-diligence/<int:task_id>",                                  "D DD DD AA",
      url="/due-diligence/{task}", body=TASK_FORM),

    # ---- landings (#19): read by the pair's own parties, written by staff and organisers
    R("GET", "/api/v1/landings",                                               "D AO AO AA",
      url="/api/v1/landings?event=T2026"),
    R("POST", "/api/v1/landings",                                              "D DD DD AA",
      body={**PAIR, "kind": "合作", "cooperation": "设备", "value": "30万",
            "landed_on": "2026-11-25"}),
    R("GET", "/api/v1/landings/<int:landing_id>",                              "D AN AN AA",
      url="/api/v1/landings/{landing}"),
    R("PATCH", "/api/v1/landings/<int:landing_id>",                            "D DD DD AA",
      url="/api/v1/landings/{landing}", body={"value": "40万"}),
    R("DELETE", "/api/v1/landings/<int:landing_id>",                           "D DD DD AA",
      url="/api/v1/landings/{spare_landing}"),
    R("GET", "/api/v1/landings/<int:landing_id>/history",                      "D DD DD AA",
      url="/api/v1/landings/{landing}/history"),
    R("GET", "/landings",                                                      "D AO AO AA",
      url="/landings?event=T2026"),
    R("POST", "/landings",                                                     "D DD DD AA",
      body={"event": "T2026", "project": "T-P001", "kind": "park", "place": "太原园区",
            "landed_on": "2026-11-25"}),
    R("POST", "/landings/<int:landing_id>",                                    "D DD DD AA",
      url="/landings/{landing}", body={"value": "50"}),

    # ---- notification deliveries (#16): the organiser's log, its export, retry, test sends
    R("GET", "/api/v1/notifications/deliveries",                               "D DD DD AA",
      url="/api/v1/notifications/deliveries?event=T2026&status=failed"),
    R("GET", "/notifications/log",                                             "D DD DD AA",
      url="/notifications/log?event=T2026"),
    R("GET", "/notifications/log.<fmt>",                                       "D DD DD AA",
      url="/notifications/log.csv?event=T2026"),
    R("POST", "/notifications/log/<int:delivery_id>/retry",                    "D DD DD AA",
      url="/notifications/log/{failed_delivery}/retry"),
    R("POST", "/notifications/log/test",                                       "D DD DD AA",
      body={"channel": "webhook"}),
    # ---- notices (#16): each person's own list and settings; another's notice is 404 to all;
    # the pair's own parties (entrant A, investor X) may read its request message in theirs;
    # a mail's unsubscribe link works for whoever opens it, signed in or not
    R("GET", "/api/v1/notifications",                                          "D AO AO OO"),
    R("POST", "/api/v1/notifications/<int:notice_id>/read",                    "D AN NN NN",
      url="/api/v1/notifications/{entrant_notice}/read"),
    R("POST", "/api/v1/notifications/read-all",                                "D AA AA AA"),
    R("GET", "/api/v1/notifications/settings",                                 "D AA AA AA"),
    R("PUT", "/api/v1/notifications/settings",                                 "D AA AA AA",
      body=NOTIFY_SETTINGS),
    R("GET", "/notifications",                                                 "D AO AO OO"),
    R("POST", "/notifications/<int:notice_id>/read",                           "D AN NN NN",
      url="/notifications/{entrant_notice}/read"),
    R("POST", "/notifications/read-all",                                       "D AA AA AA"),
    R("GET", "/notifications/settings",                                        "D AA AA AA"),
    R("POST", "/notifications/settings",                                       "D AA AA AA",
      body={**NOTIFY_SETTINGS, "channels": "webhook", "receive": "broadcast"}),
    R("GET", "/unsubscribe/<token>",                                           "A AA AA AA",
      url="/unsubscribe/{unsubscribe_token}"),
    R("POST", "/unsubscribe/<token>",                                          "A AA AA AA",
      url="/unsubscribe/{unsubscribe_token}"),

    # ---- reports carry amounts: staff and organisers only
    R("GET", "/api/v1/reports/funnel",                                         "D DD DD AA",
      url="/api/v1/reports/funnel?event=T2026"),
    R("GET", "/api/v1/reports/funnel.xlsx",                                    "D DD DD AA",
      url="/api/v1/reports/funnel.xlsx?event=T2026"),
    R("GET", "/reports",                                                       "D DD DD AA",
      url="/reports?event=T2026"),
    R("GET", "/reports/funnel.xlsx",                                           "D DD DD AA",
      url="/reports/funnel.xlsx?event=T2026"),
    # a city's roll-up across its counties' events: organisers and staff of the city
    R("GET", "/api/v1/reports/rollup",                                         "D DD DD AA",
      url="/api/v1/reports/rollup?event=T2026"),
    R("GET", "/api/v1/reports/rollup.xlsx",                                    "D DD DD AA",
      url="/api/v1/reports/rollup.xlsx?event=T2026"),
    R("GET", "/reports/rollup",                                                "D DD DD AA",
      url="/reports/rollup?event=T2026"),
    R("GET", "/reports/rollup.xlsx",                                           "D DD DD AA",
      url="/reports/rollup.xlsx?event=T2026"),
    R("GET", "/api/v1/reports/targets",                                        "D DD DD AA",
      url="/api/v1/reports/targets?event=T2026"),
    R("PUT", "/api/v1/reports/targets",                                        "D DD DD DA",
      body={"event": "T2026", "targets": {"landings": 3}}),
    R("POST", "/reports/targets",                                              "D DD DD DA",
      url="/reports/targets?event=T2026", body={"landings": "3"}),
]
# fmt: on


def coverage_problems(routes: Iterable[tuple[str, str]], table: Iterable[Rule]) -> list[str]:
    """Return what keeps ``table`` from being exactly one rule per route in ``routes``.

    ``routes`` are ``(method, rule)`` pairs as the app's url_map has them (HEAD and OPTIONS
    left out). The answer names every route without a rule, every rule without a route, every
    rule declared twice and every rule whose outcomes are not one known letter per role.
    """
    rules = list(table)
    declared = Counter(rule.key for rule in rules)
    present = set(routes)
    problems = [
        f"{method} {path}: no rule in tests/access_table.py — declare who may use it"
        for method, path in sorted(present - set(declared))
    ]
    problems += [
        f"{method} {path}: rule for a route the app no longer has"
        for method, path in sorted(set(declared) - present)
    ]
    problems += [f"{m} {p}: declared {n} times" for (m, p), n in declared.items() if n > 1]
    for rule in rules:
        letters = rule.outcomes.replace(" ", "")
        if len(letters) != len(ROLES) or set(letters) - set(OUTCOMES):
            problems.append(
                f"{rule.method} {rule.rule}: outcomes {rule.outcomes!r} must be one of "
                f"{OUTCOMES} for each of {', '.join(ROLES)}"
            )
    return problems
