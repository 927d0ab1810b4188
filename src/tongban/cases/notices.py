"""The wording of the case documents (文书) and of their timeline entries: pure functions of the
facts, no database. The service layer (cases.actions) decides and records; what the sealed
受理通知书, 不予受理决定书, 补正告知书 and 决定书 say, and what the timeline tells the applicant,
is written here, once.

A section is (heading, text); the heading "" is a paragraph of its own.

Not through gettext: a sealed document and the timeline entry recorded with it are legal acts,
issued and kept in Chinese, the language of record, whatever language the reader's page is in.
The pages around them are translated; the documents' words are not."""

import datetime

Section = tuple[str, str]

APPEAL = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法提起行政诉讼。"
)


def addressee(applicant_name: str) -> str:
    """How a document's body names the applicant: by name, a person or an enterprise alike
    (never "你（单位）")."""
    return applicant_name.strip() or "申请人"


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))


# --- 受理通知书 ---------------------------------------------------------------------------------


def acceptance_basis(*, deemed: bool, deferred: bool, applicant: str) -> str:
    if deemed:
        return (
            "因受理机关自收到申请之日起5个工作日内未作出受理决定，依据《中华人民共和国行政许可法》"
            "第三十二条，自收到申请之日起即为受理。"
        )
    if deferred:
        return (
            f"{addressee(applicant)}的主要申请材料齐全、符合法定形式，次要材料已书面承诺限期补交，"
            "决定予以容缺受理。"
        )
    return f"{addressee(applicant)}的申请材料齐全、符合法定形式，决定予以受理。"


def acceptance_sections(
    *,
    basis: str,
    accepted_on: datetime.date,
    due: datetime.date | None,
    limit_text: str,
    unconfirmed: str,
) -> list[Section]:
    return [
        ("", basis),
        ("受理日期", f"{accepted_on:%Y年%m月%d日}"),
        ("承诺办结日期", f"{due:%Y年%m月%d日}（{limit_text}，受理当日不计入）" if due else "即办"),
        *([("日期说明", unconfirmed)] if unconfirmed else []),
    ]


def acceptance_event(
    *, basis: str, due: datetime.date | None, unconfirmed: str, number: str
) -> str:
    if not due:
        return basis
    return (
        f"{basis}承诺办结日期：{due:%Y-%m-%d}"
        f"{'（未确认）' if unconfirmed else ''}。受理通知书：{number}。"
    )


# --- 不予受理决定书 -----------------------------------------------------------------------------


def refusal_sections(
    *, ground_label: str, reason: str, legal_basis: str, refer_to: str
) -> list[Section]:
    return [
        *([("不予受理的情形", ground_label)] if ground_label else []),
        ("不予受理的理由", reason),
        ("法律依据", legal_basis),
        *([("告知", f"本申请事项不属于本机关职权范围，请向{refer_to}申请。")] if refer_to else []),
        ("", APPEAL),
    ]


def refusal_event(*, reason: str, legal_basis: str, refer_to: str, number: str) -> str:
    return (
        f"理由：{reason}\n依据：{legal_basis}"
        + (f"\n请向{refer_to}申请" if refer_to else "")
        + f"\n文书：{number}"
    )


# --- 补正告知书 ---------------------------------------------------------------------------------


def correction_sections(
    items: list[str], respond_by: datetime.date, applicant: str
) -> list[Section]:
    return [
        (
            "",
            f"{addressee(applicant)}提交的申请材料不齐全或者不符合法定形式，"
            "请一次性补正以下全部内容：",
        ),
        ("需补正内容", _numbered(items)),
        (
            "补正期限",
            f"{respond_by:%Y年%m月%d日}前，登录平台在“我的办件”中补正后重新提交。逾期未补正的，视为放弃申请。",
        ),
    ]


def correction_event(items: list[str], respond_by: datetime.date) -> str:
    return f"请补正以下全部内容：\n{_numbered(items)}\n补正期限：{respond_by:%Y-%m-%d}"


def second_correction_refused(issued_on: datetime.date, number: str) -> str:
    return (
        f"本申请已于{issued_on:%Y年%m月%d日}一次性告知补正"
        f"（{number}），依法不得再次要求补正。补正后仍不符合要求的，"
        "请作出不予受理决定（情形：未按补正告知书要求补正）。"
    )


def abandon_reason(respond_by: datetime.date) -> str:
    return f"逾期未补正（期限{respond_by:%Y-%m-%d}），视为放弃申请"


def abandon_event(number: str, respond_by: datetime.date) -> str:
    return (
        f"申请人未在补正告知书（{number}）规定的{respond_by:%Y年%m月%d日}前"
        "补正，依照告知书视为放弃申请，本件补交逾期办结。如仍需办理，请重新申请。"
    )


# --- 决定书 -------------------------------------------------------------------------------------


def decision_sections(
    *, result: str, reason: str, legal_basis: str, approve: bool
) -> list[Section]:
    return [
        ("决定", f"经审查，决定{result}。"),
        ("理由", reason),
        ("法律依据", legal_basis),
        *([] if approve else [("", APPEAL)]),
    ]


# --- the clock: 特别程序 and 延长 ---------------------------------------------------------------


def suspension_started(
    *, label: str, reason: str, started_on: datetime.date, stops_clock: bool
) -> str:
    if stops_clock:
        return (
            f"因{label}（{reason}），自{started_on:%Y-%m-%d}起暂停计算办理时限，所需时间不计入审查期限"
            "（《中华人民共和国行政许可法》第四十五条）。"
        )
    # 实地核查: on record, but art. 45 does not list it, so the clock runs on
    return f"{label}（{reason}）自{started_on:%Y-%m-%d}开始，所需时间计入审查期限，办理时限不暂停。"


def suspension_ended(
    *, result: str, working_days: int, due: datetime.date, stops_clock: bool
) -> str:
    if stops_clock:
        return f"结果：{result}。暂停 {working_days} 个工作日，办结期限顺延至 {due:%Y-%m-%d}。"
    return f"结果：{result}。未暂停计时，办结期限仍为 {due:%Y-%m-%d}。"


def extension_event(*, days: int, due: datetime.date, reason: str) -> str:
    return (
        f"经本机关负责人批准，审批期限延长 {days} 个工作日，办结期限延至 {due:%Y-%m-%d}。"
        f"理由：{reason}"
    )
