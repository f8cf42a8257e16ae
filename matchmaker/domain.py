"""Value objects and vocabularies: stages, tracks, needs, institution types, money parsing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache, lru_cache
from typing import Self, TypedDict
from zoneinfo import ZoneInfo

from matchmaker.errors import InvalidInput, Problem
from matchmaker.text import (
    chinese_number,
    fold,
    fold_width,
    name_char,
    normalise_id,
    to_simplified,
)

# How a long step reports how far it got (a terminal bar, a job's record).
Progress = Callable[[int, int], None]  # (done, total): items written, profiles encoded
StageProgress = Callable[[str, float], None]  # (stage, fraction of the time limit): the solver

# Times are stored in UTC and shown in the competition's time zone.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_minute(moment: datetime) -> str:
    """Return an aware ``moment`` as people at the venue read it: ``2026-12-08 09:20``."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


YUAN_PER_WAN = 10_000
YUAN_PER_YI = 100_000_000


class Labelled(StrEnum):
    """A string enum whose members carry a Chinese and an English label and accept aliases."""

    def label(self, lang: str = "zh") -> str:
        """Return the display label in ``lang``."""
        zh, en = _LABELS[type(self).__name__][self.value]
        return en if lang == "en" else zh

    @classmethod
    def choices(cls, lang: str = "zh") -> str:
        """Return the labels joined for an error message."""
        sep = ", " if lang == "en" else "、"
        return sep.join(m.label(lang) for m in cls)

    @classmethod
    def parse(cls, raw: object) -> Self:
        """Return the member named by ``raw`` (code, label or alias); ValueError if none."""
        member = _lookup(cls).get(_key(raw))
        if not isinstance(member, cls):  # None: no such name (the table holds only cls members)
            raise ValueError(f"unknown {cls.__name__}: {raw!r}")
        return member


def aliases_of(member: Labelled) -> tuple[str, ...]:
    """Return the other names ``member`` answers to (besides its code and labels)."""
    return _ALIASES.get(type(member).__name__, {}).get(member.value, ())


@cache
def _lookup(cls: type[Labelled]) -> dict[str, Labelled]:
    """Return every folded name of every member of ``cls`` → the member (built once per class)."""
    table: dict[str, Labelled] = {}
    for member in cls:
        zh, en = _LABELS[cls.__name__][member.value]
        for name in (member.value, zh, en, *_ALIASES.get(cls.__name__, {}).get(member.value, ())):
            table.setdefault(_key(name), member)
    return table


class Stage(Labelled):
    """Funding stage, ordered from idea to B round and later."""

    IDEA = "idea"
    SEED = "seed"
    ANGEL = "angel"
    PRE_A = "pre_a"
    A = "a"
    B_PLUS = "b_plus"

    @property
    def rank(self) -> int:
        """Return the position on the ladder (idea = 0)."""
        return list(Stage).index(self)


class Track(Labelled):
    """Competition track (赛道)."""

    ADVANCED_MANUFACTURING = "advanced_manufacturing"
    MODERN_SERVICES = "modern_services"
    RURAL_REVITALIZATION = "rural_revitalization"
    SILVER_ECONOMY = "silver_economy"
    GREEN_ECONOMY = "green_economy"
    MICRO_AV_CREATIVE = "micro_av_creative"


class Group(Labelled):
    """Entry group: enterprise or maker."""

    ENTERPRISE = "enterprise"
    MAKER = "maker"


class Need(Labelled):
    """What a project asks for besides (or instead of) money."""

    FUNDING = "funding"
    VENUE = "venue"
    TECHNOLOGY = "technology"
    MARKET = "market"
    TALENT = "talent"
    POLICY = "policy"
    TRAINING = "training"


class InstitutionType(Labelled):
    """Kind of institution at the table."""

    VC = "vc"
    ANGEL = "angel"
    CORPORATE = "corporate"
    GOVERNMENT_FUND = "government_fund"
    BANK = "bank"
    INCUBATOR = "incubator"


class SessionKind(Labelled):
    """Kind of matchmaking session."""

    LOCAL = "local"
    NATIONAL = "national"
    ALUMNI = "alumni"
    ROADSHOW = "roadshow"
    OTHER = "other"


class Role(Labelled):
    """Who a user is."""

    ORGANISER = "organiser"
    STAFF = "staff"
    INVESTOR = "investor"
    ENTRANT = "entrant"


