"""免申即享 in a browser, at PC and phone size: the elderly demo citizen finds 高龄津贴 under
可享政策 with the reason and the monthly amount, without having applied; the demo enterprise
confirms its 稳岗返还 in one step (its account entered once) and reads why it does not get the
new-hire subsidy; 民政 staff prepare the month's payment batch, export it, import the finance
bureau's reconciliation file with one failed line, and the failure comes back for correction."""

import csv
import io

import pytest
from journeys import SIZES

from tongban.core import testdata
from tongban.policies.models import Match, PaymentLine

ELDER_PHONE = "17000000001"  # 张示例, born 1942
USCC = testdata.credit_code("91", "411002", 101)


def _elder_sees_the_allowance(j) -> None:
    j.login(ELDER_PHONE)
    j.go("/policies/")
    text = j.text()
    assert "高龄津贴" in text and "每月 100.00 元" in text
    assert "年满80周岁" in text and "免申即享" in text
    j.shot("elder-policies")
    j.page.locator("a", has_text="查看详情和发放记录").first.click()
    j.page.wait_for_load_state()
    assert "许民〔2026〕8号" in j.text()
    j.shot("elder-allowance")
    j.logout()


def _enterprise_confirms(j) -> None:
    j.login(USCC)
    j.go("/policies/")
    assert "失业保险稳岗返还" in j.text() and "一次性 24,000.00 元" in j.text()
    j.shot("enterprise-policies")
    j.page.locator("a", has_text="一次性扩岗补助").click()
    j.page.wait_for_load_state()
    assert "不符合“本年度新增参保职工至少1人”" in j.text()
    j.shot("enterprise-why-not")
    j.go("/policies/")
    j.page.locator("a", has_text="一键确认领取").first.click()
    j.page.wait_for_load_state()
    # The account the enterprise reported to the tax bureau, from shared data: nothing to type.
    assert "8888**********0001" in j.text() and "税务部门共享数据" in j.text()
    j.shot("enterprise-confirm")
    j.page.locator("button", has_text="确认领取").click()
    j.page.wait_for_load_state()
    text = j.text()
    assert "已确认" in text and "8888**********0001" in text
    assert "888800000000000001" not in j.page.content() and "888800000000000001" not in j.page.url
    j.shot("enterprise-confirmed")
    j.logout()


def _staff_pay_and_reconcile(j, tmp_path) -> None:
    j.login("handler")
    j.go("/workbench/policies/")
    j.shot("staff-policies")
    j.page.locator("a", has_text="高龄津贴").first.click()
    j.page.wait_for_load_state()
    j.page.locator("button", has_text="生成本周期发放批次").click()
    j.page.wait_for_load_state()
    assert "发放批次" in j.text()
    j.shot("staff-batch")
    with j.page.expect_download() as download:
        j.page.locator("a", has_text="导出 CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    lines = [r for r in rows[1:] if r and r[0].isdigit()]
    assert lines and rows[-1][0].startswith("校验和")
    with j.page.expect_download() as cover:
        j.page.locator("a", has_text="签章封面").click()
    assert cover.value.path().read_bytes()[:5] == b"%PDF-"
    reconciliation = tmp_path / "对账结果.csv"
    body = ["序号,金额,结果,原因"]
    body += [f"{r[0]},{r[-1]},成功," for r in lines[1:]]
    body.append(f"{lines[0][0]},{lines[0][-1]},失败,账户已销户")
    reconciliation.write_text("\n".join(body) + "\n", encoding="utf-8")
    j.page.set_input_files("#file", str(reconciliation))
    j.page.locator("button", has_text="导入").click()
    j.page.wait_for_load_state()
    text = j.text()
    assert "失败 1 笔" in text and "发放失败，待更正" in text and "账户已销户" in text
    j.shot("staff-reconciled")
    failed = PaymentLine.objects.get(status=PaymentLine.Status.FAILED)
    j.page.fill(f"#note-{failed.pk}", "已与家属核实新账户")
    j.page.locator("button", has_text="重新发放").click()
    j.page.wait_for_load_state()
    assert "已重新列入发放" in j.text()
    j.shot("staff-corrected")
    j.logout()


@pytest.mark.parametrize("size", SIZES)
def test_policies_matched_confirmed_paid_and_reconciled(journey, size, tmp_path):
    assert Match.objects.filter(policy__code="MZ-GLJT", eligible=True).exists()
    _elder_sees_the_allowance(journey(size, "elder"))
    _enterprise_confirms(journey(size, "enterprise"))
    _staff_pay_and_reconcile(journey(size, "staff"), tmp_path)
