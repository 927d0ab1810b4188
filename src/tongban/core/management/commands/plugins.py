"""`tongban plugins`: integration kinds, their registered plugins, the active one and its check."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.core import plugins


class Command(BaseCommand):
    help = "列出集成插件：类型、已注册插件、当前启用的插件及其配置检查结果"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="有配置错误时以非零状态退出（用于部署脚本）"
        )

    def handle(self, *args, **options):
        registry = plugins.registered()
        kinds = sorted(set(plugins.KINDS) | set(registry) | set(settings.PLUGINS))
        broken = []
        for kind in kinds:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{kind}（{plugins.kind_label(kind)}）"))
            available = registry.get(kind, {})
            config = plugins.active_config(kind)
            for name, cls in sorted(available.items()):
                marker = "*" if config and config["name"] == name else " "
                demo = "（演示）" if cls.demo else ""
                self.stdout.write(f"  {marker} {name:<16} {cls.label}{demo}")
            if not available:
                self.stdout.write("    （尚无已注册的插件）")
            if config is None:
                self.stdout.write("    当前未启用")
                continue
            problems = plugins.config_problems(kind)
            if problems:
                broken.append(kind)
                for problem in problems:
                    self.stdout.write(self.style.ERROR(f"    配置错误：{problem}"))
            else:
                shown = available[config["name"]].describe_options(config["options"])
                self.stdout.write(
                    self.style.SUCCESS(f"    当前启用 {config['name']}，配置检查通过")
                    + f" {json.dumps(shown, ensure_ascii=False)}"
                )
        if broken and options["check"]:
            raise CommandError(f"插件配置有误：{'、'.join(broken)}")