class IntentStatus(Labelled):
    """The intent ladder (ARCHITECTURE §2)."""

    WATCHING = "watching"
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    DUE_DILIGENCE = "due_diligence"
    INVESTED = "invested"
    DROPPED = "dropped"


class RequestStatus(Labelled):
    """Life of a meeting request."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class MeetingStatus(Labelled):
    """Life of a meeting in an agenda."""

    REQUESTED = "requested"  # a pending booking holds its slot until decided or expired
    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class AgendaStatus(Labelled):
    """Whether a session's agenda is still being built or has been shown to the parties."""

    DRAFT = "draft"
    PUBLISHED = "published"


class Verdict(Labelled):
    """An investor's verdict on a shortlisted project."""

    LIKE = "like"
    PASS = "pass"


class DueDiligenceStatus(Labelled):
    """Life of a due-diligence task."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class LandingKind(Labelled):
    """A landing that is not an investment (投资落地 lives on the intent ladder)."""

    RELOCATION = "relocation"  # 落户: the project registers or moves to the place
    PARK = "park"  # 入驻园区: it moves into a park or base
    COOPERATION = "cooperation"  # 合作: a loan, space, equipment or orders, with a value or not


class CooperationKind(Labelled):
    """What a 合作 landing brings."""

    LOAN = "loan"
    SPACE = "space"
    EQUIPMENT = "equipment"
    ORDERS = "orders"


class TaskKind(Labelled):
    """What a follow-up task is: due diligence with an institution, or a service's own task."""

    DUE_DILIGENCE = "due_diligence"
    LOAN_MATCHING = "loan_matching"
    SETTLING_IN = "settling_in"
    TRAINING = "training"
    POLICY_APPLICATION = "policy_application"


SERVICE_TASKS = frozenset(k for k in TaskKind if k != TaskKind.DUE_DILIGENCE)


class DropReason(Labelled):
    """Why an intent ended (终止原因); the free-text detail goes beside it."""

    VALUATION = "valuation"
    TERMS = "terms"
    STAGE_MISMATCH = "stage_mismatch"
    SECTOR_MISMATCH = "sector_mismatch"
    DUE_DILIGENCE_FAILED = "due_diligence_failed"
    PROJECT_WITHDREW = "project_withdrew"
    INSTITUTION_WITHDREW = "institution_withdrew"
    FUNDED_ELSEWHERE = "funded_elsewhere"
    NO_CONTACT = "no_contact"
    OTHER = "other"


class JobKind(Labelled):
    """Background work a worker (or the request itself, with no queue configured) carries out."""

    INDEX_REBUILD = "index.rebuild"
    AGENDA_BUILD = "agenda.build"


class JobStatus(Labelled):
    """Where a background job is: waiting, running, finished or failed (with its reason)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class NoticeKind(Labelled):
    """What a notice (通知) is about; each person chooses channels, and may mute the kinds that
    :data:`MUTABLE_KINDS` lists, never the others (a security notice always goes out)."""

    REQUEST_RECEIVED = "request_received"
    REQUEST_ACCEPTED = "request_accepted"
    REQUEST_DECLINED = "request_declined"
    REQUEST_WITHDRAWN = "request_withdrawn"
    REQUEST_EXPIRED = "request_expired"
    AGENDA_PUBLISHED = "agenda_published"
    MEETINGS_CHANGED = "meetings_changed"
    REMINDER = "reminder"
    BROADCAST = "broadcast"
    TASK_DUE = "task_due"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    TEST = "test"
    NO_SHOW = "no_show"  # to organisers: a party did not come; a repair is offered
    LATE_REPORTED = "late_reported"  # to organisers: a party says it will be late


class Channel(Labelled):
    """Where a notice is delivered besides the in-app list (which every notice is on)."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    SMS = "sms"


# Kinds a person may unsubscribe from with one click; security notices are never among them.
MUTABLE_KINDS = frozenset({NoticeKind.REMINDER, NoticeKind.BROADCAST})
SECURITY_KINDS = frozenset({NoticeKind.INVITATION, NoticeKind.PASSWORD_RESET, NoticeKind.TEST})


