"""Benchmark: issue (render + PAdES-sign + store) and verify one-page documents.

Standalone: a throw-away data directory (SQLite, files, secrets), migrated from scratch; one
department and one ECDSA P-256 seal; 200 documents issued through seals.documents.issue_document,
then 200 verified with seals.actions.verify_pdf. Prints p50/p95/p99 in milliseconds.
Goals from issue 6: issue ≤ 200 ms p95, verify ≤ 50 ms. Run: .venv/bin/python bench/seal_sign.py [N]
"""

import os
import shutil
import sys
import time

from _common import fresh_django, percentiles


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    workdir = fresh_django("tongban-bench-seal-")

    from tongban.core import testdata
    from tongban.core.models import Department, Region
    from tongban.seals import actions, documents
    from tongban.seals.models import IssuedDocument, Seal

    province = Region.objects.create(code="410000", name="河南省", level=Region.Level.PROVINCE)
    city = Region.objects.create(
        code="411000", name="许昌市", level=Region.Level.CITY, parent=province
    )
    department = Department.objects.create(
        name="许昌市卫生健康委员会",
        short_name="许卫健",
        uscc=testdata.credit_code("11", "411000", 2),
        region=city,
        level=Department.ExerciseLevel.CITY,
    )
    started = time.perf_counter()
    seal = actions.create_seal(
        None, department, "许昌市卫生健康委员会电子证照专用章", Seal.Kind.LICENCE, 365
    )
    seal_ms = (time.perf_counter() - started) * 1000

    sections = [
        ("", "许昌示例餐饮有限公司："),
        (
            "",
            "你单位申请的公共场所卫生许可，经审查，符合《公共场所卫生管理条例》及其实施细则规定的条件，"
            "决定准予许可。许可项目：餐饮场所；有效期限：四年。",
        ),
        ("告知事项", "请在经营场所醒目位置公示卫生许可证；许可事项发生变更的，应当依法申请变更。"),
    ]

    def issue(n: int) -> IssuedDocument:
        return documents.issue_document(
            document_type=IssuedDocument.Type.LICENCE,
            title="公共场所卫生许可决定书",
            sections=sections,
            department=department,
            related=("bench.case", str(n)),
        )

    for n in range(3):  # warm-up: imports, font metrics, key cache
        issue(-n)

    issue_ms, docs = [], []
    for n in range(count):
        started = time.perf_counter()
        docs.append(issue(n))
        issue_ms.append((time.perf_counter() - started) * 1000)

    payloads = [doc.read_bytes() for doc in docs]
    verify_ms = []
    for data in payloads:
        started = time.perf_counter()
        result = actions.verify_pdf(data)
        verify_ms.append((time.perf_counter() - started) * 1000)
        if not result.is_valid:
            print(f"unexpected verification result: {result.status} {result.message}")
            return 1

    # The parts, for orientation (render only, sign only).
    render_ms, sign_ms = [], []
    for n in range(min(count, 50)):
        started = time.perf_counter()
        # Each with a QR code of its own, as every issued document has.
        pdf = documents.render_document(
            "公共场所卫生许可决定书", f"bench-{n}", sections, department,
            docs[0].issued_on, f"http://127.0.0.1:8000/verify/documents/{n}/", seal=seal,
        )  # fmt: skip
        render_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        actions.sign_pdf(pdf, seal, document_type="证照", document_number=f"bench-{n}")
        sign_ms.append((time.perf_counter() - started) * 1000)

    print(f"seal creation (CA + key + cert + PNG), once: {seal_ms:.0f} ms")
    print(
        f"issue one licence PDF (render+sign+store):  {percentiles(issue_ms)}   goal p95 ≤ 200 ms"
    )
    print(f"verify one signed PDF:                      {percentiles(verify_ms)}   goal ≤ 50 ms")
    print(f"  of which render only:                     {percentiles(render_ms)}")
    print(f"  of which sign + log only:                 {percentiles(sign_ms)}")
    print(f"  signed file size: {len(payloads[0]) / 1024:.1f} KiB")
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
