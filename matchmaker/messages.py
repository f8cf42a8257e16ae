"""User-facing sentences in Chinese (default) and English, looked up by code."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh", "en")

# code -> (中文, English). Placeholders are str.format fields.
CATALOG: dict[str, tuple[str, str]] = {
    "error.generic": ("请求无法完成", "The request could not be completed"),
    "error.invalid_input": ("输入有误", "The input is invalid"),
    "error.not_found": ("{what}不存在：{key}", "{what} not found: {key}"),
    "error.conflict": ("与现有数据冲突", "Conflicts with existing data"),
    "error.duplicate_code": ("编号已存在：{key}", "This id already exists: {key}"),
    "error.route_not_found": ("没有这个地址", "No such address"),
    "error.method_not_allowed": ("该地址不支持此请求方法", "Method not allowed for this address"),
    "error.bad_request": ("请求格式有误", "Malformed request"),
    "error.server": (
        "服务器内部错误，已记录；请稍后重试",
        "Internal error, it has been logged; please try again later",
    ),
    "error.too_large": (
        "上传的文件过大（上限 {limit}）",
        "The upload is too large (limit {limit})",
    ),
    "error.unsupported_media": ("不支持的内容类型", "Unsupported content type"),
    "auth.required": ("请先登录或提供访问令牌", "Sign in or present an access token"),
    "auth.forbidden": ("当前角色无权执行此操作", "Your role may not do this"),
    "auth.bad_credentials": ("用户名或密码错误", "Wrong user name or password"),
    "auth.bad_token": ("访问令牌无效、已过期或已撤销", "The token is invalid, expired or revoked"),
    "where.row": ("第 {row} 行", "row {row}"),
    "what.event": ("活动", "Event"),
    "what.session": ("对接专场", "Session"),
    "what.project": ("项目", "Project"),
    "what.institution": ("机构", "Institution"),
    "what.user": ("用户", "User"),
    # import
    "import.rejected": (
        "文件未导入：发现 {count} 处问题，数据库未做任何改动",
        "File not imported: {count} problem(s) found, nothing was changed",
    ),
    "import.unreadable": ("无法读取文件：{detail}", "Cannot read the file: {detail}"),
    "import.unsupported_format": (
        "不支持的文件格式 {suffix}，请使用 .csv 或 .xlsx",
        "Unsupported file format {suffix}; use .csv or .xlsx",
    ),
    "import.encoding": (
        "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8 和 GBK）",
        "Cannot tell the file's encoding (UTF-8, UTF-8 with BOM and GBK are supported)",
    ),
    "import.empty": ("文件中没有数据行", "The file has no data rows"),
    "import.missing_column": ("缺少必填列：{column}", "Required column missing: {column}"),
    "import.unknown_column": ("无法识别的列名，已忽略", "Unrecognised column, ignored"),
    "import.duplicate_column": ("列名重复", "Column appears twice"),
    "import.required": ("必填项为空", "Required value is empty"),
    "import.duplicate_id": (
        "编号在文件中重复（首次出现在第 {first_row} 行）",
        "Id repeated in the file (first seen on row {first_row})",
    ),
    "import.bad_amount": (
        "无法识别的金额，应为数字，可带单位 元/万/亿，例如 500、500万、1.2亿、3,000,000元",
        "Unparseable amount; write a number, optionally with 元/万/亿, e.g. 500, 500万, 1.2亿",
    ),
    "import.negative_amount": ("金额不能为负数", "Amount cannot be negative"),
    "import.fractional_yuan": ("金额必须精确到元", "Amount must be a whole number of yuan"),
    "import.bad_range": (
        "无法识别的金额区间，应如 100-500 或 50万-3000万",
        "Unparseable amount range; write e.g. 100-500 or 50万-3000万",
    ),
    "import.range_inverted": ("区间下限大于上限", "Range minimum is above its maximum"),
    "import.bad_stage": (
        "无法识别的阶段，可选：创意、种子轮、天使轮、Pre-A轮、A轮、B轮及以后",
        "Unknown stage; use idea, seed, angel, Pre-A, Series A, Series B+",
    ),
    "import.bad_track": (
        "无法识别的赛道，可选：{choices}",
        "Unknown track; choose one of: {choices}",
    ),
    "import.bad_group": (
        "无法识别的组别，可选：企业组、创客组",
        "Unknown group; use 企业组 or 创客组",
    ),
    "import.bad_need": ("无法识别的需求，可选：{choices}", "Unknown need; choose from: {choices}"),
    "import.bad_institution_type": (
        "无法识别的机构类型，可选：{choices}",
        "Unknown institution type; choose one of: {choices}",
    ),
    "import.bad_session": (
        "活动中没有这个对接专场：{value}",
        "No such session in the event: {value}",
    ),
    "import.too_long": ("内容过长（上限 {limit} 字）", "Too long (limit {limit} characters)"),
    "import.bad_email": ("电子邮箱格式有误", "Malformed e-mail address"),
    "import.bad_portfolio": (
        "无法识别的已投项目，应如 公司名（行业，轮次）",
        "Unparseable portfolio entry; write e.g. Company (sector, round)",
    ),
    "import.done": (
        "已导入 {total} 行：新增 {created}，更新 {updated}",
        "Imported {total} row(s): {created} new, {updated} updated",
    ),
    "import.no_event": (
        "数据库中还没有活动，请先运行 matchmaker demo 或创建活动",
        "There is no event yet; run `matchmaker demo` or create one first",
    ),
    "import.ambiguous_event": (
        "数据库中有多个活动，请用 --event 指定：{choices}",
        "Several events exist; choose one with --event: {choices}",
    ),
    # embeddings
    "embedding.unknown_model": (
        "无法加载文本向量模型 {name!r}：{reason}（可用 use、e5-small、minilm、tfidf、ensemble，"
        "或本机已有的 sentence-transformers 模型名称或路径）",
        "Cannot load the text embedding model {name!r}: {reason} (use use, e5-small, minilm, "
        "tfidf, ensemble, or a sentence-transformers model name or path present on this machine)",
    ),
    # pages
    "ui.app": ("创投对接", "Matchmaker"),
    "ui.home": ("首页", "Home"),
    "ui.projects": ("参赛项目", "Projects"),
    "ui.institutions": ("投资机构", "Institutions"),
    "ui.import": ("导入报名表", "Import"),
    "ui.api_docs": ("API 文档", "API docs"),
    "ui.login": ("登录", "Sign in"),
    "ui.logout": ("退出", "Sign out"),
    "ui.username": ("用户名", "User name"),
    "ui.password": ("密码", "Password"),
    "ui.signed_in_as": ("当前用户", "Signed in as"),
    "ui.switch_language": ("English", "中文"),
    "ui.sessions": ("对接专场", "Sessions"),
    "ui.session": ("专场", "Session"),
    "ui.date": ("日期", "Date"),
    "ui.time": ("时间", "Time"),
    "ui.venue": ("地点", "Venue"),
    "ui.slots": ("时段", "Slots"),
    "ui.tables": ("桌数", "Tables"),
    "ui.minutes_each": ("每段 {n} 分钟", "{n} min each"),
    "ui.count_projects": ("项目数", "Projects"),
    "ui.count_institutions": ("机构数", "Institutions"),
    "ui.by_track": ("按赛道", "By track"),
    "ui.by_type": ("按机构类型", "By type"),
    "ui.id": ("编号", "Id"),
    "ui.name": ("名称", "Name"),
    "ui.track": ("赛道", "Track"),
    "ui.group": ("组别", "Group"),
    "ui.sectors": ("行业领域", "Sectors"),
    "ui.stage": ("阶段", "Stage"),
    "ui.stages": ("投资阶段", "Stages"),
    "ui.ask": ("融资需求", "Funding ask"),
    "ui.region": ("所在地区", "Region"),
    "ui.regions": ("关注地区", "Regions"),
    "ui.needs": ("需求", "Needs"),
    "ui.description": ("项目简介", "Description"),
    "ui.type": ("机构类型", "Type"),
    "ui.focus": ("关注领域", "Focus sectors"),
    "ui.ticket": ("单笔投资额", "Ticket size"),
    "ui.thesis": ("投资逻辑", "Thesis"),
    "ui.portfolio": ("已投项目", "Portfolio"),
    "ui.contact": ("联系方式", "Contact"),
    "ui.any": ("全部", "Any"),
    "ui.search": ("搜索", "Search"),
    "ui.search_placeholder": ("名称、行业、简介关键词", "name, sector or keyword"),
    "ui.filter": ("筛选", "Filter"),
    "ui.results": ("共 {total} 条", "{total} result(s)"),
    "ui.page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "ui.prev": ("上一页", "Previous"),
    "ui.next": ("下一页", "Next"),
    "ui.none": ("暂无", "None"),
    "ui.back": ("返回", "Back"),
    "ui.import_kind": ("导入内容", "What to import"),
    "ui.import_file": ("文件（.csv 或 .xlsx）", "File (.csv or .xlsx)"),
    "ui.import_help": (
        "表头可用中文或英文；多个值用 、 | ， ; 分隔；金额可写 500、500万、1.2亿、3,000,000元。"
        "任何一行有误时整个文件不导入，并列出所有问题。",
        "Headers in Chinese or English; separate several values with 、 | , ; "
        "amounts as 500, 500万, 1.2亿 or 3,000,000元. "
        "If any row is wrong nothing is imported and every problem is listed.",
    ),
    "ui.import_submit": ("上传并导入", "Upload and import"),
    "ui.export": ("导出", "Export"),
    "ui.problems": ("问题列表", "Problems"),
    "ui.row": ("行", "Row"),
    "ui.column": ("列", "Column"),
    "ui.value": ("内容", "Value"),
    "ui.message": ("说明", "Message"),
    "ui.no_file": ("请选择文件", "Choose a file"),
    "ui.csrf": ("页面已过期，请刷新后重试", "The page expired; reload and try again"),
    "ui.error_title": ("出错了", "Something went wrong"),
    "ui.demo_hint": (
        "演示账号：organiser / staff / investor / entrant，密码 demo1234",
        "Demo accounts: organiser / staff / investor / entrant, password demo1234",
    ),
    "demo.exists": (
        "演示活动 {code} 已存在；如需重新载入请加 --reset（会清空数据库）",
        "The demo event {code} is already loaded; add --reset to reload it (empties the database)",
    ),
    "ui.event": ("活动", "Event"),
    # match reasons
    "reason.sector_same": ("行业相同：{label}", "Same sector: {label}"),
    "reason.sector_near": (
        "行业契合：{project} ≈ {institution}",
        "Sector fit: {project} ≈ {institution}",
    ),
    "reason.sector_inferred": (
        "行业契合（据简介推断）：{project} ≈ {institution}",
        "Sector fit (inferred from the description): {project} ≈ {institution}",
    ),
    "reason.stage_match": ("阶段匹配：{stage}", "Stage fits: {stage}"),
    "reason.stage_near": (
        "阶段相近：{stage}（机构投{stages}）",
        "Stage close: {stage} (invests at {stages})",
    ),
    "reason.stage_off": (
        "阶段不符：{stage}（机构投{stages}）",
        "Stage outside: {stage} (invests at {stages})",
    ),
    "reason.ticket_in": (
        "额度在区间内：{ask}（单笔{range}）",
        "Ask within the ticket: {ask} ({range})",
    ),
    "reason.ticket_near": (
        "额度接近区间：{ask}（单笔{range}）",
        "Ask near the ticket: {ask} ({range})",
    ),
    "reason.ticket_off": (
        "额度不在区间：{ask}（单笔{range}）",
        "Ask outside the ticket: {ask} ({range})",
    ),
    "reason.region_in": ("地区：{region}", "Region: {region}"),
    "reason.region_any": ("地区：机构不限地区", "Region: the institution invests anywhere"),
    "reason.region_off": ("地区不在关注范围：{region}", "Region outside its focus: {region}"),
    "reason.needs": ("可满足需求：{needs}", "Can meet needs: {needs}"),
    "reason.text": (
        "投资逻辑与项目简介相近（{percent}%）",
        "Thesis and description are close ({percent}%)",
    ),
    "ui.shortlist": ("项目推荐", "Shortlist"),
    "ui.duplicates": ("疑似重复报名", "Possible duplicates"),
    "ui.duplicates_help": (
        "同一项目重复报名或抄袭他人项目的可疑组合（繁简转换、改写、改名、调换句序），请人工核实。",
        "Pairs that look like one project entered twice or copied (Traditional copy, "
        "paraphrase, renamed, reordered); check them by hand.",
    ),
    "ui.similarity": ("相似度", "Similarity"),
    "ui.kind": ("类型", "Kind"),
    "ui.evidence": ("依据", "Evidence"),
    "ui.recommendations": ("推荐机构", "Recommended institutions"),
    "ui.shortlist_for": ("为 {name} 推荐的项目", "Projects for {name}"),
    "ui.recommendations_for": ("适合 {name} 的投资机构", "Institutions for {name}"),
    "ui.choose_institution": ("选择机构", "Choose an institution"),
    "ui.choose_project": ("选择项目", "Choose a project"),
    "ui.score": ("匹配度", "Fit"),
    "ui.reasons": ("推荐理由", "Why"),
    "ui.concerns": ("注意", "Watch out"),
    "ui.like": ("感兴趣", "Interested"),
    "ui.pass": ("不合适", "Pass"),
    "ui.liked": ("已标记感兴趣", "Marked interested"),
    "ui.request_meeting": ("预约洽谈", "Request a meeting"),
    "ui.request_meeting_soon": (
        "预约功能将随对接排程上线",
        "Meeting requests open with session scheduling",
    ),
    "ui.diversity": ("避免相似项目扎堆", "Spread out similar projects"),
    "ui.show_passed": ("显示已标记不合适的", "Show passed projects"),
    "ui.candidates": ("符合条件的候选 {total} 个", "{total} candidate(s) match"),
    "field.invalid_choice": ("取值无效，可选：{choices}", "Invalid value; choose from: {choices}"),
    "field.range_inverted": (
        "单笔投资额下限大于上限",
        "Minimum ticket is above the maximum ticket",
    ),
}


class Ref(str):
    """A parameter that is itself a message code, rendered in the same language."""


def render(code: str, lang: str = "zh", /, **params: Any) -> str:
    """Return the sentence for ``code`` in ``lang``; unknown codes render as themselves."""
    pair = CATALOG.get(code)
    if pair is None:
        return code
    template = pair[1] if lang == "en" else pair[0]
    filled = {k: render(v, lang) if isinstance(v, Ref) else v for k, v in params.items()}
    return template.format_map(_Lenient(filled))


def pick_language(value: str | None, default: str = "zh") -> str:
    """Map a header or parameter (``en-US``, ``zh-CN``, ``en``) to a supported language."""
    if not value:
        return default
    value = value.strip().lower()
    if value.startswith("en"):
        return "en"
    if value.startswith("zh"):
        return "zh"
    return default


class _Lenient(dict):
    """Leave unknown placeholders visible instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
