"""Column specs for the registration sheets and the row validator that collects every problem."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from matchmaker.domain import (
    PENDING,
    YUAN_PER_WAN,
    YUAN_PER_YI,
    DropReason,
    IntentStatus,
    Labelled,
    Need,
    PortfolioEntry,
    Stage,
    check_name,
    is_pending_word,
    parse_amount,
    parse_amount_range,
    parse_id,
    parse_portfolio,
    split_multi,
)
from matchmaker.errors import InvalidInput, Problem
from matchmaker.identifiers import is_credit_code, is_id_number, normalise
from matchmaker.tabular.read import BadCell, Sheet
from matchmaker.text import fold, name_key
from matchmaker.vocabulary import DEFAULT_PRESET, NEEDS, PRESETS, EventVocabulary, Vocabulary

Parser = Callable[[Any, "Context"], Any]


@dataclass
class Context:
    """What a parser may need: the column's money unit, the event's session codes and its
    vocabulary (tracks, groups, institution types); a parser that accepts a value with a remark
    leaves it in ``warnings`` (row and column are filled in by :func:`parse_table`)."""

    unit: int = YUAN_PER_WAN
    sessions: dict[str, str] = field(default_factory=dict)  # folded code or name -> code
    vocabulary: EventVocabulary = field(default_factory=lambda: PRESETS[DEFAULT_PRESET])
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    """One logical column: its key, the headers it goes by, how to parse a cell."""

    key: str
    header_zh: str
    header_en: str
    parse: Parser
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must exist and every row must fill it
    money: bool = False

    def names(self) -> set[str]:
        """Return the folded header names that select this column."""
        return {header_key(n) for n in (self.key, self.header_zh, self.header_en, *self.aliases)}


@dataclass(frozen=True)
class TableSpec:
    """The columns of one kind of sheet."""

    kind: str
    columns: tuple[Column, ...]

    def header_names(self) -> set[str]:
        """Return every folded header name any column answers to."""
        return set().union(*(c.names() for c in self.columns))


@dataclass
class ParsedTable:
    """Rows that parsed, with their row numbers, and every problem found."""

    records: list[dict[str, Any]]
    problems: list[Problem]
    warnings: list[Problem]
    present: set[str]  # keys of the columns the file has
    partial: list[dict[str, Any]] = field(default_factory=list)  # rows with problems: what parsed
    headers: dict[str, str] = field(default_factory=dict)  # column key -> header as written


def header_key(name: str) -> str:
    """Return the folded form of a header that column names are matched on."""
    # "融资需求（万元）", "融资需求(万元)" and "融资需求" all select the same column
    return re.sub(r"\(.*?\)", "", fold(name)).replace("_", "").replace("-", "")


def _unit_from_header(header: str) -> int:
    folded = fold(header)
    if "(亿元)" in folded or "(亿)" in folded:
        return YUAN_PER_YI
    if "(元)" in folded or "(yuan)" in folded or folded.endswith("_yuan"):
        return 1
    return YUAN_PER_WAN


# ---- cell parsers: return the value or raise InvalidInput with a message code -------------


def text(limit: int) -> Parser:
    """Return a parser for free text up to ``limit`` characters (numbers are kept as written)."""

    def parse(value: Any, _ctx: Context) -> str:
        if value is None:
            return ""
        out = _number_text(value) if isinstance(value, int | float) else str(value).strip()
        if len(out) > limit:
            raise InvalidInput("import.too_long", limit=limit)
        return out

    return parse


def identifier(limit: int = 64) -> Parser:
    """Return a parser for a registration id: NFKC, then letters, digits, Chinese, - and _."""
    as_text = text(limit)

    def parse(value: Any, ctx: Context) -> str:
        return parse_id(as_text(value, ctx))

    return parse


def name_text(limit: int) -> Parser:
    """Return a parser for a one-line name: no line break, tab, bidi or zero-width character."""
    as_text = text(limit)

    def parse(value: Any, ctx: Context) -> str:
        return check_name(as_text(value, ctx))

    return parse


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


LABEL_LIMIT = 100  # characters in one label (a sector, a region)
COMPANY_LIMIT = 200  # characters in a portfolio company's name (its database column)


def labels(limit: int = 20) -> Parser:
    """Return a parser for a multi-valued cell of free labels."""

    def parse(value: Any, _ctx: Context) -> list[str]:
        items = split_multi(value)
        if len(items) > limit:
            raise InvalidInput("import.too_many", limit=limit)
        if any(len(i) > LABEL_LIMIT for i in items):
            raise InvalidInput("import.too_long", limit=LABEL_LIMIT)
        return items

    return parse


def choice(enum_cls: type[Labelled], code: str) -> Parser:
    """Return a parser for one member of a vocabulary (code, Chinese, English or alias)."""

    def parse(value: Any, _ctx: Context) -> Labelled | None:
        if value is None:
            return None
        try:
            return enum_cls.parse(value)
        except ValueError:
            raise InvalidInput(code, choices=enum_cls.choices()) from None

    return parse


def choices(enum_cls: type[Labelled], code: str) -> Parser:
    """Return a parser for several members of a vocabulary in one cell."""
    one = choice(enum_cls, code)

    def parse(value: Any, ctx: Context) -> list[Labelled]:
        out: list[Labelled] = []
        for item in split_multi(value):
            member = one(item, ctx)
            if member not in out:
                out.append(member)
        return out

    return parse


def term(attr: str, code: str) -> Parser:
    """Return a parser for a key of the event's ``attr`` list (``tracks``, ``groups``): a key,
    label or alias; ``code`` names the value and the event's list when it is none of them."""

    def parse(value: Any, ctx: Context) -> str | None:
        if value is None:
            return None
        terms: Vocabulary = getattr(ctx.vocabulary, attr)
        try:
            return terms.parse(value)
        except ValueError:
            raise InvalidInput(code, choices=terms.listing()) from None

    return parse


