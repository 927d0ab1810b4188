"""Issue 19 points 4–6 in a browser, at PC and phone size: the demo enterprise's 食品经营许可证 (25
days from expiry) is renewed (延续) through a case the 市场监管局's window accepts and completes:
the wallet then holds ONE 食品经营许可证, version 2 of the same licence. The department's approver
revokes it on the workbench's 证照管理 page with reason and legal basis (a sealed 撤销决定书 is
issued); the public /verify/ page, given the licence's PDF, shows the signature valid and the licence
已撤销, as do the register pages its QR code and number lead to; the holder sees 已撤销 and cannot
show (亮证) it any more.

The renewal application itself is filled in through the service layer (intake journeys cover the
forms), and the three review steps through cases.actions (journey 1's subject)."""

import pytest
from journeys import SIZES, follow, move, off_loop, pdf_bytes, review_and_approve, staff

from tongban.accounts.roles import Role
from tongban.licences.models import Licence

ENTERPRISE = "许昌示例餐饮管理有限公司"
USCC = "91411002MA0000101P"
REASON = "经查，申请人在申请延续时提交的场所平面图与实际经营场所不符"
BASIS = "《中华人民共和国行政许可法》第六十九条第二款"


def _renewal_application():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.accounts.models import User
    from tongban.applications import actions as intake
    from tongban.applications import licence_use
    from tongban.catalog.models import ServiceItem

    owner = User.objects.get(enterprise__uscc=USCC)
    item = ServiceItem.objects.get(
        basic_item__name="食品经营许可", department__short_name="市市场监管局"
    )
    question = item.current_version.questions.get()
    option = question.options.get(text="许可证到期延续")
    application = intake.start_application(
        owner=owner,
        service_item=item,
        channel="pc",
        answers={question.pk: option.pk},
        enterprise=owner.enterprise,
    )
    intake.save_section(
        application=application,
        actor=owner,
        section=0,
        raw={"agent_name": "王测试", "agent_phone": "17000000003"},
    )
    intake.save_section(
        application=application,
        actor=owner,
        section=1,
        raw={  # the item's own form (经营信息), as the 一件事 demo publishes it
            "store_name": "许昌示例餐饮门店",
            "store_address": "许昌市魏都区示例路 8 号",
            "business_scope": "热食类食品制售（许可证到期延续）",
            "food_safety_manager": "王测试",
        },
    )
    intake.save_section(
        application=application, actor=owner, section=2, raw={"delivery_method": "window"}
    )
    for material in intake.required_materials(application):
        if material.replaceable_by_licence_type:  # 营业执照, 食品经营许可证正副本: from the wallet
            held = Licence.objects.get(
                holder_name=ENTERPRISE,
                licence_type__name=material.replaceable_by_licence_type,
                status=Licence.Status.VALID,
            )
            licence_use.use_for_material(application, material, held, owner, consent=True)
            continue
        intake.attach_file(
            application=application,
            actor=owner,
            material_id=material.pk,
            uploaded=SimpleUploadedFile("材料.pdf", pdf_bytes()),
        )
    return intake.submit(application=application, actor=owner)


@pytest.mark.parametrize("size", SIZES)
def test_renewal_is_a_new_version_and_revocation_shows_everywhere(journey, size, tmp_path):
    staff(
        "sj",
        {"sjhandler": [Role.HANDLER], "sjreviewer": [Role.REVIEWER], "sjapprover": [Role.APPROVER]},
    )
    original = Licence.objects.get(holder_name=ENTERPRISE, licence_type__name="食品经营许可证")
    application = off_loop(_renewal_application)

    window = journey(size, "window")
    window.login("sjclerk")
    window.go(f"/workbench/cases/{application.public_id}/")
    assert original.identifier in window.text()  # the licence used instead of the paper copy
    move(window, "受理", {}, "受理并签发受理通知书")
    # Separation of duties: sjclerk accepted, so another person handles (承办).
    review_and_approve(application, ("sjhandler", "sjreviewer", "sjapprover"))
    window.go(f"/workbench/cases/{application.public_id}/")
    move(window, "办结", {"confirm": "yes"}, "出证办结")
    assert "已办结" in window.text()
    window.shot("renewal-completed")

    renewed = Licence.objects.get(application=application)
    original.refresh_from_db()
    assert renewed.previous == original and renewed.version == 2
    assert renewed.serial == original.serial and original.status == Licence.Status.REPLACED

    rep = journey(size, "enterprise")
    rep.login(USCC)
    rep.go("/licences/")
    rows = rep.page.locator("tbody tr", has_text="食品经营许可证")
    assert rows.count() == 1  # one licence, not two
    rep.shot("wallet-one-licence")
    follow(rep, rows.first.locator("a", has_text="食品经营许可证"))
    assert renewed.identifier in rep.text() and "第 2 版" in rep.text()
    rep.shot("licence-version-2")

    approver = journey(size, "approver")
    approver.login("sjapprover")
    approver.go("/workbench/licences/")
    approver.shot("licence-register")
    follow(approver, approver.page.locator("a", has_text="食品经营许可证").first)
    assert renewed.identifier in approver.text()
    details = approver.page.locator(
        "details", has=approver.page.locator("summary", has_text="撤销证照")
    )
    details.locator("summary").click()
    follow(approver, details.locator("button", has_text="撤销并签发撤销决定书"))
    assert "请填写撤销理由" in approver.text()  # nothing typed: refused in Chinese, nothing lost
    approver.shot("revoke-refused")
    details = approver.page.locator(
        "details", has=approver.page.locator("summary", has_text="撤销证照")
    )
    details.locator("[name=reason]").fill(REASON)
    details.locator("[name=legal_basis]").fill(BASIS)
    details.locator("[name=confirm]").check()
    follow(approver, details.locator("button", has_text="撤销并签发撤销决定书"))
    assert "证照已撤销" in approver.text() and "已撤销" in approver.text()
    approver.shot("revoked")
    renewed.refresh_from_db()
    assert renewed.status == Licence.Status.REVOKED and renewed.status_document is not None

    public = journey(size, "public")
    pdf = tmp_path / "食品经营许可证.pdf"
    pdf.write_bytes(renewed.document.read_bytes())
    public.go("/verify/")
    public.page.locator("input[type=file]").set_input_files(str(pdf))
    follow(public, public.page.locator("button", has_text="开始核验"))
    text = public.text()
    assert "有效" in text and "已撤销" in text and "不能再作为有效证照使用" in text
    public.shot("verify-upload-revoked")
    public.go(f"/licences/verify/?identifier={renewed.identifier}")  # what the printed QR opens
    assert "已撤销" in public.text() and BASIS in public.text()
    public.shot("qr-register-revoked")
    public.go(f"/verify/documents/{renewed.document.public_id}/")
    assert "已撤销" in public.text()
    public.shot("document-register-revoked")

    rep.go(f"/licences/{renewed.pk}/")
    assert "已撤销" in rep.text() and REASON in rep.text()
    assert rep.page.locator("a", has_text="亮证").count() == 0
    rep.shot("holder-sees-revoked")
    rep.go(f"/licences/{renewed.pk}/show/")
    assert "不能出示" in rep.text()
    rep.shot("show-refused")
    rep.go("/inbox/")
    assert "证照已撤销" in rep.text()
    rep.shot("inbox-revoked")
