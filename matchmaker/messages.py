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
    "error.duplicate_name": (
        "名称“{name}”已被本活动的{what} {key} 使用，请换一个名称",
        "The name “{name}” is already used by {what} {key} in this event; choose another",
    ),
    "field.name_taken": (
        "已被本活动的{what} {key} 使用",
        "Already used by {what} {key} in this event",
    ),
    "error.route_not_found": ("没有这个地址", "No such address"),
    "error.method_not_allowed": ("该地址不支持此请求方法", "Method not allowed for this address"),
    "error.bad_request": ("请求格式有误", "Malformed request"),
    "error.server": (
        "服务器内部错误，已记录；请稍后重试",
        "Internal error, it has been logged; please try again later",
    ),
    "error.unavailable": (
        "服务暂时不可用（数据库或队列连接中断），请稍后重试；数据未改动",
        "Temporarily unavailable (database or queue connection lost); nothing was changed, retry",
    ),
    "error.too_large": (
        "上传的文件或请求内容过大（上限 {limit}）",
        "The upload or request body is too large (limit {limit})",
    ),
    "error.unsupported_media": ("不支持的内容类型", "Unsupported content type"),
    "error.rate_limited": (
        "操作过于频繁，请 {seconds} 秒后再试",
        "Too many attempts; try again in {seconds} seconds",
    ),
    "error.bad_value": (
        "输入的值超出了允许的范围，未做任何改动",
        "A value is outside the allowed range; nothing was changed",
    ),
    "request.json_expected": (
        "请求体应为 JSON，Content-Type 应为 application/json（收到 {got}）",
        "The body must be JSON with Content-Type: application/json (got {got})",
    ),
    "request.multipart_expected": (
        "上传文件应使用 multipart/form-data，文件放在 file 字段（收到 {got}）",
        "Upload the file as multipart/form-data in the field file (got {got})",
    ),
    "request.bad_json": (
        "请求体不是有效的 JSON（第 {line} 行第 {column} 列）",
        "The body is not valid JSON (line {line}, column {column})",
    ),
    "request.bad_json_text": (
        "请求体不是有效的 JSON：{detail}",
        "The body is not valid JSON: {detail}",
    ),
    "request.json_too_deep": (
        "JSON 嵌套层数过多（上限 {limit} 层）",
        "The JSON is nested too deeply (limit {limit} levels)",
    ),
    "request.control_char": (
        "含有无法保存的字符 {char}（不可见的控制字符或无效编码），请删除后重试",
        "Contains the character {char}, which cannot be stored (an invisible control character "
        "or a broken encoding); remove it and try again",
    ),
    "request.number_out_of_range": (
        "数值超出范围（绝对值上限 {limit}）",
        "The number is out of range (largest magnitude {limit})",
    ),
    "request.long_number": (
        "请求体中有位数过多的数字",
        "The body holds a number with too many digits",
    ),
    "auth.required": ("请先登录或提供访问令牌", "Sign in or present an access token"),
    "auth.forbidden": ("当前角色无权执行此操作", "Your role may not do this"),
    "auth.sessions_by_organisers": (
        "对接专场由组委会安排，不能自行更改",
        "Sessions are assigned by the organisers and cannot be changed here",
    ),
    "auth.bad_credentials": ("用户名或密码错误", "Wrong user name or password"),
    "auth.bad_token": ("访问令牌无效、已过期或已撤销", "The token is invalid, expired or revoked"),
    # ---- accounts: the password policy, one-time links, the organiser's accounts page (#15)
    "error.gone": ("该内容已失效", "This is no longer available"),
    "password.refused": (
        "密码不符合要求，未做任何改动",
        "The password was refused; nothing changed",
    ),
    "password.too_short": (
        "密码至少需要 {min} 个字符",
        "The password needs at least {min} characters",
    ),
    "password.too_long": (
        "密码最多 {max} 个字符",
        "The password can have at most {max} characters",
    ),
    "password.is_username": ("密码不能与用户名相同", "The password cannot be the user name"),
    "password.common": (
        "这是常见密码（或其简单变形），很容易被猜中；请换一个，例如由几个词组成的一句话",
        "This is a common password (or a simple variation of one) and easy to guess; choose"
        " another, such as a phrase of several words",
    ),
    "password.guessable": (
        "密码太容易猜到（键盘顺序、重复或连续字符、日期、姓名或用户名）；请换一个，例如由几个词组成的一句话",
        "The password is too easy to guess (a keyboard walk, repeated or sequential characters, a"
        " date, a name or the user name); choose another, such as a phrase of several words",
    ),
    "password.mismatch": ("两次输入的密码不一致", "The two passwords differ"),
    "link.unknown": (
        "链接无效：请检查是否完整复制了链接，或请组委会重新发送",
        "This link is not valid: check that it was copied whole, or ask the organisers for a new"
        " one",
    ),
    "link.expired": (
        "该链接已于 {when} 过期，请联系组委会重新发送",
        "This link expired on {when}; ask the organisers to send a new one",
    ),
    "link.used": (
        "该链接已经使用过（每个链接只能用一次）。已设置密码的请直接登录；忘记密码请联系组委会获取重设链接",
        "This link has already been used (each link works once). If you set your password, sign"
        " in; if you forgot it, ask the organisers for a reset link",
    ),
    "link.revoked": (
        "该链接已被组委会撤销，请联系组委会获取新链接",
        "The organisers revoked this link; ask them for a new one",
    ),
    "link.disabled": ("该账号已停用，请联系组委会", "This account is disabled; ask the organisers"),
    "accounts.bad_days": (
        "有效天数应为 1 至 {max} 之间的整数",
        "The number of days must be a whole number from 1 to {max}",
    ),
    "accounts.active_already": (
        "{who} 已激活，无需邀请；如需重设密码，请发送重设密码链接",
        "{who} is already active; to change the password, send a reset link",
    ),
    "accounts.not_yourself": ("不能停用自己的账号", "You cannot disable your own account"),
    "accounts.invited": (
        "已为 {count} 人发出邀请链接（{skipped} 人已邀请、已激活或已停用，未重复发送）",
        "Sent invitation links to {count} people ({skipped} already invited, active or disabled"
        " were left alone)",
    ),
    "accounts.nobody": (
        "没有需要邀请的人：{skipped} 人已邀请、已激活或已停用。"
        "要给已邀请但未激活的人发送新链接，请勾选“重新发送”（命令行加 --resend）",
        "Nobody to invite: {skipped} are already invited, active or disabled. To send new links to"
        " people invited but not yet active, tick “send again” (on the command line, --resend)",
    ),
    "accounts.link_sent": (
        "{who} 的新链接（{when} 前有效，只显示这一次，请复制发送）：{link}",
        "New link for {who} (valid until {when}; shown this once, copy and send it): {link}",
    ),
    "accounts.links_revoked": (
        "已撤销 {who} 的 {count} 个未使用链接",
        "Revoked {count} unused link(s) of {who}",
    ),
    "accounts.disabled": (
        "已停用 {who}：无法登录，已登录的页面和访问令牌立即失效",
        "Disabled {who}: they cannot sign in, and their signed-in pages and tokens stop working",
    ),
    "accounts.enabled": ("已启用 {who}", "Enabled {who}"),
    # ---- investors' own sign-up from the event's public page (#15)
    "what.signup": ("报名申请", "Application"),
    "signup.closed": (
        "“{event}”目前未开放对接服务报名；如需参加，请联系组委会",
        "“{event}” is not taking sign-ups now; to take part, contact the organisers",
    ),
    "signup.refused": (
        "报名信息有误，未保存任何内容",
        "The application was refused; nothing was saved",
    ),
    "signup.name_pending": (
        "已有同名机构提交报名，正在等待组委会审核",
        "An application under this name is already waiting for the organisers",
    ),
    "signup.bad_username": (
        "用户名需为 3 至 100 个字母、数字或 . _ @ + -（可用手机号或电子邮箱）",
        "A user name has 3 to 100 letters, digits or . _ @ + - (a phone number or e-mail works)",
    ),
    "signup.username_taken": (
        "该用户名已被使用，请换一个",
        "This user name is taken; choose another",
    ),
    "signup.username_taken_since": (
        "用户名 {username} 在报名后已被他人使用，无法通过；请拒绝并请申请人换用户名重新报名",
        "The user name {username} was taken after the application was sent; reject it and ask"
        " the applicant to apply again with another",
    ),
    "signup.reason_needed": ("请填写拒绝原因", "Say why the application is rejected"),
    "signup.decided": (
        "该申请已处理（{status}，{who}，{when}），不能再次处理",
        "This application was decided already ({status}, {who}, {when})",
    ),
    "signup.status_pending": ("待审核", "Pending"),
    "signup.status_approved": ("已通过", "Approved"),
    "signup.status_rejected": ("已拒绝", "Rejected"),
    "signup.approved": (
        "已通过 {name}：机构编号 {institution}，账号 {username} 可用报名时设置的密码登录",
        "Approved {name}: institution {institution}; {username} signs in with the password"
        " chosen at sign-up",
    ),
    "signup.rejected": ("已拒绝 {name} 的报名", "Rejected the application of {name}"),
    "signup.opened": (
        "已开放“{event}”的对接服务报名：{link}",
        "Sign-ups for “{event}” are open: {link}",
    ),
    "signup.shut": ("已关闭“{event}”的对接服务报名", "Sign-ups for “{event}” are closed"),
    "ui.signup_title": ("对接服务报名", "Investor sign-up"),
    "ui.signup_intro": (
        "投资机构和对接服务机构可在此报名参加“{event}”。提交后由组委会审核，"
        "通过后即可用下面设置的用户名和密码登录，查看为您推荐的项目。",
        "Investors and service institutions apply here to take part in “{event}”. The organisers"
        " review each application; once approved, sign in with the user name and password set"
        " below to see the projects recommended to you.",
    ),
    "ui.signup_institution": ("机构信息", "Institution"),
    "ui.signup_contact": ("联系人与账号", "Contact and account"),
    "ui.signup_username_hint": (
        "登录用，可用手机号或电子邮箱",
        "For signing in; a phone number or e-mail works",
    ),
    "ui.signup_invalid": (
        "报名信息有误，请按提示修改后重新提交（未保存任何内容）",
        "Please correct the fields marked below and send again (nothing was saved)",
    ),
    "ui.signup_submit": ("提交报名", "Send the application"),
    "ui.signup_done_title": ("报名已提交", "Application sent"),
    "ui.signup_done": (
        "感谢报名！组委会将审核“{name}”的报名信息；"
        "通过后即可用用户名 {username} 和您设置的密码登录。",
        "Thank you! The organisers will review the application of “{name}”; once approved, sign"
        " in as {username} with the password you chose.",
    ),
    "ui.signup_closed_title": ("报名未开放", "Sign-ups closed"),
    "ui.signup_link": ("投资机构报名：{event}", "Investors sign up: {event}"),
    "ui.signups_title": ("对接服务报名审核", "Investor sign-ups"),
    "ui.signups_help": (
        "投资机构在活动报名页自行报名；审核通过后自动建立机构（编号如 {example}）和投资人账号，"
        "未通过的不会出现在任何名单、推荐或议程中。",
        "Investors apply on the event's sign-up page; approving one makes its institution (coded"
        " like {example}) and investor account. Nothing pending shows in any list, shortlist or"
        " agenda.",
    ),
    "ui.signups_link": ("投资机构报名审核", "Investor sign-ups"),
    "ui.signups_open_state": ("报名页：已开放", "Sign-up page: open"),
    "ui.signups_closed_state": ("报名页：未开放", "Sign-up page: closed"),
    "ui.signups_open": ("开放报名", "Open sign-ups"),
    "ui.signups_close": ("关闭报名", "Close sign-ups"),
    "ui.signups_pending": ("待审核的申请", "Pending applications"),
    "ui.signups_decided": ("已处理的申请", "Decided applications"),
    "ui.signup_received": ("提交时间", "Received"),
    "ui.signup_approve": ("通过", "Approve"),
    "ui.signup_reject": ("拒绝", "Reject"),
    "ui.signup_reason": ("拒绝原因", "Reason for rejecting"),
    "ui.signup_decision": ("处理结果", "Decision"),
    "status.invited": ("已邀请", "Invited"),
    "status.invite_expired": ("链接已过期", "Link expired"),
    "status.active": ("已激活", "Active"),
    "status.disabled": ("已停用", "Disabled"),
    "status.no_link": ("未激活（无有效链接）", "Not active (no valid link)"),
    "col.party_code": ("编号", "Id"),
    "col.party_name": ("名称", "Name"),
    "col.contact_name": ("联系人", "Contact"),
    "col.phone": ("电话", "Phone"),
    "col.email": ("邮箱", "E-mail"),
    "col.username": ("用户名", "User name"),
    "col.link": ("链接", "Link"),
    "col.expires": ("有效期至", "Valid until"),
    "col.role": ("角色", "Role"),
    "ui.nav_accounts": ("账号", "Accounts"),
    "ui.accounts_title": ("账号与邀请", "Accounts and invitations"),
    "ui.accounts_help": (
        "为导入的项目联系人（参赛者）或机构联系人（投资方）一次性创建账号和邀请链接，并下载名单用于邮件合并或短信。"
        "链接只在下载时显示一次；每个链接只能使用一次，过期后可重新发送。",
        "Create accounts and invitation links for every imported project contact (entrants) or"
        " institution contact (investors) at once, and download the list for mail merge or SMS."
        " Links are shown only in that download; each works once, and can be re-sent when it"
        " expires.",
    ),
    "ui.invite_from": ("邀请谁", "Invite"),
    "ui.invite_projects": ("全部项目联系人", "every project contact"),
    "ui.invite_institutions": ("全部机构联系人", "every institution contact"),
    "ui.invite_resend": (
        "重新发送：给已邀请但未激活的人发新链接（旧链接作废）",
        "Send again: new links for people invited but not yet active (old links stop working)",
    ),
    "ui.invite_days": ("有效天数", "Valid for (days)"),
    "ui.invite_format": ("名单格式", "List format"),
    "ui.invite_submit": ("创建账号并下载邀请名单", "Create accounts and download the list"),
    "ui.accounts_search": ("用户名、姓名、编号或名称", "user name, name, id or registration"),
    "ui.status": ("状态", "Status"),
    "ui.party": ("所属", "Registration"),
    "ui.link_expires": ("链接有效期至", "Link valid until"),
    "ui.actions": ("操作", "Actions"),
    "ui.resend": ("重新发送链接", "New link"),
    "ui.revoke": ("撤销链接", "Revoke link"),
    "ui.disable": ("停用", "Disable"),
    "ui.enable": ("启用", "Enable"),
    "ui.reset_link": ("重设密码链接", "Reset link"),
    "ui.role": ("角色", "Role"),
    "ui.set_password_title": ("设置密码", "Set your password"),
    "ui.reset_password_title": ("重设密码", "Choose a new password"),
    "ui.welcome_invite": (
        "{name}，您好！组委会邀请您以“{role}”身份使用创投对接平台（{party}）。设置密码后即可登录，用户名：{username}",
        "Hello {name}! The organisers invite you to the matchmaking platform as {role} ({party})."
        " Set a password to sign in; your user name is {username}",
    ),
    "ui.welcome_reset": (
        "{name}，请为账号 {username} 设置新密码；设置后其他已登录的页面将退出",
        "{name}, choose a new password for {username}; pages signed in elsewhere will be signed"
        " out",
    ),
    "ui.password_again": ("再次输入密码", "Password again"),
    "ui.password_rules": (
        "至少 10 个字符，不能是常见密码或用户名；由几个词组成的一句话既好记又安全",
        "At least 10 characters, not a common password nor your user name; a phrase of several"
        " words is easy to remember and safe",
    ),
    "ui.set_password_submit": ("设置密码并登录", "Set password and sign in"),
    "ui.link_problem_title": ("链接无法使用", "This link cannot be used"),
    "ui.link_expires_at": ("链接有效期至 {when}", "Link valid until {when}"),
    "ui.forgot_password": ("忘记密码？", "Forgot your password?"),
    "ui.forgot_password_help": (
        "请联系组委会：他们会给您发送一个重设密码的链接（只能使用一次）。",
        "Ask the organisers: they will send you a link to choose a new password (it works once).",
    ),
    "where.row": ("第 {row} 行", "row {row}"),
    "what.event": ("活动", "Event"),
    "what.session": ("对接专场", "Session"),
    "what.project": ("项目", "Project"),
    "what.institution": ("机构", "Institution"),
    "what.track": ("赛道", "Track"),
    "what.group": ("组别", "Group"),
    "what.institution_type": ("机构类型", "Institution type"),
    "what.user": ("用户", "User"),
    # scheduling core (matchmaker/scheduling)
    "schedule.invalid": (
        "排程输入有误：{count} 处问题",
        "The schedule instance has {count} problems",
    ),
    "schedule.not_object": ("应为对象（JSON object）", "Expected a JSON object"),
    "schedule.missing": ("缺少必填字段", "This field is required"),
    "schedule.not_list": ("应为列表，实际是 {value}", "Expected a list, got {value}"),
    "schedule.not_count": ("应为非负整数", "Expected a whole number ≥ 0"),
    "schedule.not_id": ("应为非空编号", "Expected a non-empty id"),
    "schedule.bad_time": (
        "时间格式应为 ISO 8601，例如 2026-12-08T09:00",
        "Expected an ISO 8601 time such as 2026-12-08T09:00",
    ),
    "schedule.min_above_max": (
        "最少会见数大于最多会见数 {high}",
        "min_meetings is above max_meetings {high}",
    ),
    "schedule.unknown_slot": ("没有这个时段", "No such slot"),
    "schedule.unknown_party": ("没有这个机构或项目", "No such institution or project"),
    "schedule.bad_score": ("分数应为有限的数字", "The score must be a finite number"),
    "schedule.duplicate_id": ("编号重复", "Duplicate id"),
    "schedule.must_and_forbidden": (
        "同一对既是必须会见又是禁止会见",
        "The same pair is both must-meet and forbidden",
    ),
    # more parse problems: typos, repeated pairs, tables, JSON syntax
    "schedule.unknown_key": ("未知字段（拼写错误？）", "Unknown field (a typo?)"),
    "schedule.not_positive": ("应为正整数", "Expected a whole number ≥ 1"),
    "schedule.duplicate_pair": ("同一对重复出现", "The same pair is listed twice"),
    "schedule.unknown_session": (
        "没有这个专场（没有时段属于它）",
        "No slot belongs to this session",
    ),
    "schedule.unknown_table": ("该专场没有这个桌号", "This session has no such table"),
    "schedule.table_count_mismatch": (
        "桌数 {count} 与桌号列表的长度不一致",
        "count {count} does not match the number of table ids",
    ),
    "schedule.bad_json": ("不是有效的 JSON：{detail}", "Not valid JSON: {detail}"),
    # who is who in diagnostics (params "side": "project" | "institution")
    "schedule.party.project": ("项目", "Project"),
    "schedule.party.institution": ("机构", "Institution"),
    "schedule.partner.project": ("项目", "project"),
    "schedule.partner.institution": ("机构", "institution"),
    # why an instance has no valid agenda (matchmaker/scheduling/diagnose.py, explain.py)
    "schedule.diag.no_partner": (
        "{kind} {party}：去除回避关系后没有可会见的{other}",
        "{kind} {party}: no {other} left to meet once conflicts are removed",
    ),
    "schedule.diag.min_above_capacity": (
        "{kind} {party}：至少需要 {need} 场，但只有 {slots} 个空闲时段、"
        "{partners} 个可会见的{other}（最多 {capacity} 场）；把它的下限调到 {capacity} 即可",
        "{kind} {party}: needs {need} meetings but has only {slots} free slots and {partners} "
        "{other} partners to meet (at most {capacity}); lower its minimum to {capacity}",
    ),
    "schedule.diag.min_sum_above_capacity": (
        "最低会见数之和 {need} > 总容量 {capacity}；把下限合计调低 {excess} 场，或调高另一方的上限",
        "sum of minimum meetings {need} > total capacity {capacity}; lower the minimums by "
        "{excess} in total, or raise the other side's maximums",
    ),
    "schedule.diag.must_meet_forbidden": (
        "必须会见的 {institution} × {project} 同时属于回避（禁止会见）",
        "Must-meet {institution} × {project} is also a forbidden pair",
    ),
    "schedule.diag.must_meet_unscored": (
        "必须会见的 {institution} × {project} 没有匹配分（不在可会见的组合中）",
        "Must-meet {institution} × {project} has no score, so it may not meet",
    ),
    "schedule.diag.must_meet_no_common_slot": (
        "必须会见的 {institution} × {project} 没有共同的空闲时段",
        "Must-meet {institution} × {project} has no free slot in common",
    ),
    "schedule.diag.must_above_max": (
        "{kind} {party}：必须会见与锁定的会见共 {count} 场，超过上限 {limit}；"
        "把它的上限调到 {count} 即可",
        "{kind} {party}: {count} must-meet and locked meetings exceed its maximum {limit}; "
        "raise its maximum to {count}",
    ),
    "schedule.diag.locked_unavailable": (
        "{kind} {party} 在时段 {slot} 不在场，但有锁定的会见",
        "{kind} {party} is away in slot {slot} but has a locked meeting there",
    ),
    "schedule.diag.locked_forbidden": (
        "锁定的会见 {institution} × {project} 属于回避（禁止会见）",
        "Locked meeting {institution} × {project} is a forbidden pair",
    ),
    "schedule.diag.locked_clash": (
        "{kind} {party} 在时段 {slot} 有 {count} 场锁定的会见",
        "{kind} {party} has {count} locked meetings in slot {slot}",
    ),
    "schedule.diag.locked_two_tables": (
        "机构 {institution} 在 {session} 专场被锁定在多张桌子：{tables}",
        "Institution {institution} is locked at several tables in session {session}: {tables}",
    ),
    "schedule.diag.locked_table_clash": (
        "{table} 号桌在时段 {slot} 锁定了 {count} 家机构",
        "Table {table} has {count} institutions locked in slot {slot}",
    ),
    "schedule.diag.too_few_tables": (
        "{session} 专场有 {needed} 家机构需要桌子，但只有 {tables} 张",
        "Session {session}: {needed} institutions need a table but there are only {tables}",
    ),
    "schedule.diag.conflict": (
        "以下 {count} 项要求不能同时满足：",
        "These {count} requirements cannot all be met together:",
    ),
    "schedule.diag.need_min": (
        "· {kind} {party} 至少 {need} 场",
        "· {kind} {party}: at least {need} meetings",
    ),
    "schedule.diag.need_max": (
        "· {kind} {party} 至多 {limit} 场",
        "· {kind} {party}: at most {limit} meetings",
    ),
    "schedule.diag.need_must": (
        "· 必须会见 {institution} × {project}",
        "· must meet: {institution} × {project}",
    ),
    "schedule.diag.need_tables": (
        "· {session} 专场只有 {tables} 张桌子",
        "· session {session} has only {tables} tables",
    ),
    "schedule.diag.no_pairing": (
        "各方的最低/最高会见数无法同时满足（可会见的组合不够）",
        "The minimum and maximum meetings cannot all be met with the admissible pairs",
    ),
    "schedule.diag.no_timetable": (
        "没有满足空闲时段与桌数的时间表",
        "No timetable fits the free slots and tables",
    ),
    "schedule.diag.timeout": (
        "在 {seconds} 秒内没有找到有效的议程；请放宽时限",
        "No valid agenda was found within {seconds} s; allow more time",
    ),
    "schedule.violation.unknown_slot": (
        "会见安排在不存在的时段 {slot}",
        "Meeting in unknown slot {slot}",
    ),
    "schedule.violation.unknown_party": (
        "会见涉及未知的一方 {party}",
        "Meeting with unknown party {party}",
    ),
    "schedule.violation.forbidden": (
        "{institution} × {project} 属于禁止会见",
        "{institution} × {project} is a forbidden pair",
    ),
    "schedule.violation.unscored": (
        "{institution} × {project} 没有匹配分，不应会见",
        "{institution} × {project} has no score and may not meet",
    ),
    "schedule.violation.unavailable": (
        "{party} 在第 {slot} 时段不在场",
        "{party} is away in slot {slot}",
    ),
    "schedule.violation.pair_twice": (
        "{institution} × {project} 被安排了 {count} 次",
        "{institution} × {project} meet {count} times",
    ),
    "schedule.violation.double_booked": (
        "{party} 在第 {slot} 时段被安排了 {count} 场",
        "{party} is booked {count} times in slot {slot}",
    ),
    "schedule.violation.above_maximum": (
        "{party} 有 {count} 场，超过上限 {limit}",
        "{party} has {count} meetings, above its maximum {limit}",
    ),
    "schedule.violation.below_minimum": (
        "{party} 只有 {count} 场，低于下限 {limit}",
        "{party} has {count} meetings, below its minimum {limit}",
    ),
    "schedule.violation.must_meet_missing": (
        "缺少必须会见：{institution} × {project}",
        "Must-meet missing: {institution} × {project}",
    ),
    "schedule.violation.locked_moved": (
        "锁定的会见 {institution} × {project}（时段 {slot}）不在原位",
        "Locked meeting {institution} × {project} (slot {slot}) is missing or moved",
    ),
    "schedule.violation.locked_table": (
        "锁定的会见 {institution} × {project} 应在 {table} 号桌",
        "Locked meeting {institution} × {project} must be at table {table}",
    ),
    "schedule.violation.unknown_table": (
        "{session} 专场没有 {table} 号桌",
        "Session {session} has no table {table}",
    ),
    "schedule.violation.two_tables": (
        "{party} 在 {session} 专场用了多张桌子：{tables}",
        "{party} uses several tables in session {session}: {tables}",
    ),
    "schedule.violation.table_shared": (
        "{table} 号桌在第 {slot} 时段有 {count} 家机构",
        "Table {table} holds {count} institutions in slot {slot}",
    ),
    # agendas and bookings (services/agendas/)
    "what.slot": ("时段", "Slot"),
    "what.request": ("预约", "Request"),
    "what.meeting": ("会见", "Meeting"),
    "agenda.too_few_tables": (
        "{session} 专场只有 {tables}张桌子，但需要 {needed} 张（每家机构整场一张桌）",
        "Session {session} has {tables} tables but needs {needed} (one per institution)",
    ),
    "job.not_found": ("没有编号为 {job} 的后台任务", "There is no background job {job}"),
    "job.crashed": (
        "后台任务意外失败，已记录日志；请重试或联系技术支持",
        "The background job failed unexpectedly (logged); retry or contact support",
    ),
    "job.retrying": (
        "执行该任务的进程 {worker} 已中断，任务已重新排队",
        "The worker {worker} running this job stopped; the job was queued again",
    ),
    "job.interrupted": (
        "任务执行中断（进程被终止），未写入任何结果；请重新提交",
        "The job was interrupted (its process was killed) and wrote nothing; submit it again",
    ),
    "job.no_queue": (
        "未配置后台队列：请设置 MATCHMAKER_REDIS_URL（例如 redis://127.0.0.1:6379/0）",
        "No background queue configured: set MATCHMAKER_REDIS_URL (e.g. redis://127.0.0.1:6379/0)",
    ),
    "job.queue_down": (
        "后台队列（Redis）暂时无法连接，任务未提交；请稍后重试",
        "The background queue (Redis) is unreachable; the job was not submitted, retry later",
    ),
    "agenda.session_over": (
        "专场 {session} 已于 {end} 结束，议程不能再生成、发布或调整",
        "Session {session} ended at {end}; its agenda can no longer be built, published or changed",
    ),
    "agenda.published": (
        "议程已发布，请用“调整”处理变更，而不是重新生成",
        "The agenda is published: use repair for changes instead of rebuilding",
    ),
    "agenda.one_party": (
        "请只填写项目编号或机构编号中的一个",
        "Give either a project id or an institution id, not both",
    ),
    "agenda.not_built": ("议程尚未生成", "The agenda has not been built yet"),
    "agenda.bad_options": (
        "生成议程的参数有误（{count} 处），议程未改动",
        "The build options have {count} problems; the agenda was not changed",
    ),
    "agenda.limit_out_of_range": (
        "{label}应为 {low}–{high} 之间的整数",
        "{label} must be a whole number from {low} to {high}",
    ),
    "agenda.limit_min_above_max": (
        "{label} {value} 大于上限 {high}",
        "{label} {value} is above the maximum {high}",
    ),
    "agenda.limit.project_min": ("每个项目最少会见数", "Meetings per project, at least"),
    "agenda.limit.project_max": ("每个项目最多会见数", "Meetings per project, at most"),
    "agenda.limit.institution_min": ("每个机构最少会见数", "Meetings per institution, at least"),
    "agenda.limit.institution_max": ("每个机构最多会见数", "Meetings per institution, at most"),
    "agenda.invalid": (
        "议程未通过校验（{count} 处问题），例如：{first}",
        "The agenda failed validation ({count} problems), e.g. {first}",
    ),
    "agenda.meeting_cancelled": ("该会见已取消", "This meeting is already cancelled"),
    "agenda.table": ("{number}号桌", "Table {number}"),
    "agenda.calendar": ("创投对接会议程", "Matchmaking agenda"),
    "agenda.ics_summary": ("对接：{institution} × {project}", "Meeting: {institution} × {project}"),
    "agenda.ics_description": (
        "{session}，{table}，状态：{status}",
        "{session}, {table}, status: {status}",
    ),
    "agenda.col.session": ("专场", "Session"),
    "agenda.col.date": ("日期", "Date"),
    "agenda.col.start": ("开始", "Start"),
    "agenda.col.end": ("结束", "End"),
    "agenda.col.table": ("桌号", "Table"),
    "agenda.col.institution_id": ("机构编号", "Institution id"),
    "agenda.col.institution": ("机构名称", "Institution"),
    "agenda.col.project_id": ("报名编号", "Project id"),
    "agenda.col.project": ("项目名称", "Project"),
    "agenda.col.status": ("状态", "Status"),
    "agenda.col.counterpart": ("对方", "With"),
    "booking.not_in_session": (
        "{what} 未报名 {session} 专场",
        "{what} is not registered for session {session}",
    ),
    "status.pending": ("待确认", "pending"),
    "status.accepted": ("已接受", "accepted"),
    "status.declined": ("已拒绝", "declined"),
    "status.expired": ("已过期", "expired"),
    "status.cancelled": ("已取消", "cancelled"),
    "booking.pair_meets": (
        "双方在本专场已安排在第 {slot} 时段会见，无需重复预约",
        "The two already meet in slot {slot} of this session; no second booking is needed",
    ),
    "booking.session_over": (
        "专场 {session} 已于 {end} 结束，不能再预约；请选择其他专场",
        "Session {session} ended at {end} and can no longer be booked; please pick another",
    ),
    "booking.slot_started": (
        "第 {slot} 时段已于 {start} 开始，不能再预约；请选择之后的时段",
        "Slot {slot} began at {start} and can no longer be booked; please pick a later one",
    ),
    "booking.no_slot": (
        "请选择一个时段再发送预约，未发送任何预约",
        "Pick a slot before sending the request; nothing was sent",
    ),
    "booking.pick_slot": ("请选择一个时段", "Pick a slot"),
    "booking.slot_taken": (
        "第 {slot} 时段已被占用，请选择其他时段",
        "Slot {slot} is already taken; please pick another",
    ),
    "booking.not_pending": (
        "该预约当前状态为“{status}”，无法再处理",
        "This request is {status} and can no longer be changed",
    ),
    "booking.changed_meanwhile": (
        "该预约刚刚变为“{status}”，您的操作未执行，请刷新后查看",
        "This request has just become {status}, so your action was not applied; reload to see it",
    ),
    "booking.already_requested": (
        "{project} 与 {institution} 在本专场已有预约",
        "{project} and {institution} already have a request in this session",
    ),
    "booking.project_cap": (
        "每个项目在一个专场最多同时发起 {cap} 个预约",
        "A project may hold at most {cap} requests per session",
    ),
    "booking.institution_cap": (
        "{institution} 本专场的预约已满（上限 {cap} 个），请选择其他机构",
        "{institution} has reached its limit of {cap} requests in this session; "
        "please choose another institution",
    ),
    # intents, due diligence, reports (ledger.py; services/intents, due_diligence, reports)
    "what.intent": ("投资意向", "Intent"),
    "what.due_diligence": ("尽调任务", "Due-diligence task"),
    "intent.invalid": (
        "投资意向有误：{count} 处问题，未做任何修改",
        "The intent has {count} problem(s); nothing was changed",
    ),
    "intent.exists": (
        "该机构与项目已有一条投资意向（编号 {id}），请在原记录上修改",
        "This institution and project already have an intent (id {id}); edit that one",
    ),
    "intent.stale": (
        "该记录已被他人修改（当前版本 {version}），请刷新后再改",
        "Someone changed this record meanwhile (now version {version}); reload and try again",
    ),
    "intent.back_needs_reason": (
        "状态从“{old}”退回需要填写原因",
        "Moving back from “{old}” needs a reason",
    ),
    "intent.reopen_needs_reason": (
        "重新开启已终止的意向需要填写原因",
        "Reopening a dropped intent needs a reason",
    ),
    "intent.drop_needs_reason": (
        "终止意向需要选择终止原因",
        "Dropping an intent needs a reason from the list",
    ),
    "intent.bad_drop_reason": (
        "终止原因应为：{choices}",
        "The drop reason must be one of: {choices}",
    ),
    "intent.amount_required": ("“{status}”需要填写金额", "“{status}” needs an amount"),
    "intent.amount_zero": ("“{status}”的金额不能为 0", "The amount of “{status}” cannot be 0"),
    "intent.signed_at_required": (
        "“{status}”需要填写签约日期",
        "“{status}” needs the signing date",
    ),
    "intent.invested_amount_required": (
        "投资落地需要填写落地金额",
        "Invested needs the invested amount",
    ),
    "intent.invested_at_required": (
        "投资落地需要填写落地日期",
        "Invested needs the date it landed",
    ),
    "intent.date_in_future": ("日期不能晚于今天", "The date cannot be after today"),
    "intent.invested_before_signed": ("落地日期早于签约日期", "Invested before it was signed"),
    "intent.bad_meeting": (
        "该会见不属于这一机构与项目",
        "That meeting is not between this institution and project",
    ),
    "intent.meeting_session": ("会见与所填专场不一致", "The meeting is in a different session"),
    "intent.implausible_amount": (
        "金额超过 100 亿元，请检查单位（本列无单位时按万元计）",
        "Over 10 billion yuan: check the unit (bare numbers in this column are 万元)",
    ),
    "import.unknown_project": ("没有这个项目编号", "No project with this id"),
    "import.unknown_institution": ("没有这个机构编号", "No institution with this id"),
    "import.duplicate_pair": (
        "同一机构与项目在第 {first_row} 行已出现",
        "The same institution and project already appear in row {first_row}",
    ),
    "import.bad_intent_status": (
        "状态应为：关注、意向洽谈、签约意向、尽调、投资落地、终止",
        "Status must be one of: watching, negotiating, signed, due_diligence, invested, dropped",
    ),
    "import.bad_drop_reason": ("终止原因不在列表中", "Not a drop reason from the list"),
    "import.bad_date": ("日期格式应为 2026-12-08", "Dates are written 2026-12-08"),
    "import.one_session": ("只能填写一个专场", "Only one session per row"),
    "dd.invalid": (
        "尽调任务有误：{count} 处问题，未做任何修改",
        "The task has {count} problem(s); nothing was changed",
    ),
    "dd.owner_required": ("进行中的尽调任务需要负责人", "An open task needs an owner"),
    "dd.outcome_required": ("完成的尽调任务需要填写结果", "A finished task needs its outcome"),
    "dd.follow_up_far": (
        "下次跟进日期比截止日期晚一年以上",
        "The next follow-up is over a year after the due date",
    ),
    "dd.bad_intent": (
        "该投资意向不属于这一机构与项目",
        "That intent is not between this institution and project",
    ),
    "notice.test.subject": ("测试消息：{channel}", "Test message: {channel}"),
    "notice.test.body": (
        "这是 matchmaker 发出的测试消息，说明{channel}通道已接通。",
        "This is a test message from matchmaker: the {channel} channel works.",
    ),
    "notice.item.line": ("{text}", "{text}"),
    # ---- notifications: delivery (sender, channels, the organiser's log)
    "notify.send.footer_inbox": ("查看全部通知：{url}", "All your notifications: {url}"),
    "notify.send.footer_unsubscribe": (
        "不再接收此类通知：{url}",
        "Stop notices of this kind: {url}",
    ),
    "notify.send.not_configured": (
        "未配置{channel}通道（MATCHMAKER_SMTP_URL / MATCHMAKER_WEBHOOK_URL）",
        "The {channel} channel is not configured (MATCHMAKER_SMTP_URL / MATCHMAKER_WEBHOOK_URL)",
    ),
    "notify.send.unknown_channel": (
        "没有这个通道：{value}（可选 email、webhook、sms）",
        "No such channel: {value} (choose email, webhook or sms)",
    ),
    "notify.send.bad_address": (
        "“{value}”不是可用的邮箱地址或手机号",
        "'{value}' is not a usable e-mail address or phone number",
    ),
    "notify.send.no_person": ("找不到发送测试消息的账号", "No account to send the test to"),
    "notify.send.ok": ("测试消息已发出：{channel} → {address}", "Test sent: {channel} → {address}"),
    "notify.send.failed": (
        "测试消息未能发出：{channel} → {address}：{error}",
        "The test did not go out: {channel} → {address}: {error}",
    ),
    "notify.log.title": ("通知发送记录", "Notification deliveries"),
    "notify.log.nav": ("通知记录", "Notifications sent"),
    "notify.log.intro": (
        "每条通知经每个通道的发送情况；失败的标红，可重试。",
        "Each notice through each channel; failures stand out and can be retried.",
    ),
    "notify.log.bad_filter": (
        "筛选条件 {column} 的值“{value}”无效",
        "Filter {column}: '{value}' is not a choice",
    ),
    "notify.log.not_found": ("没有编号为 {id} 的发送记录", "No delivery {id}"),
    "notify.log.not_failed": (
        "发送记录 {id} 并未失败，无需重试",
        "Delivery {id} has not failed: nothing to retry",
    ),
    "notify.log.retried": ("已重新排队发送：{address}", "Queued again: {address}"),
    "notify.log.none": ("没有符合条件的发送记录。", "No deliveries match."),
    "notify.log.in_app_only": (
        "尚未配置邮件或 Webhook（MATCHMAKER_SMTP_URL、MATCHMAKER_WEBHOOK_URL），"
        "通知目前只出现在各人的站内通知列表中。",
        "No e-mail or webhook is configured (MATCHMAKER_SMTP_URL, MATCHMAKER_WEBHOOK_URL): notices "
        "appear only on each person's in-app list for now.",
    ),
    "notify.log.any": ("全部", "Any"),
    "notify.log.filter": ("筛选", "Filter"),
    "notify.log.export": ("导出", "Export"),
    "notify.log.retry": ("重试", "Retry"),
    "notify.log.test_title": ("测试发送", "Test send"),
    "notify.log.test_help": (
        "向自己发送一条测试消息，检查通道是否接通（webhook 发往已配置的地址）。",
        "Send yourself a test message to check a channel (the webhook goes to its configured URL).",
    ),
    "notify.log.test_button": ("发送测试（{channel}）", "Send a test ({channel})"),
    "notify.log.test_to": ("收件地址", "To"),
    "notify.log.unconfigured": ("未配置", "not configured"),
    "notify.log.status_pending": ("待发送", "Pending"),
    "notify.log.status_sent": ("已发送", "Sent"),
    "notify.log.status_failed": ("失败", "Failed"),
    "notify.log.col_id": ("编号", "ID"),
    "notify.log.col_event": ("活动", "Event"),
    "notify.log.col_person": ("账号", "Account"),
    "notify.log.col_person_name": ("姓名", "Name"),
    "notify.log.col_kind_label": ("类型", "Kind"),
    "notify.log.col_channel_label": ("通道", "Channel"),
    "notify.log.col_address": ("地址", "Address"),
    "notify.log.col_status_label": ("状态", "Status"),
    "notify.log.col_attempts": ("尝试次数", "Attempts"),
    "notify.log.col_last_error": ("最近错误", "Last error"),
    "notify.log.col_created_at": ("生成时间", "Written"),
    "notify.log.col_next_attempt_at": ("下次尝试", "Next try"),
    "notify.log.col_sent_at": ("发送时间", "Sent"),
    # ---- notifications: person (in-app list, badge, settings, one-click unsubscribe)
    "notify.inbox.title": ("通知", "Notifications"),
    "notify.inbox.nav": ("通知", "Notices"),
    "notify.inbox.badge": ("通知，{count} 条未读", "Notifications, {count} unread"),
    "notify.inbox.what": ("通知", "Notice"),
    "notify.inbox.all": ("全部", "All"),
    "notify.inbox.unread_only": ("只看未读", "Unread only"),
    "notify.inbox.unread": ("未读", "Unread"),
    "notify.inbox.unread_count": ("{count} 条未读", "{count} unread"),
    "notify.inbox.empty": ("暂无通知", "No notifications yet"),
    "notify.inbox.empty_unread": ("没有未读通知", "No unread notifications"),
    "notify.inbox.mark_all": ("全部标为已读", "Mark all read"),
    "notify.inbox.marked_all": ("已将 {count} 条通知标为已读", "Marked {count} notice(s) read"),
    "notify.inbox.tap_to_read": ("点按标为已读", "Tap to mark read"),
    "notify.inbox.link_hidden": (
        "（链接已发到您的邮箱或手机，为安全起见不在此显示）",
        "(the link was sent to your e-mail or phone; for safety it is not shown here)",
    ),
    "notify.inbox.settings": ("通知设置", "Notification settings"),
    "notify.prefs.title": ("通知设置", "Notification settings"),
    "notify.prefs.intro": (
        "每条通知都会出现在本站的“通知”列表中；此外还可以选择下面的渠道，不在本站时也能收到。",
        "Every notice is on your list here; choose the channels below to receive them when you "
        "are not on this site too.",
    ),
    "notify.prefs.channels": ("接收渠道", "Channels"),
    "notify.prefs.in_app": ("站内通知：始终开启", "In-app list: always on"),
    "notify.prefs.channel.email": (
        "电子邮件：发到下面的邮箱，含纯文本和网页两种格式",
        "E-mail: to the address below, as plain text and HTML",
    ),
    "notify.prefs.channel.sms": (
        "短信：发到下面的手机号，经组委会接入的短信网关",
        "SMS: to the mobile number below, through the organisers' SMS gateway",
    ),
    "notify.prefs.channel.webhook": (
        "Webhook：推送到组委会接入的服务（如企业微信、钉钉群机器人或微信服务号），由其转达给您",
        "Webhook: pushed to the service the organisers connected (a WeCom or DingTalk bot, a "
        "WeChat service account), which passes it on to you",
    ),
    "notify.prefs.not_configured": (
        "本站尚未配置此渠道，暂时不会通过它发送",
        "Not set up on this server yet: nothing is sent this way for now",
    ),
    "notify.prefs.email": ("邮箱", "E-mail address"),
    "notify.prefs.phone": ("手机号", "Mobile number"),
    "notify.prefs.uses_contact": (
        "留空则使用{party}登记的联系方式：{value}",
        "Left empty, the contact {party} registered is used: {value}",
    ),
    "notify.prefs.no_contact": (
        "留空则无处可发：{party}没有登记",
        "Left empty, there is nowhere to send: {party} registered none",
    ),
    "notify.prefs.no_party": (
        "留空则无处可发：您的账号不属于任何项目或机构",
        "Left empty, there is nowhere to send: your account belongs to no project or institution",
    ),
    "notify.prefs.quiet": ("免打扰时段", "Quiet hours"),
    "notify.prefs.quiet_from": ("开始", "From"),
    "notify.prefs.quiet_to": ("结束", "To"),
    "notify.prefs.quiet_hint": (
        "北京时间 HH:MM，例如 22:00 至 07:00（可跨午夜）；期间不发邮件、短信和 Webhook，"
        "留到时段结束后再发；账号邀请、重设密码等安全类通知除外。两项都留空即不设免打扰。",
        "Beijing time, HH:MM, e.g. 22:00 to 07:00 (may span midnight): nothing is e-mailed, "
        "texted or pushed then, but held until it ends; security notices (invitations, password "
        "resets) are not held. Leave both empty for none.",
    ),
    "notify.prefs.kinds": ("可以退订的通知", "Notices you may turn off"),
    "notify.prefs.kinds_hint": (
        "取消勾选即不再通过上面的渠道接收这一类（站内列表照常显示）。会见预约、议程变动和安全类通知总会发送。",
        "Untick a kind to stop receiving it through the channels above (it still shows on your "
        "list here). Requests, agenda changes and security notices always go out.",
    ),
    "notify.prefs.save": ("保存设置", "Save settings"),
    "notify.prefs.saved": ("通知设置已保存", "Your notification settings are saved"),
    "notify.prefs.invalid": (
        "通知设置有误：{count} 处问题，未做任何修改",
        "The settings have {count} problem(s); nothing was changed",
    ),
    "notify.prefs.bad_time": (
        "“{value}”不是有效的时间：请写成 HH:MM（00:00–23:59），例如 22:00",
        "“{value}” is not a time: write HH:MM (00:00–23:59), e.g. 22:00",
    ),
    "notify.prefs.quiet_both": (
        "免打扰时段需要同时填写开始和结束时间，或都留空",
        "Quiet hours need both a start and an end, or neither",
    ),
    "notify.prefs.quiet_same": (
        "开始和结束都是 {value}：免打扰时段需要有长度",
        "Both ends are {value}: quiet hours need a span",
    ),
    "notify.prefs.bad_email": (
        "“{value}”不是有效的邮箱地址",
        "“{value}” is not an e-mail address",
    ),
    "notify.prefs.bad_phone": (
        "“{value}”不是有效的电话号码：7–15 位数字，可带 +、空格、- 和括号",
        "“{value}” is not a phone number: 7–15 digits, with +, spaces, - and brackets allowed",
    ),
    "notify.prefs.bad_channel": (
        "没有“{value}”这个渠道，可选：{choices}",
        "There is no channel “{value}”; choose from: {choices}",
    ),
    "notify.prefs.no_address": (
        "选择了{channel}，但没有地址可发：请在这里填写（所属项目或机构也没有登记）",
        "{channel} is chosen but there is no address to send to: enter one here (your project "
        "or institution registered none)",
    ),
    "notify.prefs.bad_kind": ("没有“{value}”这类通知", "There is no kind of notice “{value}”"),
    "notify.prefs.not_mutable": (
        "“{value}”类通知不能退订：只有赛程提醒和主办方通知可以",
        "“{value}” notices cannot be turned off: only reminders and announcements can",
    ),
    "notify.prefs.security": (
        "“{value}”是安全类通知，总会发送，不能退订",
        "“{value}” is a security notice: it always goes out and cannot be turned off",
    ),
    "notify.unsub.title": ("退订通知", "Unsubscribe"),
    "notify.unsub.confirm": (
        "{who} 将不再通过邮件、短信或 Webhook 收到“{kind}”（站内通知列表照常显示）。",
        "{who} will no longer receive “{kind}” by e-mail, SMS or webhook (they still show on the "
        "in-app list).",
    ),
    "notify.unsub.button": ("退订“{kind}”", "Unsubscribe from “{kind}”"),
    "notify.unsub.done": (
        "已退订：{who} 不再通过邮件、短信或 Webhook 收到“{kind}”。",
        "Unsubscribed: {who} no longer receives “{kind}” by e-mail, SMS or webhook.",
    ),
    "notify.unsub.already": (
        "{who} 此前已退订“{kind}”，无需再次操作。",
        "{who} had already unsubscribed from “{kind}”; nothing more to do.",
    ),
    "notify.unsub.undo": (
        "如需恢复，请登录后在“通知设置”中重新勾选。",
        "To turn it back on, sign in and tick it again in your notification settings.",
    ),
    "notify.unsub.bad_link": (
        "这个退订链接无效（可能复制时被截断了），未做任何修改。",
        "This unsubscribe link is not valid (it may have been cut short when copied); nothing "
        "was changed.",
    ),
    # ---- notifications: triggers (what causes a notice; sentences of each kind and item)
    "notice.request_received.subject": (
        "新的会见预约：{by}（{date} {time}）",
        "New meeting request: {by} ({date} {time})",
    ),
    "notice.request_received.body": (
        "{by}预约了一场会见：{project} × {institution}，{session} {date} {time}，{table}。"
        "请在 {expires} 前答复，逾期预约自动失效。",
        "{by} asked for a meeting: {project} × {institution}, {session_en} {date} {time}, "
        "{table_en}. Please answer by {expires}; after that the request lapses.",
    ),
    "notice.request_accepted.subject": (
        "预约已接受：{counterpart}（{date} {time}）",
        "Request accepted: {counterpart} ({date} {time})",
    ),
    "notice.request_accepted.body": (
        "{counterpart}接受了会见预约：{session} {date} {time}，{table}。",
        "{counterpart} accepted the meeting request: {session_en} {date} {time}, {table_en}.",
    ),
    "notice.request_declined.subject": (
        "预约未被接受：{counterpart}（{date} {time}）",
        "Request declined: {counterpart} ({date} {time})",
    ),
    "notice.request_declined.body": (
        "{counterpart}婉拒了会见预约（{session} {date} {time}），"
        "该时段已释放，可另约其他时段或机构。",
        "{counterpart} declined the meeting request ({session_en} {date} {time}); the slot is "
        "free again for another booking.",
    ),
    "notice.request_withdrawn.subject": (
        "预约已撤回：{project} × {institution}",
        "Request withdrawn: {project} × {institution}",
    ),
    "notice.request_withdrawn.body": (
        "{project} × {institution}的会见预约（{session} {date} {time}，{table}）已撤回，"
        "该时段已释放。",
        "The meeting request {project} × {institution} ({session_en} {date} {time}, {table_en}) "
        "was withdrawn; the slot is free again.",
    ),
    "notice.request_expired.subject": (
        "预约已过期：{project} × {institution}",
        "Request expired: {project} × {institution}",
    ),
    "notice.request_expired.body": (
        "{project} × {institution}的会见预约（{session} {date} {time}）未在期限内答复，已自动失效，"
        "该时段已释放。",
        "The meeting request {project} × {institution} ({session_en} {date} {time}) was not "
        "answered in time and has lapsed; the slot is free again.",
    ),
    "notice.agenda_published.subject": (
        "{session}议程已发布（{date}）",
        "Agenda published: {session_en} ({date})",
    ),
    "notice.agenda_published.body": (
        "{session}（{date}，{venue}）议程已发布，您共有 {count} 场会见：",
        "The agenda of {session_en} ({date}, {venue}) is published; you have {count} meeting(s):",
    ),
    "notice.meetings_changed.subject": (
        "{session}议程有变动（{date}）",
        "Your agenda changed: {session_en} ({date})",
    ),
    "notice.meetings_changed.body": (
        "{session}（{date}）中您的会见有以下变动：",
        "Your meetings in {session_en} ({date}) changed:",
    ),
    "notice.reminder.subject": (
        "会见提醒：{date} {time} 起，{session}",
        "Reminder: meetings from {date} {time}, {session_en}",
    ),
    "notice.reminder.body": (
        "请按时到场（{venue}）。您的会见：",
        "Please be on time ({venue}). Your meetings:",
    ),
    "notice.broadcast.subject": (
        "{session}：组委会通知",
        "{session_en}: a message from the organisers",
    ),
    "notice.broadcast.body": ("{text}", "{text}"),
    "notice.task_due.subject": (
        "尽调任务到期提醒（{count} 项）",
        "Due-diligence tasks due ({count})",
    ),
    "notice.task_due.body": (
        "以下尽调任务今日（{day}）到期或已逾期：",
        "These due-diligence tasks are due today ({day}) or overdue:",
    ),
    "notice.invitation.subject": ("账号邀请：{event}", "Your account for {event}"),
    "notice.invitation.body": (
        "您已受邀使用{event}的对接平台，用户名 {username}。"
        "请在 {expires} 前打开以下链接设置密码：{link}",
        "You are invited to the matchmaking service of {event} as {username}. Open this link "
        "before {expires} to choose your password: {link}",
    ),
    "notice.password_reset.subject": ("密码重置链接", "Password reset link"),
    "notice.password_reset.body": (
        "账号 {username} 的密码重置链接（{expires} 前有效，只能使用一次）：{link}"
        "　如非本人申请，请忽略本消息并联系组委会。",
        "A link to reset the password of {username} (valid until {expires}, once): {link} "
        "If you did not ask for it, ignore this message and tell the organisers.",
    ),
    "notice.reminder.bad_minutes": (
        "提醒时间应为会见前 1–10080 分钟的整数，以逗号分隔（收到 {value}）",
        "Reminder offsets must be whole minutes from 1 to 10080, comma-separated (got {value})",
    ),
    "notice.reminder.bad_evening": (
        "前一天提醒的时间应写作 HH:MM，如 18:00（收到 {value}）",
        "The day-before reminder time must be HH:MM, e.g. 18:00 (got {value})",
    ),
    "notice.broadcast.label": (
        "群发通知（发给本专场所有项目和机构的账号）",
        "Message to everyone in this session (all project and institution accounts)",
    ),
    "notice.broadcast.placeholder": (
        "例如：签到处已移至一楼东门",
        "e.g. Check-in has moved to the east door, ground floor",
    ),
    "notice.broadcast.send": ("发送通知", "Send message"),
    "notice.broadcast.refused": ("通知未发送", "The message was not sent"),
    "notice.broadcast.empty": ("通知内容不能为空", "The message must not be empty"),
    "notice.broadcast.too_long": (
        "通知内容最多 {max} 字（现有 {length} 字）",
        "The message may have at most {max} characters (it has {length})",
    ),
    "notice.broadcast.sent": (
        "已向{session}的 {count} 个账号发送通知",
        "The message went to {count} account(s) of {session}",
    ),
    "notice.item.message": ("留言：{text}", "Message: {text}"),
    "notice.item.meeting": ("{time} {table} · {counterpart}", "{time} {table_en} · {counterpart}"),
    "notice.item.moved": (
        "改期：与{counterpart}的会见 {from_time} {from_table} → {time} {table}",
        "Moved: meeting with {counterpart} {from_time} {from_table_en} → {time} {table_en}",
    ),
    "notice.item.cancelled": (
        "取消：与{counterpart}的会见（{time} {table}）",
        "Cancelled: meeting with {counterpart} ({time} {table_en})",
    ),
    "notice.item.added": (
        "新增：与{counterpart}的会见 {time} {table}",
        "Added: meeting with {counterpart} {time} {table_en}",
    ),
    "notice.item.task_due": (
        "今日到期：{project} ← {institution}（截止 {due}）",
        "Due today: {project} ← {institution} (due {due})",
    ),
    "notice.item.task_overdue": (
        "已逾期：{project} ← {institution}（截止 {due}）",
        "Overdue: {project} ← {institution} (due {due})",
    ),
    # ---- #17 roadshow
    "what.draw": ("抽签", "Draw"),
    "roadshow.not_roadshow": ("专场 {session} 不是路演专场", "Session {session} is not a roadshow"),
    "roadshow.invalid": (
        "抽签设置有误：{count} 处问题，未做任何修改",
        "The draw has {count} problem(s); nothing was changed",
    ),
    "roadshow.bad_seed": (
        "种子应为 0 到 9223372036854775807 之间的整数",
        "The seed must be a whole number from 0 to 9223372036854775807",
    ),
    "roadshow.bad_minutes": (
        "每个项目的路演时长应为 1 到 240 分钟",
        "Minutes per pitch must be from 1 to 240",
    ),
    "roadshow.no_projects": (
        "专场 {session} 没有项目，无法抽签",
        "Session {session} has no projects to draw",
    ),
    "roadshow.published": (
        "专场 {session} 的路演顺序（第 {number} 次抽签）已公布，不能重新抽签",
        "The pitch order of {session} (draw {number}) is published: no new draw",
    ),
    "roadshow.no_draw": ("专场 {session} 尚未抽签", "Session {session} has no draw yet"),
    "roadshow.bad_client_key": (
        "缺少或无效的提交编号（client_key），请刷新页面后重试",
        "Missing or invalid client_key: reload the page and try again",
    ),
    "roadshow.bad_action": (
        "操作应为 bonus（提高匹配分）或 request（发起预约），而不是“{value}”",
        "The action must be bonus or request, not “{value}”",
    ),
    "roadshow.bad_target": (
        "专场 {session} 不是本活动的一对一对接专场",
        "Session {session} is not a one-to-one session of this event",
    ),
    "roadshow.no_interest": (
        "这些机构与项目没有路演意向：{pairs}",
        "No roadshow interest for: {pairs}",
    ),
    "roadshow.no_free_slot": (
        "专场 {session} 中双方没有共同的空闲时段",
        "No slot in {session} in which both are free",
    ),
    "ui.roadshow_title": ("路演：{session}", "Roadshow: {session}"),
    "ui.roadshow_not_published": (
        "路演顺序尚未公布，请稍后刷新。",
        "The pitch order is not published yet; check again later.",
    ),
    "ui.roadshow_now": ("正在路演", "Pitching now"),
    "ui.roadshow_interested": ("感兴趣", "Interested"),
    "ui.roadshow_undo": ("已感兴趣 · 点此取消", "Interested · tap to undo"),
    "ui.roadshow_tapped_on": ("已记下您对 {project} 的兴趣", "Interest in {project} noted"),
    "ui.roadshow_tapped_off": ("已取消对 {project} 的兴趣", "Interest in {project} withdrawn"),
    "ui.roadshow_draw": ("抽签", "Draw"),
    "ui.roadshow_seed": ("种子（留空则随机）", "Seed (empty: random)"),
    "ui.roadshow_minutes": (
        "每个项目分钟数（留空则按时段）",
        "Minutes per pitch (empty: the session's slots)",
    ),
    "ui.roadshow_publish": ("公布顺序", "Publish the order"),
    "ui.roadshow_drawn": (
        "第 {number} 次抽签完成，种子 {seed}",
        "Draw {number} made with seed {seed}",
    ),
    "ui.roadshow_published": ("路演顺序已公布", "The pitch order is published"),
    "ui.roadshow_draw_line": (
        "第 {number} 次抽签 · 种子 {seed} · {when}",
        "Draw {number} · seed {seed} · {when}",
    ),
    "ui.roadshow_verified": (
        "按种子重新抽签，结果与记录一致",
        "Drawn again from the seed: the same order as recorded",
    ),
    "ui.roadshow_mismatch": (
        "按种子重新抽签，结果与记录不一致！",
        "Drawn again from the seed: NOT the recorded order!",
    ),
    "ui.roadshow_projects_changed": (
        "抽签后专场项目有变动",
        "The session's projects changed after the draw",
    ),
    "ui.roadshow_published_at": ("已公布：{when}", "Published {when}"),
    "ui.roadshow_interest": ("路演意向", "Roadshow interest"),
    "ui.roadshow_count": ("感兴趣人数", "Interested"),
    "ui.roadshow_outcome": ("后续", "Follow-up"),
    "ui.roadshow_boosted": ("{session} 提高匹配分", "Score raised in {session}"),
    "ui.roadshow_requested": ("{session} 预约（{status}）", "Request in {session} ({status})"),
    "ui.roadshow_target": ("转入专场", "Into session"),
    "ui.roadshow_do_bonus": ("提高所选配对的匹配分", "Raise the chosen pairs' score"),
    "ui.roadshow_do_request": ("为所选配对发起预约", "Request meetings for the chosen pairs"),
    "ui.roadshow_no_interest": ("还没有投资人点击感兴趣。", "No investor has tapped yet."),
    "ui.roadshow_applied": (
        "完成 {done} 对，跳过 {skipped} 对",
        "{done} pair(s) done, {skipped} skipped",
    ),
    "ui.roadshow_skipped": (
        "{institution} × {project}：{reason}",
        "{institution} × {project}: {reason}",
    ),
    "ui.roadshow_link": ("路演", "Roadshow"),
    # ---- #17 check-in
    "checkin.no_code": ("请输入或扫描胸卡码", "Type or scan a badge code"),
    "checkin.bad_code": (
        "这不是有效的胸卡码（伪造、改动或抄错）：{value}",
        "Not a valid badge code (forged, altered or mistyped): {value}",
    ),
    "checkin.other_event": (
        "这张胸卡属于另一个活动（{other}），不能在 {event} 签到",
        "This badge belongs to another event ({other}); it cannot check in at {event}",
    ),
    "checkin.no_party": (
        "胸卡上的项目或机构已不在本活动中",
        "The badge's project or institution is no longer in this event",
    ),
    "checkin.not_in_session": (
        "{party} 不在专场 {session} 的名单中",
        "{party} is not on the list of session {session}",
    ),
    "checkin.bad_method": ("签到方式只能是扫码或手输", "Check-in is by scan or typed code only"),
    "checkin.done": ("签到成功：{name}（{time}）", "Checked in: {name} ({time})"),
    "checkin.already": ("{name} 已签到 {time}", "{name} already checked in at {time}"),
    "ui.badge": ("我的胸卡", "My badge"),
    "ui.badge_kind_project": ("参赛项目", "Project"),
    "ui.badge_kind_institution": ("创投机构", "Institution"),
    "ui.badge_print": ("打印胸卡", "Print badge"),
    "ui.badge_show_at_door": ("签到时请出示此二维码", "Show this QR code when you check in"),
    "ui.badges_print": ("打印全部胸卡", "Print all badges"),
    "ui.badges_count": ("共 {count} 张胸卡", "{count} badges"),
    "ui.badges_none": (
        "本专场还没有项目或机构",
        "This session has no projects or institutions yet",
    ),
    "ui.table_signs": ("打印桌牌", "Print table signs"),
    "ui.table_signs_none": ("本专场没有桌号", "This session has no tables"),
    "ui.checkin": ("签到", "Check-in"),
    "ui.checkin_choose": ("选择专场", "Choose session"),
    "ui.checkin_camera": ("打开摄像头扫码", "Scan with camera"),
    "ui.checkin_camera_stop": ("关闭摄像头", "Stop camera"),
    "ui.checkin_from_album": ("从相册选择", "Choose a photo"),
    "ui.checkin_no_camera": (
        "无法打开摄像头：请允许使用摄像头，或从相册选择、手输胸卡码",
        "Cannot open the camera: allow it, or choose a photo or type the badge code",
    ),
    "ui.checkin_no_qr": ("照片中没有找到二维码", "No QR code found in the photo"),
    "ui.checkin_offline": (
        "网络不通，未能签到，请重试",
        "No connection: not checked in, try again",
    ),
    "ui.checkin_typed": ("手输胸卡码", "Type the badge code"),
    "ui.checkin_submit": ("签到", "Check in"),
    "ui.checkin_arrived": ("已到", "Arrived"),
    "ui.checkin_party": ("项目 / 机构", "Project / institution"),
    "ui.checkin_time": ("签到时间", "Checked in"),
    "ui.checkin_not_yet": ("未到", "Not yet"),
    "ui.checkin_refreshes": ("每 10 秒自动刷新。", "Refreshes every 10 seconds."),
    "ui.live": ("现场实况", "Live view"),
    "ui.live_as_of": ("更新于", "As of"),
    "ui.live_checked_in": ("已签到 / 应到", "Checked in / expected"),
    "ui.live_running": ("进行中的会见", "Meetings now"),
    "ui.live_no_shows": ("缺席", "No-shows"),
    "ui.live_late": ("迟到", "Late"),
    "ui.live_free_tables": ("空闲桌", "Free tables"),
    "ui.live_slot": ("当前时段", "Slot now"),
    "ui.live_no_slot": ("当前不在任何时段内", "No slot under way"),
    "ui.live_none": ("无", "None"),
    # ---- #17 attendance
    "what.late_report": ("迟到报备", "Late report"),
    "attendance.invalid": (
        "出席记录有误，未做任何修改",
        "The attendance tap is not valid; nothing was changed",
    ),
    "attendance.empty": (
        "请选择出席情况、评分或是否继续跟进",
        "Choose attendance, a rating or a follow-up answer",
    ),
    "attendance.bad_mark": (
        "出席情况应为 held（已会见）或 absent（对方未到）",
        "The mark must be held or absent (the other side did not come)",
    ),
    "attendance.bad_rating": ("评分应为 1 到 5 的整数", "A rating is a whole number from 1 to 5"),
    "attendance.bad_key": (
        "client_key 应为 8–64 位字母、数字、下划线或连字符",
        "client_key must be 8–64 letters, digits, _ or -",
    ),
    "attendance.which_absent": (
        "组委会标记缺席时请注明是项目方（project_absent）还是机构方（institution_absent）",
        "An organiser says who was absent: project_absent or institution_absent",
    ),
    "attendance.other_side": (
        "只能标记对方未到场",
        "You can only mark the other side absent",
    ),
    "attendance.parties_rate": (
        "评分和继续跟进由会见双方填写",
        "Ratings and follow-ups come from the two sides of the meeting",
    ),
    "attendance.not_live": (
        "这场会见已取消或尚未确认，无法记录出席",
        "This meeting is cancelled or not confirmed: no attendance to record",
    ),
    "attendance.not_begun": (
        "会见 {start} 开始，开始后才能记录出席",
        "The meeting starts at {start}: attendance is recorded once it has begun",
    ),
    "attendance.rate_held_only": (
        "只有已会见的场次可以评分（对方标记了未到场）",
        "Only a meeting that took place can be rated (it is marked as a no-show)",
    ),
    "attendance.key_reused": (
        "这个 client_key 已用于另一项操作",
        "This client_key was already used for something else",
    ),
    "attendance.not_no_show": ("这场会见没有记为未到场", "This meeting is not marked as a no-show"),
    "late.invalid": (
        "迟到报备有误，未做任何修改",
        "The late report is not valid; nothing was changed",
    ),
    "late.bad_minutes": ("迟到分钟数应为 1 到 600", "Minutes late must be from 1 to 600"),
    "late.decided": ("这条迟到报备已处理", "This late report was already dealt with"),
    "notice.no_show.subject": (
        "未到场：{absent}（{session} 第 {slot} 时段）",
        "No-show: {absent} ({session}, slot {slot})",
    ),
    "notice.no_show.body": (
        "{absent}（{reg}）未到场，{session} 专场 {time} 第 {slot} 时段。"
        "可在议程表上为其余时段调整议程。",
        "{absent} ({reg}) did not come to slot {slot} at {time} in session {session}. "
        "The agenda grid offers a repair for the rest of the session.",
    ),
    "notice.late_reported.subject": (
        "迟到报备：{party} 迟到 {minutes} 分钟",
        "Late: {party}, {minutes} minutes",
    ),
    "notice.late_reported.body": (
        "{party}（{reg}）报备 {session} 专场将迟到 {minutes} 分钟（约 {time} 到场），"
        "请在议程表上确认。",
        "{party} ({reg}) will be {minutes} minutes late to session {session} (about {time}); "
        "confirm it on the agenda grid.",
    ),
    "ui.att_held": ("已会见", "We met"),
    "ui.att_absent": ("对方未到", "They did not come"),
    "ui.att_project_absent": ("项目方未到", "Project absent"),
    "ui.att_institution_absent": ("机构方未到", "Investor absent"),
    "ui.att_yours": ("您的记录：{mark}", "Your record: {mark}"),
    "ui.att_rate": ("评分", "Rating"),
    "ui.att_follow_up": ("继续跟进？", "Follow up?"),
    "ui.att_yes": ("是", "Yes"),
    "ui.att_no": ("否", "No"),
    "ui.att_send": ("提交", "Send"),
    "ui.att_rated": ("您的评分：{rating} 分", "Your rating: {rating}"),
    "ui.att_recorded": ("已记录：{status}", "Recorded: {status}"),
    "ui.att_intent": ("已加入投资意向台账（关注）", "Added to the intent ledger (watching)"),
    "ui.late_title": ("迟到报备", "Running late"),
    "ui.late_minutes": ("我将迟到（分钟）", "I'm late by (minutes)"),
    "ui.late_send": ("告知组委会", "Tell the organisers"),
    "ui.late_sent": (
        "已告知组委会：迟到 {minutes} 分钟，等待确认",
        "Organisers told: {minutes} minutes late, awaiting confirmation",
    ),
    "ui.late_pending": (
        "已报备迟到 {minutes} 分钟（约 {time} 到场），等待组委会确认",
        "Reported {minutes} minutes late (about {time}); awaiting the organisers",
    ),
    "ui.day_no_show": (
        "{absent}（{reg}）第 {slot} 时段未到场，之后还有 {count} 场会见",
        "{absent} ({reg}) missed slot {slot} and has {count} meeting(s) still to come",
    ),
    "ui.day_no_show_repair": ("为其余时段调整议程", "Repair the rest of the session"),
    "ui.day_no_show_confirm": (
        "取消 {absent} 之后的会见，并为空出的座位重新安排？",
        "Cancel {absent}'s meetings to come and refill their seats?",
    ),
    "ui.day_late": (
        "{party}（{reg}）报备迟到 {minutes} 分钟，约 {time} 到场（从第 {slot} 时段起）",
        "{party} ({reg}) reports being {minutes} minutes late, about {time} (from slot {slot})",
    ),
    "ui.day_late_confirm": ("确认并调整议程", "Confirm and repair"),
    "ui.day_late_dismiss": ("忽略", "Dismiss"),
    "ui.day_late_dismissed": ("已忽略这条迟到报备", "Late report dismissed"),
    "ui.report_unrecorded": (
        "另有 {count} 场会见时段已结束但未记录出席，未计入已会见",
        "{count} more meeting(s) whose slot has ended have no attendance recorded:"
        " not counted as held",
    ),
    "ui.report_response": (
        "评分回复率：投资方 {investor}，项目方 {entrant}（已会见 {held} 场）",
        "Rated after meeting: investors {investor}, entrants {entrant} (of {held} held)",
    ),
    # ---- #17 phone
    "phone.menu": ("菜单", "Menu"),
    "phone.updated_at": ("最后更新 {time}（离线副本）", "Last updated {time} (offline copy)"),
    "phone.queued": ("已保存，联网后发送", "Saved; it will be sent when you are back online"),
    "phone.queue_sent": ("离线时保存的操作已发送", "What you saved offline has been sent"),
    "phone.queue_refused": (
        "离线时保存的操作未被接受：",
        "What you saved offline was not accepted: ",
    ),
    "phone.next_meeting": ("下一场会见", "Your next meeting"),
    "phone.rest_of_day": ("当天其余安排", "The rest of that day"),
    "phone.where": ("{venue} · {table}", "{venue} · {table}"),
    "phone.with": ("洽谈对象", "Meeting with"),
    "phone.badge_link": ("我的胸牌（签到二维码）", "My badge (check-in QR code)"),
    "phone.all_agenda": ("完整议程", "Full agenda"),
    "phone.meeting_details": ("会见详情", "Meeting details"),
    "phone.close": ("关闭", "Close"),
    "phone.cancel_ask": ("确定取消这场会见吗？", "Cancel this meeting?"),
    "phone.cancel_yes": ("确认取消会见", "Yes, cancel the meeting"),
    "phone.cancel_no": ("不取消", "Keep it"),
    "phone.slot_time": ("第 {slot} 时段 · {start}–{end}", "Slot {slot} · {start}–{end}"),
    "reason.liked_near": (
        "与您标记感兴趣的「{project}」相近",
        "Close to {project}, which you marked as interesting",
    ),
    "reason.passed_near": (
        "与您标记不合适的「{project}」相近",
        "Close to {project}, which you marked as not a fit",
    ),
    "scope.unknown_division": (
        "未知的行政区划：{value}（请写县/市的全称或 6 位代码，如 洪洞县、141024）",
        "Unknown administrative division: {value} (write a county's or city's full name or "
        "its 6-digit code, e.g. 洪洞县, 141024)",
    ),
    "scope.ambiguous_division": (
        "“{value}”可指多个行政区划：{choices}，请写 6 位代码",
        "“{value}” names several divisions: {choices}; write the 6-digit code",
    ),
    "scope.parent_is_county": (
        "{key} 本身是分赛场（隶属 {parent}），不能再设下级分赛场",
        "{key} is itself a county event (under {parent}); it cannot have events under it",
    ),
    "scope.has_counties": (
        "{key} 下已有分赛场，不能再隶属其他活动",
        "{key} has county events under it; it cannot be put under another event",
    ),
    "ui.field_parent": ("所属市级大赛（活动编号）", "Under the city's contest (its event code)"),
    "ui.field_division": ("行政区划（市/县）", "Division (city or county)"),
    "ui.field_division_hint": ("洪洞县 或 141024", "洪洞县 or 141024"),
    "staff.invalid": (
        "账号未创建：{count} 处问题",
        "The account was not created: {count} problem(s)",
    ),
    "staff.no_username": ("请填写登录名", "Give a user name"),
    "staff.bad_role": (
        "角色须为组委会或工作人员：{value}",
        "The role must be organiser or staff: {value}",
    ),
    "staff.cannot_widen": (
        "您的账号限于部分活动，只能把账号限定在其中一个活动",
        "Your account is limited to some events: limit the account to one of them",
    ),
    "staff.unknown_scope": (
        "没有可选的活动 {value}",
        "No event {value} you may limit an account to",
    ),
    "staff.scope_set": ("{who} 的活动范围：{scope}", "{who} now covers: {scope}"),
    "staff.heading": ("组委会与工作人员账号", "Organiser and staff accounts"),
    "staff.help": (
        "新账号没有密码：创建后显示一次邀请链接，请复制发给本人。县（区）组委会的账号限定到本县的分赛场，"
        "只能看到本县的数据。",
        "A new account has no password: its invitation link is shown once, to copy and send. "
        "A county office's account limited to its county's event sees only that county's data.",
    ),
    "staff.username": ("登录名", "User name"),
    "staff.display_name": ("姓名", "Name"),
    "staff.role": ("角色", "Role"),
    "staff.scope": ("活动范围", "Events covered"),
    "staff.add": ("创建账号并生成邀请链接", "Create the account and its invitation link"),
    "staff.set_scope": ("改范围", "Change"),
    "scope.unknown_parent": (
        "没有编号为 {value} 的活动可作上级（市级大赛）",
        "No event with the code {value} to put this one under (the city's contest)",
    ),
    "scope.self_parent": ("活动不能隶属于自身", "An event cannot be under itself"),
    "scope.outside_city": (
        "{division} 不在上级活动的行政区划 {city} 之内",
        "{division} does not lie in the parent event's division {city}",
    ),
    "scope.not_staff": (
        "只有组委会或工作人员账号可以限定活动范围：{key}",
        "Only organiser and staff accounts can be limited to events: {key}",
    ),
    "scope.no_new_event": (
        "限定了活动范围的账号不能新建活动，请联系市级组委会",
        "An account limited to some events cannot create events; ask the city's organisers",
    ),
    "scope.everything": ("全部活动", "Every event"),
    "rollup.sheet": ("汇总", "Roll-up"),
    "rollup.title": ("{event}：各分赛场汇总", "{event}: roll-up of its county events"),
    "rollup.heading": ("各分赛场汇总", "County roll-up"),
    "rollup.link": ("各分赛场汇总", "County roll-up"),
    "rollup.col.event": ("活动", "Event"),
    "rollup.col.division": ("行政区划", "Division"),
    "rollup.col.projects": ("报名项目", "Projects registered"),
    "rollup.col.institutions": ("报名机构", "Institutions registered"),
    "rollup.col.meetings_held": ("已举行会见", "Meetings held"),
    "rollup.col.follow_ups": ("跟进", "Follow-ups"),
    "rollup.col.negotiating": ("洽谈中", "Negotiating"),
    "rollup.col.signed": ("签约意向", "Signed"),
    "rollup.col.signed_projects": ("签约项目", "Projects signed"),
    "rollup.col.signed_amount": ("签约金额（元）", "Signed amount (yuan)"),
    "rollup.col.due_diligence": ("尽职调查", "Due diligence"),
    "rollup.col.invested": ("投资落地", "Invested"),
    "rollup.col.invested_projects": ("落地项目", "Projects invested"),
    "rollup.col.invested_amount": ("落地金额（元）", "Invested amount (yuan)"),
    "rollup.col.dropped": ("终止", "Dropped"),
    "rollup.col.landings": ("落地（各类）", "Landings (all kinds)"),
    "rollup.none": (
        "{event} 下还没有分赛场。新建时用 matchmaker event create --parent {event} --division 县名",
        "{event} has no county events yet. Create one with matchmaker event create --parent "
        "{event} --division COUNTY",
    ),
    "what.landing": ("落地记录", "Landing"),
    "landing.invalid": (
        "落地记录有误：{count} 处问题，未做任何修改",
        "The landing has {count} problem(s); nothing was changed",
    ),
    "landing.kind_required": (
        "请选择落地类型：落户、入驻园区或合作",
        "Choose the kind of landing: relocation, park or cooperation",
    ),
    "landing.cooperation_required": (
        "合作需要选择方式：{choices}",
        "A cooperation needs its kind: {choices}",
    ),
    "landing.cooperation_only": (
        "只有“合作”才选择合作方式",
        "Only a cooperation has a cooperation kind",
    ),
    "landing.place_required": (
        "落户和入驻园区需要填写地点",
        "A relocation or a move into a park needs the place",
    ),
    "landing.date_required": ("需要填写落地日期", "The landing needs its date"),
    "landing.value_cooperation_only": (
        "只有“合作”可以填写金额（投资落地请在投资意向中记录）",
        "Only a cooperation has a value (record an investment on its intent)",
    ),
    "landing.bad_intent": (
        "该投资意向不属于这一项目（或这一机构）",
        "That intent is not this project's (or this institution's)",
    ),
    "landing.bad_choice": (
        "“{value}”不在可选之列：{choices}",
        "'{value}' is not one of: {choices}",
    ),
    "landing.fix_needs_amount": (
        "确定金额需要填写金额（如 500万）",
        "Fixing needs an amount (such as 5000000 or 500万)",
    ),
    "landing.pending": ("待定", "to be fixed"),
    "landing.kind.investment": ("投资落地", "Investment"),
    "dd.institution_required": (
        "尽调任务需要选择机构",
        "A due-diligence task needs an institution",
    ),
    "dd.counterpart_required": (
        "没有机构的服务任务需要填写对接单位",
        "A service task without an institution needs its counterpart",
    ),
    "intent.invested_amount_pending": ("金额待定", "Amount to be fixed"),
    "report.unfixed_note": (
        "（另有 {count} 项金额待定，未计入金额）",
        " ({count} more with the amount still to be fixed, not in the amount)",
    ),
    "report.col.invested_unfixed": ("落地金额待定（项）", "Landed, amount to be fixed"),
    "report.landings.sheet": ("落地情况", "Landings"),
    "report.landings.title": ("落地情况（按类型）", "Landings by kind"),
    "report.landings.col.kind": ("类型", "Kind"),
    "report.landings.col.count": ("项数", "Count"),
    "report.landings.col.projects": ("项目数", "Projects"),
    "report.landings.col.amount": ("已确定金额（元）", "Fixed amount (yuan)"),
    "report.landings.col.unfixed": ("金额待定（项）", "Amount to be fixed"),
    "report.landings.col.counterpart": ("对接单位", "Counterpart"),
    "report.landings.col.place": ("地点", "Place"),
    "report.landings.col.date": ("落地日期", "Date"),
    "report.landings.col.value": ("金额（元）", "Value (yuan)"),
    "report.tasks.sheet": ("服务跟进任务", "Service tasks"),
    "report.tasks.col.kind": ("任务类型", "Task"),
    "ui.landings_title": ("落地情况", "Landings"),
    "ui.landings_nav": ("落地", "Landings"),
    "ui.landings_none": ("还没有落地记录", "No landings yet"),
    "ui.landings_new": ("记录落地", "Record a landing"),
    "ui.landings_fix": ("确定金额", "Fix the amount"),
    "ui.landings_saved": ("已保存", "Saved"),
    "ui.landings_unfixed": (
        "投资落地金额待定 {count} 项（合计只含已确定金额）",
        "{count} landed investment(s) with the amount to be fixed (totals hold fixed amounts only)",
    ),
    "ui.field_landing_kind": ("落地类型", "Kind"),
    "ui.field_cooperation": ("合作方式", "Cooperation"),
    "ui.field_counterpart": ("对接单位", "Counterpart"),
    "ui.field_place": ("地点", "Place"),
    "ui.field_landed_on": ("落地日期", "Date"),
    "ui.field_value": ("金额", "Value"),
    "ui.field_value_pending": ("金额待定", "Amount to be fixed"),
    "ui.field_invested_amount_pending": ("落地金额待定", "Invested amount to be fixed"),
    "ui.field_task_kind": ("任务类型", "Task kind"),
    "ui.report_landings": ("落地情况", "Landings"),
    "ui.report_service_tasks": ("服务跟进任务", "Service follow-up tasks"),
    "what.library_proposal": ("项目库关联建议", "Library link proposal"),
    "reason.past_near": (
        "与往届对接中看好的项目相近：{company}（{percent}%）",
        "Close to a project it favoured at an earlier contest: {company} ({percent}%)",
    ),
    "library.party_here": (
        "本届已有关联到「{party}」的记录，不能再关联一条",
        "A row of this contest is already linked to {party}",
    ),
    "library.decided": ("关联建议 {id} 已处理（{status}）", "Proposal {id} was already {status}"),
    "library.not_alumni": (
        "专场 {session} 不是往届项目专场（alumni）",
        "Session {session} is not an alumni session",
    ),
    "library.not_past": (
        "{source} 不是 {event} 之前的往届大赛",
        "{source} is not an earlier contest than {event}",
    ),
    "library.not_shared": (
        "{source} 未开启“共享到项目库”，其项目不能被其他大赛引用",
        "{source} does not share with the library: its projects cannot be drawn",
    ),
    "library.alumni_rejected": (
        "往届项目未加入：{count} 个问题，未写入任何内容",
        "No alumni added: {count} problems, nothing written",
    ),
    "library.no_alumni": (
        "{source} 没有签约意向或评分 ≥ {rating} 的项目",
        "{source} has no project with a signed intent or a meeting rated {rating} or more",
    ),
    "library.code_taken": ("编号已被本届项目使用", "The code is already used in this contest"),
    "library.name_taken": (
        "本届已有同名项目（未关联到同一项目库身份）",
        "A project of this name is already here (not linked to the same identity)",
    ),
    "library.track_unknown": ("本届大赛没有这个赛道", "This contest has no such track"),
    "library.share_on": ("已共享到项目库", "Shared with the library"),
    "library.share_off": ("未共享到项目库", "Not shared with the library"),
    "library.nav": ("项目库", "Library"),
    "library.title": ("项目库与机构库", "Project and institution library"),
    "library.help": (
        "共享后，本届的项目、机构及其对接结果可被其他大赛查看：关联建议、历届记录、往届项目专场"
        "和机构推荐都只用共享大赛的数据。关联只在统一社会信用代码或身份证号一致时自动完成，"
        "电话、邮箱或名称相同、或报名内容与往届雷同（改名、改写、繁体）只作为建议，需要您确认。",
        "Once shared, this contest's projects, institutions and outcomes are seen by other"
        " contests: link proposals, histories, alumni sessions and carried-over shortlists use"
        " only shared contests. Rows join an identity by themselves only on an equal credit code"
        " or ID number; the same phone, e-mail or name, or a registration repeated from another"
        " contest (renamed, reworded, in Traditional characters), is only proposed, for you to"
        " confirm.",
    ),
    "library.share_start": ("共享到项目库", "Share with the library"),
    "library.share_stop": ("停止共享", "Stop sharing"),
    "library.confirmed": (
        "已确认：记录已关联到项目库身份",
        "Confirmed: the row joined the identity",
    ),
    "library.rejected": ("已驳回：记录保留自己的身份", "Rejected: the row keeps its own identity"),
    "library.how.new": ("首次登记", "first entry"),
    "library.how.credit_code": ("按统一社会信用代码自动关联", "linked by credit code"),
    "library.how.leader_id": ("按负责人身份证号自动关联", "linked by ID number"),
    "library.how.confirmed": ("组委会确认关联", "linked by an organiser"),
    "library.how.alumni": ("往届项目专场引入", "drawn into an alumni session"),
    "library.history_contest": ("大赛与记录", "Contest and row"),
    "library.history_meetings": ("已举行的会见", "Meetings held"),
    "library.history_intents": ("投资意向", "Intents"),
    "library.proposals_title": ("项目库关联建议", "Library link proposals"),
    "library.proposals_none": ("没有待确认的关联建议", "No proposals waiting"),
    "library.row": ("本届记录", "This contest's row"),
    "library.elsewhere": ("往届记录", "Earlier rows"),
    "library.reasons": ("相同之处", "What matches"),
    "library.reason.phone": ("电话", "phone"),
    "library.reason.email": ("邮箱", "e-mail"),
    "library.reason.name": ("名称", "name"),
    "library.reason.duplicate": ("报名内容雷同", "repeated registration"),
    "library.copy_similarity": ("相似度 {value}", "similarity {value}"),
    "library.confirm": ("确认是同一主体", "Confirm: the same party"),
    "library.reject": ("不是同一主体", "Reject: not the same"),
    "library.history_title": ("历届参赛记录", "History across contests"),
    "library.history_none": (
        "没有其他共享大赛中的记录",
        "No rows in other contests that share with the library",
    ),
    "library.history_row": (
        "{year} {event}：{code} {name}；会见 {meetings} 场；意向 {intents} 个",
        "{year} {event}: {code} {name}; {meetings} meetings held; {intents} intents",
    ),
    "targets.invalid": (
        "年度目标有误：{count} 处问题，未做任何修改",
        "The targets have {count} problem(s); nothing was changed",
    ),
    "targets.unknown_metric": (
        "没有“{value}”这项目标；可设：{choices}",
        "'{value}' is not a target; choose from: {choices}",
    ),
    "targets.bad_value": (
        "目标须为 0 到 {limit} 之间的整数（金额以元计），不能是“{value}”",
        "A target must be a whole number from 0 to {limit} (amounts in yuan), not '{value}'",
    ),
    "targets.heading": ("年度目标", "Targets for the year"),
    "targets.sheet": ("年度目标", "Targets"),
    "targets.none": (
        "尚未设定年度目标（组委会可用 matchmaker targets set 或下方表单设定）",
        "No targets set for the year "
        "(organisers set them with matchmaker targets set or the form below)",
    ),
    "targets.col.metric": ("指标", "Measure"),
    "targets.col.target": ("目标", "Target"),
    "targets.col.actual": ("完成", "Done"),
    "targets.col.percent": ("完成率", "Done (%)"),
    "targets.saved": ("年度目标已保存", "Targets saved"),
    "targets.edit": ("设定年度目标", "Set the year's targets"),
    "targets.save": ("保存目标", "Save targets"),
    "targets.blank_hint": (
        "留空即不设该项；金额可写 5000万、1.2亿",
        "Leave a box empty for no target; amounts may be written 5000万, 1.2亿",
    ),
    "targets.metric.meetings_held": ("已举行会见", "Meetings held"),
    "targets.metric.signed_projects": ("签约项目数", "Projects signed"),
    "targets.metric.signed_amount": ("签约意向金额", "Signed amount"),
    "targets.metric.invested_projects": ("投资落地项目数", "Projects invested in"),
    "targets.metric.invested_amount": ("投资落地金额", "Invested amount"),
    "targets.metric.landings": (
        "落地总数（含落户、入驻、合作）",
        "Landings (incl. relocation, park, cooperation)",
    ),
    "intent.pending_needs_invested": (
        "落地金额写“待定”的行，状态须为“投资落地”",
        "An invested amount of 待定 (to be fixed) needs the status 投资落地 (invested)",
    ),
    # a form field's name on a page's notice (``Problem.line(named=True)``); sheet columns
    # are named as their header is written, and the API and CLI keep the field's code
    "column.breaks": ("休息时段", "Breaks"),
    "column.channel": ("通知渠道", "Channel"),
    "column.client_key": ("离线提交编号", "Offline submission key"),
    "column.code": ("编号", "Code"),
    "column.confirm": ("确认", "Confirmation"),
    "column.cooperation": ("合作类型", "Cooperation"),
    "column.counterpart": ("对接方", "Counterpart"),
    "column.days": ("天数", "Days"),
    "column.division": ("所属区县", "County or district"),
    "column.end": ("结束时间", "End"),
    "column.start": ("开始时间", "Start"),
    "column.date": ("日期", "Date"),
    "column.file": ("文件", "File"),
    "column.format": ("格式", "Format"),
    "column.from": ("来源大赛", "From contest"),
    "column.institution": ("投资机构", "Institution"),
    "column.institution_id": ("投资机构", "Institution"),
    "column.intent_id": ("投资意向", "Intent"),
    "column.kind": ("类型", "Kind"),
    "column.landed_on": ("落地日期", "Landed on"),
    "column.languages": ("语言", "Languages"),
    "column.like": ("看好/不看好", "Like or pass"),
    "column.locked_fields": ("锁定字段", "Locked fields"),
    "column.mark": ("评分", "Mark"),
    "column.meeting_id": ("会见", "Meeting"),
    "column.method": ("方式", "Method"),
    "column.minutes": ("分钟数", "Minutes"),
    "column.name": ("名称", "Name"),
    "column.next_follow_up": ("下次跟进日期", "Next follow-up"),
    "column.outcome": ("结果", "Outcome"),
    "column.owner": ("负责人", "Owner"),
    "column.page": ("页码", "Page"),
    "column.parent": ("所属市级大赛", "City contest"),
    "column.pitch_minutes": ("路演时长（分钟）", "Pitch minutes"),
    "column.place": ("地点", "Place"),
    "column.preset": ("预设", "Preset"),
    "column.project": ("参赛项目", "Project"),
    "column.quiet_end": ("免打扰结束时间", "Quiet hours end"),
    "column.rating": ("评分", "Rating"),
    "column.reason": ("原因", "Reason"),
    "column.role": ("角色", "Role"),
    "column.scope": ("可管理的大赛", "Events it may manage"),
    "column.seed": ("种子", "Seed"),
    "column.session": ("对接专场", "Session"),
    "column.sessions": ("对接专场", "Sessions"),
    "column.slot": ("时段", "Slot"),
    "column.slot_minutes": ("每个时段（分钟）", "Slot minutes"),
    "column.status": ("状态", "Status"),
    "column.table_labels": ("桌号名称", "Table labels"),
    "column.tables": ("桌数", "Tables"),
    "column.text": ("内容", "Text"),
    "column.ticket_min": ("单笔投资下限", "Smallest ticket"),
    "column.to": ("收件人", "To"),
    "column.track": ("赛道", "Track"),
    "column.tracks": ("赛道", "Tracks"),
    "column.username": ("用户名", "User name"),
    "column.value": ("数值", "Value"),
    "column.year": ("年份", "Year"),
    "column.amount": ("金额", "Amount"),
    "column.metric": ("指标", "Measure"),
    "column.email": ("电子邮箱", "E-mail"),
    "column.password": ("密码", "Password"),
    "dd.no_smtp": (
        "未配置邮件服务器（MATCHMAKER_SMTP_HOST）",
        "No mail server configured (MATCHMAKER_SMTP_HOST)",
    ),
    "dd.digest.title": ("尽调跟进提醒 {day}", "Due-diligence follow-up, {day}"),
    "dd.digest.overdue": ("已逾期（{count}）", "Overdue ({count})"),
    "dd.digest.due_this_week": (
        "本周到期（截至 {week_end}，{count}）",
        "Due this week (to {week_end}, {count})",
    ),
    "dd.digest.follow_up_due": ("今日需跟进（{count}）", "Follow-up due ({count})"),
    "dd.digest.line": (
        "  · {project} ← {institution}；负责人 {owner}；截止 {due}；下次跟进 {follow}",
        "  · {project} ← {institution}; owner {owner}; due {due}; next follow-up {follow}",
    ),
    "dd.digest.nothing": ("今日没有需要跟进的尽调任务", "Nothing to chase today"),
    "report.bad_filter": ("无法按此字段筛选", "Cannot filter by this field"),
    "report.bad_dimension": (
        "分组应为 session、track、region 或 institution",
        "Group by session, track, region or institution",
    ),
    "report.no_session": ("未关联专场", "No session"),
    "report.unknown": ("未填写", "Not given"),
    "report.headline": (
        "签约项目 {signed_projects} 个，意向投资额 {signed_amount}；进入尽调 {dd} 个"
        "（待办尽调任务 {open_tasks} 项）；投资落地 {invested_projects} 个，{invested_amount}",
        "{signed_projects} projects signed, intended investment {signed_amount}; {dd} in due "
        "diligence ({open_tasks} open tasks); {invested_projects} landed, {invested_amount}",
    ),
    "report.sheet": ("对接成效", "Outcomes"),
    "report.title": ("{event} 对接成效统计", "{event}: matchmaking outcomes"),
    "report.total": ("合计", "Total"),
    "report.step.meetings_held": ("已会见", "Meetings held"),
    "report.step.follow_ups": ("后续跟进", "Follow-ups"),
    "report.step.negotiating": ("意向洽谈", "Negotiating"),
    "report.step.signed": ("签约意向", "Signed"),
    "report.step.due_diligence": ("尽调", "Due diligence"),
    "report.step.invested": ("投资落地", "Invested"),
    "report.col.group": ("分组", "Group"),
    "report.col.signed_count": ("签约意向（条）", "Signed intents"),
    "report.col.signed_projects": ("签约项目（个）", "Signed projects"),
    "report.col.signed_amount": ("意向金额（元）", "Intended amount (yuan)"),
    "report.col.open_tasks": ("待办尽调任务", "Open DD tasks"),
    "report.col.invested_count": ("落地（条）", "Invested"),
    "report.col.invested_amount": ("落地金额（元）", "Invested amount (yuan)"),
    "report.col.dropped": ("终止", "Dropped"),
    # import
    "import.rejected": (
        "文件未导入：发现 {count} 处问题，数据库未做任何改动",
        "File not imported: {count} problem(s) found, nothing was changed",
    ),
    "import.unsupported_format": (
        "不支持的文件格式 {suffix}，请使用 .csv 或 .xlsx",
        "Unsupported file format {suffix}; use .csv or .xlsx",
    ),
    "import.encoding": (
        "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、UTF-16、GBK/GB18030 和 Big5），"
        "请在 Excel 中另存为“CSV UTF-8”后再导入",
        "Cannot tell the file's encoding (UTF-8 with or without BOM, UTF-16, GBK/GB18030 and "
        'Big5 are supported); save it as "CSV UTF-8" in Excel and import again',
    ),
    "import.mixed_encoding": (
        "文件混用了两种编码：第 {utf8_rows} 行为 UTF-8，第 {other_rows} 行为 {other}，已分别识别",
        "The file mixes two encodings: rows {utf8_rows} are UTF-8, rows {other_rows} are "
        "{other}; each was read in its own",
    ),
    "import.not_xlsx": (
        "不是有效的 .xlsx 文件（可能已损坏或未上传完整），请在 Excel 中重新另存为 .xlsx 或 CSV",
        "Not a valid .xlsx file (damaged or cut short); save it again as .xlsx or CSV",
    ),
    "import.xls_or_encrypted": (
        "这是旧版 .xls 文件或设置了密码的 Excel 文件，请另存为不加密的 .xlsx 或 CSV 后再导入",
        "This is an old .xls file or a password-protected workbook; save it as an unprotected "
        ".xlsx or CSV and import again",
    ),
    "import.not_a_sheet": (
        "文件内容是 {kind}，不是表格；请上传 .csv 或 .xlsx 文件",
        "The file is a {kind}, not a spreadsheet; upload a .csv or .xlsx file",
    ),
    "import.xlsx_too_big": (
        "该 .xlsx 解压后超过 {limit}，无法导入；请删去多余的工作表或另存为 CSV",
        "This .xlsx unpacks to more than {limit}; remove extra sheets or save it as CSV",
    ),
    "import.too_wide": (
        "该行有 {count} 列，超过上限 {limit} 列；请删去多余的列",
        "This row has {count} columns, more than the limit of {limit}; remove the extra columns",
    ),
    "import.too_many_rows": (
        "文件超过 {limit} 行，请分成几个文件导入",
        "The file has more than {limit} rows; split it into several files",
    ),
    "import.cell_too_big": (
        "该行有单元格超过 {limit} 个字符，文件无法读取",
        "A cell in this row is longer than {limit} characters; the file cannot be read",
    ),
    "import.formula_no_value": (
        "单元格是公式但文件中没有保存计算结果；请在 Excel 中打开并保存，或复制后“粘贴为数值”",
        "The cell is a formula saved without its result; open and save the file in Excel, or "
        "paste the column as values",
    ),
    "import.cell_error": (
        "单元格的值是 Excel 错误 {value}，请先修正",
        "The cell holds the Excel error {value}; fix it first",
    ),
    "import.control_char": (
        "含有不可见的控制字符 {char}（常见于从其他系统复制的内容），请删除后重试",
        "Contains the invisible control character {char} (often copied from another system); "
        "remove it and try again",
    ),
    "import.too_many": ("最多填写 {limit} 项", "At most {limit} items"),
    "import.portfolio_too_long": (
        "已投项目名称过长（上限 {limit} 字）",
        "A portfolio company name is too long (limit {limit} characters)",
    ),
    "import.empty": ("文件中没有数据行", "The file has no data rows"),
    "import.missing_column": ("缺少必填列：{column}", "Required column missing: {column}"),
    "import.unknown_column": ("无法识别的列名，已忽略", "Unrecognised column, ignored"),
    "import.duplicate_column": ("列名重复", "Column appears twice"),
    "import.required": ("必填项为空", "Required value is empty"),
    "import.duplicate_name": (
        "名称在文件中重复（首次出现在第 {first_row} 行）",
        "Name repeated in the file (first seen on row {first_row})",
    ),
    "import.name_taken": (
        "名称已被本活动的{what} {key} 使用",
        "The name is already used by {what} {key} in this event",
    ),
    "import.duplicate_id": (
        "编号在文件中重复（首次出现在第 {first_row} 行）",
        "Id repeated in the file (first seen on row {first_row})",
    ),
    "import.bad_amount": (
        "无法识别的金额，应为数字，可带单位 元/万/亿，例如 500、500万、1.2亿、3,000,000元、五百万"
        "（千位逗号须三位一组，小数用点；数字中不能有空格或上标）",
        "Unparseable amount; write a number, optionally with 元/万/亿, e.g. 500, 500万, 1.2亿 "
        "(thousands commas in groups of three, a point for decimals; no spaces or superscripts "
        "inside the number)",
    ),
    "import.amount_too_large": (
        "金额过大（上限 {limit} 元），请检查单位和位数",
        "Amount too large (limit {limit} yuan): check the unit and the digits",
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
        "“{value}”不是本活动的赛道；可选：{choices}",
        "'{value}' is not a track of this event; choose one of: {choices}",
    ),
    "import.unknown_need": (
        "需求“{value}”不在常用需求之列（{choices}），已按原文保存，匹配时不计入（第 {rows} 行）",
        "Need '{value}' is not one of the usual needs ({choices}); kept as written, not matched"
        " (rows {rows})",
    ),
    "vocab.bad_preset": (
        "没有这个赛道预设；可选：{choices}",
        "No such track preset; choose one of: {choices}",
    ),
    "vocab.no_tracks": (
        "活动至少需要一个赛道：请选择预设或列出赛道",
        "An event needs at least one track: choose a preset or list the tracks",
    ),
    "vocab.track_bad_label": (
        "赛道名称不能为空，且不超过 {limit} 个字",
        "A track's name must not be empty and at most {limit} characters",
    ),
    "vocab.track_taken": (
        "本活动已有赛道“{track}”使用这个名称或别名",
        "The event's track '{track}' already goes by this name or alias",
    ),
    "vocab.track_in_use": (
        "赛道“{track}”有 {count} 个项目正在使用，不能删除",
        "Track '{track}' is used by {count} projects and cannot be removed",
    ),
    "vocab.track_used_by": ("使用它的项目：{parties}", "Projects using it: {parties}"),
    "vocab.track_added": ("已添加赛道：{track}", "Track added: {track}"),
    "vocab.track_removed": ("已删除赛道：{track}", "Track removed: {track}"),
    "vocab.tracks_of": ("{event} 的赛道（预设：{preset}）", "Tracks of {event} (preset: {preset})"),
    "vocab.group_bad_label": (
        "组别名称不能为空，且不超过 {limit} 个字",
        "A group's name must not be empty and at most {limit} characters",
    ),
    "vocab.group_taken": (
        "本活动已有组别“{group}”使用这个名称或别名",
        "The event's group '{group}' already goes by this name or alias",
    ),
    "vocab.group_in_use": (
        "组别“{group}”有 {count} 个项目正在使用，不能删除",
        "Group '{group}' has {count} projects and cannot be removed",
    ),
    "vocab.group_used_by": ("该组别的项目：{parties}", "Projects in it: {parties}"),
    "vocab.group_added": ("已添加组别：{group}", "Group added: {group}"),
    "vocab.group_removed": ("已删除组别：{group}", "Group removed: {group}"),
    "vocab.groups_of": ("{event} 的组别（预设：{preset}）", "Groups of {event} (preset: {preset})"),
    "vocab.institution_type_bad_label": (
        "机构类型名称不能为空，且不超过 {limit} 个字",
        "An institution type's name must not be empty and at most {limit} characters",
    ),
    "vocab.institution_type_taken": (
        "本活动已有机构类型“{institution_type}”使用这个名称或别名",
        "The event's institution type '{institution_type}' already goes by this name or alias",
    ),
    "vocab.institution_type_in_use": (
        "机构类型“{institution_type}”有 {count} 家机构正在使用，不能删除",
        "Institution type '{institution_type}' is used by {count} institutions and cannot be"
        " removed",
    ),
    "vocab.institution_type_used_by": (
        "使用它的机构：{parties}",
        "Institutions using it: {parties}",
    ),
    "vocab.institution_type_added": (
        "已添加机构类型：{institution_type}",
        "Institution type added: {institution_type}",
    ),
    "vocab.institution_type_removed": (
        "已删除机构类型：{institution_type}",
        "Institution type removed: {institution_type}",
    ),
    "vocab.institution_types_of": (
        "{event} 的机构类型（预设：{preset}）",
        "Institution types of {event} (preset: {preset})",
    ),
    "vocab.institutions_count": ("{count} 家机构", "{count} institutions"),
    "vocab.bad_like": (
        "机构类型“{label}”在匹配中按哪类机构对待：“{value}”不是其中之一；可选：{choices}",
        "Institution type '{label}' is matched like one of the six kinds: '{value}' is none of"
        " them; choose one of: {choices}",
    ),
    "vocab.projects_count": ("{count} 个项目", "{count} projects"),
    "import.bad_group": (
        "“{value}”不是本活动的组别；可选：{choices}",
        "'{value}' is not a group of this event; choose one of: {choices}",
    ),
    "import.bad_need": ("无法识别的需求，可选：{choices}", "Unknown need; choose from: {choices}"),
    "import.bad_institution_type": (
        "“{value}”不是本活动的机构类型；可选：{choices}",
        "'{value}' is not an institution type of this event; choose one of: {choices}",
    ),
    "import.bad_session": (
        "活动中没有这个对接专场：{value}",
        "No such session in the event: {value}",
    ),
    "import.too_long": ("内容过长（上限 {limit} 字）", "Too long (limit {limit} characters)"),
    "import.bad_email": ("电子邮箱格式有误", "Malformed e-mail address"),
    "rules.heading": ("活动 {event} 的报名规则：", "Entry rules of event {event}:"),
    "rules.barred_count": ("往届获奖名单：{count} 条", "Past winners barred: {count} entries"),
    "rules.mode_off": ("关闭", "off"),
    "rules.mode_refuse": ("拒绝", "refuse"),
    "rules.mode_warn": ("提醒", "warn"),
    "rules.name_one_per_enterprise": (
        "每家企业（统一社会信用代码）限报一个项目",
        "One project per enterprise (credit code)",
    ),
    "rules.name_one_per_person": (
        "每人（负责人身份证号，无则联系电话）限报一个项目",
        "One project per person (lead person's id number, else phone)",
    ),
    "rules.name_not_both_groups": (
        "同一人只能报名一个组别（如企业组或创客组之一）",
        "One person enters one group only (the enterprise or the maker group, say)",
    ),
    "rules.name_enterprise_not_maker": (
        "有统一社会信用代码的企业项目不得报名创客组",
        "A project with a credit code (an enterprise's) may not enter the maker group",
    ),
    "rules.name_barred": (
        "往届获奖项目不得参赛（按信用代码、身份证号或项目名称）",
        "Past winners barred (by credit code, id number or project name)",
    ),
    "rules.refused": (
        "不符合本活动的报名规则（共 {count} 处），未做任何改动",
        "Breaks this event's entry rules ({count} problems); nothing was changed",
    ),
    "rules.one_per_enterprise": (
        "{this}与{other}同属统一社会信用代码 {key}：每家企业限报一个项目",
        "{this} and {other} share the credit code {key}: one project per enterprise",
    ),
    "rules.one_per_person": (
        "{this}与{other}是同一负责人（{key}）：每人限报一个项目",
        "{this} and {other} have the same lead person ({key}): one project per person",
    ),
    "rules.not_both_groups": (
        "{this}（{group}）与{other}（{other_group}）是同一负责人（{key}）：同一人不得同时报名两个组别",
        "{this} ({group}) and {other} ({other_group}) have the same lead person ({key}): one"
        " person may not enter two groups",
    ),
    "rules.enterprise_not_maker": (
        "{this}填有统一社会信用代码 {key}，属企业项目，不得报名创客组",
        "{this} has the credit code {key}: an enterprise's project may not enter the maker group",
    ),
    "rules.barred": (
        "{this}的{what} {key} 在往届获奖名单中，不得参赛",
        "{this}: the {what} {key} is on the list of past winners, barred from entering",
    ),
    "rules.what_credit_code": ("统一社会信用代码", "credit code"),
    "rules.what_leader_id": ("负责人身份证号", "lead person's id number"),
    "rules.what_name": ("项目名称", "project name"),
    "rules.this_project": ("本项目", "This project"),
    "rules.stored_project": ("已报名项目 {code}「{name}」", "registered project {code} “{name}”"),
    "rules.person_id": ("身份证号 {value}", "id number {value}"),
    "rules.person_phone": ("电话 {value}", "phone {value}"),
    "rules.unknown_rule": ("没有这条规则，可选：{choices}", "No such rule; choose from: {choices}"),
    "rules.unknown_mode": (
        "规则开关应为：{choices}（关闭、拒绝、提醒）",
        "A rule's switch is one of: {choices}",
    ),
    "rules.barred_bad_code": (
        "看似统一社会信用代码或身份证号，但位数（应为 18 位）或校验位不符，请核对",
        "Looks like a credit code or id number, but its length (18) or check character is wrong",
    ),
    "import.bad_credit_code": (
        "统一社会信用代码有误：应为 18 位（不含 I、O、S、V、Z），且末位校验码相符",
        "Not a unified social credit code: 18 characters (no I, O, S, V, Z) with a matching"
        " check character",
    ),
    "import.masked_id_number": (
        "身份证号已打码（只有组委会导出的表格含完整号码）：请填写完整号码，或删去此列以保留已存的号码",
        "The id number is masked (only organisers' exports hold whole numbers): write it whole,"
        " or leave the column out to keep the stored numbers",
    ),
    "import.bad_id_number": (
        "身份证号有误：应为 18 位（末位可为 X），且末位校验码相符；请将该列设为文本格式",
        "Not a resident id number: 18 characters (the last may be X) with a matching check"
        " character; format the column as text",
    ),
    "import.bad_portfolio": (
        "无法识别的已投项目，应如 公司名（行业，轮次）",
        "Unparseable portfolio entry; write e.g. Company (sector, round)",
    ),
    "import.done": (
        "已导入 {total} 行：新增 {created}，更新 {updated}",
        "Imported {total} row(s): {created} new, {updated} updated",
    ),
    "import.rebuild_queued": (
        "已在后台排队更新匹配索引（任务 #{job}）；完成前推荐清单照常可看，会自行补算新登记",
        "The matching index is being updated in the background (job #{job}); shortlists stay "
        "available meanwhile and fill in new registrations themselves until it is done",
    ),
    "import.no_event": (
        "数据库中还没有活动。请先运行 matchmaker init，再用 matchmaker event create --code 编号 "
        "--name 名称 --year 年份 创建活动（或在“活动设置”页面创建），然后用 matchmaker session add "
        "添加对接专场",
        "There is no event yet. Run `matchmaker init`, then `matchmaker event create --code C "
        "--name N --year Y` (or the Contest set-up page), then add sessions with "
        "`matchmaker session add`",
    ),
    "import.no_schema": (
        "数据库还没有建表（{url}）。请先运行 matchmaker init，再用 matchmaker event create "
        "--code 编号 --name 名称 --year 年份 创建活动（或在“活动设置”页面创建）",
        "The database has no tables yet ({url}). Run `matchmaker init`, then "
        "`matchmaker event create --code C --name N --year Y` (or the Contest set-up page)",
    ),
    "import.ambiguous_event": (
        "数据库中有多个活动，请指定活动编号（命令行用 --event，接口用 event 参数；"
        "页面在顶部选择活动）：{choices}",
        "Several events exist; name one (--event on the command line, the event parameter in "
        "the API; pages choose it at the top): {choices}",
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
    "ui.rules": ("报名规则", "Entry rules"),
    "ui.rules_help": (
        "按大赛通知设置报名规则：拒绝——违反规则的报名表整表不导入；提醒——照常导入并列出提醒。"
        "比对对象包括报名表各行和本活动已导入的项目。",
        "Set the notice's entry rules: refuse — a sheet breaking a rule is not imported at all;"
        " warn — it is imported and the breaches are listed. Rows are compared with each other"
        " and with the projects already in this event.",
    ),
    "ui.rules_barred": (
        "往届获奖名单（每行一条：统一社会信用代码、身份证号或项目名称）",
        "Past winners barred (one per line: credit code, id number or project name)",
    ),
    "ui.rules_barred_file": (
        "或上传名单文件（.csv、.txt、.xlsx，替换上面的名单）",
        "Or upload the list (.csv, .txt, .xlsx; replaces the list above)",
    ),
    "ui.rules_saved": ("报名规则已保存", "Entry rules saved"),
    "ui.rules_link": (
        "报名规则（每企业/每人限报、组别、往届获奖）",
        "Entry rules (one per enterprise/person, groups, past winners)",
    ),
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
    "ui.sheet_templates": (
        "空白报名表（表头与一行示例，填好即可导入）：",
        "Blank sheets (headers and one example row; fill in and import):",
    ),
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
    "demo.would_reset_own": (
        "数据库 {db} 中有演示以外的活动 {codes}，--reset 会把它们全部删除，因此未做任何改动。"
        "演示请用单独的数据库（make run 使用 instance/demo.db，或 --db sqlite:///demo.db）；"
        "确实要清空请加 --force",
        "The database {db} holds events other than the demo ({codes}); --reset would delete them, "
        "so nothing was changed. Load the demo into its own database (make run uses "
        "instance/demo.db, or --db sqlite:///demo.db), or add --force to empty it anyway",
    ),
    "ui.event": ("活动", "Event"),
    "ui.event_switch": ("切换活动", "Switch event"),
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
    "reason.portfolio_near": (
        "与已投企业相近：{company}（{percent}%）",
        "Close to a portfolio company: {company} ({percent}%)",
    ),
    "reason.follow_on": (
        "已投企业后续轮次：{company} 已在投资组合中",
        "Follow-on of a portfolio company: {company} is already in the portfolio",
    ),
    "ui.shortlist": ("项目推荐", "Shortlist"),
    "ui.duplicates": ("疑似重复报名", "Possible duplicates"),
    "ui.duplicates_help": (
        "同一项目重复报名或抄袭他人项目的可疑组合（繁简转换、改写、改名、调换句序），请人工核实。",
        "Pairs that look like one project entered twice or copied (Traditional copy, "
        "paraphrase, renamed, reordered); check them by hand.",
    ),
    "ui.similarity": ("相似度", "Similarity"),
    # near-duplicate registrations (ranking/duplicates.py): the kinds and the evidence
    "duplicates.kind.traditional_copy": ("繁体抄录", "Copy in Traditional script"),
    "duplicates.kind.renamed": ("改名重报", "Copy under another name"),
    "duplicates.kind.reordered": ("调整句序", "Copy with sentences reordered"),
    "duplicates.kind.near_copy": ("近似抄录", "Near copy"),
    "duplicates.kind.paraphrase": (
        "改写（同产品同数据）",
        "Paraphrase (same product, same figures)",
    ),
    "duplicates.kind.same_contact": ("联系方式相同", "Same contact details"),
    "duplicates.body": ("简介 {pct}% 相同", "{pct}% of the text identical"),
    "duplicates.body_converted": (
        "简介 {pct}% 相同（繁简转换后）",
        "{pct}% of the text identical once Traditional script is converted",
    ),
    "duplicates.shared_sentences": (
        "相同句子 {count}/{total}：「{quote}」",
        "{count} of {total} sentences identical: “{quote}”",
    ),
    "duplicates.reordered": ("句子顺序不同", "The sentences come in another order"),
    "duplicates.extra_sentences": (
        "{who} 多出 {count} 句：「{quote}」",
        "{who} has {count} more sentence(s): “{quote}”",
    ),
    "duplicates.same_figures": ("相同数据：{figures}", "Same figures: {figures}"),
    "duplicates.different_names": (
        "项目名称不同：「{a}」↔「{b}」",
        "Different project names: “{a}” ↔ “{b}”",
    ),
    "duplicates.same_name": ("项目名称相同", "Same project name"),
    # a county or city has no English name here: it is quoted as written in Chinese
    "duplicates.same_place": ("所在地区相同：{place}", "Same place: “{place}”"),
    "duplicates.same_ask": ("融资需求相同：{yuan}", "Same ask: {yuan}"),
    "duplicates.same_phone": ("联系电话相同：{phone}", "Same phone number: {phone}"),
    "duplicates.same_email": ("电子邮箱相同：{email}", "Same e-mail address: {email}"),
    "duplicates.cosine": (
        "语义相似度 {cosine}（向量余弦）",
        "Meaning similarity {cosine} (embedding cosine)",
    ),
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
    "ui.my_agenda": ("我的议程", "My agenda"),
    "ui.agenda_grid": ("专场排程", "Session grid"),
    "ui.agenda_state": ("议程状态", "Agenda"),
    "ui.agenda_none": ("尚未生成", "not built yet"),
    "ui.agenda_revision": ("第 {revision} 版", "revision {revision}"),
    "ui.agenda_meetings": ("{count} 场会见", "{count} meetings"),
    "ui.agenda_objective": (
        "总匹配分 {objective}（上界 {bound}）",
        "score {objective} (bound {bound})",
    ),
    "ui.agenda_fair_minimum": (
        "每个项目至少 {m} 场（在可行范围内）",
        "every project gets at least {m} (where feasible)",
    ),
    "ui.agenda_fair": ("公平模式", "Fair mode"),
    "ui.agenda_limits_default": ("留空：默认", "blank: default"),
    "ui.agenda_limits_note": (
        "上限只约束新排的会见：已有的预约和锁定的会见全部保留",
        "Maximums limit what the build adds: bookings and locked meetings are always kept",
    ),
    "ui.agenda_build": ("生成议程", "Build agenda"),
    "ui.agenda_publish": ("校验并发布", "Check and publish"),
    "ui.agenda_session_over": (
        "本专场已于 {end} 结束，议程仅供查阅（已会见的场次计入对接成效）",
        "This session ended at {end}; its agenda is kept for the record (held meetings count in "
        "the report)",
    ),
    "ui.agenda_published": (
        "议程已通过校验并发布",
        "The agenda passed validation and is published",
    ),
    "ui.agenda_job_queued": (
        "已提交后台生成（任务 #{job}），完成后刷新本页即可看到议程",
        "Queued for a background worker (job #{job}); reload this page to see the agenda",
    ),
    "ui.agenda_job_waiting": (
        "后台生成中：任务 #{job}（{status}），完成后刷新本页",
        "Building in the background: job #{job} ({status}); reload when it is done",
    ),
    "ui.agenda_late_party": ("迟到方编号", "Late party's id"),
    "ui.agenda_late_from": ("从第几时段起到场", "arrives for slot"),
    "ui.agenda_late": ("登记迟到并调整", "Record late arrival and repair"),
    "ui.agenda_lock": ("锁定", "Lock"),
    "ui.agenda_unlock": ("解锁", "Unlock"),
    "ui.agenda_cancel": ("取消", "Cancel"),
    "ui.agenda_print": ("打印版", "Printable"),
    "ui.agenda_print_now": ("打印", "Print"),
    "ui.agenda_add_calendar": ("加入日历", "Add to calendar"),
    "ui.agenda_empty": ("暂无会见安排", "No meetings yet"),
    "ui.agenda_none_to_come": ("没有即将进行的会见", "No meetings to come"),
    "ui.agenda_past": (
        "已结束的专场（{count} 场会见）",
        "Sessions that are over ({count} meeting(s))",
    ),
    "ui.agenda_status_optimal": (
        "已生成最优议程：{meetings} 场会见",
        "Optimal agenda: {meetings} meetings",
    ),
    "ui.agenda_status_feasible": (
        "已生成可行议程（未证明最优）：{meetings} 场会见",
        "Feasible agenda (not proven optimal): {meetings} meetings",
    ),
    "ui.agenda_status_infeasible": ("无法生成议程，原因如下", "No agenda is possible, because"),
    "ui.agenda_moved": (
        "{institution} × {project}：第 {frm} 时段 → 第 {to} 时段",
        "{institution} × {project}: slot {frm} → slot {to}",
    ),
    "ui.agenda_added": (
        "新增 {institution} × {project}：第 {slot} 时段",
        "Added {institution} × {project} in slot {slot}",
    ),
    "ui.agenda_dropped": (
        "取消 {institution} × {project}：原第 {slot} 时段",
        "Dropped {institution} × {project} from slot {slot}",
    ),
    "ui.agenda_cancel_confirm": (
        "取消 {institution} × {project}（第 {slot} 时段）？这一对不会再被安排，议程将随之调整。",
        "Cancel {institution} × {project} (slot {slot})? The pair will not be scheduled again "
        "and the agenda is repaired around it.",
    ),
    "ui.agenda_publish_confirm": (
        "发布后参会各方即可看到议程，之后只能通过调整修改。确定发布？",
        "Once published, everyone sees the agenda and it changes only by repair. Publish?",
    ),
    "ui.requests": ("预约", "Requests"),
    "ui.request_accept": ("接受", "Accept"),
    "ui.request_decline": ("拒绝", "Decline"),
    "ui.request_withdraw": ("撤回", "Withdraw"),
    "ui.request_accepted": ("已接受预约", "Request accepted"),
    "ui.request_declined": ("已拒绝预约", "Request declined"),
    "ui.request_withdrawed": ("已撤回预约", "Request withdrawn"),
    "ui.request_sent": (
        "已向 {counterpart} 发送预约，等待对方确认",
        "Request sent to {counterpart}; waiting for their answer",
    ),
    "ui.request_sent_for": (
        "已为 {project} 向 {institution} 发送预约，等待确认",
        "Request sent for {project} to {institution}; waiting for an answer",
    ),
    "ui.book_title": ("预约洽谈：{name}", "Request a meeting with {name}"),
    "ui.book_no_session": (
        "你们没有共同参加的对接专场",
        "You do not attend a common session",
    ),
    "ui.book_other_session": ("不在同一专场，无法预约", "Not in a shared session"),
    "ui.book_sessions_over": ("共同参加的专场均已结束", "Every session you share has ended"),
    "ui.book_pick_slot": ("选择一个双方都空闲的时段", "Pick a slot in which both of you are free"),
    "ui.book_no_slot": ("本专场已没有双方都空闲的时段", "No common free slot left in this session"),
    "ui.book_session_over": (
        "本专场已结束，请选择其他专场",
        "This session is over; please pick another",
    ),
    "ui.book_message": ("留言（可选）", "Message (optional)"),
    "ui.book_message_col": ("留言", "Message"),
    "ui.request_from_them": ("对方留言：", "Their message:"),
    "ui.request_from_you": ("我方留言：", "Your message:"),
    "ui.book_send": ("发送预约", "Send request"),
    "ui.diversity": ("避免相似项目扎堆", "Spread out similar projects"),
    "ui.show_passed": ("显示已标记不合适的", "Show passed projects"),
    "ui.candidates": ("符合条件的候选 {total} 个", "{total} candidate(s) match"),
    # follow-up pages: intent ledger, due-diligence board, outcome report (api/pages/ledger/)
    "ui.nav_intents": ("投资意向", "Intents"),
    "ui.nav_due_diligence": ("尽调跟进", "Due diligence"),
    "ui.nav_reports": ("对接成效", "Outcomes"),
    "ui.ledger_title": ("投资意向台账", "Intent ledger"),
    "ui.ledger_search_placeholder": ("项目或机构名称、编号", "project or institution name or id"),
    "ui.clear_filters": ("清除筛选", "Clear filters"),
    "ui.ledger_total": (
        "合计 {count} 条，其中签约意向及以后 {signed} 条",
        "{count} intent(s), {signed} signed or further",
    ),
    "ui.ledger_total_hint": (
        "意向金额合计只计签约意向、尽调、投资落地",
        "The amount total counts signed, due diligence and invested only",
    ),
    "ui.ledger_import": ("导入意向表", "Import intents"),
    "ui.ledger_import_help": (
        "上传投资意向表（.csv 或 .xlsx），表头可用中文或英文；金额列不写单位时按万元计。"
        "先逐行检查，任何一行有问题则整表不导入；状态往回退需在“变更原因”列说明。",
        "Upload an intents sheet (.csv or .xlsx) with Chinese or English headers; amounts "
        "without a unit are in 万元 (10k yuan). Every row is checked first and any problem "
        "rejects the whole file; moving a status back needs a reason in the reason column.",
    ),
    "ui.ledger_import_columns": ("可用的列：{columns}", "Columns: {columns}"),
    "ui.ledger_import_done": (
        "已导入 {total} 行：新增 {created}，更新 {updated}，未变 {unchanged}",
        "Imported {total} row(s): {created} new, {updated} updated, {unchanged} unchanged",
    ),
    "ui.open": ("查看", "Open"),
    "ui.save": ("保存", "Save"),
    "ui.updated": ("更新", "Updated"),
    "ui.version": ("版本", "Version"),
    "ui.status_since": ("自 {day}", "since {day}"),
    "ui.field_project": ("项目", "Project"),
    "ui.field_institution": ("机构", "Institution"),
    "ui.field_session": ("专场", "Session"),
    "ui.field_status": ("状态", "Status"),
    "ui.field_amount": ("意向金额", "Amount"),
    "ui.field_signed_at": ("签约日期", "Signed on"),
    "ui.field_signatories": ("签约人", "Signatories"),
    "ui.field_invested_amount": ("落地金额", "Invested amount"),
    "ui.field_invested_at": ("落地日期", "Invested on"),
    "ui.field_drop_reason": ("终止原因", "Drop reason"),
    "ui.field_note": ("备注", "Note"),
    "ui.field_reason": ("变更原因", "Reason for the change"),
    "ui.field_owner": ("负责人", "Owner"),
    "ui.field_due_date": ("截止日期", "Due"),
    "ui.field_next_follow_up": ("下次跟进", "Next follow-up"),
    "ui.field_outcome": ("结果", "Outcome"),
    "ui.field_intent_id": ("关联意向", "Intent"),
    "ui.amount_placeholder": ("如 500 或 1.2亿", "e.g. 500 or 1.2亿"),
    "ui.amount_hint": (
        "金额可写 500、500万 或 1.2亿；只写数字时按万元计。签约意向及以后需填金额和签约日期。",
        "Amounts may be written 500, 500万 or 1.2亿; a bare number is in 万元 (10k yuan). "
        "Signed and later steps need an amount and the signing date.",
    ),
    "ui.reason_hint": (
        "状态往回退或重新开启已终止的意向时必填",
        "needed to move back down the ladder or reopen a dropped intent",
    ),
    "ui.intent_new": ("登记投资意向", "Record an intent"),
    "ui.intent_create": ("登记", "Record"),
    "ui.intent_edit": ("修改", "Edit"),
    "ui.intent_created": (
        "已登记：{project} ← {institution}",
        "Recorded: {project} ← {institution}",
    ),
    "ui.intent_saved": ("已保存", "Saved"),
    "ui.intent_unchanged": ("没有改动", "Nothing changed"),
    "ui.intent_readonly": (
        "这条投资意向你可以查看，但不能修改",
        "You may read this intent but not change it",
    ),
    "ui.intent_delete": ("删除这条意向", "Delete this intent"),
    "ui.intent_delete_reason": ("删除原因", "Why delete"),
    "ui.intent_delete_confirm": (
        "确定删除这条投资意向？修改记录会保留。",
        "Delete this intent? Its history is kept.",
    ),
    "ui.intent_deleted": (
        "已删除投资意向 {id}（修改记录仍保留）",
        "Intent {id} deleted (its history is kept)",
    ),
    "ui.colon": ("：", ": "),  # between a label and its value: full width only in Chinese
    "ui.report_count": ("（{count}）", " ({count})"),  # how many intents, after an amount
    "ui.history": ("修改记录", "History"),
    "ui.renames": ("改名记录", "Renames"),
    # ---- self-service profiles: edit forms, locked fields, changes, attachments (issue 15)
    "profile.fields_locked": (
        "以下报名信息已锁定，只有组委会可以修改：{fields}",
        "These registration fields are locked; only the organisers may change them: {fields}",
    ),
    "profile.field_locked": (
        "已锁定（报名截止或组委会锁定），如需修改请联系组委会",
        "Locked (registration closed or locked by the organisers); ask them to change it",
    ),
    "profile.too_many": ("项目过多（收到 {value} 项）", "Too many items ({value} given)"),
    "profile.bad_track": ("请从列表中选择赛道", "Choose a track from the list"),
    "attachment.not_pdf": (
        "“{name}”不是 PDF 文件：只能上传 PDF（文件应以 %PDF- 开头），未保存任何内容",
        "“{name}” is not a PDF: only PDF files (starting with %PDF-) are taken; nothing was saved",
    ),
    "what.attachment": ("附件", "Attachment"),
    "ui.edit_profile": ("编辑资料", "Edit profile"),
    "ui.my_project": ("我的项目", "My project"),
    "ui.my_institution": ("我的机构", "My institution"),
    "ui.profile_saved": ("资料已保存", "Profile saved"),
    "ui.profile_invalid": (
        "有 {count} 处需要修改，资料未保存",
        "{count} problem(s) to fix; nothing was saved",
    ),
    "ui.locked_note": (
        "灰色项已锁定（报名截止或组委会锁定），如需修改请联系组委会",
        "Greyed fields are locked (registration closed or locked by the organisers)",
    ),
    "ui.back_to_profile": ("返回资料页", "Back to the profile"),
    "ui.sectors_hint": ("多个用、或逗号分开", "Separate several with 、 or commas"),
    "ui.ask_hint": ("单位万元，可写 500 或 1.2亿", "In 万元 (10,000 yuan); 500 or 1.2亿 also work"),
    "ui.portfolio_hint": (
        "每行一个，如 公司A（储能，A轮）",
        "One a line, e.g. Company A (energy storage, Series A)",
    ),
    "ui.changes": ("修改记录", "Changes"),
    "ui.yes": ("是", "Yes"),
    "ui.no": ("否", "No"),
    "ui.changes_none": ("暂无修改", "No changes yet"),
    "ui.action_attach": ("上传附件", "File added"),
    "ui.action_detach": ("删除附件", "File deleted"),
    "ui.field_name": ("名称", "Name"),
    "ui.field_track": ("赛道", "Track"),
    "ui.field_group": ("组别", "Group"),
    "ui.field_sectors": ("行业领域", "Sectors"),
    "ui.field_stage": ("阶段", "Stage"),
    "ui.field_funding_ask": ("融资需求", "Funding ask"),
    "ui.field_region": ("地区", "Region"),
    "ui.field_needs": ("需求", "Needs"),
    "ui.field_description": ("项目简介", "Description"),
    "ui.field_contact_name": ("联系人", "Contact"),
    "ui.field_contact_phone": ("联系电话", "Phone"),
    "ui.field_contact_email": ("电子邮箱", "E-mail"),
    "ui.field_sessions": ("对接专场", "Sessions"),
    "ui.field_type": ("机构类型", "Institution type"),
    "ui.field_focus_sectors": ("关注领域", "Focus sectors"),
    "ui.field_stages": ("投资阶段", "Stages"),
    "ui.field_ticket_min": ("单笔投资额下限", "Minimum ticket"),
    "ui.field_ticket_max": ("单笔投资额上限", "Maximum ticket"),
    "ui.field_regions": ("关注地区", "Regions"),
    "ui.field_thesis": ("投资逻辑", "Thesis"),
    "ui.field_portfolio": ("已投项目", "Portfolio"),
    "ui.field_hard_region": ("只看关注地区", "Own regions only"),
    "ui.field_hard_stage": ("只看投资阶段", "Own stages only"),
    "ui.field_hard_ticket": ("只看投资额范围", "Own ticket range only"),
    "ui.field_attachment": ("附件", "Attachment"),
    "ui.field_locked_fields": ("锁定的报名信息", "Locked fields"),
    "ui.field_registration_deadline": ("报名截止", "Registration deadline"),
    "ui.attachments": ("附件", "Attachments"),
    "ui.attachments_none": ("暂无附件", "No attachments"),
    "ui.attachment_upload": (
        "上传商业计划书（仅 PDF，最大 {limit}）",
        "Upload a business plan (PDF only, up to {limit})",
    ),
    "ui.upload": ("上传", "Upload"),
    "ui.delete": ("删除", "Delete"),
    "ui.attachment_added": ("已上传附件：{name}", "File added: {name}"),
    "ui.attachment_deleted": ("已删除附件：{name}", "File deleted: {name}"),
    "ui.attachment_confirm_delete": ("确定删除这个附件？", "Delete this file?"),
    "ui.locks_title": ("报名信息锁定", "Locked registration fields"),
    "ui.locks_intro": (
        "锁定的信息参赛方和机构不能再修改，组委会仍可修改。报名截止后，名称、赛道和组别自动锁定。",
        "Parties can no longer change locked fields; organisers still can. After the "
        "registration deadline, name, track and group lock by themselves.",
    ),
    "ui.locks_deadline": (
        "报名截止日期（北京时间当天结束）",
        "Registration deadline (end of day, Beijing time)",
    ),
    "ui.locks_now": ("当前锁定", "Locked now"),
    "ui.locks_saved": ("锁定设置已保存", "Locks saved"),
    "ui.locks_link": ("报名信息锁定", "Lock registration fields"),
    "ui.renamed_party": ("项目或机构", "Project or institution"),
    "ui.history_when": ("时间（北京时间）", "When (Beijing time)"),
    "ui.history_who": ("操作人", "Who"),
    "ui.history_what": ("操作", "Action"),
    "ui.history_changes": ("内容（原 → 新）", "Changes (before → after)"),
    "ui.action_create": ("新建", "Created"),
    "ui.action_update": ("修改", "Changed"),
    "ui.action_delete": ("删除", "Deleted"),
    "ui.action_import": ("导入", "Imported"),
    "ui.dd_title": ("尽调跟进", "Due-diligence follow-up"),
    "ui.dd_today": ("今天是 {day}（北京时间）", "Today is {day} (Beijing time)"),
    "ui.dd_section_overdue": ("已逾期", "Overdue"),
    "ui.dd_section_this_week": ("本周到期（截至 {week_end}）", "Due this week (to {week_end})"),
    "ui.dd_section_later": ("以后到期", "Later"),
    "ui.dd_section_closed": ("已完成 / 已取消", "Done / cancelled"),
    "ui.dd_overdue_days": ("逾期 {days} 天", "{days} day(s) overdue"),
    "ui.dd_follow_up_today": ("今日需跟进", "Follow up today"),
    "ui.dd_intent": ("关联意向", "Intent"),
    "ui.dd_tasks": ("尽调任务", "Due-diligence tasks"),
    "ui.dd_new": ("新建尽调任务", "New due-diligence task"),
    "ui.dd_create": ("新建", "Create"),
    "ui.dd_digest": (
        "今日提醒（可复制到邮件或工作群）",
        "Today's digest (copy into a mail or chat)",
    ),
    "ui.task_title": ("尽调任务 #{id}", "Due-diligence task #{id}"),
    "ui.task_edit": ("修改任务", "Edit the task"),
    "ui.task_created": ("已新建尽调任务：{project}", "Task opened: {project}"),
    "ui.task_saved": ("已保存尽调任务", "Task saved"),
    "ui.report_title": ("对接成效", "Matchmaking outcomes"),
    "ui.report_by": ("分组", "Group by"),
    "ui.dim_session": ("专场", "Session"),
    "ui.dim_track": ("赛道", "Track"),
    "ui.dim_region": ("地区", "Region"),
    "ui.dim_institution": ("机构", "Institution"),
    "ui.report_funnel": ("跟进漏斗", "Follow-up funnel"),
    "ui.report_amounts": ("按{dimension}的意向金额", "Amounts by {dimension}"),
    "ui.report_axis_wan": ("万元", "10k yuan"),
    "ui.report_signed_count": ("签约意向（条 / 项目）", "Signed (intents / projects)"),
    "ui.report_signed_amount": ("意向金额", "Intended amount"),
    "ui.report_invested_amount": ("落地金额", "Invested amount"),
    "ui.report_signed_rate": ("签约率", "Signed rate"),
    "ui.report_ledger_link": ("明细", "Ledger"),
    "ui.report_table": ("按{dimension}统计", "By {dimension}"),
    "ui.report_table_hint": (
        "每条意向只计入它当前所在的一步及之前各步；意向金额为签约意向、尽调、投资落地的合计；"
        "签约率 = 签约意向 ÷ 后续跟进。“明细”打开同一筛选条件下的台账，金额与此表一致。",
        "Each intent counts at its current step and every step before it; the intended amount "
        "adds signed, due diligence and invested; signed rate = signed ÷ follow-ups. “Ledger” "
        "opens the ledger with the same filters, whose totals match this table.",
    ),
    "ui.report_days": ("各状态平均停留天数", "Days spent in each status"),
    "ui.report_days_value": (
        "平均 {mean} 天，中位 {median} 天（{intents} 条）",
        "mean {mean} d, median {median} d ({intents})",
    ),
    "ui.report_download": ("下载 XLSX", "Download XLSX"),
    "ui.report_generated": ("统计时间 {at}（北京时间）", "Generated {at} (Beijing time)"),
    # backups and the event archive (services/operations/backup.py, event_archive.py)
    "backup.not_archive": (
        "{name} 不是可用的备份文件（无法作为 ZIP 打开：{reason}），数据库未做任何改动",
        "{name} is not a usable backup (cannot be opened as a ZIP: {reason}); "
        "the database was not changed",
    ),
    "backup.bad_manifest": (
        "备份清单 manifest.json 缺失或有误（{reason}），数据库未做任何改动",
        "The backup's manifest.json is missing or malformed ({reason}); "
        "the database was not changed",
    ),
    "backup.format": (
        "不支持的备份格式 {found}（本程序读取 matchmaker-event-backup {expected}）",
        "Unsupported backup format {found} (this version reads matchmaker-event-backup {expected})",
    ),
    "backup.damaged": (
        "备份 {name} 已损坏，未恢复任何数据：发现 {count} 处问题",
        "The backup {name} is damaged; nothing was restored: {count} problem(s)",
    ),
    "backup.member_missing": ("清单中列出的文件不在备份里", "listed in the manifest but absent"),
    "backup.member_unexpected": ("清单中没有列出这个文件", "not listed in the manifest"),
    "backup.member_size": (
        "大小为 {size} 字节，清单记录为 {expected} 字节（文件被截断或改动）",
        "{size} bytes where the manifest says {expected} (truncated or altered)",
    ),
    "backup.member_corrupt": ("无法读出（{reason}）", "cannot be read ({reason})"),
    "backup.checksum": (
        "SHA-256 校验和与清单不符（内容被改动）",
        "SHA-256 differs from the manifest (the content was altered)",
    ),
    "backup.table_missing": ("缺少这张表的数据", "this table's data is missing"),
    "backup.table_unknown": ("本版本没有这张表", "this version has no such table"),
    "backup.columns": (
        "列与本版本的数据表不一致",
        "its columns differ from this version's table",
    ),
    "backup.bad_row": ("这一行无法读取：{reason}", "this row cannot be read: {reason}"),
    "backup.row_count": (
        "有 {rows} 行，清单记录为 {expected} 行",
        "holds {rows} rows where the manifest says {expected}",
    ),
    "backup.revision_older": (
        "备份来自较旧的数据库结构 {archive}，本程序为 {database}：请用制作备份时的版本恢复，"
        "再运行 matchmaker init 升级",
        "The backup was made at the older schema {archive}, this version is at {database}: "
        "restore it with the version that made it, then upgrade with `matchmaker init`",
    ),
    "backup.revision_newer": (
        "备份来自更新的数据库结构 {archive}，本程序为 {database}：请升级 matchmaker 后再恢复",
        "The backup was made at the newer schema {archive}, this version is at {database}: "
        "upgrade matchmaker before restoring it",
    ),
    "backup.database_behind": (
        "数据库结构为 {database}，不是最新的 {head}：请先运行 matchmaker init",
        "The database schema is at {database}, not the newest {head}: run `matchmaker init` first",
    ),
    "backup.event_exists": (
        "活动 {code} 已存在，未做任何改动：要用备份覆盖它，请加 --replace",
        "Event {code} already exists; nothing was changed: add --replace to overwrite it "
        "with the backup",
    ),
    "backup.accounts_taken": (
        "这些账号已属于本数据库中的其他人，未做任何改动：{names}",
        "These accounts already belong to others in this database; nothing was changed: {names}",
    ),
    "backup.constraint": (
        "数据库拒绝了恢复的数据，未做任何改动：{reason}",
        "The database refused the restored rows; nothing was changed: {reason}",
    ),
    "backup.invalid": (
        "备份内容不一致，未做任何改动",
        "The backup is inconsistent; nothing was changed",
    ),
    "backup.dangling": (
        "引用了备份中没有的记录",
        "refers to a record the backup does not hold",
    ),
    "archive.col.when": ("时间（北京时间）", "When (Beijing time)"),
    "archive.col.who": ("操作人", "Who"),
    "archive.col.record": ("记录类型", "Record type"),
    "archive.col.record_id": ("记录编号", "Record id"),
    "archive.col.action": ("操作", "Action"),
    "archive.col.before": ("原内容", "Before"),
    "archive.col.after": ("新内容", "After"),
    "field.bad_id": (
        "编号只能包含字母、数字、汉字、- 和 _（不能含 {char}）",
        "An id may hold only letters, digits, Chinese characters, - and _ (not {char})",
    ),
    "field.bad_name_char": (
        "名称中不能有换行、制表符或不可见字符 {char}",
        "A name cannot hold a line break, a tab or the invisible character {char}",
    ),
    "field.invalid_choice": ("取值无效，可选：{choices}", "Invalid value; choose from: {choices}"),
    "field.range_inverted": (
        "单笔投资额下限大于上限",
        "Minimum ticket is above the maximum ticket",
    ),
    # contest set-up: events and sessions (#15)
    "event.unknown_field": ("活动没有这一项：{column}", "An event has no field {column}"),
    "event.bad_year": (
        "年份应为 2000–2100 之间的整数",
        "The year must be a whole number 2000–2100",
    ),
    "event.bad_languages": (
        "语言应为以逗号分隔的语言代码，可选：{choices}",
        "Languages must be comma-separated codes from: {choices}",
    ),
    "event.name_required": ("活动名称不能为空", "The event needs a name"),
    "event.too_long": ("不能超过 {limit} 个字", "At most {limit} characters"),
    "event.created": ("已创建活动 {code}：{name}", "Created event {code}: {name}"),
    "event.edited": ("已更新活动 {code}", "Updated event {code}"),
    "session.unknown_field": ("对接专场没有这一项：{column}", "A session has no field {column}"),
    "session.bad_kind": (
        "专场类型应为 local（本地）、national（全国）、alumni（往届）、"
        "roadshow（路演）或 other（其他）",
        "The kind must be local, national, alumni, roadshow or other",
    ),
    "session.bad_date": ("日期应写作 YYYY-MM-DD，如 2026-12-08", "Write the date as YYYY-MM-DD"),
    "session.bad_time": ("时间应写作 HH:MM，如 09:00", "Write the time as HH:MM, e.g. 09:00"),
    "session.end_before_start": (
        "结束时间应晚于开始时间 {start}",
        "The end must be after the start ({start})",
    ),
    "session.bad_slot_minutes": (
        "每个时段的分钟数应为 5–240 的整数",
        "Slot minutes must be a whole number from 5 to 240",
    ),
    "session.bad_tables": (
        "桌数应为 0–500 的整数，或以逗号分隔的桌号（如 A1,A2,B1）",
        "Tables must be a whole number 0–500 or comma-separated labels (e.g. A1,A2,B1)",
    ),
    "session.duplicate_table": ("桌号重复", "This table label appears twice"),
    "session.bad_table_label": (
        "桌号不能超过 50 个字，也不能含换行等不可见字符",
        "A table label has at most 50 characters and no invisible ones",
    ),
    "session.labels_mismatch": (
        "桌号有 {labels} 个，与桌数 {tables} 不一致",
        "{labels} table label(s) given for {tables} table(s)",
    ),
    "session.bad_break": (
        "休息时段应写作 HH:MM-HH:MM（如 12:00-13:30），且结束晚于开始",
        "Write a break as HH:MM-HH:MM (e.g. 12:00-13:30), ending after it starts",
    ),
    "session.break_outside": (
        "休息时段应在专场时间 {start}-{end} 之内",
        "A break must lie within the session's hours {start}-{end}",
    ),
    "session.breaks_overlap": ("与休息时段 {other} 重叠", "Overlaps the break {other}"),
    "session.no_slots": (
        "{start}-{end} 之间（除去休息）排不下一个 {value} 分钟的时段",
        "No {value}-minute slot fits between {start} and {end} (breaks excluded)",
    ),
    "session.has_meetings": (
        "专场 {session} 还有 {count} 场会见，不能删除；请先取消这些会见",
        "Session {session} still holds {count} meeting(s); cancel them before deleting it",
    ),
    "session.kept_meeting_lost": (
        "调整后 {count} 场锁定、已预约或已举行的会见（如 {first}）所在时段将不存在；"
        "请先解锁或取消它们，未做任何改动",
        "{count} locked, booked or held meeting(s) (e.g. {first}) would lose their slot; "
        "unlock or cancel them first. Nothing was changed",
    ),
    "session.too_few_tables": (
        "专场 {session} 已有 {needed} 家机构就座，调整后只有 {tables} 张桌，未做任何改动",
        "Session {session} seats {needed} institution(s) but would have {tables} table(s); "
        "nothing was changed",
    ),
    "session.would_drop": (
        "议程已发布：这一调整会取消 {count} 场已发布的会见（如 {first}），未做任何改动。"
        "确认取消请加 --drop-meetings（接口 drop_meetings: true；页面勾选“允许取消会见”）",
        "The agenda is published: this change would cancel {count} published meeting(s) (e.g. "
        "{first}); nothing was changed. To accept, add --drop-meetings (API: drop_meetings: "
        "true; page: tick “allow cancelling meetings”)",
    ),
    "session.dropped_published": (
        "{count} 场已发布的会见无法保留，已取消：",
        "{count} published meeting(s) could not be kept and were cancelled:",
    ),
    "ui.field_drop_meetings": ("允许取消会见", "Allow cancelling meetings"),
    "ui.field_drop_meetings_hint": (
        "议程已发布时，若调整后时段不够，允许取消排不下的会见（会逐一列出）",
        "With a published agenda, allow cancelling the meetings that no longer fit (each listed)",
    ),
    "session.created": (
        "已添加专场 {session}：{slots} 个时段，{tables} 张桌",
        "Added session {session}: {slots} slot(s), {tables} table(s)",
    ),
    "session.edited": (
        "已更新专场 {session}：{slots} 个时段，{tables} 张桌",
        "Updated session {session}: {slots} slot(s), {tables} table(s)",
    ),
    "session.moved": ("调整的会见 {count} 场：", "{count} meeting(s) moved:"),
    "session.dropped": (
        "{count} 场会见不再适合，已删除（草稿议程重新生成即可）",
        "{count} meeting(s) no longer fit and were removed (rebuild the draft agenda)",
    ),
    "session.deleted": ("已删除专场 {session}", "Deleted session {session}"),
    "session.confirm_delete": (
        "确定删除专场 {session}？此操作不可撤销。",
        "Delete session {session}? This cannot be undone.",
    ),
    # contest set-up page (#15)
    "ui.setup": ("活动设置", "Contest set-up"),
    "ui.setup_events": ("活动", "Events"),
    "ui.setup_no_events": (
        "还没有活动：先在下面创建一个，再添加对接专场、导入报名。",
        "No event yet: create one below, then add its sessions and import registrations.",
    ),
    "ui.setup_current": ("当前活动", "Current event"),
    "ui.setup_choose": ("设置", "Set up"),
    "ui.event_create": ("创建活动", "Create an event"),
    "ui.event_edit": ("修改活动信息", "Edit the event"),
    "ui.event_created": ("已创建活动 {event}", "Created event {event}"),
    "ui.event_saved": ("已保存活动 {event}", "Saved event {event}"),
    "ui.session_add": ("添加对接专场", "Add a session"),
    "ui.session_edit": ("修改对接专场 {session}", "Edit session {session}"),
    "ui.session_added": ("已添加专场 {session}", "Added session {session}"),
    "ui.session_saved": ("已保存专场 {session}", "Saved session {session}"),
    "ui.session_delete": ("删除专场", "Delete session"),
    "ui.session_deleted": ("已删除专场 {session}", "Deleted session {session}"),
    "ui.session_moved": (
        "议程已发布，{count} 场会见已调整：",
        "The agenda is published; {count} meeting(s) moved:",
    ),
    "ui.session_dropped": (
        "{count} 场草稿会见不再适合，已删除（请重新生成议程）：",
        "{count} draft meeting(s) no longer fit and were removed (rebuild the agenda):",
    ),
    "ui.setup_invalid": (
        "有 {count} 处需要修改，未做任何改动",
        "{count} problem(s) to fix; nothing was changed",
    ),
    "ui.field_code": ("编号", "Code"),
    "ui.field_name_en": ("英文名称", "English name"),
    "ui.tracks_title": ("赛道", "Tracks"),
    "ui.tracks_help": (
        "导入和表单只接受本活动的赛道；有项目使用的赛道不能删除",
        "Imports and forms take only this event's tracks; a track in use cannot be removed",
    ),
    "ui.remove": ("删除", "Remove"),
    "ui.track_new": ("新增赛道", "New track"),
    "ui.track_add": ("添加赛道", "Add the track"),
    "ui.groups_title": ("组别", "Groups"),
    "ui.groups_help": (
        "导入和表单只接受本活动的组别（可不填）；有项目的组别不能删除。"
        "键为 maker 的创客组适用“企业项目不得报名创客组”规则",
        "Imports and forms take only this event's groups (or none); a group with projects "
        "cannot be removed. The rule on the maker group applies to the one keyed maker",
    ),
    "ui.group_new": ("新增组别", "New group"),
    "ui.group_add": ("添加组别", "Add the group"),
    "ui.institution_types_title": ("机构类型", "Institution types"),
    "ui.institution_types_help": (
        "导入、表单和对接服务报名只接受本活动的机构类型；有机构使用的类型不能删除。"
        "新增的类型可选“匹配时按…对待”（如担保公司按银行），不选则匹配时不计其可提供的帮助",
        "Imports, forms and sign-ups take only this event's institution types; a type in use "
        "cannot be removed. A type added may be matched like one of the six (a guarantor like a "
        "bank); without one, matching counts nothing it offers",
    ),
    "ui.institution_type_new": ("新增机构类型", "New institution type"),
    "ui.institution_type_add": ("添加机构类型", "Add the type"),
    "ui.field_like": ("匹配时按…对待", "Matched like"),
    "ui.like_none": ("（不按任何一类）", "(none of them)"),
    "ui.field_preset": ("赛道与组别预设", "Track and group preset"),
    "ui.field_tracks": (
        "本活动的赛道（预设之外另列，用顿号或逗号分隔）",
        "Own tracks (after the preset's; comma-separated)",
    ),
    "ui.field_groups": (
        "本活动的组别（预设之外另列，用顿号或逗号分隔）",
        "Own groups (after the preset's; comma-separated)",
    ),
    "ui.field_institution_types": (
        "本活动另列的机构类型（六类之外；“担保公司=银行”表示匹配时按银行对待）",
        "Own institution types (besides the six; 担保公司=bank: matched like a bank)",
    ),
    "ui.preset_zhongguo_chuangyi": (
        "中国创翼（先进制造、现代服务…六个赛道；企业组/创客组）",
        "中国创翼 (six tracks; enterprise/maker groups)",
    ),
    "ui.preset_chuangke_zhongguo": (
        "创客中国（企业组/创客组，各领域）",
        "创客中国 (its fields; enterprise/maker groups)",
    ),
    "ui.preset_none": (
        "不用预设，只用下面列出的赛道和组别",
        "No preset: only the tracks and groups listed below",
    ),
    "ui.field_year": ("年份", "Year"),
    "ui.field_city": ("城市", "City"),
    "ui.field_organiser": ("主办 / 组委会", "Organiser"),
    "ui.field_languages": ("工作语言", "Languages"),
    "ui.field_languages_hint": ("语言代码，如 zh,en", "Language codes, e.g. zh,en"),
    "ui.field_kind": ("专场类型", "Kind"),
    "ui.field_date": ("日期", "Date"),
    "ui.field_start": ("开始时间", "Starts"),
    "ui.field_end": ("结束时间", "Ends"),
    "ui.field_slot_minutes": ("每个时段（分钟）", "Minutes per slot"),
    "ui.field_tables": ("桌数或桌号", "Tables or their labels"),
    "ui.field_tables_hint": ("如 8，或 A1,A2,B1", "e.g. 8, or A1,A2,B1"),
    "ui.field_breaks": ("休息时段", "Breaks"),
    "ui.field_breaks_hint": ("如 12:00-13:30，多个用逗号分隔", "e.g. 12:00-13:30, comma-separated"),
    "ui.field_venue": ("地点", "Venue"),
    "ui.setup_edit_hint": (
        "议程发布前可自由修改时间和桌号；发布后，受影响的会见会自动调整并列出。",
        "Hours and tables change freely until the agenda is published; afterwards the meetings "
        "affected are re-placed and listed.",
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
    filled = {k: _param(v, lang) for k, v in params.items()}
    return template.format_map(_Lenient(filled))


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Ref):
        return render(value, lang)
    label = getattr(value, "label", None)  # a vocabulary member (domain.Labelled) shows its label
    return label(lang) if callable(label) else value


def size_text(size: int) -> str:
    """Return a byte count as people write it: ``16 MB``, ``900 KB``, ``512 B``."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value.is_integer() else f"{value:.1f} {unit}"
    return f"{size} B"


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


class _Lenient(dict[str, object]):
    """Leave unknown placeholders visible instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