track = term("tracks", "import.bad_track")
group = term("groups", "import.bad_group")
institution_type = term("institution_types", "import.bad_institution_type")


def needs(value: Any, ctx: Context) -> list[str]:
    """Parse needs: each a known need (code, label or synonym: 贷款 is funding) or, if none,
    kept as written with a warning (an unusual need is no reason to refuse a sheet)."""
    out: list[str] = []
    items = split_multi(value)
    if len(items) > 20:
        raise InvalidInput("import.too_many", limit=20)
    for item in items:
        try:
            found = Need.parse(item).value
        except ValueError:
            if len(item) > LABEL_LIMIT:
                raise InvalidInput("import.too_long", limit=LABEL_LIMIT) from None
            found = item
            ctx.warnings.append(
                Problem("import.unknown_need", value=item, params={"choices": NEEDS.listing()})
            )
        if found not in out:
            out.append(found)
    return out


def amount(value: Any, ctx: Context) -> int | None:
    """Parse money in the column's unit to integer yuan."""
    return parse_amount(value, ctx.unit)


def amount_or_pending(value: Any, ctx: Context) -> int | str | None:
    """Parse money as :func:`amount` does, or return ``PENDING`` for 待定 / TBD (an amount
    still to be fixed, which the ledger keeps as such and the report counts apart)."""
    if is_pending_word(value):
        return PENDING
    return parse_amount(value, ctx.unit)


def amount_range(value: Any, ctx: Context) -> tuple[int | None, int | None]:
    """Parse a money range in the column's unit to integer yuan."""
    return parse_amount_range(value, ctx.unit)


def portfolio(value: Any, _ctx: Context) -> list[PortfolioEntry]:
    """Parse past investments (at most 100, each name and label within its column's size)."""
    entries = parse_portfolio(value)
    if len(entries) > 100:
        raise InvalidInput("import.too_many", limit=100)
    for entry in entries:
        if len(entry["company"]) > COMPANY_LIMIT:
            raise InvalidInput("import.portfolio_too_long", limit=COMPANY_LIMIT)
        if len(entry["sectors"]) > 20 or any(len(s) > LABEL_LIMIT for s in entry["sectors"]):
            raise InvalidInput("import.too_long", limit=LABEL_LIMIT)
    return entries


def sessions(value: Any, ctx: Context) -> list[str]:
    """Parse session codes or names against the event's sessions."""
    out: list[str] = []
    for item in split_multi(value):
        code = ctx.sessions.get(fold(item))
        if code is None:
            raise InvalidInput("import.bad_session", value=item)
        if code not in out:
            out.append(code)
    return out


def one_session(value: Any, ctx: Context) -> str | None:
    """Parse one session code or name against the event's sessions (empty: none)."""
    found = sessions(value, ctx)
    if len(found) > 1:
        raise InvalidInput("import.one_session")
    return found[0] if found else None


def credit_code(value: Any, _ctx: Context) -> str | None:
    """Parse a 统一社会信用代码 (empty: none), refusing one whose check character is wrong."""
    if value is None or str(value).strip() == "":
        return None
    code = normalise(str(value))
    if not is_credit_code(code):
        raise InvalidInput("import.bad_credit_code")
    return code


