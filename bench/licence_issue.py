"""Benchmark: issue one e-licence (identifier + render + PAdES-sign + store + register) and verify
one (identifier check + register look-up, and the PDF signature through seals.actions.verify_pdf).

Standalone: a throw-away data directory (SQLite, files, secrets), migrated from scratch, demo
regions/departments/accounts/seals loaded; one licence type of 市卫健委. N licences issued through
licences.actions.issue, then N verified. Prints p50/p95/p99 in milliseconds.
Goals from issue 6: issue ≤ 200 ms p95, verify ≤ 50 ms. Run: .venv/bin/python bench/licence_issue.py [N]
"""

import os
import shutil
import sys
import time

from _common import fresh_django, percentiles


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    workdir = fresh_django("tongban-bench-licence-")

    from tongban.accounts import demo as accounts_demo
    from tongban.accounts.models import CitizenProfile
    from tongban.core import demo as core_demo
    from tongban.core.identifiers import IdType
    from tongban.licences import actions, identifier
    from tongban.licences.models import LicenceType
    from tongban.seals import actions as seals
    from tongban.seals import demo as seals_demo

    for loader in (core_demo, accounts_demo, seals_demo):
        loader.load(lambda _line: None)
    department = core_demo.department("wj")
    kind = LicenceType.objects.create(
        name="公共场所卫生许可证",
        type_code=department.uscc + "001",
        issuing_department=department,
        holder_kind=LicenceType.HolderKind.PERSON,
        validity_years=4,
        fields=[{"key": "business_scope", "label": "许可项目"}],
        pdf_notes="请在经营场所醒目位置公示本许可证。",
    )
    holder = CitizenProfile.objects.order_by("pk").first()

    def issue():
        return actions.issue(
            licence_type=kind,
            holder_name=holder.real_name,
            holder_id_type=IdType.CITIZEN_ID,
            holder_id_number=holder.id_number,
            data={"business_scope": "住宿、沐浴、美容美发场所"},
        )

    for _ in range(3):  # warm-up: imports, font metrics, key cache
        issue()

    issue_ms, licences = [], []
    for _ in range(count):
        started = time.perf_counter()
        licences.append(issue())
        issue_ms.append((time.perf_counter() - started) * 1000)

    check_ms, pdf_ms = [], []
    payloads = [(lic.identifier, lic.document.read_bytes()) for lic in licences]
    for ident, data in payloads:
        started = time.perf_counter()
        result = actions.verify(ident)
        check_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        signed = seals.verify_pdf(data)
        pdf_ms.append((time.perf_counter() - started) * 1000)
        if not (result.ok and signed.is_valid and identifier.check(ident)[0]):
            print(f"unexpected verification result: {result.reason} {signed.message}")
            return 1

    print(
        "issue one licence (identifier+render+sign+store): "
        f"{percentiles(issue_ms)}   goal p95 ≤ 200 ms"
    )
    print(
        f"verify identifier + register (status, validity): {percentiles(check_ms)}   goal ≤ 50 ms"
    )
    print(f"verify the licence PDF signature (verify_pdf):   {percentiles(pdf_ms)}   goal ≤ 50 ms")
    print(f"  signed licence size: {len(payloads[0][1]) / 1024:.1f} KiB")
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
