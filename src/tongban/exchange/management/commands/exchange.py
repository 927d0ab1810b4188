import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.exchange.actions import bulk, calllog
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.models import BulkLoad, Resource


class Command(BaseCommand):
    help = (
        "数据共享交换：verify-log 校验用数记录的封存链，seal 立即封存未封存的记录，"
        "load 装载提供部门交付的批量文件（CSV 或 Parquet）"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify-log", "seal", "load"])
        parser.add_argument("resource", nargs="?", help="load：数据资源代码")
        parser.add_argument("file", nargs="?", help="load：文件路径（.csv 或 .parquet）")
        parser.add_argument("--rows", type=int, help="load：交付方声明的行数")
        parser.add_argument("--sha256", help="load：交付方声明的 SHA-256")
        parser.add_argument(
            "--mode",
            choices=BulkLoad.Mode.values,
            default=BulkLoad.Mode.FULL,
            help="load：装载方式",
        )

    def handle(self, *args, action, **options):
        if action == "seal":
            sealed = calllog.seal_all(settle_seconds=0)
            self.stdout.write(f"已封存 {sealed} 条用数记录")
            return
        if action == "load":
            self._load(**options)
            return
        started = time.perf_counter()
        report = calllog.verify()
        seconds = time.perf_counter() - started
        summary = (
            f"已校验 {report.records} 条记录（{report.checkpoints} 个封存点，"
            f"未封存 {report.unsealed} 条），用时 {seconds:.1f} 秒"
        )
        if not report.intact:
            where = f"（记录 {report.record_id}）" if report.record_id else ""
            raise CommandError(f"用数记录被篡改：{report.problem}{where}。{summary}")
        self.stdout.write(self.style.SUCCESS(f"用数记录完整。{summary}"))

    def _load(self, *, resource, file, rows, sha256, mode, **_options):
        """The declared row count and checksum come from the delivering department, not from the
        file: they are what proves the file arrived whole."""
        if not resource or not file or rows is None or not sha256:
            raise CommandError(
                "用法：tongban exchange load 资源代码 文件 --rows 行数 --sha256 校验和 [--mode incremental]"
            )
        found = Resource.objects.filter(code=resource).first()
        if found is None:
            raise CommandError(f"没有代码为 {resource} 的数据资源")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        content = path.read_bytes()
        started = time.perf_counter()
        try:
            load = bulk.load_file(
                actor=None,
                resource=found,
                content=content,
                file_name=path.name,
                declared_rows=rows,
                sha256=sha256,
                mode=mode,
                source="tongban exchange load",
            )
        except ExchangeDenied as denied:
            raise CommandError(f"文件未装载：{denied.message}") from denied
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已装载 {load.loaded_rows} 行（装载批次 {load.pk}，{seconds:.1f} 秒）；"
                "同一文件再次装载不会重复写入"
            )
        )
