"""Учётные данные интеграции for the utility's systems on ``/api/v1/integration/``.

    manage.py integration_credential create <name> --scope imports --scope intervals
    manage.py integration_credential revoke <prefix>
    manage.py integration_credential list

``create`` prints the token once: only its SHA-256 is kept.
"""

from django.core.management.base import BaseCommand, CommandError

from kabinet.core.errors import DomainError
from kabinet.integration.credentials import credential_create, credential_revoke
from kabinet.integration.models import IntegrationCredential


class Command(BaseCommand):
    help = "Учётные данные интеграции: выдать (create), отозвать (revoke), список (list)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="выдать новые учётные данные")
        create.add_argument("name", help="чья система: «Биллинг», «ИСУ Пирамида»")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=[],
            help=f"право ({', '.join(IntegrationCredential.Scope.values)}); можно несколько",
        )
        revoke = sub.add_parser("revoke", help="отозвать учётные данные по префиксу")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="список учётных данных (без токенов)")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                credential, token = credential_create(
                    name=options["name"], scopes=options["scopes"]
                )
                self.stdout.write(
                    f"Выданы учётные данные «{credential.name}» (префикс {credential.prefix}, "
                    f"права: {', '.join(credential.scopes)})."
                )
                self.stdout.write("Токен (показывается один раз, сохраните его):")
                self.stdout.write(token)
            elif action == "revoke":
                credential = credential_revoke(prefix=options["prefix"])
                when = credential.revoked_at.strftime("%d.%m.%Y %H:%M")
                self.stdout.write(f"Учётные данные «{credential.name}» отозваны ({when}).")
            else:
                for c in IntegrationCredential.objects.all():
                    state = "отозван" if c.revoked_at else "действует"
                    used = c.last_used_at.strftime("%d.%m.%Y %H:%M") if c.last_used_at else "—"
                    self.stdout.write(
                        f"{c.prefix}  {c.name}  [{', '.join(c.scopes)}]  {state}  {used}"
                    )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
