"""A lasting library across two contests a year apart (#19, must show 1).

The 2026 临汾 contest shares with the library; at the 2027 大同 contest the same fund comes
back under another code and name (linked by confirming a proposal: same phone), and a 2026
project re-enters with its 统一社会信用代码 (linked at once). The fund's 2027 shortlist ranks
with the real encoder and carries what it liked in 2026; an alumni session draws the 2026
projects with a signed intent or a meeting rated ≥ 4, and its agenda is built by the scheduler.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import CSRF, MATCHMAKER, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import (
    AuditEntry,
    Event,
    Institution,
    Intent,
    LibraryLink,
    LibraryProposal,
    Meeting,
    Project,
)
from matchmaker.domain import IntentStatus, MeetingStatus, Verdict
from matchmaker.errors import Conflict, InvalidInput
from matchmaker.messages import render
from matchmaker.services.agendas.build import build_agenda
from matchmaker.services.agendas.options import AgendaOptions
from matchmaker.services.library.alumni import add_alumni
from matchmaker.services.library.history import project_history
from matchmaker.services.library.proposals import confirm_proposal, proposals
from matchmaker.services.library.sharing import set_share_library
from matchmaker.services.matching.matcher import Matcher, ShortlistQuery, record_verdict
from matchmaker.services.registry.events import SessionSpec, add_session, create_event, get_event
from matchmaker.services.registry.registrations import import_registrations

ENTERPRISE = "914403001922038216"  # a valid 统一社会信用代码 (tests/test_eligibility.py)
FUND_PHONE = "13900001111"

INSTITUTION_COLUMNS = (
    "id,name,type,focus_sectors,stages,ticket_min_wan,ticket_max_wan,regions,thesis,sessions,"
    "联系人,联系电话,电子邮箱"
)
PROJECT_COLUMNS = (
    "报名编号,项目名称,赛道,组别,行业领域,阶段,融资需求(万元),所在地区,需求,项目简介,对接专场,"
    "统一社会信用代码"
)
INSTITUTIONS_2026 = f"""{INSTITUTION_COLUMNS}
LF-I01,汾河新能源创投,风险投资,新能源、储能,天使轮、Pre-A轮、A轮,300,3000,山西,看好新型电力系统与储能、新能源汽车产业链的设备与运营机会。,S1,王芳,{FUND_PHONE},wf@fenhe.example.cn
LF-I02,晋商银行科技支行,银行,先进制造、现代服务,A轮、B轮,1000,10000,山西,,S1,赵强,13900002222,zq@jsb.example.cn
"""
PROJECTS_2026 = f"""{PROJECT_COLUMNS}
LF-P01,晋能储能电池管理系统,绿色经济,企业组,储能、电池管理,天使轮,500,山西省临汾市,资金,面向工商业储能电站的电池管理系统，已在3个园区试点。,S1,{ENTERPRISE}
LF-P02,汾西动力电池回收再生,绿色经济,企业组,新能源汽车、电池回收,Pre-A轮,800,山西省临汾市,资金,退役动力电池拆解回收，提取锂钴镍再生材料，年处理能力五千吨。,S1,
LF-P03,尧都智慧物流调度平台,现代服务,企业组,物流,A轮,1500,山西省临汾市,资金,面向县域商贸物流的车货匹配与调度平台。,S1,
"""
INSTITUTIONS_2027 = f"""{INSTITUTION_COLUMNS}
DT-I07,汾河新能源产业基金,风险投资,新能源、储能,天使轮、Pre-A轮、A轮,300,3000,山西,看好新型电力系统与储能、新能源汽车产业链的设备与运营机会。,S1;R0,王芳,{FUND_PHONE},wangfang@fenhe.example.cn
DT-I08,云冈天使基金,天使投资,先进制造、现代服务,种子轮、天使轮,50,500,山西,,S1;R0,孙丽,13900003333,sl@yg.example.cn
"""
PROJECTS_2027 = f"""{PROJECT_COLUMNS}
DT-P01,晋能储能电池管理系统,绿色经济,企业组,储能、电池管理,Pre-A轮,1000,山西省大同市,资金,面向工商业储能电站的电池管理系统，已在8个园区落地。,S1,{ENTERPRISE}
DT-P02,大同光伏电站运维机器人,绿色经济,企业组,光伏、新能源,天使轮,600,山西省大同市,资金,光伏电站组件清洗与巡检机器人，降低电站运维成本。,S1,
DT-P03,云州废旧锂电池梯次利用,绿色经济,企业组,新能源汽车、电池回收,Pre-A轮,700,山西省大同市,资金,退役动力锂电池检测分选与梯次利用，拆解回收锂钴镍再生材料。,S1,
DT-P04,平城储能电站能量管理,绿色经济,企业组,储能、新能源,天使轮,500,山西省大同市,资金,储能电站能量管理系统与新能源并网调度软件。,S1,
"""


def _event(db: Session, code: str, year: int, city: str, alumni: bool = False) -> Event:
    event = create_event(db, code=code, name=f"{city}创业大赛", year=year, city=city)
    add_session(db, event, _spec("S1", "local", f"{year + 10}-06-01", 3))
    if alumni:
        add_session(db, event, _spec("R0", "alumni", f"{year + 10}-06-02", 2))
    return event


def _spec(code: str, kind: str, day: str, tables: int) -> SessionSpec:
    return SessionSpec.from_dict(
        {
            "code": code,
            "kind": kind,
            "name": f"{code} 专场",
            "date": day,
            "start": "09:00",
            "end": "10:00",
            "slot_minutes": 20,
            "tables": tables,
        }
    )


def _import(db: Session, event: Event, kind: str, text: str) -> None:
    import_registrations(db, event, kind, text.encode("utf-8"), f"{kind}.csv")


def _row(db: Session, model: Any, code: str) -> Any:
    return db.scalar(select(model).where(model.code == code))


def _same_party(db: Session, *codes: str) -> bool:
    """Whether the projects ``codes`` are all linked to one lasting party."""
    ids = [_row(db, Project, code).id for code in codes]
    links = db.scalars(select(LibraryLink).where(LibraryLink.project_id.in_(ids))).all()
    return len(links) == len(ids) and len({link.party_id for link in links}) == 1


def _first_contest(db: Session) -> None:
    """2026: imported, shared with the library, and its outcomes: the fund liked the battery
    recycler on its shortlist and passed the logistics platform; the storage project had a
    meeting rated 5 and a signed intent of 2,000,000 yuan."""
    event = _event(db, "LF2026", 2026, "临汾")
    _import(db, event, "institutions", INSTITUTIONS_2026)
    _import(db, event, "projects", PROJECTS_2026)
    set_share_library(db, event, True)
    fund = _row(db, Institution, "LF-I01")
    record_verdict(db, fund, _row(db, Project, "LF-P02"), Verdict.LIKE, None)
    record_verdict(db, fund, _row(db, Project, "LF-P03"), Verdict.PASS, None)
    storage = _row(db, Project, "LF-P01")
    session = event.sessions[0]
    db.add(
        Meeting(
            session_id=session.id,
            slot_id=session.slots[0].id,
            table_id=session.tables[0].id,
            institution_id=fund.id,
            project_id=storage.id,
            status=MeetingStatus.HELD,
            rating=5,
        )
    )
    db.add(
        Intent(
            event_id=event.id,
            institution_id=fund.id,
            project_id=storage.id,
            status=IntentStatus.SIGNED,
            amount=2_000_000,
        )
    )
    db.flush()


def _ranks(factory: sessionmaker[Session], matcher: Matcher) -> dict[str, tuple[int, float]]:
    with transaction(factory) as db:
        event = get_event(db, "DT2027")
        fund = _row(db, Institution, "DT-I07")
        items, _ = matcher.shortlist(db, event, fund, ShortlistQuery(k=10))
    return {m.code: (i, m.score) for i, m in enumerate(items)}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """One real-encoder matcher for the module (its model loads once)."""
    return Matcher()


def test_two_contests_a_year_apart(factory: sessionmaker[Session], matcher: Matcher) -> None:
    with transaction(factory) as db:
        _first_contest(db)
    with transaction(factory) as db:
        event = _event(db, "DT2027", 2027, "大同", alumni=True)
        _import(db, event, "institutions", INSTITUTIONS_2027)
        _import(db, event, "projects", PROJECTS_2027)

    # the returning project joined its 2026 identity at import: same enterprise id
    with transaction(factory) as db:
        old, new = _row(db, Project, "LF-P01"), _row(db, Project, "DT-P01")
        links = {
            link.project_id: link
            for link in db.scalars(
                select(LibraryLink).where(LibraryLink.project_id.in_([old.id, new.id]))
            )
        }
        assert links[new.id].party_id == links[old.id].party_id
        assert links[new.id].how == "credit_code"
        # the fund shares only a phone with its 2026 row: proposed, not merged
        fund_2026, fund_2027 = _row(db, Institution, "LF-I01"), _row(db, Institution, "DT-I07")
        party_2026 = db.scalar(
            select(LibraryLink.party_id).where(LibraryLink.institution_id == fund_2026.id)
        )
        assert (
            db.scalar(
                select(LibraryLink.party_id).where(LibraryLink.institution_id == fund_2027.id)
            )
            != party_2026
        )
        waiting = proposals(db, get_event(db, "DT2027"))
        assert [(p["code"], p["party_id"], p["reasons"]) for p in waiting] == [
            ("DT-I07", party_2026, ["phone"])
        ]
        assert waiting[0]["elsewhere"][0]["code"] == "LF-I01"
        proposal_id = waiting[0]["id"]

    before = _ranks(factory, matcher)
    with transaction(factory) as db:
        confirm_proposal(db, get_event(db, "DT2027"), proposal_id)
    after = _ranks(factory, matcher)

    with transaction(factory) as db:
        assert (
            db.scalar(select(LibraryLink.how).where(LibraryLink.institution_id == fund_2027.id))
            == "confirmed"
        )
        assert (
            db.scalar(select(LibraryProposal.status).where(LibraryProposal.id == proposal_id))
            == "confirmed"
        )
        actions = set(
            db.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "library_links"))
        )
        assert {"link", "confirm"} <= actions

    # the fund liked a battery recycler in 2026: the 2027 recycler climbs its shortlist; it
    # and the storage project it signed with in 2026 gain more than the two unlike either
    recycler = "DT-P03"
    assert after[recycler][0] < before[recycler][0], (before, after)
    gain = {code: after[code][1] - before[code][1] for code in before}
    assert min(gain[recycler], gain["DT-P01"]) > 0.05 > max(gain["DT-P02"], gain["DT-P04"]), gain
    with transaction(factory) as db:
        event, fund = get_event(db, "DT2027"), _row(db, Institution, "DT-I07")
        items, _ = matcher.shortlist(db, event, fund, ShortlistQuery(k=10))
        reasons = next(m for m in items if m.code == recycler).to_dict()["reasons"]
    assert any("往届" in r and "汾西动力电池回收再生" in r for r in reasons), reasons

    # an alumni session from 2026: the storage project (rated 5, signed) is already here by
    # its identity; the scheduler builds R0's agenda with it
    with transaction(factory) as db:
        event, past = get_event(db, "DT2027"), get_event(db, "LF2026")
        report = add_alumni(db, event, "R0", past)
        assert report.already_here == ["DT-P01"] and report.copied == []
        # drawn by code: the logistics platform is copied in, linked to its 2026 identity
        report = add_alumni(db, event, "R0", past, codes=["LF-P03"])
        assert report.copied == ["LF2026-LF-P03"]
        copy = _row(db, Project, "LF2026-LF-P03")
        link = db.scalar(select(LibraryLink).where(LibraryLink.project_id == copy.id))
        assert link.how == "alumni" and link.source_project_id == _row(db, Project, "LF-P03").id
        assert copy.name == "尧都智慧物流调度平台" and copy.event_id == event.id
        session = next(s for s in event.sessions if s.code == "R0")
        assert sorted(p.code for p in session.projects) == ["DT-P01", "LF2026-LF-P03"]
        outcome = build_agenda(db, matcher, session, AgendaOptions(time_limit=5.0))
        assert outcome.status in ("optimal", "feasible")
        met = db.scalars(select(Meeting).where(Meeting.session_id == session.id)).all()
        assert {m.project.code for m in met} == {"DT-P01", "LF2026-LF-P03"}

    # the returning project's history: both contests, its 2026 meeting and signed intent
    with transaction(factory) as db:
        history = project_history(db, _row(db, Project, "DT-P01"))
        assert [c["event"] for c in history["contests"]] == ["LF2026", "DT2027"]
        first = history["contests"][0]
        assert first["meetings"] == [
            {"session": "S1", "institution": "汾河新能源创投", "rating": 5}
        ]
        assert first["intents"][0]["amount"] == 2_000_000
        assert first["intents"][0]["status"] == "signed"
        # 2026 stops sharing: its rows leave the history, the fund's carry-over goes
        set_share_library(db, get_event(db, "LF2026"), False)
        history = project_history(db, _row(db, Project, "DT-P01"))
        assert [c["event"] for c in history["contests"]] == ["DT2027"]
    assert _ranks(factory, matcher)[recycler] == before[recycler]


def test_alumni_refuses_bad_input_and_writes_nothing(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as db:
        _first_contest(db)
        event = _event(db, "DT2027", 2027, "大同", alumni=True)
    with transaction(factory) as db:
        event, past = get_event(db, "DT2027"), get_event(db, "LF2026")
        with pytest.raises(InvalidInput) as not_alumni:
            add_alumni(db, event, "S1", past)
        assert not_alumni.value.code == "library.not_alumni"
        with pytest.raises(InvalidInput):
            add_alumni(db, past, "S1", event)  # 2027 is not earlier than 2026
        set_share_library(db, past, False)
        with pytest.raises(Conflict) as unshared:
            add_alumni(db, event, "R0", past)
        assert "不能被其他大赛引用" in unshared.value.message("zh")
        assert db.scalar(select(Project).where(Project.event_id == event.id)) is None


def test_library_command_confirms_a_proposal(factory: sessionmaker[Session], db_url: str) -> None:
    with transaction(factory) as db:
        _first_contest(db)
        event = _event(db, "DT2027", 2027, "大同", alumni=True)
        _import(db, event, "institutions", INSTITUTIONS_2027)
    shown = _cli(db_url, "library", "proposals", "--event", "DT2027")
    assert [(p["code"], p["reasons"]) for p in shown] == [("DT-I07", ["phone"])]
    # linking again proposes nothing new: the pair is already asked
    assert _cli(db_url, "library", "link", "--event", "DT2027")["proposed"] == 0
    done = _cli(db_url, "library", "link", "--event", "DT2027", "--confirm", str(shown[0]["id"]))
    assert done["confirmed"] == shown[0]["id"]
    assert _cli(db_url, "library", "proposals", "--event", "DT2027") == []
    again = subprocess.run(
        [MATCHMAKER, "--db", db_url, "library", "link", "--event", "DT2027", "--confirm",
         str(shown[0]["id"])],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert again.returncode != 0 and "已处理" in again.stdout + again.stderr
    # the alumni session draws 2026's signed and well-rated project: copied and linked
    drawn = _cli(
        db_url, "session", "add-alumni", "--event", "DT2027", "--session", "R0", "--from", "LF2026"
    )
    assert drawn["copied"] == ["LF2026-LF-P01"] and drawn["already_here"] == []
    history = _cli(db_url, "library", "history", "--event", "DT2027", "--project", "LF2026-LF-P01")
    assert [(c["event"], c["how"]) for c in history["contests"]] == [
        ("LF2026", "new"),
        ("DT2027", "alumni"),
    ]


def _cli(db_url: str, *args: str) -> Any:
    done = subprocess.run(
        [MATCHMAKER, "--db", db_url, "--json", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_api_and_pages_share_decide_and_show_history(
    client: Any, accounts: Any, factory: sessionmaker[Session]
) -> None:
    """Through the API and the pages: the sharing switch (audited), the proposals and the
    history, organisers only."""
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    url = "/api/v1/events/T2026/library"
    assert client.put(f"{url}/share", headers=staff, json={"share": True}).status_code == 403
    assert client.put(f"{url}/share", headers=organiser, json={"share": "x"}).status_code == 422
    shared = client.put(f"{url}/share", headers=organiser, json={"share": True})
    assert shared.get_json() == {"event": "T2026", "share_library": True}
    with transaction(factory) as db:
        trail = db.scalars(select(AuditEntry).where(AuditEntry.action == "share_library")).all()
        assert [(a.before, a.after) for a in trail] == [
            ({"share_library": False}, {"share_library": True})
        ]
    assert client.get(f"{url}/proposals", headers=organiser).get_json() == []
    assert client.get(f"{url}/proposals", headers=staff).status_code == 403
    decided = client.post(f"{url}/proposals/999", headers=organiser, json={"action": "confirm"})
    assert decided.status_code == 404
    history = client.get("/api/v1/projects/T-P001/history", headers=organiser).get_json()
    assert [(c["event"], c["code"], c["how"]) for c in history["contests"]] == [
        ("T2026", "T-P001", None)
    ]
    assert client.get("/api/v1/projects/T-P001/history", headers=staff).status_code == 403
    alumni = "/api/v1/events/T2026/sessions/S1/alumni"
    refused = client.post(alumni, headers=organiser, json={"from": "T2026"})
    assert refused.status_code == 422 and "不是往届项目专场" in refused.get_json()["message"]
    assert client.post(alumni, headers=organiser, json={"from": "NOPE"}).status_code == 404
    assert client.post(alumni, headers=organiser, json={}).status_code == 422

    sign_in(client, factory, "organiser")
    page = client.get("/library?event=T2026").get_data(as_text=True)
    assert "已共享到项目库" in page and "没有待确认的关联建议" in page
    stop = client.post("/library/share", data={"share": "0", "csrf": CSRF, "event": "T2026"})
    assert stop.status_code == 302
    assert "未共享到项目库" in client.get("/library?event=T2026").get_data(as_text=True)
    project = client.get("/projects/T-P001?event=T2026").get_data(as_text=True)
    assert "历届参赛记录" in project and "没有其他共享大赛中的记录" in project
    client.get("/lang/en?next=/library")
    english = client.get("/library?event=T2026").get_data(as_text=True)
    assert "Not shared with the library" in english and "No proposals waiting" in english


def test_a_restored_contest_joins_the_library_again(
    factory: sessionmaker[Session], tmp_path: Any
) -> None:
    """A backup leaves the library's identities out (they span contests); restoring the 2027
    contest over itself links its rows again as its import did: the returning project to its
    2026 identity by enterprise id, the fund proposed again by its phone."""
    from matchmaker.services.operations.backup import restore_event, write_backup
    from matchmaker.services.operations.backup_files import read_archive

    with transaction(factory) as db:
        _first_contest(db)
    with transaction(factory) as db:
        event = _event(db, "DT2027", 2027, "大同", alumni=True)
        _import(db, event, "institutions", INSTITUTIONS_2027)
        _import(db, event, "projects", PROJECTS_2027)
    path = tmp_path / "dt2027.zip"
    with transaction(factory) as db:
        write_backup(db, get_event(db, "DT2027"), path, None)
    with transaction(factory) as db:  # its audit trail names library rows: kept as history
        restored = restore_event(db, read_archive(path), replace=True)
    assert restored.library["linked"].get("credit_code") == 1
    assert restored.library["proposed"] == 1
    with transaction(factory) as db:
        assert _same_party(db, "LF-P01", "DT-P01")
        waiting = proposals(db, get_event(db, "DT2027"))
        assert [(p["code"], p["reasons"]) for p in waiting] == [("DT-I07", ["phone"])]


JZ_2026 = f"""{PROJECT_COLUMNS}
JZ-P01,智能光伏清洗机器人,绿色经济,企业组,光伏、机器人,A轮,800,山西省晋中市榆次区,资金,自主研发的光伏板清洗机器人已在晋中、吕梁12座电站部署，累计清洗面积86万平方米，节水率达95%。2025年营收1300万元，团队56人，其中研发人员23人。,S1,
JZ-P02,煤矿井下巡检机器人,先进制造,企业组,煤矿智能化、机器人,Pre-A轮,1200,山西省晋中市介休市,资金,面向煤矿井下的防爆巡检机器人，搭载红外与气体传感器，已在7座矿井连续运行超过4000小时，故障识别准确率98.5%。,S1,
JZ-P03,县域冷链仓储配送,乡村振兴,企业组,冷链物流,天使轮,500,山西省晋中市太谷区,资金,为县域农产品提供冷链仓储与配送，自建冷库3座，总库容1.2万吨，服务合作社140家。,S1,
"""
TY_2027 = f"""{PROJECT_COLUMNS}
TY-P01,晋清光伏运维科技,绿色经济,企业组,光伏、机器人,A轮,800,山西省晋中市榆次区,资金,公司研发的光伏组件清洗机器人目前部署于晋中和吕梁的12座光伏电站，清洗面积累计86万平方米，比人工清洗节水95%；2025年实现营业收入1300万元，现有员工56人（研发23人）。,S1,
TY-P02,煤礦井下巡檢機器人,先进制造,企业组,煤矿智能化、机器人,Pre-A轮,1200,山西省晋中市介休市,资金,面向煤礦井下的防爆巡檢機器人，搭載紅外與氣體傳感器，已在7座礦井連續運行超過4000小時，故障識別準確率98.5%。,S1,
TY-P03,屋顶光伏智能运维平台,绿色经济,企业组,光伏、机器人,A轮,1000,山西省太原市,资金,为工商业屋顶光伏提供无人机巡检与发电量诊断服务，已接入电站210座，装机总量320兆瓦，年服务费收入600万元。,S1,
TY-P04,果蔬产地预冷与冷链配送,乡村振兴,企业组,冷链物流,天使轮,300,山西省运城市,资金,在产地建设移动预冷设备，为果蔬种植户提供预冷、分级与冷链配送，已服务农户900户，损耗率降低至5%。,S1,
"""


def test_a_repeated_registration_is_proposed_with_its_evidence(
    client: Any, accounts: Any, factory: sessionmaker[Session], db_url: str
) -> None:
    """A 2027 entrant that re-registers a shared 2026 project under a new name and reworded, or
    copied into Traditional characters, is proposed for the 2026 identity with the detector's
    evidence (never merged); projects of the same sector that are other projects are not, and
    the new contest's rows are not compared among themselves."""
    with transaction(factory) as db:
        first = _event(db, "JZ2026", 2026, "晋中")
        _import(db, first, "projects", JZ_2026)
        set_share_library(db, first, True)
    with transaction(factory) as db:
        _import(db, _event(db, "TY2027", 2027, "太原"), "projects", TY_2027)

    with transaction(factory) as db:
        waiting = proposals(db, get_event(db, "TY2027"))
        shown = {p["code"]: p for p in waiting}
        assert sorted(shown) == ["TY-P01", "TY-P02"]  # not the two look-alikes of the sector
        renamed, traditional = shown["TY-P01"], shown["TY-P02"]
        assert renamed["reasons"] == ["duplicate"]  # nothing but the content says so
        assert renamed["elsewhere"][0]["code"] == "JZ-P01"
        assert renamed["duplicate"]["kind"] in {"renamed", "paraphrase"}
        said = " ".join(renamed["duplicate"]["evidence"])
        assert "86万" in said and "1300万" in said  # the figures both registrations give
        assert traditional["reasons"] == ["name", "duplicate"]
        assert traditional["elsewhere"][0]["code"] == "JZ-P02"
        assert traditional["duplicate"]["kind"] == "traditional_copy"
        # not merged: each 2027 row keeps its own identity until an organiser confirms
        ty_p01 = _row(db, Project, "TY-P01")
        assert db.scalar(select(LibraryLink).where(LibraryLink.project_id == ty_p01.id)) is None
        trail = db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "library_proposals", AuditEntry.action == "propose"
            )
        ).all()
        assert {a.after["row"]: a.after["reasons"] for a in trail} == {
            "TY-P01": ["duplicate"],
            "TY-P02": ["name", "duplicate"],
        }

    # the organiser reads the evidence in its language, through the API and on the page
    organiser = accounts.headers("organiser")
    english = client.get(
        "/api/v1/events/TY2027/library/proposals",
        headers={**organiser, "Accept-Language": "en"},
    ).get_json()
    copy = {p["code"]: p["duplicate"] for p in english}["TY-P02"]
    assert copy["kind_label"] == render("duplicates.kind.traditional_copy", "en")
    assert any("98.5%" in sentence for sentence in copy["evidence"])
    assert not any("相同" in sentence for sentence in copy["evidence"])  # English throughout
    sign_in(client, factory, "organiser")
    page = client.get("/library?event=TY2027").get_data(as_text=True)
    assert "报名内容雷同" in page and "86万" in page
    said = subprocess.run(
        [MATCHMAKER, "--db", db_url, "library", "proposals", "--event", "TY2027"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    assert "TY-P01 晋清光伏运维科技 → 2026" in said.stdout and "报名内容雷同" in said.stdout
    assert "    · 相同数据：" in said.stdout  # the evidence, under its proposal

    # confirmed like any proposal: the row joins the 2026 identity
    with transaction(factory) as db:
        confirm_proposal(db, get_event(db, "TY2027"), renamed["id"])
    with transaction(factory) as db:
        assert _same_party(db, "JZ-P01", "TY-P01")