def id_number(value: Any, _ctx: Context) -> str | None:
    """Parse an 18-character 身份证号 (empty: none), refusing one whose check character is wrong."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float):  # a spreadsheet took the id for a number: its last digits are lost
        raise InvalidInput("import.bad_id_number")
    number = normalise(str(value))
    if "*" in number:  # a masked export (only organisers export ids whole) sent back
        raise InvalidInput("import.masked_id_number")
    if not is_id_number(number):
        raise InvalidInput("import.bad_id_number")
    return number


_DATE = re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$")
EXCEL_EPOCH = date(1899, 12, 30)


def day(value: Any, _ctx: Context) -> date | None:
    """Parse a calendar date: ``2026-12-08``, ``2026/12/8``, ``2026年12月8日``, an Excel date."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000 and float(value).is_integer():  # an Excel serial day
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise InvalidInput("import.bad_date")
    text = str(value).strip()
    text = text.split("T", 1)[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text
    match = _DATE.match(fold(text))
    if not match:
        raise InvalidInput("import.bad_date")
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise InvalidInput("import.bad_date") from None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: Any, _ctx: Context) -> str:
    """Parse an e-mail address (empty allowed)."""
    if value is None:
        return ""
    out = str(value).strip()
    if not _EMAIL.match(out) or len(out) > 200:
        raise InvalidInput("import.bad_email")
    return out


_CONTACTS = (
    Column("contact_name", "联系人", "contact_name", name_text(100), ("contact", "负责人")),
    Column(
        "contact_phone", "联系电话", "contact_phone", text(50), ("phone", "电话", "手机", "手机号")
    ),
    Column("contact_email", "电子邮箱", "contact_email", email, ("email", "邮箱", "e-mail")),
)

PROJECTS = TableSpec(
    "projects",
    (
        Column(
            "code",
            "报名编号",
            "id",
            identifier(64),
            ("项目编号", "编号", "registration_id", "code"),
            required=True,
        ),
        Column(
            "name",
            "项目名称",
            "name",
            name_text(200),
            ("名称", "project_name", "project"),
            required=True,
        ),
        Column(
            "track",
            "赛道",
            "track",
            track,
            ("参赛赛道",),
            required=True,
        ),
        Column("group", "组别", "group", group, ("参赛组别",)),
        Column("sectors", "行业领域", "sectors", labels(), ("行业", "领域", "所属行业", "sector")),
        Column(
            "stage",
            "阶段",
            "stage",
            choice(Stage, "import.bad_stage"),
            ("融资阶段", "轮次", "发展阶段", "融资轮次", "round"),
        ),
        Column(
            "funding_ask",
            "融资需求(万元)",
            "funding_ask_wan",
            amount,
            ("融资需求", "融资金额", "funding_ask", "funding_ask_yuan", "ask"),
            money=True,
        ),
        Column(
            "region", "所在地区", "region", text(200), ("地区", "所在地", "所在城市", "location")
        ),
        Column("needs", "需求", "needs", needs, ("对接需求", "需求类型")),
        Column(
            "description",
            "项目简介",
            "description",
            text(5000),
            ("简介", "项目介绍", "项目概述", "summary"),
        ),
        Column("sessions", "对接专场", "session", sessions, ("专场", "sessions")),
        *_CONTACTS,
        Column(
            "credit_code",
            "统一社会信用代码",
            "credit_code",
            credit_code,
            ("信用代码", "社会信用代码", "企业信用代码", "统一信用代码", "uscc"),
        ),
        Column(
            "leader_id",
            "负责人身份证号",
            "leader_id",
            id_number,
            ("负责人身份证号码", "负责人身份证", "身份证号", "身份证号码", "id_number"),
        ),
    ),
)

