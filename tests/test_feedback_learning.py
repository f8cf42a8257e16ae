"""Learning within the event: an investor's like/pass moves its own next shortlist at once.

The maths (``ranking/feedback.py``) on hand-made vectors through the product's index search,
then the whole path on a real SQLite event with the real encoder: a like through the API, the
very next shortlist call, no rebuild.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matchmaker.db.engine import transaction
from matchmaker.domain import Group, Track
from matchmaker.embeddings.composite import CompositeSpace, InstitutionProfile, ProjectProfile
from matchmaker.embeddings.index import VectorIndex
from matchmaker.ranking.feedback import QueryFeedback
from matchmaker.ranking.shortlist import rank

# ---- the maths -----------------------------------------------------------------------------

DIM = 4


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


# Two themes (axes 0 and 1) and an institution that leans slightly to theme 1. Project 1 is
# theme 0, project 2 is close to it; 3 and 4 are theme 1, 4 close to 3; 5 is a bit of all.
TEXTS = {
    1: _unit(1.0, 0.1, 0.3, 0.0),
    2: _unit(0.9, 0.15, 0.0, 0.4),
    3: _unit(0.1, 1.0, 0.3, 0.0),
    4: _unit(0.15, 0.9, 0.0, 0.4),
    5: _unit(0.5, 0.5, 0.5, 0.5),
}


@pytest.fixture
def space() -> CompositeSpace:
    return CompositeSpace(text_dim=DIM)


@pytest.fixture
def vectors(space: CompositeSpace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the index ids, the projects' vectors and the institution's one view."""
    ids = np.array(sorted(TEXTS), dtype=np.int64)
    projects = space.encode_projects(
        [ProjectProfile(int(i)) for i in ids], np.stack([TEXTS[int(i)] for i in ids])
    )
    view = space.encode_institutions([InstitutionProfile(1)], _unit(0.5, 0.6, 0.4, 0.3)[None])
    return ids, projects, view


def _order(projects: np.ndarray, ids: np.ndarray, views: np.ndarray) -> list[int]:
    index = VectorIndex().build(projects, ids)
    return [pid for pid, _score in rank(index, views, len(ids))]


def _row(ids: np.ndarray, pid: int) -> int:
    return int(np.flatnonzero(ids == pid)[0])


def test_no_feedback_leaves_the_ranking_and_the_scores_as_they_were(space, vectors) -> None:  # type: ignore[no-untyped-def]
    ids, projects, view = vectors
    empty = QueryFeedback.of(space, projects[:0], projects[:0])
    assert empty.empty
    assert np.array_equal(empty.apply(view), view)
    index = VectorIndex().build(projects, ids)
    assert rank(index, empty.apply(view), 5) == rank(index, view, 5)


def test_a_like_pulls_its_neighbours_up(space, vectors) -> None:  # type: ignore[no-untyped-def]
    ids, projects, view = vectors
    before = _order(projects, ids, view)
    assert before.index(2) > before.index(4)  # the profile alone puts theme 1 first
    liked = QueryFeedback.of(space, projects[[_row(ids, 1)]], projects[:0])
    after = _order(projects, ids, liked.apply(view))
    assert after.index(2) < after.index(4)  # liking project 1 lifts its neighbour
    assert after.index(2) < after.index(3)
    to_2, _ = liked.similarity(projects[_row(ids, 2)])
    to_4, _ = liked.similarity(projects[_row(ids, 4)])
    assert to_2[0] > to_4[0]
    assert liked.term(projects[_row(ids, 2)]) > liked.term(projects[_row(ids, 4)]) > 0


def test_a_pass_pushes_its_neighbours_down(space, vectors) -> None:  # type: ignore[no-untyped-def]
    ids, projects, view = vectors
    before = _order(projects, ids, view)
    assert before.index(4) < before.index(2)
    passed = QueryFeedback.of(space, projects[:0], projects[[_row(ids, 3)]])
    after = _order(projects, ids, passed.apply(view))
    assert after.index(4) > after.index(2)  # passing project 3 sinks its neighbour
    assert after.index(4) > after.index(1)
    assert passed.term(projects[_row(ids, 4)]) < passed.term(projects[_row(ids, 2)]) < 0


