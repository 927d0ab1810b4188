"""`tongban workflow load-templates | upload KEY FILE | list`: manage review processes."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongban.workflow import definitions
from tongban.workflow.models import ProcessDefinition


class Command(BaseCommand):
    help = "审批流程：load-templates 发布随附模板；upload KEY FILE 上传新版本；list 列出各版本"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-templates", help="发布随附的流程模板（可重复执行）")
        load.add_argument("--update", action="store_true", help="模板文件有变化时发布为新版本")
        upload = sub.add_parser("upload", help="上传 BPMN 文件，作为该流程的新版本")
        upload.add_argument("key", help="流程标识，如 promise")
        upload.add_argument("file", help="BPMN 2.0 文件路径")
        upload.add_argument("--name", default="", help="流程名称（默认取 BPMN 中的名称）")
        upload.add_argument("--draft", action="store_true", help="只保存为草稿，不发布")
        sub.add_parser("list", help="列出流程定义的各版本")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "load-templates":
            created = definitions.load_templates(update=options["update"])
            for definition in created:
                self.stdout.write(f"已发布 {definition}")
            self.stdout.write(self.style.SUCCESS(f"模板加载完成：新增 {len(created)} 个版本"))
        elif action == "upload":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"找不到文件 {path}")
            try:
                definition = definitions.upload_definition(
                    options["key"],
                    path.read_bytes(),
                    name=options["name"],
                    publish=not options["draft"],
                )
            except ValidationError as err:
                raise CommandError("BPMN 校验未通过：\n  " + "\n  ".join(err.messages)) from err
            self.stdout.write(
                self.style.SUCCESS(f"已保存 {definition}，状态：{definition.get_status_display()}")
            )
        else:
            for definition in ProcessDefinition.objects.all():
                self.stdout.write(
                    f"{definition.key:<12} v{definition.version:<4} "
                    f"{definition.get_status_display():<6} {definition.name}"
                )
