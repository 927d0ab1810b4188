"""`tongban createstaff`: create a staff account through the service layer (audited)."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongban.accounts import actions
from tongban.accounts.roles import Role
from tongban.core.models import Department


class Command(BaseCommand):
    help = "创建工作人员账户"

    def add_arguments(self, parser):
        parser.add_argument("login_name")
        parser.add_argument("display_name")
        parser.add_argument("--department-uscc", required=True, help="所属部门统一社会信用代码")
        parser.add_argument("--role", action="append", required=True, choices=Role.values)
        parser.add_argument("--password", help="不填则交互输入（推荐）")

    def handle(self, *args, **options):
        department = Department.objects.filter(uscc=options["department_uscc"].upper()).first()
        if department is None:
            raise CommandError("未找到该统一社会信用代码对应的部门")
        password = options["password"] or getpass.getpass("密码：")
        try:
            user = actions.create_staff(
                actor=None,
                login_name=options["login_name"],
                display_name=options["display_name"],
                department=department,
                roles=options["role"],
                password=password,
            )
        except ValidationError as exc:
            raise CommandError(
                "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已创建工作人员 {user.login_name}（{department.name}）")
        )
