"""Unit tests of the matching cores: taxonomy, regions, composite vectors, index, reasons."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.embeddings import index as index_module
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import (
    BLOCKS,
    CompositeSpace,
    InstitutionProfile,
    ProjectProfile,
    Weights,
)
from matchmaker.embeddings.index import VectorIndex
from matchmaker.embeddings.taxonomy import TAXONOMY, SectorMapper
from matchmaker.ranking.reasons import explain
from matchmaker.ranking.shortlist import HardFilters, ProjectColumns, allowed_projects, rank

TEXT_DIM = 8


def node(name: str) -> str:
    index = TAXONOMY.match_label(name)
    assert index is not None, name
    return TAXONOMY.nodes[index].code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("储能", "energy_storage"),
        ("新型储能", "energy_storage"),
        ("工商业储能", "energy_storage"),
        ("儲能", "energy_storage"),
        ("Energy storage", "energy_storage"),
        ("大模型", "ai"),
        ("AIGC", "ai"),
        ("智慧养老", "smart_eldercare"),
        ("預製菜", "food"),
        ("陶瓷3D打印", "additive"),
        ("新能源", "new_energy"),
    ],
)
def test_labels_map_to_nodes(label: str, code: str) -> None:
    assert node(label) == code


def test_hierarchy_orders_fits() -> None:
    mapper = SectorMapper()

    def fit(a: str, b: str) -> float:
        va = mapper.vector([TAXONOMY.match_label(a)])
        vb = mapper.vector([TAXONOMY.match_label(b)])
        return float(va @ vb)

    assert fit("储能", "储能") == pytest.approx(1.0)
    assert fit("储能", "储能") > fit("储能", "新能源") > fit("储能", "光伏") > fit("储能", "短视频")
    assert fit("储能", "短视频") == 0.0


def test_sectors_are_inferred_from_text_when_no_label() -> None:
    found = SectorMapper().nodes_for([], "用短视频记录平遥推光漆器等非遗手艺，孵化手艺人账号")
    assert {TAXONOMY.nodes[n].code for _label, n in found} == {"short_video", "heritage"}


@pytest.mark.parametrize(
    ("place", "names"),
    [
        ("山西省太原市", ["山西"]),
        ("太原", ["山西"]),
        ("陝西省西安市", ["陕西"]),
        ("台灣台中市", ["台湾"]),
        ("长三角", ["上海", "江苏", "浙江", "安徽"]),
        ("Shanxi", ["山西"]),
    ],
)
def test_regions(place: str, names: list[str]) -> None:
    assert [regions.name(i) for i in regions.provinces_of(place)] == names


def test_nationwide() -> None:
    assert regions.is_nationwide(["全国"]) and regions.is_nationwide([])
    assert not regions.is_nationwide(["山西", "京津冀"])


def unit(i: int) -> np.ndarray:
    v = np.zeros(TEXT_DIM, dtype=np.float32)
    v[i % TEXT_DIM] = 1.0
    return v


STORAGE = ProjectProfile(1, ("储能",), "a", 5_000_000, "山西省太原市", ("funding",), "储能系统")
VIDEO = ProjectProfile(2, ("短视频",), "seed", 300_000, "广东省深圳市", ("venue",), "短视频")
UNKNOWN = ProjectProfile(3, (), None, None, "", (), "")
FUND = InstitutionProfile(
    10, "vc", ("新能源",), (), ("pre_a", "a"), 3_000_000, 30_000_000, ("山西",), "新型电力系统"
)
INCUBATOR = InstitutionProfile(
    11, "incubator", ("文化创意",), (), ("idea", "seed"), None, None, ("全国",), ""
)


@pytest.fixture
def space() -> CompositeSpace:
    return CompositeSpace(text_dim=TEXT_DIM)


def encode(space: CompositeSpace) -> tuple[np.ndarray, np.ndarray]:
    p = space.encode_projects([STORAGE, VIDEO, UNKNOWN], np.stack([unit(0), unit(1), unit(2)]))
    q = space.encode_institutions([FUND, INCUBATOR], np.stack([unit(0), unit(1)]))
    return p, q


def test_inner_product_is_the_weighted_sum_of_block_fits(space: CompositeSpace) -> None:
    p, q = encode(space)
    for i in range(len(p)):
        for j in range(len(q)):
            fits = space.fits(p[i], q[j])
            assert all(-1e-6 <= f <= 1 + 1e-6 for f in fits.values())
            expected = sum(space.w[b] * fits[b] for b in BLOCKS)
            assert float(p[i] @ q[j]) == pytest.approx(expected, abs=1e-6)


def test_block_fits(space: CompositeSpace) -> None:
    p, q = encode(space)
    storage_fund = space.fits(p[0], q[0])
    assert storage_fund["stage"] == pytest.approx(1.0)
    assert storage_fund["ticket"] == pytest.approx(1.0)
    assert storage_fund["region"] == pytest.approx(1.0)
    assert storage_fund["needs"] == pytest.approx(1.0)
    assert 0.4 < storage_fund["sector"] < 1.0  # 储能 under 新能源: related, not identical
    video_fund = space.fits(p[1], q[0])
    assert video_fund["region"] == 0.0 and video_fund["sector"] == 0.0
    assert video_fund["stage"] == 0.0
    unknown = space.fits(p[2], q[0])  # says nothing: neutral, neither up nor down
    for block in ("stage", "ticket", "region", "needs"):
        assert unknown[block] == pytest.approx(0.5)
    assert space.fits(p[1], q[1])["needs"] == pytest.approx(1.0)  # an incubator offers premises


def test_weights_change_the_ranking_not_the_fits() -> None:
    sector_heavy = CompositeSpace(
        TEXT_DIM, Weights(text=0, sector=1, stage=0, ticket=0, region=0, needs=0)
    )
    p, q = encode(sector_heavy)
    assert float(p[0] @ q[0]) == pytest.approx(sector_heavy.fits(p[0], q[0])["sector"])
    with pytest.raises(ValueError):
        Weights(0, 0, 0, 0, 0, 0).normalised()


def test_exact_index_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    ids = np.arange(500, dtype=np.int64) * 3 + 1
    index = VectorIndex().build(vectors, ids)
    query = rng.normal(size=32).astype(np.float32)
    got, scores = index.search(query, 10)
    expected = ids[np.argsort(-(vectors @ query))[:10]]
    assert list(got[0]) == list(expected)
    assert np.all(np.diff(scores[0]) <= 1e-6)
    allowed = ids[::7]
    got, _ = index.search(query, 5, allowed)
    mask = np.isin(ids, allowed)
    expected = ids[mask][np.argsort(-(vectors[mask] @ query))[:5]]
    assert list(got[0]) == list(expected)


def test_above_the_threshold_the_approximate_index_agrees_with_exact_search() -> None:
    # 8-bit codes find the candidates, the exact vectors rank them: the same top-10 and scores
    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(2000, 41)).astype(np.float32)  # padded to 48 inside
    ids = np.arange(2000, dtype=np.int64) * 5 + 3
    approximate = VectorIndex(hnsw_threshold=500).build(vectors, ids)
    exact = VectorIndex(hnsw_threshold=5000).build(vectors, ids)
    assert approximate.approximate_ and not exact.approximate_
    allowed = ids[rng.random(2000) < 0.3]
    for query in rng.normal(size=(20, 41)).astype(np.float32):
        got, scores = approximate.search(query, 10)
        want, want_scores = exact.search(query, 10)
        assert list(got[0]) == list(want[0])
        assert np.allclose(scores, want_scores, atol=1e-5)
        got, _ = approximate.search(query, 10, allowed)
        assert set(got[0]) <= set(allowed)
        assert list(got[0]) == list(exact.search(query, 10, allowed)[0][0])
        mask = np.isin(ids, allowed)  # the same limit as a boolean over the rows
        for index in (approximate, exact):
            assert np.array_equal(index.search(query, 10, mask=mask)[0], got)
    with pytest.raises(ValueError):
        exact.search(query, 10, mask=np.ones(3, dtype=bool))


def _placed(n: int, places: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectors whose first coordinates say their place (as the region block does), ids, places."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, places, n)
    vectors = rng.normal(size=(n, 41)).astype(np.float32)
    vectors[:, :places] += 1.5 * np.eye(places, dtype=np.float32)[groups]
    return vectors, np.arange(n, dtype=np.int64) * 3 + 1, groups


def test_an_index_built_with_places_keeps_each_list_to_one_place(tmp_path) -> None:  # type: ignore[no-untyped-def]
    vectors, ids, groups = _placed(3000, 12, 4)
    grouped = VectorIndex(hnsw_threshold=500).build(vectors, ids, groups)
    plain = VectorIndex(hnsw_threshold=500).build(vectors, ids)
    inner = grouped._group_inner  # the second IVF, by place
    assert inner is not None and grouped._by_group is not None
    for number in range(inner.nlist):  # every list holds one place
        size = inner.invlists.list_size(number)
        rows = index_module.faiss.rev_swig_ptr(inner.invlists.get_ids(number), size)
        assert len(set(groups[rows].tolist())) <= 1
    assert grouped.use_groups(groups) and not plain.use_groups(groups)
    # the unfiltered search keeps its lists of mixed places
    assert grouped.search(vectors[5], 1)[0][0][0] == ids[5]
    # a loaded index learns its lists' places again from the rows' places
    grouped.save(tmp_path / "g.faiss")
    assert (tmp_path / "g.faiss.groups").exists()
    loaded = VectorIndex.load(tmp_path / "g.faiss", vectors)
    assert loaded.use_groups(groups)
    assert not loaded.use_groups(np.zeros(3000, dtype=np.int64) + (np.arange(3000) % 2))
    with pytest.raises(ValueError):
        loaded.use_groups(groups[:10])
    with pytest.raises(ValueError):
        VectorIndex(hnsw_threshold=500).build(vectors, ids, -groups - 1)


@pytest.mark.parametrize("path", ["all kept lists", "centroids scored", "quantizer graph"])
def test_a_region_filter_scans_only_its_places_lists_and_finds_the_filtered_top(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "EXACT_POOL", 0)  # the lists, not the few-rows shortcut
    if path == "quantizer graph":
        monkeypatch.setattr(index_module, "HNSW_QUANTIZER_LISTS", 8)
        monkeypatch.setattr(index_module, "EXACT_LISTS", 0)
    vectors, ids, groups = _placed(6000, 12, 5)
    nprobe = 192 if path == "all kept lists" else 6
    grouped = VectorIndex(hnsw_threshold=500, nprobe=nprobe).build(vectors, ids, groups)
    exact = VectorIndex(hnsw_threshold=10**6).build(vectors, ids)
    keep = np.zeros(13, dtype=bool)  # 12 places and "names none"
    keep[[2, 7]] = True
    rng = np.random.default_rng(6)
    mask = keep[groups] & (rng.random(6000) > 0.05)  # two places, less a few exclusions
    found = []
    for query in rng.normal(size=(20, 41)).astype(np.float32):
        query[2] += 2  # an institution of place 2 ...
        got, scores = grouped.search(query, 10, mask=mask, groups=keep)
        want, want_scores = exact.search(query, 10, mask=mask)
        assert set(got[0].tolist()) <= set(ids[mask].tolist())
        if path == "all kept lists":  # every list of the two places scanned: exact
            assert list(got[0]) == list(want[0])
            assert np.allclose(scores, want_scores, atol=1e-5)
        found.append(len(set(got[0].tolist()) & set(want[0].tolist())) / 10)
    assert np.mean(found) >= 0.9
    # places that hold no list (a filter naming only places without projects) find nothing
    nowhere = np.zeros(13, dtype=bool)
    assert (grouped.search(query, 10, mask=mask, groups=nowhere)[0] == -1).all()
    # only the two places' lists were scanned (FAISS counts the lists a search visits)
    stats = index_module.faiss.cvar.indexIVF_stats
    stats.reset()
    grouped.search(query, 10, mask=mask, groups=keep)
    theirs = int(np.isin(grouped._list_group, [2, 7]).sum())
    assert grouped._group_inner is not None
    assert 0 < stats.nlist <= theirs and theirs < grouped._group_inner.nlist / 4
    # without groups the same search still keeps to the mask, scanning lists of every place
    stats.reset()
    got, _ = grouped.search(query, 10, mask=mask)
    assert set(got[0].tolist()) <= set(ids[mask].tolist())
    assert stats.nlist > theirs


def test_a_filter_that_keeps_a_few_rows_is_answered_exactly() -> None:
    vectors, ids, groups = _placed(3000, 12, 8)
    approximate = VectorIndex(hnsw_threshold=500, nprobe=1).build(vectors, ids, groups)
    exact = VectorIndex(hnsw_threshold=10**6).build(vectors, ids)
    mask = np.zeros(3000, dtype=bool)
    mask[::97] = True  # a session's 31 projects, spread over every list
    for query in np.random.default_rng(9).normal(size=(10, 41)).astype(np.float32):
        got, scores = approximate.search(query, 20, mask=mask)
        want, want_scores = exact.search(query, 20, mask=mask)
        assert list(got[0]) == list(want[0])
        assert np.allclose(scores, want_scores, atol=1e-5)
        got, _ = approximate.search(query, 20, allowed=ids[mask])
        assert list(got[0]) == list(want[0])


def test_index_round_trips_through_a_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(50, 16)).astype(np.float32)
    index = VectorIndex().build(vectors, np.arange(50, dtype=np.int64))
    index.save(tmp_path / "x.faiss")
    loaded = VectorIndex.load(tmp_path / "x.faiss")
    assert loaded.size == 50 and not loaded.approximate_
    assert list(loaded.search(vectors[3], 3)[0][0]) == list(index.search(vectors[3], 3)[0][0])


def test_bad_shapes_are_refused(space: CompositeSpace) -> None:
    with pytest.raises(ValueError):
        VectorIndex().build(np.zeros((3, 4), dtype=np.float32), np.arange(2))
    with pytest.raises(ValueError):
        space.encode_projects([STORAGE], np.zeros((1, TEXT_DIM + 1)))


def test_hard_region_filter_hides_other_provinces() -> None:
    columns = ProjectColumns.of([STORAGE, VIDEO, UNKNOWN])
    assert list(allowed_projects(columns, FUND, HardFilters())) == [True, False, True]
    assert list(allowed_projects(columns, FUND, HardFilters(region=False))) == [True] * 3
    assert list(allowed_projects(columns, INCUBATOR, HardFilters())) == [True] * 3  # 全国
    stage_hard = allowed_projects(columns, FUND, HardFilters(region=False, stage=True))
    assert list(stage_hard) == [True, False, True]
    ticket_hard = allowed_projects(columns, FUND, HardFilters(region=False, ticket=True))
    assert list(ticket_hard) == [True, False, True]


def test_diversity_spreads_near_copies() -> None:
    rng = np.random.default_rng(3)
    basis, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    base = basis[:, 0].astype(np.float32)
    copies = [base + 0.01 * basis[:, 1 + i].astype(np.float32) for i in range(5)]
    # others score 0.5 against the query and are not near each other
    others = [0.5 * base + np.sqrt(0.75) * basis[:, 6 + i].astype(np.float32) for i in range(5)]
    vectors = np.stack(copies + others).astype(np.float32)
    ids = np.arange(10, dtype=np.int64)
    index = VectorIndex().build(vectors, ids)
    plain = [i for i, _s in rank(index, base, 3)]
    assert set(plain) <= set(range(5))  # the top three are all near-copies
    spread = [
        i
        for i, _s in rank(index, base, 3, diversity=0.7, vectors={i: vectors[i] for i in range(10)})
    ]
    assert spread[0] in range(5) and len(set(spread) & set(range(5))) == 1
    assert rank(index, base, 2, offset=1) == rank(index, base, 3)[1:]


def test_reasons_read_as_sentences(space: CompositeSpace) -> None:
    p, q = encode(space)
    zh = [r.text("zh") for r in explain(space, STORAGE, FUND, p[0], q[0])]
    assert "行业契合：储能 ≈ 新能源" in zh
    assert "阶段匹配：A轮" in zh
    assert "额度在区间内：500万元（单笔300万元–3000万元）" in zh
    assert "地区：山西" in zh
    en = [r.text("en") for r in explain(space, STORAGE, FUND, p[0], q[0])]
    assert "Stage fits: Series A" in en and "Region: Shanxi" in en
    concerns = [r for r in explain(space, VIDEO, FUND, p[1], q[0]) if not r.positive]
    assert {r.block for r in concerns} == {"stage", "ticket", "region"}


def test_a_custom_taxonomy_needs_no_built_in_aliases() -> None:
    from matchmaker.embeddings.taxonomy import Taxonomy

    custom = Taxonomy((("software", "software", "software", "", ()),))
    assert custom.match_label("Software") == 0 and custom.match_label("仓储") is None
    with pytest.raises(ValueError):
        Taxonomy((("x", "x", "x", "", ()),), extra={"nope": ("y",)})


def test_the_core_the_thesis_names_outweighs_broad_extras() -> None:
    """A coal group's fund lists 煤矿智能化 beside 人工智能/物联网/机器人 and writes its thesis
    about mines: a mine project fits its sector block better than a generic AI one; without a
    thesis the four labels count alike."""
    space = CompositeSpace(TEXT_DIM)
    labels = ("煤矿智能化", "人工智能", "物联网", "机器人")
    thesis = "聚焦煤矿井下无人化与智能矿山改造，客户是大型煤企的矿井。"

    def sector_fit(with_thesis: bool, project_label: str) -> float:
        q = InstitutionProfile(1, sectors=labels, thesis=thesis if with_thesis else "")
        p = ProjectProfile(1, sectors=(project_label,))
        unit = np.zeros((1, TEXT_DIM), np.float32)
        qv = space.encode_institutions([q], unit)[0]
        pv = space.encode_projects([p], unit)[0]
        return space.fits(pv, qv)["sector"]

    mine, generic = sector_fit(True, "煤矿智能化"), sector_fit(True, "人工智能")
    assert mine > 1.5 * generic
    flat_mine, flat_generic = sector_fit(False, "煤矿智能化"), sector_fit(False, "人工智能")
    assert abs(flat_mine - flat_generic) < 0.1 * flat_mine
    assert space.focus_weights([("煤矿智能化", 0), ("人工智能", 1)], "") == [1.0, 1.0]


def test_follow_ons_come_first_and_pages_continue_after_them() -> None:
    """An investor's own portfolio companies head its shortlist; the next page picks up the
    ranking of the rest where the first left off."""
    from matchmaker.ranking.shortlist import held_first

    rest = [(10, 0.9), (11, 0.8), (12, 0.7), (13, 0.6)]

    def ranked(k: int, skip: int) -> list[tuple[int, float]]:
        return rest[skip : skip + k]

    held = [(20, 0.3), (21, 0.5)]
    assert held_first(held, 0, 3, ranked) == [(21, 0.5), (20, 0.3), (10, 0.9)]
    assert held_first(held, 3, 3, ranked) == [(11, 0.8), (12, 0.7), (13, 0.6)]
    assert held_first(held, 1, 2, ranked) == [(20, 0.3), (10, 0.9)]
    assert held_first([], 0, 2, ranked) == rest[:2]
