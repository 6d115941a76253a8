"""Deterministic demo data: the same users every run, plus ``--scale`` extra customers."""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kabinet.identity import codes
from kabinet.identity.models import IssuedAccess, Party, User

DEMO_PASSWORD = "Kabinet-2026"

# Valid registry numbers (check digits pass) for the demo parties.
DEMO_ORG = {"inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195"}
DEMO_CONTRACT_ORG = {"inn": "7728168971", "kpp": "772801001", "ogrn": "1027700067328"}
DEMO_IP_INN = "500100732259"
DEMO_IP_OGRNIP = "304500116000157"

LAST_NAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]
FIRST_NAMES = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья"]


def _user(*, password: str | None = DEMO_PASSWORD, **fields) -> User:
    user = User(status=User.Status.ACTIVE, **fields)
    if password:
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.save()
    return user


def inn_with_check(base10: str) -> str:
    """A 12-digit personal ИНН from 10 digits, with both check digits computed."""
    digits = [int(c) for c in base10]
    w1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    d11 = sum(a * b for a, b in zip(w1, digits, strict=True)) % 11 % 10
    digits.append(d11)
    w2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    d12 = sum(a * b for a, b in zip(w2, digits, strict=True)) % 11 % 10
    return base10 + str(d11) + str(d12)


class Command(BaseCommand):
    help = "Создаёт демонстрационных пользователей (одинаковых при каждом запуске)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="сколько добавить жителей")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, scale: int, quiet: bool, **options):
        from kabinet.notifications.services import quietly

        # The demo's history is not news to anyone: notices stay in the cabinets, but no
        # letter or SMS goes to the test outboxes — also those sent when the transaction
        # commits, so the quiet wraps the transaction.
        with quietly(), transaction.atomic():
            self._build(scale=scale, quiet=quiet)

    def _build(self, *, scale: int, quiet: bool):
        if User.objects.filter(login="operator").exists():
            if not quiet:
                self.stdout.write("Демо-данные уже созданы.")
            return
        _user(
            login="admin",
            display_name="Администратор",
            is_staff=True,
            is_superuser=True,
            signup_mode=User.SignupMode.STAFF,
        )
        from kabinet.backoffice.roles import role_grant

        for login, name in (
            ("operator", "Оператор Петрова"),
            ("billing", "Расчётчик Соколова"),
            ("engineer", "Инженер Кузнецов"),
        ):
            staff = _user(
                login=login, display_name=name, is_staff=True, signup_mode=User.SignupMode.STAFF
            )
            role_grant(user=staff, role=login)

        resident = _user(
            email="resident@example.ru",
            email_verified=True,
            phone="+79110000001",
            display_name="Анна Сергеевна",
            signup_mode=User.SignupMode.EMAIL,
        )
        Party.objects.create(
            user=resident,
            kind=Party.Kind.PERSON,
            last_name="Смирнова",
            first_name="Анна",
            middle_name="Сергеевна",
            phone=resident.phone,
            email=resident.email,
        )

        phone_user = _user(
            phone="+79001234567",
            phone_verified=True,
            display_name="Игорь Олегович",
            signup_mode=User.SignupMode.PHONE,
        )
        Party.objects.create(
            user=phone_user,
            kind=Party.Kind.IP,
            last_name="Волков",
            first_name="Игорь",
            middle_name="Олегович",
            inn=DEMO_IP_INN,
            ogrnip=DEMO_IP_OGRNIP,
            phone=phone_user.phone,
        )

        org = _user(
            login="0001234",
            email="buh@teplo-plus.example.ru",
            email_verified=True,
            display_name="ООО «Тепло Плюс»",
            signup_mode=User.SignupMode.ISSUED,
        )
        Party.objects.create(
            user=org,
            kind=Party.Kind.LEGAL,
            org_name="ООО «Тепло Плюс»",
            responsible_name="Кузнецова Мария Ивановна",
            responsible_position="главный бухгалтер",
            **DEMO_ORG,
        )
        row, _ = codes.code_issue(
            purpose=codes.Purpose.ACTIVATION,
            channel=codes.Channel.EMAIL,
            target=org.email,
            user=org,
            link=True,
        )
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        IssuedAccess.objects.create(
            user=org,
            contract_number="0001234",
            contact_name="Кузнецова Мария Ивановна",
            contact_phone="+78432000000",
            email=org.email,
            state=IssuedAccess.State.ACTIVATED,
            valid_from=timezone.now() - timedelta(days=1),
            valid_until=timezone.now() + timedelta(days=4),
            code=row,
            issued_by=User.objects.get(login="operator"),
        )

        contract = _user(
            login="000456",
            password=DEMO_CONTRACT_ORG["inn"],
            must_change_password=True,
            display_name="АО «Городские бани»",
            signup_mode=User.SignupMode.CONTRACT,
        )
        Party.objects.create(
            user=contract,
            kind=Party.Kind.LEGAL,
            org_name="АО «Городские бани»",
            **DEMO_CONTRACT_ORG,
        )

        from kabinet.core.management.commands.demo_homes import build_demo_homes

        build_demo_homes(resident=resident)
        from kabinet.customer_accounts.demo import build_demo_link_requests

        build_demo_link_requests(resident=resident)

        rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
        for n in range(scale):
            user = _user(
                email=f"resident{n:05d}@example.ru",
                email_verified=True,
                phone=f"+7912{n:07d}",
                display_name=rng.choice(FIRST_NAMES),
                signup_mode=User.SignupMode.EMAIL,
            )
            Party.objects.create(
                user=user,
                kind=Party.Kind.PERSON,
                last_name=rng.choice(LAST_NAMES),
                first_name=user.display_name,
                inn=inn_with_check(f"78{n:08d}"),
            )
        from kabinet.outages.demo import build_demo_outages

        build_demo_outages(resident=resident)
        from kabinet.news.demo import build_demo_news

        build_demo_news(resident=resident)
        from kabinet.appeals.demo import build_demo_appeals

        build_demo_appeals(resident=resident, operator=User.objects.get(login="operator"))
        from kabinet.contracts.demo import build_demo_contracts

        build_demo_contracts(org=org, baths=contract)
        from kabinet.metering.demo_intervals import build_demo_intervals

        build_demo_intervals(resident=resident, org=org)
        from kabinet.applications.demo import build_demo_applications

        # The applications' history is the connection engineer's work (roles.py).
        build_demo_applications(
            org=org, baths=contract, operator=User.objects.get(login="engineer")
        )
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(f"Демо-данные созданы (дополнительно жителей: {scale}).")
            )
