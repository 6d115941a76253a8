"""Start the demo: migrate the embedded SQLite database, load demo data, serve."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kabinet.core.management.commands.demo_data import DEMO_CONTRACT_ORG, DEMO_ORG, DEMO_PASSWORD
from kabinet.core.management.commands.demo_homes import DEMO_ACTIVATION_CODE
from kabinet.core.utility import get_utility
from kabinet.core.utility_profiles import PROFILES


class Command(BaseCommand):
    help = "Запускает демонстрационный портал с демо-данными."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--scale", type=int, default=20)
        parser.add_argument("--no-serve", action="store_true", help="только подготовить базу")

    def handle(self, *args, addrport: str, scale: int, no_serve: bool, **options):
        if not settings.DEBUG:
            raise CommandError("The demo runs only with KABINET_DEBUG=1 (python3 dev.py demo).")
        (settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_data", scale=scale, quiet=True)
        profile = get_utility()
        host, _, port = addrport.rpartition(":")
        url = f"http://{host or '127.0.0.1'}:{port}/"
        modes = ", ".join(sorted(profile.signup_modes))
        methods = profile.login_methods
        from kabinet.applications.kinds import connection_enabled

        connection_on = connection_enabled()
        link = {
            "last_payment": "лицевой счёт 100000003: последний платёж 2 345,60 ₽ от 14.10.2026",
            "activation_code": "лицевой счёт 100000003, код активации " + DEMO_ACTIVATION_CODE,
            "meter_number": "договор 100000003, счётчик ГВС-000003",
        }[profile.account_link_proof]
        sign_ins = [
            ("email" in methods, "житель, e-mail ............ resident@example.ru"),
            ("phone" in methods, "ИП, телефон ............... +7 900 123-45-67"),
            (
                bool({"login", "inn"} & methods),
                "организация, выдан доступ . логин 0001234 (или ИНН " + DEMO_ORG["inn"] + ")",
            ),
            (
                "email" in methods and not {"login", "inn"} & methods,
                "организация с договорами .. buh@teplo-plus.example.ru",
            ),
            (
                "email" in methods and profile.contracts,
                "её сотрудник, просмотр .... ivanova@teplo-plus.example.ru",
            ),
            (
                bool({"contract", "login"} & methods),
                "по номеру договора ........ логин 000456, первый пароль — ИНН "
                + DEMO_CONTRACT_ORG["inn"],
            ),
            (
                "email" in methods and connection_on,
                "застройщик ................ developer@example.ru",
            ),
            (True, "оператор .................. operator"),
            (True, "специалист по расчётам .... billing"),
            (True, "инженер по подключению .... engineer"),
            (True, "администратор ............. admin   (" + url + "admin/)"),
        ]
        contract_lines = []
        if profile.contracts:
            from kabinet.contracts.demo import REQUEST_CONTRACT, SIGNUP_CONTRACT

            if profile.contract_signup:
                contract_lines.append(
                    "  Регистрация по договору: № {number} от {d:%d.%m.%Y}, ИНН {inn}".format(
                        d=SIGNUP_CONTRACT["signed_on"], **SIGNUP_CONTRACT
                    )
                )
            if profile.contract_requests:
                contract_lines.append(
                    f"  Добавить договор в кабинет организации: № {REQUEST_CONTRACT}, "
                    f"ИНН {DEMO_ORG['inn']} (одобряет operator)"
                )
        lines = [
            "",
            f"  Kabinet — {profile.short_name} ({settings.KABINET_UTILITY}); "
            f"режимы регистрации: {modes}",
            f"  Откройте: {url}",
            "",
            f"  Демо-входы (пароль везде {DEMO_PASSWORD}, если не сказано иное):",
            *(f"    {line}" for shown, line in sign_ins if shown),
            "",
            f"  Добавить в кабинет жителя: {link}",
            *contract_lines,
            "",
            f"  Письма: {settings.EMAIL_FILE_PATH}/   SMS: {settings.KABINET_SMS_OUTBOX_DIR}/",
            "  Другие организации: KABINET_UTILITY=" + "|".join(PROFILES) + " python3 dev.py demo",
            "",
        ]
        self.stdout.write("\n".join(lines))
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
