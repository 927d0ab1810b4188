"""`tongban audit verify`: walk the hash chain and report the first broken record."""

from django.core.management.base import BaseCommand, CommandError

from tongban.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        report = audit.verify_chain()
        if not report.intact:
            raise CommandError(
                f"审计链在第 {report.first_broken} 条记录处断开：{report.problem}（已检查 {report.checked} 条）"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {report.checked} 条记录"))
