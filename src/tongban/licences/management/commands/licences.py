"""`tongban licences revoke IDENTIFIER --by LOGIN --reason … --basis …` and
`tongban licences cancel IDENTIFIER --by LOGIN --reason applied|not_renewed|… [--note …]`:
the same service functions as the workbench, the API and the admin, acting as the staff member
named by --by (their role and department decide, as on the page)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongban.accounts.models import User
from tongban.licences import actions, identifier, status
from tongban.licences.models import Licence


class Command(BaseCommand):
    help = "电子证照：revoke 撤销（签发撤销决定书）；cancel 注销"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        revoke = sub.add_parser("revoke", help="撤销证照并签发撤销决定书（颁发机构批准人员）")
        revoke.add_argument("identifier", help="证照标识")
        revoke.add_argument("--by", required=True, help="作出决定的工作人员登录名")
        revoke.add_argument("--reason", required=True, help="撤销理由")
        revoke.add_argument("--basis", required=True, help="法律依据")
        cancel = sub.add_parser("cancel", help="注销证照（颁发机构承办或批准人员）")
        cancel.add_argument("identifier", help="证照标识")
        cancel.add_argument("--by", required=True, help="办理注销的工作人员登录名")
        cancel.add_argument(
            "--reason",
            required=True,
            choices=status.CancelReason.values,
            help="；".join(f"{value} {label}" for value, label in status.CancelReason.choices),
        )
        cancel.add_argument("--note", default="", help="情况说明（other 时必填）")

    def handle(self, *args, **options):
        licence = self._licence(options["identifier"])
        actor = User.objects.filter(login_name=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"没有启用中的账户“{options['by']}”")
        try:
            if options["action"] == "revoke":
                ended = status.revoke(
                    licence, actor, options["reason"], legal_basis=options["basis"]
                )
            else:
                ended = status.cancel(licence, actor, options["reason"], note=options["note"])
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(actions.status_sentence(ended)))

    def _licence(self, raw: str) -> Licence:
        ok, reason = identifier.check(raw)
        if not ok:
            raise CommandError(f"证照标识{reason}")
        licence = Licence.objects.filter(identifier=identifier.normalise(raw)).first()
        if licence is None:
            raise CommandError("未找到该证照")
        return licence