_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "Stage": {
        "idea": ("创意", "Idea"),
        "seed": ("种子轮", "Seed"),
        "angel": ("天使轮", "Angel"),
        "pre_a": ("Pre-A轮", "Pre-A"),
        "a": ("A轮", "Series A"),
        "b_plus": ("B轮及以后", "Series B+"),
    },
    "Track": {
        "advanced_manufacturing": ("先进制造", "Advanced manufacturing"),
        "modern_services": ("现代服务", "Modern services"),
        "rural_revitalization": ("乡村振兴", "Rural revitalisation"),
        "silver_economy": ("银发经济", "Silver economy"),
        "green_economy": ("绿色经济", "Green economy"),
        "micro_av_creative": ("微视听创意", "Micro audio-visual & creative"),
    },
    "Group": {"enterprise": ("企业组", "Enterprise"), "maker": ("创客组", "Maker")},
    "Need": {
        "funding": ("资金", "Funding"),
        "venue": ("场地", "Premises"),
        "technology": ("技术合作", "Technology partners"),
        "market": ("市场渠道", "Market channels"),
        "talent": ("人才", "Talent"),
        "policy": ("政策咨询", "Policy advice"),
        "training": ("培训", "Training"),
    },
    "InstitutionType": {
        "vc": ("风险投资", "Venture capital"),
        "angel": ("天使投资", "Angel investor"),
        "corporate": ("产业资本", "Corporate capital"),
        "government_fund": ("政府引导基金", "Government guidance fund"),
        "bank": ("银行", "Bank"),
        "incubator": ("孵化器", "Incubator"),
    },
    "SessionKind": {
        "local": ("本地专场", "Local session"),
        "national": ("全国专场", "National session"),
        "alumni": ("往届项目专场", "Past entrants' session"),
        "roadshow": ("路演专场", "Roadshow session"),
        "other": ("其他专场", "Other session"),
    },
    "Role": {
        "organiser": ("组委会", "Organiser"),
        "staff": ("服务中心工作人员", "Staff"),
        "investor": ("投资机构", "Investor"),
        "entrant": ("参赛项目", "Entrant"),
    },
    "IntentStatus": {
        "watching": ("关注", "Watching"),
        "negotiating": ("意向洽谈", "Negotiating"),
        "signed": ("签约意向", "Signed"),
        "due_diligence": ("尽调", "Due diligence"),
        "invested": ("投资落地", "Invested"),
        "dropped": ("终止", "Dropped"),
    },
    "RequestStatus": {
        "pending": ("待确认", "Pending"),
        "accepted": ("已接受", "Accepted"),
        "declined": ("已拒绝", "Declined"),
        "expired": ("已过期", "Expired"),
        "cancelled": ("已取消", "Cancelled"),
    },
    "MeetingStatus": {
        "requested": ("待确认", "Awaiting reply"),
        "scheduled": ("已安排", "Scheduled"),
        "held": ("已举行", "Held"),
        "no_show": ("未到场", "No-show"),
        "cancelled": ("已取消", "Cancelled"),
    },
    "NoticeKind": {
        "request_received": ("收到会见预约", "Meeting request received"),
        "request_accepted": ("预约已接受", "Request accepted"),
        "request_declined": ("预约被谢绝", "Request declined"),
        "request_withdrawn": ("预约已撤回", "Request withdrawn"),
        "request_expired": ("预约已过期", "Request expired"),
        "agenda_published": ("议程发布", "Agenda published"),
        "meetings_changed": ("会见变动", "Meetings changed"),
        "reminder": ("赛程提醒", "Reminders"),
        "broadcast": ("主办方通知", "Organiser's announcements"),
        "task_due": ("尽调任务到期", "Due-diligence tasks due"),
        "invitation": ("账号邀请", "Account invitation"),
        "password_reset": ("重设密码", "Password reset"),
        "test": ("测试消息", "Test message"),
        "no_show": ("未到场", "No-shows"),
        "late_reported": ("迟到报备", "Late arrivals reported"),
    },
    "Channel": {
        "email": ("电子邮件", "E-mail"),
        "webhook": ("Webhook", "Webhook"),
        "sms": ("短信", "SMS"),
    },
    "JobKind": {
        "index.rebuild": ("重建匹配索引", "Index rebuild"),
        "agenda.build": ("生成议程", "Agenda build"),
    },
    "JobStatus": {
        "queued": ("排队中", "Queued"),
        "running": ("进行中", "Running"),
        "done": ("已完成", "Done"),
        "failed": ("失败", "Failed"),
    },
    "AgendaStatus": {"draft": ("草稿", "Draft"), "published": ("已发布", "Published")},
    "Verdict": {"like": ("感兴趣", "Interested"), "pass": ("不合适", "Pass")},
    "DueDiligenceStatus": {
        "open": ("进行中", "Open"),
        "done": ("已完成", "Done"),
        "cancelled": ("已取消", "Cancelled"),
    },
    "LandingKind": {
        "relocation": ("落户", "Relocation"),
        "park": ("入驻园区", "Moved into a park"),
        "cooperation": ("合作", "Cooperation"),
    },
    "CooperationKind": {
        "loan": ("贷款", "Loan"),
        "space": ("场地", "Space"),
        "equipment": ("设备", "Equipment"),
        "orders": ("订单", "Orders"),
    },
    "TaskKind": {
        "due_diligence": ("尽调", "Due diligence"),
        "loan_matching": ("贷款对接", "Loan matching"),
        "settling_in": ("入驻", "Settling in"),
        "training": ("培训", "Training"),
        "policy_application": ("政策申报", "Policy application"),
    },
    "DropReason": {
        "valuation": ("估值分歧", "Valuation gap"),
        "terms": ("条款未谈拢", "Terms not agreed"),
        "stage_mismatch": ("阶段不符", "Stage mismatch"),
        "sector_mismatch": ("行业不符", "Sector mismatch"),
        "due_diligence_failed": ("尽调未通过", "Failed due diligence"),
        "project_withdrew": ("项目方放弃", "Project withdrew"),
        "institution_withdrew": ("机构放弃", "Institution withdrew"),
        "funded_elsewhere": ("已获其他融资", "Funded elsewhere"),
        "no_contact": ("失去联系", "Lost contact"),
        "other": ("其他", "Other"),
    },
}