INSTITUTIONS = TableSpec(
    "institutions",
    (
        Column(
            "code",
            "机构编号",
            "id",
            identifier(64),
            ("编号", "institution_id", "code"),
            required=True,
        ),
        Column(
            "name",
            "机构名称",
            "name",
            name_text(200),
            ("名称", "institution", "institution_name"),
            required=True,
        ),
        Column(
            "type",
            "机构类型",
            "type",
            institution_type,
            ("类型", "institution_type"),
            required=True,
        ),
        Column(
            "focus_sectors",
            "关注领域",
            "focus_sectors",
            labels(),
            ("投资领域", "关注行业", "sectors"),
        ),
        Column(
            "stages",
            "投资阶段",
            "stages",
            choices(Stage, "import.bad_stage"),
            ("关注阶段", "投资轮次"),
        ),
        Column(
            "ticket",
            "单笔投资额(万元)",
            "ticket_wan",
            amount_range,
            ("单笔投资额", "投资额度", "ticket", "ticket_range"),
            money=True,
        ),
        Column(
            "ticket_min",
            "单笔投资额下限(万元)",
            "ticket_min_wan",
            amount,
            ("最低投资额", "ticket_min", "ticket_min_yuan"),
            money=True,
        ),
        Column(
            "ticket_max",
            "单笔投资额上限(万元)",
            "ticket_max_wan",
            amount,
            ("最高投资额", "ticket_max", "ticket_max_yuan"),
            money=True,
        ),
        Column("regions", "关注地区", "regions", labels(), ("投资地区", "地区", "region")),
        Column("thesis", "投资逻辑", "thesis", text(5000), ("投资理念", "投资策略", "投资方向")),
        Column("portfolio", "已投项目", "portfolio", portfolio, ("投资案例", "代表案例")),
        Column("sessions", "参加专场", "sessions", sessions, ("对接专场", "专场", "session")),
        *_CONTACTS,
    ),
)


INTENTS = TableSpec(
    "intents",
    (
        Column(
            "project",
            "项目编号",
            "project_id",
            identifier(64),
            ("报名编号", "项目id", "project", "project_code"),
            required=True,
        ),
        Column(
            "institution",
            "机构编号",
            "institution_id",
            identifier(64),
            ("机构id", "institution", "institution_code"),
            required=True,
        ),
        Column("session", "专场", "session", one_session, ("对接专场", "session_code")),
        Column(
            "status",
            "状态",
            "status",
            choice(IntentStatus, "import.bad_intent_status"),
            ("意向状态", "进展", "当前状态"),
            required=True,
        ),
        Column(
            "amount",
            "金额(万元)",
            "amount_wan",
            amount,
            ("金额", "意向金额", "签约金额", "意向投资额", "amount", "amount_yuan"),
            money=True,
        ),
        Column("signed_at", "签约日期", "signed_at", day, ("签约时间", "签署日期", "date")),
        Column("signatories", "签约人", "signatories", name_text(300), ("签约代表", "签署人")),
        Column(
            "invested_amount",
            "落地金额(万元)",
            "invested_amount_wan",
            amount_or_pending,
            ("落地金额", "到位金额", "实际投资额", "invested_amount", "invested_amount_yuan"),
            money=True,
        ),
        Column("invested_at", "落地日期", "invested_at", day, ("到位日期", "投资日期")),
        Column(
            "drop_reason",
            "终止原因",
            "drop_reason",
            choice(DropReason, "import.bad_drop_reason"),
            ("放弃原因",),
        ),
        Column("note", "备注", "note", text(5000), ("说明", "notes", "remark")),
        Column("reason", "变更原因", "reason", text(500), ("修改原因", "change_reason")),
    ),
)


