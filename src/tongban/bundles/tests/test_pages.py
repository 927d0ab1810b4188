"""The pages: the one guide, the one form (posted as a browser does), the joint status page, the
staff side-by-side page with 一窗受理, the bundle-type editor and the statistics."""

from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import BundleApplication, BundleVersion
from tongban.bundles.tests.conftest import pdf, staff
from tongban.bundles.tests.test_journeys import NEWBORN_VALUES


def test_citizen_applies_with_one_form_and_staff_accept_the_whole_bundle(
    newborn, parent, client, django_capture_on_commit_callbacks
):
    question = newborn.questions.get()
    yes = question.options.get(position=0)
    query = f"q{question.pk}={yes.pk}"
    guide = client.get(f"/bundles/newborn/?{query}").content.decode()
    assert "出生登记" in guide and "无需提交：由“出生医学证明”办结后的电子证照自动提供" in guide
    assert "实施编码" not in guide  # codes are for staff
    client.force_login(parent)
    form = client.get(f"/bundles/newborn/apply/?{query}")
    page = form.content.decode()
    assert page.count('name="baby_name"') == 1  # asked once for four items
    assert "此项用于：出生医学证明、出生登记、城乡居民基本医疗保险参保登记、社会保障卡申领" in page
    key = form.context["submission_key"]
    materials = form.context["prepared"].asked_materials
    refused = client.post(
        f"/bundles/newborn/apply/?{query}", {"submission_key": key, "baby_name": ""}
    )
    assert refused.status_code == 400 and "还有需要修改的内容" in refused.content.decode()
    post = {**NEWBORN_VALUES, "submission_key": key, "licence_consent": "1"}
    post.update({f"file_{m.key}": pdf() for m in materials})
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/bundles/newborn/apply/?{query}", post)
    bundle = BundleApplication.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/bundles/case/{bundle.public_id}/"
    status = client.get(done["Location"]).content.decode()
    assert "一件事申报" in status and "等待前置事项办结" in status

    client.force_login(staff("yjsclerk"))
    side = client.get(f"/workbench/bundles/case/{bundle.public_id}/").content.decode()
    assert "一窗受理全部事项" in side and side.count("bundle-member card") == 4
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/workbench/bundles/case/{bundle.public_id}/accept/", {"opinion": "一窗受理"})
    bundle.refresh_from_db()
    assert bundle.status == "handling"
    client.force_login(staff("ga_handler"))  # 公安 sees the bundle of its member
    assert client.get("/workbench/bundles/").status_code == 200
    client.force_login(staff("admin"))
    stats = client.get("/workbench/bundles/statistics/").content.decode()
    assert "新生儿出生一件事" in stats


def editor_post(members, questions=(), name="新生儿出生一件事"):
    """What the structured editor posts: member rows (code, kind, prerequisite, order, answers)
    and question rows (text, [(option, [codes])])."""
    post = {"name": name, "theme": "person", "member_rows": str(len(members))}
    for i, (code, kind, prerequisite, order, answers) in enumerate(members):
        post |= {
            f"m-{i}-code": code,
            f"m-{i}-kind": kind,
            f"m-{i}-prerequisite": prerequisite,
            f"m-{i}-order": order,
            f"m-{i}-answer_rows": str(len(answers)),
        }
        for j, (question, option) in enumerate(answers):
            post |= {f"m-{i}-sq-{j}": question, f"m-{i}-sa-{j}": option}
    post["question_rows"] = str(len(questions))
    for k, (text, options) in enumerate(questions):
        post |= {f"q-{k}-text": text, f"q-{k}-option_rows": str(len(options))}
        for j, (label, codes) in enumerate(options):
            post |= {f"q-{k}-o-{j}-text": label, f"q-{k}-o-{j}-members": codes}
    return post


def test_catalogue_admin_edits_and_publishes_a_bundle(newborn, client):
    from tongban.core.models import AuditRecord

    client.force_login(staff("admin"))
    client.post(f"/workbench/bundles/types/{newborn.pk}/new-draft/")
    draft = BundleVersion.objects.get(bundle=newborn.bundle, status="draft")
    page = client.get(f"/workbench/bundles/types/{draft.pk}/").content.decode()
    codes = [m.implementation_code for m in newborn.members.all()]
    assert "按情形" in page and f'name="m-0-code" value="{codes[0]}"' in page
    assert "出生医学证明" in page and 'name="q-0-o-0-members"' in page  # members by name
    assert '<textarea id="members"' not in page  # no text to parse any more
    saved = list(draft.members.values_list("implementation_code", flat=True))
    url = f"/workbench/bundles/types/{draft.pk}/"
    first = (codes[0], "required", "", "10", [("您要办理哪种业务?", "新生儿首次办理")])
    bad = client.post(url, editor_post([first]))
    assert bad.status_code == 400 and "一件事至少需要两个成员事项" in bad.content.decode()
    # Not a number, half a situation answer, an option ticked without a text: all named at once,
    # nothing saved.
    second = (codes[1], "required", codes[0], "二十", [("您要办理哪种业务?", "")])
    bad = client.post(url, editor_post([first, second], [("", [("", [codes[1]])])]))
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "顺序须为整数（填写了“二十”）" in text and "须同时填写问题和选项" in text
    assert "勾选了事项的选项须填写选项文字" in text
    situational = (codes[1], "situational", codes[0], "20", [])
    bad = client.post(url, editor_post([first, situational]))
    assert f"按情形办理的事项 {codes[1]} 没有任何情形选项选择它" in bad.content.decode()
    cycle = [(codes[0], "required", codes[1], "10", []), (codes[1], "required", codes[0], "20", [])]
    assert "存在循环" in client.post(url, editor_post(cycle)).content.decode()
    assert list(draft.members.values_list("implementation_code", flat=True)) == saved
    # The order is the numbers', not the rows'; a question chooses the situational member.
    third = (codes[2], "situational", "", "5", [])
    done = client.post(
        url,
        editor_post(
            [first, (codes[1], "required", codes[0], "20", []), third],
            [("是否参保?", [("是", [codes[2]]), ("否", [])])],
        ),
    )
    assert done.status_code == 302
    members = list(draft.members.select_related("prerequisite"))
    assert [m.implementation_code for m in members] == [codes[2], codes[0], codes[1]]
    assert members[2].prerequisite.implementation_code == codes[0]
    assert members[1].situation_answers == {"您要办理哪种业务?": "新生儿首次办理"}
    option = draft.questions.get().options.get(text="是")
    assert list(option.members.values_list("implementation_code", flat=True)) == [codes[2]]
    assert AuditRecord.objects.filter(action=AuditAction.SET_STRUCTURE).exists()
    client.post(url, editor_post([first, (codes[1], "required", codes[0], "20", [])]))
    client.post(f"/workbench/bundles/types/{draft.pk}/publish/")
    draft.refresh_from_db()
    newborn.refresh_from_db()
    assert draft.status == "published" and newborn.status == "superseded"
    assert draft.promised_days == 4  # 1 + 3 working days in a chain


def test_the_demo_logins_list_the_bundle_staff(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    printed = out.getvalue()
    # the combined window's clerk and a department's staff of the 一件事 demo
    assert "一件事综合窗口受理员" in printed and "账号 yjsclerk " in printed
    assert "账号 sj_handler " in printed and "市场监管" in printed
    # the other domains' logins are still there
    assert "账号 dispatcher " in printed