_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "Stage": {
        "idea": ("创意期", "创意阶段", "概念", "概念期", "idea stage", "pre-seed"),
        "seed": ("种子", "种子期", "seed round"),
        "angel": ("天使", "天使期", "angel round", "天使+", "天使+轮"),
        "pre_a": ("pre-a", "prea", "pre a", "pre-a round", "a轮前"),
        "a": ("a", "a+", "a+轮", "a round", "series a", "series-a"),
        "b_plus": (
            "b",
            "b轮",
            "b+",
            "b+轮",
            "c",
            "c轮",
            "c轮及以后",
            "d轮",
            "pre-ipo",
            "series b",
            "series c",
            "series d",
            "b round",
            "c round",
            "b轮以后",
        ),
    },
    "Track": {
        "advanced_manufacturing": ("先进制造业", "制造"),
        "modern_services": ("现代服务业", "服务"),
        "rural_revitalization": ("乡村振兴类",),
        "silver_economy": ("银发", "养老"),
        "green_economy": ("绿色", "绿色低碳"),
        "micro_av_creative": ("微视听", "微视听创意类", "creative"),
    },
    "Group": {"enterprise": ("企业",), "maker": ("创客",)},
    # Sheets name needs as entrants say them: a bank's loan is funding, 政策申报 is help with
    # policy, an order (订单) is a market channel. A need none of these names is kept as written.
    "Need": {
        "funding": (
            "融资",
            "资金需求",
            "融资需求",
            "贷款",
            "银行贷款",
            "信贷",
            "借款",
            "股权融资",
            "债权融资",
            "投资",
            "money",
            "investment",
            "capital",
            "loan",
            "loans",
            "financing",
        ),
        "venue": (
            "场地需求",
            "办公场地",
            "厂房",
            "办公空间",
            "场地支持",
            "venue",
            "space",
            "office",
        ),
        "technology": (
            "技术",
            "技术合作需求",
            "技术转化",
            "成果转化",
            "技术支持",
            "产学研",
            "产学研合作",
            "tech",
            "technology",
        ),
        "market": (
            "市场",
            "渠道",
            "市场拓展",
            "订单",
            "销售渠道",
            "客户",
            "客户资源",
            "市场推广",
            "market",
            "channels",
            "sales",
            "orders",
        ),
        "talent": ("人才需求", "招聘", "人才引进", "用工", "hiring", "people"),
        "policy": ("政策", "政策支持", "政策申报", "项目申报", "政策对接", "政策扶持", "policy"),
        "training": ("培训需求", "辅导", "创业培训", "创业辅导", "导师", "mentoring", "training"),
    },
    "InstitutionType": {
        "vc": ("vc", "创投", "风投", "创业投资", "venture"),
        "angel": ("天使", "天使基金", "angel"),
        "corporate": ("cvc", "产业基金", "产业投资", "企业投资", "corporate venture"),
        "government_fund": ("引导基金", "政府基金", "政府投资基金", "government fund"),
        "bank": ("银行机构", "科技支行", "bank"),
        "incubator": ("众创空间", "加速器", "孵化机构", "incubator", "accelerator"),
    },
    "Verdict": {"like": ("喜欢", "interested", "yes"), "pass": ("不感兴趣", "no", "skip")},
    "IntentStatus": {
        "watching": ("关注中", "watch", "follow"),
        "negotiating": ("洽谈", "洽谈中", "意向洽谈中", "negotiation", "in talks"),
        "signed": ("签约", "已签约", "签约意向", "签署意向", "已签意向", "intent signed"),
        "due_diligence": ("尽职调查", "入场评估考察", "考察", "评估考察", "dd", "diligence"),
        "invested": ("落地", "已落地", "投资到位", "landed", "closed"),
        "dropped": ("终止", "已终止", "放弃", "drop", "terminated"),
    },
    "DueDiligenceStatus": {
        "open": ("待办", "进行", "todo", "pending"),
        "done": ("完成", "closed"),
        "cancelled": ("取消", "canceled"),
    },
    "DropReason": {"other": ("其它",)},
    "LandingKind": {"relocation": ("落地落户", "relocated"), "park": ("入园", "入驻", "park")},
    "TaskKind": {"due_diligence": ("入场评估考察", "尽职调查", "dd")},
    "SessionKind": {
        "local": ("本地", "local"),
        "national": ("全国", "national"),
        "alumni": ("往届", "往届参赛项目专场", "alumni", "past entrants"),
        "roadshow": ("路演", "项目路演", "road show", "roadshow"),
    },
}


