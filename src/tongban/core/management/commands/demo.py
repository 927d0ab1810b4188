"""`tongban demo`: load the demo data (idempotent). `--logins` prints the demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "加载演示数据（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="只打印演示账户")

    def handle(self, *args, **options):
        if options["logins"]:
            self._print_logins()
            return
        for dotted in settings.DEMO_LOADERS:
            with transaction.atomic():
                import_string(dotted)(lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"通办已启动：{settings.SITE_URL}/"))
        self.stdout.write(
            f"  工作台 {settings.SITE_URL}/workbench/   管理后台 {settings.SITE_URL}/admin/"
            f"   接口文档 {settings.SITE_URL}/api/v1/docs/"
        )
        self.stdout.write("演示账户（数据均为虚构）：")
        # The accounts live above core: settings name the functions that list their logins.
        for dotted in settings.DEMO_LOGINS:
            for who, login, password in import_string(dotted)():
                self.stdout.write(f"  {who:<28} 账号 {login:<20} 密码 {password}")
        self.stdout.write("按 Ctrl-C 停止所有进程。\n")