def test_the_shift_is_the_same_for_every_view_so_the_winning_view_does_not_change(  # type: ignore[no-untyped-def]
    space, vectors
) -> None:
    ids, projects, view = vectors
    views = np.vstack([view, space.encode_institutions([InstitutionProfile(2)], TEXTS[3][None])])
    shift = QueryFeedback.of(space, projects[[_row(ids, 1)]], projects[[_row(ids, 3)]])
    for p in projects:
        plain, moved = views @ p, shift.apply(views) @ p
        assert int(np.argmax(plain)) == int(np.argmax(moved))
        assert np.isclose(moved.max(), plain.max() + shift.term(p), atol=1e-6)


def test_bad_weights_and_shapes_are_refused(space, vectors) -> None:  # type: ignore[no-untyped-def]
    _ids, projects, _view = vectors
    with pytest.raises(ValueError, match="β and γ"):
        QueryFeedback.of(space, projects[:1], projects[:0], beta=-1.0)
    with pytest.raises(ValueError):
        QueryFeedback.of(space, np.ones((1, 3)), projects[:0])


# ---- through the API on a real event -------------------------------------------------------

# T-I01 (汾河新能源创投: 新能源、储能, 山西 only) gets more 山西 projects than one page holds:
# energy projects it ranks first, and eldercare and farming ones it ranks below them.
EXTRA = [
    (
        "T-F01",
        "光伏电站清洗机器人",
        "光伏、运维",
        "为山西大型光伏电站提供无水清洗与巡检的机器人，年服务200兆瓦。",
    ),
    (
        "T-F02",
        "风电叶片无人机检测",
        "风电、运维",
        "用无人机和图像识别检测风电叶片裂纹，已服务朔州三座风电场。",
    ),
    (
        "T-F03",
        "工商业储能安全预警",
        "储能、安全",
        "面向工商业储能电站的电池热失控预警与消防联动系统。",
    ),
    ("T-F04", "氢能重卡加注站", "氢能", "在晋中建设服务煤炭运输重卡的加氢站，配套制氢设备。"),
    (
        "T-F05",
        "虚拟电厂聚合平台",
        "新型电力系统",
        "聚合工业园区可调负荷参与电力需求响应和辅助服务。",
    ),
    (
        "T-F06",
        "养老院智能看护床垫",
        "智慧养老",
        "为养老机构提供离床报警与睡眠呼吸监测的智能床垫，接入护理站。",
    ),
    (
        "T-F07",
        "居家老人紧急呼叫手环",
        "智慧养老",
        "为独居老人提供跌倒自动报警与一键呼叫的智能手环和社区响应服务。",
    ),
    (
        "T-F08",
        "苹果园病虫害监测",
        "智慧农业",
        "在运城苹果园布设虫情测报灯和摄像头，识别病虫害并推送防治建议。",
    ),
]


@pytest.fixture
def crowded(factory: Any, registered: str) -> str:
    """The test event with EXTRA added (all in 山西, all in session S1)."""
    from matchmaker.services.registry.catalog import create_project
    from matchmaker.services.registry.events import get_event

    with transaction(factory) as db:
        event = get_event(db, registered)
        for code, name, sectors, description in EXTRA:
            data = {
                "code": code,
                "name": name,
                "track": Track.GREEN_ECONOMY,
                "group": Group.ENTERPRISE,
                "sectors": sectors.split("、"),
                "region": "山西省太原市",
                "description": description,
                "sessions": ["S1"],
            }
            create_project(db, event, data)
    return registered


def _shortlist(client: Any, headers: dict[str, str], k: int = 50) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/institutions/T-I01/shortlist?k={k}", headers=headers)
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def _codes(items: list[dict[str, Any]]) -> list[str]:
    return [item["project_id"] for item in items]