def _key(raw: object) -> str:
    return _folded_key(str(raw or ""))


@lru_cache(maxsize=4096)  # a sheet repeats a handful of labels on every row
def _folded_key(text: str) -> str:
    return fold(text).replace("_", "").replace("-", "")


def parse_id(raw: object, field: str = "id") -> str:
    """Return a registration id or an event or session code, NFKC-normalised and trimmed.

    Raises :class:`InvalidInput` (``field.bad_id``, naming ``field`` and the character) if it
    holds anything but ASCII letters and digits, Chinese characters, ``-`` and ``_``.
    """
    text, bad = normalise_id(str(raw))
    if bad is not None:
        problem = Problem("field.bad_id", column=field, value=raw, params={"char": bad})
        raise InvalidInput("field.bad_id", [problem], char=bad)
    return text


def check_name(raw: str, field: str = "name") -> str:
    """Return ``raw`` if it is fit for a one-line name (no line break, tab, control, bidi or
    zero-width character); else :class:`InvalidInput` (``field.bad_name_char``) naming ``field``.
    """
    bad = name_char(raw)
    if bad is not None:
        problem = Problem("field.bad_name_char", column=field, value=raw, params={"char": bad})
        raise InvalidInput("field.bad_name_char", [problem], char=bad)
    return raw


_SPLIT = re.compile(r"[|｜、，,;；\n]+")


def split_multi(raw: object) -> list[str]:
    """Split a multi-valued cell on ``| 、 ， , ; ；`` and newlines; trim, drop empties, dedupe."""
    if raw is None:
        return []
    seen: dict[str, None] = {}
    for part in _SPLIT.split(str(raw)):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


_UNITS: dict[str, int] = {
    "": 0,  # the column's default unit
    "元": 1,
    "块": 1,
    "rmb": 1,
    "cny": 1,
    "yuan": 1,
    "万": YUAN_PER_WAN,
    "万元": YUAN_PER_WAN,
    "w": YUAN_PER_WAN,
    "wan": YUAN_PER_WAN,
    "十万": 100_000,
    "百万": 1_000_000,
    "百万元": 1_000_000,
    "千万": 10_000_000,
    "千万元": 10_000_000,
    "亿": YUAN_PER_YI,
    "亿元": YUAN_PER_YI,
}
# Digits with thousands separators only in groups of three (3,000,000; never 1,2亿 or 2,5万,
# which are decimal commas or slips), no spaces inside, ASCII digits only (full-width ones are
# folded first; superscripts and other scripts' digits are not money).
_NUMBER = r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_AMOUNT = re.compile(rf"^(?P<num>{_NUMBER})\s*(?P<unit>[^0-9.,\s]*)$")
_YUAN_MARKS = [unit for unit, yuan in _UNITS.items() if yuan == 1]

