"""Regions down to county: places parsed into adcodes, targets honoured at city and county level."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matchmaker.embeddings import regions
from matchmaker.embeddings.divisions import chain, places_in, table


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("山西省太原市小店区", ["山西省", "太原市", "小店区"]),
        ("太原市", ["山西省", "太原市"]),
        ("小店区", ["山西省", "太原市", "小店区"]),
        ("大同", ["山西省", "大同市"]),  # a city and a county share the short name: the city
        ("山西平遥", ["山西省", "晋中市", "平遥县"]),
        ("北京朝阳区", ["北京市", "朝阳区"]),  # 朝阳区 is also in 长春: its neighbour decides
        ("長春市朝陽區", ["吉林省", "长春市", "朝阳区"]),
        ("吉林", ["吉林省"]),  # province and city: the level they share
    ],
)
def test_a_region_is_one_division_with_the_ones_above_it(text: str, names: list[str]) -> None:
    place = regions.place_of(text)
    assert place is not None
    assert [table()[c].name for c in chain(place)] == names


def test_an_ambiguous_or_unknown_name_is_no_division() -> None:
    assert regions.place_of("朝阳区") is None  # 北京 or 长春: nothing says which
    assert regions.place_of("火星基地") is None and places_in("") == ()
    # a county's short name inside other words is no place (建平县, 合作市 are counties)
    assert places_in("李建平") == () and places_in("技术合作") == ()
    assert [table()[c].name for c in places_in("阳曲")] == ["阳曲县"]


def test_institution_targets_at_every_level_and_groups() -> None:
    def names(*cells: str) -> set[str]:
        return {table()[c].name for c in regions.targets(cells)}

    assert names("阳曲县、清徐县") == {"阳曲县", "清徐县"}
    assert names("晋北") == {"大同市", "朔州市", "忻州市"}
    assert names("长三角") == {"上海市", "江苏省", "浙江省", "安徽省"}
    assert names("山西", "太原", "阳曲县") == {"山西省"}  # one inside another: the wider
    assert regions.is_nationwide(["全国"]) and not regions.is_nationwide(["临汾市"])


def test_fit_is_one_inside_half_above_and_zero_beside() -> None:
    county = regions.targets(["阳曲县"])
    assert regions.fit(regions.place_of("山西省太原市阳曲县") or 0, county) == 1.0
    assert regions.fit(regions.place_of("太原市") or 0, county) == 0.5
    assert regions.fit(regions.place_of("太原市小店区") or 0, county) == 0.0
    # the block's inner product is the same fit, for every kind of target at once
    cells = (["阳曲县"], ["临汾市"], ["晋北", "长三角"], ["山西"], ["全国"])
    places = regions.Places.of(cells)
    where = ["山西省太原市阳曲县", "太原市", "小店区", "山西", "临汾市尧都区", "大同", "杭州", ""]
    for cell in cells:
        covered = regions.targets(cell)
        for text in where:
            dot = float(places.project(text) @ places.institution(cell, 0.5))
            place = regions.place_of(text)
            expected = 0.5 if place is None else regions.fit(place, covered)
            if regions.is_nationwide(cell) and place is not None:
                expected = 1.0
            assert dot == pytest.approx(expected), (cell, text)


def test_without_city_or_county_targets_the_block_is_the_provinces() -> None:
    places = regions.Places.of([["山西"], ["长三角"]])
    assert places.dim == regions.DIM + 1
    assert np.flatnonzero(places.project("太原市小店区")).tolist() == [5]  # 山西


def shortlist(client: Any, headers: dict[str, str], code: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/institutions/{code}/shortlist?k=50", headers=headers)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def add(client: Any, headers: dict[str, str], code: str, region: str) -> None:
    body = {
        "id": code,
        "name": f"储能运维平台{code}",
        "track": "绿色经济",
        "sectors": ["储能"],
        "stage": "A轮",
        "funding_ask": 5_000_000,
        "region": region,
        "description": f"为新能源电站提供储能系统远程运维，编号{code}。",
    }
    response = client.post("/api/v1/projects", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()


PLACES = {
    "T-P701": "山西省太原市阳曲县",
    "T-P702": "清徐县",
    "T-P703": "山西省太原市小店区",
    "T-P704": "临汾市尧都区",
    "T-P705": "山西省临汾市",
}


def test_a_county_incubator_and_a_city_fund_see_only_their_places(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    for code, region in PLACES.items():
        add(client, organiser, code, region)
    # T-I01 becomes a county incubator, T-I03 a 临汾 city fund; both keep regions hard
    for code, cells in (("T-I01", ["阳曲县", "清徐县"]), ("T-I03", ["临汾市"])):
        response = client.patch(
            f"/api/v1/institutions/{code}", headers=organiser, json={"regions": cells}
        )
        assert response.status_code == 200 and response.get_json()["hard_region"] is True

    county = {i["project_id"]: i for i in shortlist(client, staff, "T-I01")["items"]}
    # not 小店区 (same city), not 太原市 (T-P001, county not said), not 大同/晋中/平遥/香港
    assert set(county) == {"T-P701", "T-P702"}
    assert "地区：阳曲县" in county["T-P701"]["reasons"]
    assert "地区：清徐县" in county["T-P702"]["reasons"]

    city = shortlist(client, staff, "T-I03")
    assert {i["project_id"] for i in city["items"]} == {"T-P704", "T-P705"}
    assert all("地区：临汾市" in i["reasons"] for i in city["items"])
    assert not any("地区：山西" in r for i in city["items"] for r in i["reasons"])


def test_soft_county_targets_rank_the_county_first_and_say_why(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    for code, region in PLACES.items():
        add(client, organiser, code, region)
    response = client.patch(
        "/api/v1/institutions/T-I01",
        headers=organiser,
        json={"regions": ["阳曲县"], "hard_region": False},
    )
    assert response.status_code == 200, response.get_json()
    items = {i["project_id"]: i for i in shortlist(client, staff, "T-I01")["items"]}
    assert "T-P703" in items  # soft: shown, lower
    assert items["T-P701"]["fits"]["region"] == pytest.approx(1.0)
    assert items["T-P001"]["fits"]["region"] == pytest.approx(0.5)  # 太原市: maybe 阳曲
    assert items["T-P703"]["fits"]["region"] == pytest.approx(0.0)
    assert items["T-P701"]["score"] > items["T-P703"]["score"]
    assert "地区不在关注范围：小店区" in items["T-P703"]["concerns"]
    assert "地区不在关注范围：临汾市" in items["T-P704"]["concerns"]
    # the shortlist's region filter works at city level too
    response = client.get("/api/v1/institutions/T-I01/shortlist?k=50&region=临汾", headers=staff)
    assert {i["project_id"] for i in response.get_json()["items"]} == {"T-P704", "T-P705"}
