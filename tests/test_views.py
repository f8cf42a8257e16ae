"""Unit tests of institution views: the nearest portfolio entry, exact top-k, reasons."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.embeddings import normalize_rows
from matchmaker.embeddings.composite import (
    BLOCKS,
    CompositeSpace,
    InstitutionProfile,
    ProjectProfile,
    sector_labels,
)
from matchmaker.embeddings.index import VectorIndex
from matchmaker.embeddings.portfolio import (
    PortfolioItem,
    company_key,
    follow_on,
    institution_text,
    view_text,
)
from matchmaker.embeddings.views import build_views, text_parts
from matchmaker.ranking.reasons import Neighbour, explain
from matchmaker.ranking.shortlist import rank, rank_owners

TEXT_DIM = 8


def unit(*axes: int) -> np.ndarray:
    v = np.zeros(TEXT_DIM, dtype=np.float32)
    v[list(axes)] = 1.0
    return v / np.linalg.norm(v)


FUND = InstitutionProfile(1, "vc", ("新能源",), stages=("a",), regions=("全国",))
PROJECTS = [
    ProjectProfile(10, ("储能",), "a", text="储能", name="清源储能"),
    ProjectProfile(11, ("储能",), "a", text="光伏", name="晋北光伏"),
    ProjectProfile(12, ("储能",), "a", text="其他", name="别的公司"),
]
TEXTS = np.stack([unit(1), unit(0), unit(0, 1)])  # 储能 = entry 1, 光伏 = the profile


@pytest.fixture
def space() -> CompositeSpace:
    return CompositeSpace(text_dim=TEXT_DIM)


def test_a_view_scores_profile_and_nearest_entry(space: CompositeSpace) -> None:
    q = space.encode_institutions([FUND], unit(0)[None])
    p = space.encode_projects(PROJECTS, TEXTS)
    views = build_views(space, q, [np.stack([unit(2), unit(1)])], share=0.75)
    assert views.start.tolist() == [0, 2] and views.entry.tolist() == [0, 1]
    scores = views.scores(p)[0]
    for j in range(len(PROJECTS)):
        fits = space.fits(p[j], q[0])
        nearest = max(float(TEXTS[j] @ unit(2)), float(TEXTS[j] @ unit(1)))
        fits["text"] = 0.25 * float(TEXTS[j] @ unit(0)) + 0.75 * nearest
        assert scores[j] == pytest.approx(sum(space.w[b] * fits[b] for b in BLOCKS), abs=1e-6)
    best = views.best(0, p[0])
    assert views.entry[best] == 1  # the 储能 project is scored by the 储能 entry
    profile, entry = text_parts(space, q[0], p[0], views.vectors[best], views.share)
    assert (profile, entry) == (pytest.approx(0.0, abs=1e-6), pytest.approx(1.0))
    assert text_parts(space, q[0], p[1]) == (pytest.approx(1.0), None)


def test_entries_that_make_no_view_leave_the_institution_as_it_was(space: CompositeSpace) -> None:
    q = space.encode_institutions([FUND, FUND], np.stack([unit(0), unit(0)]))
    empty, repeated = np.zeros((2, TEXT_DIM)), np.stack([unit(3), unit(3), unit(4)])
    views = build_views(space, q, [empty, repeated])
    assert views.start.tolist() == [0, 1, 3] and views.entry.tolist() == [-1, 0, 2]
    assert np.array_equal(views.vectors[0], q[0])
    capped = build_views(space, q, [repeated, repeated], max_views=1)
    assert len(capped.vectors) == 2
    assert len(build_views(space, q, [repeated, repeated], share=0.0).vectors) == 2
    with pytest.raises(ValueError):
        build_views(space, q, [empty])


def test_rank_over_views_is_the_exact_top_k_of_the_max() -> None:
    rng = np.random.default_rng(5)
    projects = normalize_rows(rng.normal(size=(400, 16)))
    ids = np.arange(400, dtype=np.int64) * 2 + 1
    views = normalize_rows(rng.normal(size=(5, 16)))
    index = VectorIndex().build(projects, ids)
    best = (projects @ views.T).max(axis=1)
    expected = ids[np.argsort(-best)[:12]]
    assert [i for i, _s in rank(index, views, 12)] == list(expected)
    assert rank(index, views, 4, offset=4) == rank(index, views, 12)[4:8]
    allowed = ids[::3]
    mask = np.isin(ids, allowed)
    expected = ids[mask][np.argsort(-best[mask])[:6]]
    hits = rank(index, views, 6, allowed=allowed)
    assert [i for i, _s in hits] == list(expected)
    assert [s for _i, s in hits] == pytest.approx(list(np.sort(best[mask])[::-1][:6]), abs=1e-5)


def test_rank_owners_widens_until_enough_institutions() -> None:
    rng = np.random.default_rng(9)
    views = normalize_rows(rng.normal(size=(60, 16)))
    owner = np.repeat(np.arange(12), 5)  # 12 institutions × 5 views: near views of one owner
    index = VectorIndex().build(views, np.arange(60, dtype=np.int64))
    project = normalize_rows(rng.normal(size=(1, 16)))[0]
    per_owner = (views @ project).reshape(12, 5).max(axis=1)
    got = rank_owners(index, project, owner, 4)
    assert [o for o, _s in got] == list(np.argsort(-per_owner)[:4])
    assert [s for _o, s in got] == pytest.approx(list(np.sort(per_owner)[::-1][:4]), abs=1e-5)
    some = np.flatnonzero(owner % 2 == 0)
    got = rank_owners(index, project, owner, 3, offset=1, allowed=some)
    evens = np.argsort(-per_owner)
    assert [o for o, _s in got] == [o for o in evens if o % 2 == 0][1:4]
    assert rank_owners(index, project, owner, 3, allowed=np.array([], dtype=np.int64)) == []


def test_company_names_and_follow_ons() -> None:
    assert company_key("晋能儲能科技有限公司") == company_key("晋能储能") == "晋能储能"
    assert company_key("Qingyuan Ltd.") == company_key("qingyuan")
    assert company_key("A") == "" and follow_on("A", (PortfolioItem(1, "A"),)) is None
    held = (PortfolioItem(1, "数衡科技"), PortfolioItem(2, "清源储能（太原）"))
    assert follow_on("清源储能(太原)", held) == held[1]
    assert follow_on("清源光伏", held) is None


def test_only_entries_with_a_description_make_views() -> None:
    card = PortfolioItem(1, "岩芯智控", ("煤矿智能化",))
    described = PortfolioItem(2, "岩芯智控", ("煤矿智能化",), "井下巡检机器人与综采面视觉监测")
    assert (
        view_text(card) == ""
        and view_text(described) == "岩芯智控（煤矿智能化）：井下巡检机器人与综采面视觉监测"
    )
    assert (
        institution_text("看好能源数字化", ["新能源"], [card])
        == "看好能源数字化。新能源。岩芯智控（煤矿智能化）"
    )


def test_reasons_name_the_follow_on_and_split_the_text_block(space: CompositeSpace) -> None:
    held = PortfolioItem(7, "清源储能", ("储能",), "储能系统")
    fund = InstitutionProfile(1, "vc", ("新能源",), stages=("a",), portfolio=(held,))
    q = space.encode_institutions([fund], unit(0, 1)[None])
    p = space.encode_projects(PROJECTS[:1], TEXTS[:1])
    views = build_views(space, q, [unit(1)[None]])
    profile, entry = text_parts(space, q[0], p[0], views.vectors[0], views.share)
    neighbour = Neighbour("清源储能", profile, entry or 0.0, views.share)
    reasons = explain(space, PROJECTS[0], fund, p[0], views.vectors[0], None, neighbour)
    assert reasons[0].text("zh") == "已投企业后续轮次：清源储能 已在投资组合中"
    assert reasons[0].contribution == 0.0  # a fact, not part of the score
    text = [r for r in reasons if r.block == "text"]
    assert {r.text("zh") for r in text} == {
        "投资逻辑与项目简介相近（71%）",
        "与已投企业相近：清源储能（100%）",
    }
    fit = space.fits(p[0], views.vectors[0])["text"]
    assert sum(r.contribution for r in text) == pytest.approx(fit * space.w["text"], abs=1e-6)
    assert "Close to a portfolio company: 清源储能 (100%)" in [r.text("en") for r in text]


def test_described_entries_speak_through_views_not_the_sector_block(space: CompositeSpace) -> None:
    card = PortfolioItem(1, "岩芯智控", ("煤矿智能化",))
    described = PortfolioItem(2, "清源储能", ("储能",), "储能系统")
    label_only = InstitutionProfile(1, portfolio_sectors=("储能",), text="储能")
    all_described = InstitutionProfile(
        2, portfolio_sectors=("储能",), text="清源储能（储能）：储能系统", portfolio=(described,)
    )
    mixed = InstitutionProfile(
        3, portfolio_sectors=("煤矿智能化", "储能"), portfolio=(card, described)
    )
    focused = InstitutionProfile(
        4, sectors=("新能源",), portfolio_sectors=("储能",), portfolio=(described,)
    )
    assert sector_labels(label_only) == ((), ("储能",))
    assert sector_labels(all_described) == ((), ())
    assert sector_labels(all_described, described_labels=True) == ((), ("储能",))
    assert sector_labels(mixed) == ((), ("煤矿智能化",))
    assert sector_labels(focused) == (("新能源",), ())
    # no declared focus and every entry described: an empty block (not inferred from the text,
    # which is the portfolio's), so the sector fit is 0 for every project
    assert not space.institution_sector_vector(all_described).any()
    assert space.institution_sector_vector(all_described, described_labels=True).any()
    assert space.institution_sector_vector(label_only) @ space.institution_sector_vector(
        all_described, described_labels=True
    ) == pytest.approx(1.0)
    q = space.encode_institutions([all_described], unit(0)[None])
    p = space.encode_projects(PROJECTS, TEXTS)
    assert all(space.fits(row, q[0])["sector"] == 0.0 for row in p)