# One ceiling for money everywhere (imports, the ledger, the API): a quadrillion yuan is beyond
# any real ticket and, with room for sums, inside the BIGINT every money column is.
MAX_YUAN = 10**15

# What staff write where an amount is still to be fixed (待定): a landing's value, an invested
# amount in the CLI or an intents sheet. Folded to lower case before comparing.
PENDING_WORDS = ("待定", "待確定", "待确定", "tbd", "to be fixed", "pending")
PENDING = "待定"  # what a sheet parser returns for one of them


def is_pending_word(raw: object) -> bool:
    """Return whether ``raw`` says the amount is still to be fixed (待定, TBD …)."""
    return isinstance(raw, str) and raw.strip().lower() in PENDING_WORDS


def _money_text(raw: object) -> str:
    """Return money text with its width, script and case folded and its currency mark removed."""
    text = to_simplified(fold_width(str(raw))).strip().casefold()
    for mark in ("¥", "rmb", "人民币"):
        if text.startswith(mark):
            text = text[len(mark) :].lstrip()
            break
    return text.removesuffix("人民币").rstrip()


def _number_and_unit(text: str, default_unit: int) -> tuple[Decimal, int] | None:
    """Split ``500万`` / ``五百万元`` / ``一点二亿`` into (number, yuan per unit), or None."""
    if match := _AMOUNT.match(text):
        if match["unit"] not in _UNITS:
            return None
        return Decimal(match["num"].replace(",", "")), _UNITS[match["unit"]] or default_unit
    # Chinese numerals carry their own 十/百/千/万/亿 (一千零五十万 is 1050万, not 1005 × 十万):
    # only a yuan mark may follow them, and one holding 万 or 亿 counts yuan itself, so the
    # column's unit applies to a bare 五百 alone.
    mark = next((m for m in _YUAN_MARKS if text.endswith(m)), "")
    numeral = text.removesuffix(mark).rstrip()
    number = chinese_number(numeral)
    if number is None:
        return None
    in_yuan = bool(mark) or any(c in numeral for c in "万亿")
    return number, 1 if in_yuan else default_unit


def parse_amount(raw: object, default_unit: int = YUAN_PER_WAN) -> int | None:
    """Return integer yuan for ``500``, ``500万``, ``1.2亿``, ``3,000,000元``, ``五百万``,
    ``一点二亿``; None when empty.

    Bare numbers are in ``default_unit`` yuan (万元 for the ``*_wan`` columns). Raises
    :class:`InvalidInput` with code ``import.bad_amount``, ``import.negative_amount``,
    ``import.fractional_yuan`` or ``import.amount_too_large`` (over :data:`MAX_YUAN`).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    bad = InvalidInput("import.bad_amount", [Problem("import.bad_amount", value=raw)])
    if isinstance(raw, bool):
        raise bad
    if isinstance(raw, int | float | Decimal):
        number, unit = Decimal(str(raw)), default_unit
    else:
        found = _number_and_unit(_money_text(raw), default_unit)
        if found is None:
            raise bad
        number, unit = found
    if not number.is_finite():
        raise bad
    if number < 0:
        raise InvalidInput("import.negative_amount", [Problem("import.negative_amount", value=raw)])
    yuan = number * unit
    if yuan > MAX_YUAN:
        limit = f"{MAX_YUAN:,}"
        problem = Problem("import.amount_too_large", value=raw, params={"limit": limit})
        raise InvalidInput("import.amount_too_large", [problem], limit=limit)
    if yuan != yuan.to_integral_value():
        raise InvalidInput("import.fractional_yuan", [Problem("import.fractional_yuan", value=raw)])
    return int(yuan)


_RANGE_SPLIT = re.compile(r"\s*(?:-|－|—|–|~|～|至|到)\s*")
_AT_LEAST = re.compile(r"^(?:≥|>=|不低于|最低|起投)?(?P<v>.+?)(?:以上|起|及以上|\+)$")
_AT_MOST = re.compile(r"^(?:≤|<=|不超过|最高|最多)(?P<v>.+?)$|^(?P<w>.+?)(?:以下|以内)$")


def parse_amount_range(
    raw: object, default_unit: int = YUAN_PER_WAN
) -> tuple[int | None, int | None]:
    """Return ``(min_yuan, max_yuan)`` for ``100-500``, ``50万-3000万``, ``2000万-1亿``, ``≥500``.

    A bare end inherits the other end's unit (``50-300万`` is 50万 to 300万); a single amount
    is both ends. Raises :class:`InvalidInput` (``import.bad_range`` / ``import.range_inverted``).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        value = parse_amount(raw, default_unit)
        return value, value
    text = _money_text(raw)
    bad = InvalidInput("import.bad_range", [Problem("import.bad_range", value=raw)])
    try:
        if m := _AT_LEAST.match(text):
            return parse_amount(m["v"], default_unit), None
        if m := _AT_MOST.match(text):
            return None, parse_amount(m["v"] or m["w"], default_unit)
        parts = [p for p in _RANGE_SPLIT.split(text) if p]
        if len(parts) == 1:
            value = parse_amount(parts[0], default_unit)
            return value, value
        if len(parts) != 2:
            raise bad
        low_text, high_text = parts
        if _unit_of(low_text) == "" and _unit_of(high_text) != "":
            low_text += _unit_of(high_text)
        low, high = parse_amount(low_text, default_unit), parse_amount(high_text, default_unit)
    except InvalidInput as exc:
        if exc.code in ("import.negative_amount", "import.amount_too_large"):
            raise
        raise bad from None
    if low is not None and high is not None and low > high:
        raise InvalidInput("import.range_inverted", [Problem("import.range_inverted", value=raw)])
    return low, high