def parse_table(
    sheet: Sheet,
    spec: TableSpec,
    session_codes: dict[str, str] | None = None,
    vocabulary: EventVocabulary | None = None,
) -> ParsedTable:
    """Validate every row of ``sheet`` against ``spec``; never stops at the first problem.

    Each record is a dict of column keys plus ``_row``. Problems carry row, header and value.
    Tracks, groups and institution types are checked against ``vocabulary`` (the event's; the
    中国创翼 preset when None).
    """
    problems: list[Problem] = []
    warnings: list[Problem] = list(sheet.warnings)
    if not sheet.headers:
        return ParsedTable([], [Problem("import.empty")], warnings, set())

    by_name: dict[str, Column] = {}
    for column in spec.columns:
        for header_name in column.names():
            by_name.setdefault(header_name, column)
    mapping: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        known = by_name.get(header_key(header))
        if known is None:
            warnings.append(Problem("import.unknown_column", row=sheet.header_row, column=header))
            continue
        if known.key in seen:
            problems.append(Problem("import.duplicate_column", row=sheet.header_row, column=header))
            continue
        seen[known.key] = index
        mapping[index] = known
    present = set(seen)
    for column in spec.columns:
        if column.required and column.key not in present:
            label = f"{column.header_zh} / {column.header_en}"
            problems.append(Problem("import.missing_column", column=label))
    if problems:
        return ParsedTable([], problems, warnings, present)
    if not sheet.rows:
        return ParsedTable([], [Problem("import.empty")], warnings, present)

    contexts = {
        index: Context(
            unit=_unit_from_header(sheet.headers[index]) if column.money else YUAN_PER_WAN,
            sessions=session_codes or {},
            vocabulary=vocabulary if vocabulary is not None else PRESETS[DEFAULT_PRESET],
        )
        for index, column in mapping.items()
    }
    records: list[dict[str, Any]] = []
    partial: list[dict[str, Any]] = []
    first_seen: dict[str, int] = {}
    names_seen: dict[str, int] = {}  # names are unique in an event (services/registry/names.py)
    # a parser's remarks, one per (code, column, value) with the rows it was made on
    notes: dict[tuple[str, str, str], tuple[Problem, list[int]]] = {}
    for row_number, cells in sheet.rows:
        record: dict[str, Any] = {"_row": row_number}
        row_ok = True
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            header = sheet.headers[index]
            if isinstance(raw, BadCell):  # a formula without its result, a control character
                problems.append(Problem(raw.code, row_number, header, raw.value, raw.params))
                row_ok = False
                continue
            if column.required and raw in (None, ""):
                problems.append(Problem("import.required", row=row_number, column=header))
                row_ok = False
                continue
            ctx = contexts[index]
            try:
                record[column.key] = column.parse(raw, ctx)
            except InvalidInput as exc:
                problems.append(
                    Problem(exc.code, row=row_number, column=header, value=raw, params=exc.params)
                )
                row_ok = False
            for note in ctx.warnings:
                notes.setdefault((note.code, header, str(note.value)), (note, []))[1].append(
                    row_number
                )
            ctx.warnings.clear()
        code = record.get("code")
        if code is not None and code in first_seen:
            problems.append(
                Problem(
                    "import.duplicate_id",
                    row=row_number,
                    column=_header_of(sheet, seen, "code"),
                    value=code,
                    params={"first_row": first_seen[code]},
                )
            )
            continue
        if code is not None:
            first_seen[code] = row_number
        name = record.get("name") if spec.kind in ("projects", "institutions") else None
        if name is not None and name_key(name) in names_seen:
            problems.append(
                Problem(
                    "import.duplicate_name",
                    row=row_number,
                    column=_header_of(sheet, seen, "name"),
                    value=name,
                    params={"first_row": names_seen[name_key(name)]},
                )
            )
            row_ok = False
        elif name is not None:
            names_seen[name_key(name)] = row_number
        if not row_ok:
            partial.append(record)
            continue
        problems.extend(_cross_checks(spec, record, sheet, seen))
        records.append(record)
    warnings.extend(_gathered(notes))
    headers = {key: sheet.headers[index] for key, index in seen.items()}
    return ParsedTable(records, problems, warnings, present, partial, headers)


ROWS_NAMED = 10  # rows a gathered warning names; the rest are counted


def _gathered(notes: dict[tuple[str, str, str], tuple[Problem, list[int]]]) -> list[Problem]:
    """Return one warning per remark, at its first row, naming the rows it was made on (an
    unusual need written on 300 rows is one line of the report, not 300)."""
    out = []
    for (_code, header, _value), (note, rows) in notes.items():
        named = ", ".join(str(r) for r in rows[:ROWS_NAMED])
        if len(rows) > ROWS_NAMED:
            named += f" …(+{len(rows) - ROWS_NAMED})"
        params = {**note.params, "rows": named, "count": len(rows)}
        out.append(replace(note, row=rows[0], column=header, params=params))
    return out


def _header_of(sheet: Sheet, seen: dict[str, int], key: str) -> str:
    return sheet.headers[seen[key]] if key in seen else key


def _cross_checks(
    spec: TableSpec, record: dict[str, Any], sheet: Sheet, seen: dict[str, int]
) -> Iterable[Problem]:
    if spec.kind != "institutions":
        return []
    low, high = record.pop("ticket", (None, None))
    if "ticket_min" in record and record["ticket_min"] is not None:
        low = record["ticket_min"]
    if "ticket_max" in record and record["ticket_max"] is not None:
        high = record["ticket_max"]
    record["ticket_min"], record["ticket_max"] = low, high
    if low is not None and high is not None and low > high:
        column = next((k for k in ("ticket", "ticket_max", "ticket_min") if k in seen), "ticket")
        return [
            Problem(
                "field.range_inverted",
                row=record["_row"],
                column=_header_of(sheet, seen, column),
                value=f"{low}>{high}",
            )
        ]
    return []
