import time

from django.core.management.base import BaseCommand, CommandError

from tongban.exchange.actions import calllog


class Command(BaseCommand):
    help = "数据共享交换：verify-log 校验用数记录的封存链，seal 立即封存未封存的记录"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify-log", "seal"])

    def handle(self, *args, action, **options):
        if action == "seal":
            sealed = calllog.seal_all(settle_seconds=0)
            self.stdout.write(f"已封存 {sealed} 条用数记录")
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
