"""The structured editor of a bundle type's draft (staff page): members and situation questions as
rows of form fields instead of text to parse. Reads what the page posts into the service layer's
specs (`actions.types.MemberSpec` / `QuestionSpec`) — refusing only what is not a form value at all
(an order that is not a number) — and turns specs back into rows; every rule of the structure
(two members at least, prerequisites among the members and without cycles, a situation-dependent
member chosen by an option …) is `types.set_structure`'s."""

from dataclasses import dataclass, field

from tongban.bundles.actions import types
from tongban.catalog.models import ServiceItem

EXTRA_MEMBERS = 2  # blank member rows offered under the saved ones
EXTRA_ANSWERS = 1  # blank 情形 answer pairs per member
EXTRA_OPTIONS = 2  # blank options per question
REQUIRED, SITUATIONAL = "required", "situational"


@dataclass
class MemberRow:
    index: int
    code: str = ""
    required: bool = True
    prerequisite: str = ""
    order: int = 0
    answers: list[tuple[str, str]] = field(default_factory=list)
    name: str = ""  # the item's current name, when the code names one


@dataclass
class OptionRow:
    index: int
    text: str = ""
    members: list[str] = field(default_factory=list)


@dataclass
class QuestionRow:
    index: int
    text: str = ""
    order: int = 0
    options: list[OptionRow] = field(default_factory=list)


def rows(members: list[types.MemberSpec], questions: list[types.QuestionSpec]):
    """Specs → rows with blank ones to add (a member, an answer pair, a question, options)."""
    names = dict(
        ServiceItem.objects.filter(
            implementation_code__in=[m.implementation_code for m in members]
        ).values_list("implementation_code", "current_version__name")
    )
    member_rows = [
        MemberRow(
            index=i,
            code=m.implementation_code,
            required=m.required,
            prerequisite=m.prerequisite,
            order=(i + 1) * 10,
            answers=[*m.situation_answers.items(), *[("", "")] * EXTRA_ANSWERS],
            name=names.get(m.implementation_code) or "",
        )
        for i, m in enumerate(members)
    ]
    for i in range(len(members), len(members) + EXTRA_MEMBERS):
        member_rows.append(MemberRow(index=i, order=(i + 1) * 10, answers=[("", "")]))
    question_rows = []
    for k, q in enumerate([*questions, types.QuestionSpec(text="", options=[])]):
        options = [
            OptionRow(index=j, text=t, members=list(c)) for j, (t, c) in enumerate(q.options)
        ]
        options += [OptionRow(index=j) for j in range(len(options), len(options) + EXTRA_OPTIONS)]
        question_rows.append(QuestionRow(index=k, text=q.text, order=(k + 1) * 10, options=options))
    return member_rows, question_rows


def _count(post, name: str, limit: int = 100) -> int:
    try:
        return max(0, min(int(post.get(name, 0)), limit))
    except (TypeError, ValueError):
        return 0


def _order(post, name: str, label: str, errors: list[str]) -> int:
    raw = (post.get(name) or "").strip()
    if not raw:
        return 10_000
    try:
        return int(raw)
    except ValueError:
        errors.append(f"{label}的顺序须为整数（填写了“{raw[:20]}”）")
        return 10_000


def specs_from(post) -> tuple[list[types.MemberSpec], list[types.QuestionSpec], list[str]]:
    """The posted rows → specs, in the order given (blank rows and rows marked 删除 left out), and
    what could not be read (shown with the rows as posted, nothing saved)."""
    errors: list[str] = []
    members = []
    for i in range(_count(post, "member_rows")):
        code = (post.get(f"m-{i}-code") or "").strip()
        if not code or post.get(f"m-{i}-delete"):
            continue
        kind = post.get(f"m-{i}-kind", REQUIRED)
        if kind not in (REQUIRED, SITUATIONAL):
            errors.append(f"成员事项 {code}：请选择必办或按情形")
        answers = {}
        for j in range(_count(post, f"m-{i}-answer_rows", 20)):
            question = (post.get(f"m-{i}-sq-{j}") or "").strip()
            option = (post.get(f"m-{i}-sa-{j}") or "").strip()
            if question and option:
                answers[question] = option
            elif question or option:
                errors.append(f"成员事项 {code}：本事项情形须同时填写问题和选项")
        order = _order(post, f"m-{i}-order", f"成员事项 {code} ", errors)
        spec = types.MemberSpec(
            implementation_code=code,
            required=kind != SITUATIONAL,
            prerequisite=(post.get(f"m-{i}-prerequisite") or "").strip(),
            situation_answers=answers,
        )
        members.append((order, i, spec))
    questions = []
    for k in range(_count(post, "question_rows")):
        text = (post.get(f"q-{k}-text") or "").strip()
        options = []
        for j in range(_count(post, f"q-{k}-option_rows", 20)):
            label = (post.get(f"q-{k}-o-{j}-text") or "").strip()
            chosen = [c.strip() for c in post.getlist(f"q-{k}-o-{j}-members") if c.strip()]
            if label:
                options.append((label, chosen))
            elif chosen:
                errors.append(f"情形问题“{text or k + 1}”：勾选了事项的选项须填写选项文字")
        if (not text and not options) or post.get(f"q-{k}-delete"):
            continue
        order = _order(post, f"q-{k}-order", f"情形问题“{text}”", errors)
        questions.append((order, k, types.QuestionSpec(text=text, options=options)))
    return (
        [s for *_key, s in sorted(members, key=lambda r: r[:2])],
        [s for *_key, s in sorted(questions, key=lambda r: r[:2])],
        errors,
    )