def _verdict(client: Any, headers: dict[str, str], code: str, verdict: str) -> None:
    response = client.post(
        "/api/v1/institutions/T-I01/feedback",
        headers=headers,
        json={"project_id": code, "verdict": verdict},
    )
    assert response.status_code == 200, response.get_json()


def test_a_like_moves_a_similar_project_up_the_very_next_shortlist(  # type: ignore[no-untyped-def]
    client, accounts, crowded
) -> None:
    investor = accounts.headers("investor")
    first_page = _codes(_shortlist(client, investor, k=5))
    before = _codes(_shortlist(client, investor))
    assert "T-F07" not in first_page  # an eldercare wristband is no energy fund's first pick
    _verdict(client, investor, "T-P002", "like")  # the eldercare robot
    after_items = _shortlist(client, investor)
    after = _codes(after_items)
    assert after.index("T-F07") < before.index("T-F07")
    wristband = after_items[after.index("T-F07")]
    assert "与您标记感兴趣的「智慧养老陪护机器人」相近" in wristband["reasons"]
    liked = after_items[after.index("T-P002")]
    assert liked["verdict"] == "like"  # still shown, marked
    assert not any("智慧养老陪护机器人" in r for r in liked["reasons"])  # not "close to itself"
    # an energy project is not said to be close to the eldercare robot
    assert not any("感兴趣" in r for r in after_items[after.index("T-F02")]["reasons"])
    english = client.get(
        "/api/v1/institutions/T-I01/shortlist?k=50",
        headers={**investor, "Accept-Language": "en"},
    ).get_json()["items"]
    assert any(
        "Close to 智慧养老陪护机器人, which you marked as interesting" in r
        for item in english
        if item["project_id"] == "T-F07"
        for r in item["reasons"]
    )


def test_the_score_shown_adds_the_feedback_term_to_the_blocks(client, accounts, crowded) -> None:  # type: ignore[no-untyped-def]
    investor = accounts.headers("investor")
    before = {item["project_id"]: item for item in _shortlist(client, investor)}
    _verdict(client, investor, "T-P002", "like")
    after = {item["project_id"]: item for item in _shortlist(client, investor)}
    for code in ("T-F07", "T-F01"):
        assert after[code]["fits"] == before[code]["fits"]  # the profile's fits are unchanged
        assert after[code]["score"] > before[code]["score"]
    # the wristband gains more than a solar-panel robot from liking the eldercare robot
    gain = {code: after[code]["score"] - before[code]["score"] for code in ("T-F07", "T-F01")}
    assert gain["T-F07"] > gain["T-F01"]
    scores = [item["score"] for item in after.values()]
    assert scores == sorted(scores, reverse=True)


def test_a_pass_moves_similar_projects_down_the_very_next_shortlist(  # type: ignore[no-untyped-def]
    client, accounts, crowded
) -> None:
    investor = accounts.headers("investor")
    _verdict(client, investor, "T-P002", "like")  # the eldercare robot: its kind moves up
    before = _codes(_shortlist(client, investor))
    _verdict(client, investor, "T-F06", "pass")  # but not the eldercare mattress
    after_items = _shortlist(client, investor)
    after = _codes(after_items)
    assert "T-F06" not in after  # hidden, as before this change
    rest = [code for code in before if code != "T-F06"]
    assert after.index("T-F07") > rest.index("T-F07")  # the eldercare wristband sinks
    wristband = after_items[after.index("T-F07")]
    assert "与您标记不合适的「养老院智能看护床垫」相近" in wristband["concerns"]
    assert not any("感兴趣" in r for r in wristband["reasons"])  # the pass outweighs the like
    assert "T-F06" in _codes(_with_passed(client, investor))


def _with_passed(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/institutions/T-I01/shortlist?k=50&include_passed=true", headers=headers
    )
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items
