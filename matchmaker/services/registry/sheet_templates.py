"""Blank registration sheets to fill in: the import's own headers and one example row.

The headers are the ones the export writes (so a template, once filled, imports back without a
mapping step), in Chinese or English; the example row uses the event's own sessions, so it
imports as it is and shows the organiser each column's expected shape (units, separators).
"""

from __future__ import annotations

from matchmaker.db.models import Event
from matchmaker.services.registry.registrations import spec_for
from matchmaker.services.registry.vocabulary import event_vocabulary
from matchmaker.tabular.write import write_table
from matchmaker.vocabulary import Vocabulary

# column key -> example cell (中文, English); a column without one is left empty in the example
_EXAMPLES: dict[str, dict[str, tuple[str, str]]] = {
    "projects": {
        "code": ("P001", "P001"),
        "name": ("智能矿山巡检机器人", "Mine inspection robot"),
        "credit_code": ("91350100M000100Y43", "91350100M000100Y43"),
        "sectors": ("机器人、智能制造", "robotics, smart manufacturing"),
        "stage": ("A轮", "Series A"),
        "funding_ask": ("800", "800"),
        "region": ("山西省长治市", "Changzhi, Shanxi"),
        "needs": ("资金、市场渠道", "Funding, Market channels"),
        "description": (
            "面向煤矿井下巡检的四足机器人，已在3座矿山试用。",
            "A legged robot for underground mine inspection, piloted in three mines.",
        ),
        "contact_name": ("张三", "Zhang San"),
        "contact_phone": ("13800000000", "13800000000"),
        "contact_email": ("zhangsan@example.com", "zhangsan@example.com"),
    },
    "institutions": {
        "code": ("I01", "I01"),
        "name": ("长治高新创业投资有限公司", "Changzhi Hi-tech Venture Capital"),
        "focus_sectors": ("智能制造、新能源", "smart manufacturing, new energy"),
        "stages": ("天使轮、A轮", "Angel, Series A"),
        "ticket_min": ("300", "300"),
        "ticket_max": ("3000", "3000"),
        "regions": ("山西", "Shanxi"),
        "thesis": (
            "投资本地先进制造与能源转型项目，偏好有订单的早期团队。",
            "Invests in local advanced manufacturing and energy transition; prefers early teams "
            "with orders.",
        ),
        "portfolio": ("某某智能（机器人，A轮）", "Acme Robotics (robotics, Series A)"),
        "contact_name": ("李四", "Li Si"),
        "contact_phone": ("13900000000", "13900000000"),
        "contact_email": ("lisi@example.com", "lisi@example.com"),
    },
}


def sheet_template(event: Event, kind: str, fmt: str, lang: str = "zh") -> bytes:
    """Return a CSV/XLSX with the ``kind`` sheet's headers (in ``lang``) and one example row."""
    spec = spec_for(kind)
    columns = [c for c in spec.columns if c.key != "ticket"]  # the export's columns
    examples = _EXAMPLES[kind]
    english = lang == "en"
    row: list[str] = []
    for column in columns:
        if column.key == "track":
            row.append(_example_term(event_vocabulary(event).tracks, lang))
        elif column.key == "group":
            row.append(_example_term(event_vocabulary(event).groups, lang))
        elif column.key == "type":
            row.append(_example_term(event_vocabulary(event).institution_types, lang))
        elif column.key == "sessions":
            row.append(event.sessions[0].code if event.sessions else "")
        else:
            zh, en = examples.get(column.key, ("", ""))
            row.append(en if english else zh)
    headers = [c.header_en if english else c.header_zh for c in columns]
    return write_table(headers, [row], fmt)


def _example_term(terms: Vocabulary, lang: str) -> str:
    """The event's first track (赛道), group or institution type, in ``lang``: a sheet using it
    imports into this event (an event without groups leaves the group empty)."""
    return terms.terms[0].label(lang) if len(terms) else ""
