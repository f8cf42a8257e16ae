"""A profile edited on its page reaches the next shortlist, with the real encoder and no rebuild.

Every flush that changes a registration moves its event's ``registrations_version``
(``db/versioning.py``); the Matcher compares that stamp on each shortlist and rebuilds the
event's state when it moved (``services/matching/state.py``), re-encoding only the texts that
changed (``text_vectors`` by hash). So nobody runs ``index rebuild`` after an edit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests_support import CSRF, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import Event

ENERGY = (
    "面向工商业储能电站和新型电力系统的储能变流器与能量管理系统，"
    "已在山西三个源网荷储一体化园区投运。"
)


def shortlist(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/v1/institutions/T-I01/shortlist?k=10", headers=headers)
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def version(factory: Any) -> int:
    with transaction(factory) as db:
        return int(db.scalar(select(Event.registrations_version)) or 0)


def test_a_description_edited_on_the_page_moves_the_project_up_the_next_shortlist(
    client: Any, accounts: Any, factory: Any
) -> None:
    investor = accounts.headers("investor")
    before = shortlist(client, investor)
    codes = [item["project_id"] for item in before]
    rank, score = codes.index("T-P002"), before[codes.index("T-P002")]["fits"]["text"]
    assert rank > 0  # an eldercare robot is not what an energy fund looks for first
    stamp = version(factory)
    sign_in(client, factory, "entrant_b")
    saved = client.post("/projects/T-P002/edit", data={"csrf": CSRF, "description": ENERGY})
    assert saved.status_code == 303
    assert version(factory) > stamp  # the edit moved the event's stamp: every process sees it
    after = shortlist(client, investor)
    moved = [item["project_id"] for item in after]
    assert moved.index("T-P002") < rank
    assert after[moved.index("T-P002")]["fits"]["text"] > score