def _unit_of(text: str) -> str:
    match = _AMOUNT.match(text)
    return match["unit"] if match else ""


@lru_cache(maxsize=8192)  # each shortlist item formats its ask and the ticket range
def format_yuan(yuan: int | None, lang: str = "zh") -> str:
    """Format integer yuan the way the press writes it: ``7.74亿元``, ``500万元``, ``3,000元``."""
    if yuan is None:
        return ""
    value = Decimal(yuan)
    if lang == "en":
        return f"¥{yuan:,}"
    if abs(value) >= YUAN_PER_YI:
        return f"{_trim(value / YUAN_PER_YI)}亿元"
    if abs(value) >= YUAN_PER_WAN:
        return f"{_trim(value / YUAN_PER_WAN)}万元"
    return f"{yuan:,}元"


def yuan_to_wan(yuan: int) -> int | str:
    """Return integer yuan in 万元 for a spreadsheet cell: ``5000000`` → 500, ``12345`` → "1.2345".

    Exact (a decimal string when not whole), so an export imports back to the same yuan.
    """
    value = Decimal(yuan) / YUAN_PER_WAN
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def _trim(value: Decimal) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text


_PORTFOLIO = re.compile(r"^(?P<name>[^（(]+?)\s*(?:[（(](?P<inner>[^）)]*)[）)])?$")


class PortfolioEntry(TypedDict):
    """One past investment: the company, its sector labels and the stage (a Stage code)."""

    company: str
    sectors: list[str]
    stage: str | None


def parse_portfolio(raw: object) -> list[PortfolioEntry]:
    """Parse ``公司A（储能，A轮）|公司B（工业机器人）`` into entries with company, sectors, stage.

    Entries are separated by ``|`` or newlines (commas belong inside the parentheses).
    Raises :class:`InvalidInput` (``import.bad_portfolio``) naming the first bad entry.
    """
    if raw is None or not str(raw).strip():
        return []
    entries: list[PortfolioEntry] = []
    for part in re.split(r"[|｜\n]+", unicodedata.normalize("NFKC", str(raw))):
        part = part.strip()
        if not part:
            continue
        match = _PORTFOLIO.match(part)
        if not match:
            raise InvalidInput(
                "import.bad_portfolio", [Problem("import.bad_portfolio", value=part)]
            )
        labels = split_multi(match["inner"]) if match["inner"] else []
        stage: Stage | None = None
        if labels:
            try:
                stage = Stage.parse(labels[-1])
                labels = labels[:-1]
            except ValueError:
                stage = None
        entries.append(
            {
                "company": match["name"].strip(),
                "sectors": labels,
                "stage": stage.value if stage else None,
            }
        )
    return entries
