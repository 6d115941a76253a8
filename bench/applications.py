"""Applications (заявки) at scale: the queue, the applicant's pages, the public status
check, and filing through the real services.

    .venv/bin/python bench/applications.py [--applications 10000] [--n 100]
        [--filings 200] [--threads 4]

The database is built once per size, with the demo of the electricity network
(KABINET_UTILITY=gorseti_tomsk) plus ``--applications`` filed connection applications
(and one draft for every 20) of ~``applications / 5`` applicants, over every status,
filed over the last two years, with their objects, history and some requests for
documents. The rows are written with bulk_create; numbers are given day by day as
``number_next`` gives them, and the day counters set to match, so filing today goes on
from them. SQLite: var/bench/applications-N.sqlite3. PostgreSQL: set
KABINET_DATABASE_URL to a server (postgres://postgres@127.0.0.1:5432/test) and the
bench uses a database of its own on it, bench_applications_N, created if missing and
ANALYZEd after the build (as autovacuum soon would). Settings as the other benches: the
demo's (DEBUG on), fast password hashing.

Then, through Django's test client, signed in (force_login): the staff queue (the open
ones and one status), the staff card, «Мои заявки» of an applicant with 20
applications and of one with ~5, the applicant's card, and the public status check
(POST, a right number and surname) — each ``--n`` times: median, 95th percentile and
the SQL queries a request takes (over 20 of them; "a–b" when they differ).

Last, filing through the services (start, three steps saved with check=True, the
required documents, ``application_submit``): ``--filings`` applications in one thread,
then the same number split over ``--threads`` threads at once, each with its own
connection; the numbers given are checked to be all distinct. ``--filings 0`` skips it.
Each run files more applications into the database it reuses.
"""

import argparse
import io
import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
MARK = "bench-00000"  # the first applicant's login: present once the build committed

LAST_NAMES = [
    ("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"), ("Васильев", "Васильева"), ("Петров", "Петрова"),
    ("Соколов", "Соколова"), ("Михайлов", "Михайлова"), ("Новиков", "Новикова"),
    ("Фёдоров", "Фёдорова"), ("Морозов", "Морозова"), ("Волков", "Волкова"),
    ("Алексеев", "Алексеева"), ("Лебедев", "Лебедева"), ("Семёнов", "Семёнова"),
    ("Егоров", "Егорова"), ("Павлов", "Павлова"), ("Козлов", "Козлова"),
]  # fmt: skip
FIRST_NAMES = [("Александр", "Анна"), ("Дмитрий", "Мария"), ("Сергей", "Елена"),
               ("Андрей", "Ольга"), ("Алексей", "Татьяна"), ("Илья", "Ирина")]  # fmt: skip
MIDDLE_NAMES = [("Сергеевич", "Сергеевна"), ("Петрович", "Петровна"),
                ("Андреевич", "Андреевна"), ("Иванович", "Ивановна")]  # fmt: skip


def setup(applications: int) -> str:
    """Point Django at the bench database of this size (creating a PostgreSQL database
    if needed) and set Django up. Returns what the database is, for the report."""
    sys.path.insert(0, str(ROOT))
    VAR.mkdir(parents=True, exist_ok=True)
    server = os.environ.get("KABINET_DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")):
        name = f"bench_applications_{applications}"
        _create_pg_database(server, name)
        parts = urlsplit(server)
        url = urlunsplit(parts._replace(path=f"/{name}"))
        where = f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{name}"
    else:
        db = VAR / f"applications-{applications}.sqlite3"
        url = f"sqlite:///{db}"
        where = f"SQLite {db.relative_to(ROOT)}"
    os.environ.update(
        {
            "KABINET_DEBUG": "1",
            "KABINET_TESTING": "1",  # fast password hashing: pages are measured, not sign-in
            "KABINET_VAR_DIR": str(VAR),
            "KABINET_DATABASE_URL": url,
            "KABINET_UTILITY": "gorseti_tomsk",
            "KABINET_ALLOWED_HOSTS": "testserver",
            "KABINET_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "KABINET_SMS_OUTBOX_DIR": "",
            "DJANGO_SETTINGS_MODULE": "kabinet.settings",
        }
    )
    import django

    django.setup()
    return where


def _create_pg_database(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the data ---------------------------------------------------------------------------


def _status_for(age_days: int, rng: random.Random) -> str:
    """Older applications are mostly finished; the last weeks' mostly open."""
    if age_days <= 10:
        table = [("registered", 40), ("accepted", 30), ("in_work", 25), ("refused", 5)]
    elif age_days <= 60:
        table = [
            ("registered", 5),
            ("accepted", 15),
            ("in_work", 45),
            ("done", 25),
            ("refused", 10),
        ]
    else:
        table = [("in_work", 5), ("done", 75), ("refused", 20)]
    statuses, weights = zip(*table, strict=True)
    return rng.choices(statuses, weights)[0]


def _person(rng: random.Random) -> dict:
    female = rng.random() < 0.5
    pick = 1 if female else 0
    return {
        "last_name": rng.choice(LAST_NAMES)[pick],
        "first_name": rng.choice(FIRST_NAMES)[pick],
        "middle_name": rng.choice(MIDDLE_NAMES)[pick],
    }


def build(applications: int, rng: random.Random) -> None:
    """The applicants, their filed applications, drafts, objects, history and requests,
    written in one transaction (so a build cut short leaves nothing)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from kabinet.applications.kinds import get_kind
    from kabinet.applications.kinds.base import working_days_after
    from kabinet.applications.models import (
        Application,
        ApplicationEvent,
        ConnectionObject,
        InfoRequest,
        NumberCounter,
    )
    from kabinet.applications.selectors import name_key
    from kabinet.applications.tests.factories import NEW_OBJECT, PERSON_REQUISITES, TECHNICAL_15
    from kabinet.identity.models import User

    spec = get_kind("tc_electric")
    category = spec.category("household15")
    operator = User.objects.get(login="operator")
    now = timezone.now()
    n_users = max(20, applications // 5)
    unusable = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    login=f"bench-{i:05d}",
                    display_name=f"Заявитель {i}",
                    status=User.Status.ACTIVE,
                    signup_mode=User.SignupMode.EMAIL,
                    password=unusable,
                )
                for i in range(n_users)
            ],
            batch_size=1000,
        )
        # The first applicant has 20 applications; the others share the rest in turn.
        owners = [users[0]] * min(20, applications) + [
            users[1 + i % (n_users - 1)] for i in range(max(0, applications - 20))
        ]
        rows = []
        for j, owner in enumerate(owners):
            age = rng.randint(1, 730)
            filed_at = now - timedelta(days=age, seconds=rng.randint(0, 86_399))
            person = _person(rng)
            address = f"Томская обл., СНТ «Рассвет», уч. {j + 1}"
            rows.append(
                {
                    "owner": owner,
                    "age": age,
                    "filed_at": filed_at,
                    "status": _status_for(age, rng),
                    "person": person,
                    "address": address,
                }
            )
        objects = ConnectionObject.objects.bulk_create(
            [
                ConnectionObject(
                    user=r["owner"],
                    name=NEW_OBJECT["name"],
                    address=r["address"],
                    cadastral_number=NEW_OBJECT["cadastral_number"],
                    created_at=r["filed_at"],
                )
                for r in rows
            ],
            batch_size=2000,
        )
        # Numbers as number_next gives them: the day, the kind's code, the day's sequence.
        rows.sort(key=lambda r: r["filed_at"])
        last: dict = {}
        apps = []
        for r, obj in zip(rows, objects, strict=True):
            filed_at, status = r["filed_at"], r["status"]
            day = timezone.localdate(filed_at)
            last[day] = last.get(day, 0) + 1
            dates = {"filed_at": filed_at}
            at = filed_at
            path = {
                "registered": [],
                "accepted": ["accepted"],
                "in_work": ["accepted", "in_work"],
                "done": ["accepted", "in_work", "done"],
                "refused": ["accepted", "refused"] if rng.random() < 0.5 else ["refused"],
            }[status]
            for to in path:
                at = at + timedelta(hours=rng.randint(4, 24 * (40 if to == "done" else 4)))
                at = min(at, now - timedelta(minutes=1))
                dates[Application.DATED[to]] = at
            r["path"], r["dates"] = path, dates
            due = None
            if status == "registered":
                due = working_days_after(day, spec.register_days)
            elif status in ("accepted", "in_work"):
                due = working_days_after(day, category.answer_days)
            person = r["person"]
            apps.append(
                Application(
                    user=r["owner"],
                    kind=spec.code,
                    applicant_kind="person",
                    category=category.code,
                    reason="first",
                    status=status,
                    number=f"{day:%Y-%m-%d}-{spec.number_code}-{last[day]}",
                    data={
                        "requisites": {**PERSON_REQUISITES, **person},
                        "object": {**NEW_OBJECT, "address": r["address"]},
                        "technical": dict(TECHNICAL_15),
                    },
                    step="documents",
                    connection_object=obj,
                    applicant_name=" ".join(
                        (person["last_name"], person["first_name"], person["middle_name"])
                    ),
                    check_key=name_key(person["last_name"]),
                    object_address=r["address"],
                    created_at=filed_at - timedelta(minutes=rng.randint(5, 600)),
                    updated_at=at,
                    due_date=due,
                    refusal_reason="Не приложен правоустанавливающий документ на участок."
                    if status == "refused"
                    else "",
                    **dates,
                )
            )
        apps = Application.objects.bulk_create(apps, batch_size=1000)
        NumberCounter.objects.bulk_create(
            [NumberCounter(day=day, code=spec.number_code, last=n) for day, n in last.items()],
            batch_size=2000,
        )
        # Drafts: one for every 20 filed, none numbered.
        drafts = []
        for i in range(applications // 20):
            owner = users[rng.randrange(n_users)]
            person = _person(rng)
            drafts.append(
                Application(
                    user=owner,
                    kind=spec.code,
                    applicant_kind="person",
                    category=category.code,
                    reason="first",
                    data={"requisites": {**PERSON_REQUISITES, **person}},
                    step="object",
                    created_at=now - timedelta(days=rng.randint(0, 60), minutes=i % 1440),
                )
            )
        Application.objects.bulk_create(drafts, batch_size=1000)
        # The history, and a request for documents on every other application in work
        # (half of them answered).
        events, requests = [], []
        for app, r in zip(apps, rows, strict=True):
            events.append(
                ApplicationEvent(
                    application=app,
                    from_status="draft",
                    to_status="registered",
                    by=app.user,
                    at=app.filed_at,
                )
            )
            prev = "registered"
            for to in r["path"]:
                events.append(
                    ApplicationEvent(
                        application=app,
                        from_status=prev,
                        to_status=to,
                        by=operator,
                        by_staff=True,
                        at=r["dates"][Application.DATED[to]],
                        comment=app.refusal_reason if to == "refused" else "",
                    )
                )
                prev = to
            if app.status == "in_work" and rng.random() < 0.5:
                asked = app.in_work_at + timedelta(hours=2)
                answered = rng.random() < 0.5
                requests.append(
                    InfoRequest(
                        application=app,
                        text="Приложите план расположения энергопринимающих устройств.",
                        asked_by=operator,
                        asked_at=asked,
                        answer="Прикладываю." if answered else "",
                        answered_by=app.user if answered else None,
                        answered_at=asked + timedelta(days=1) if answered else None,
                    )
                )
        ApplicationEvent.objects.bulk_create(events, batch_size=2000)
        InfoRequest.objects.bulk_create(requests, batch_size=2000)


# --- the pages ----------------------------------------------------------------------------


def measure(label: str, fn, n: int) -> None:
    """Time ``fn(i)`` for i in 0..n-1 (after 3 warm-up calls), then count the SQL queries
    of 20 of them in a separate pass (so recording SQL does not weigh on the times) and
    the median time the database took for them (Django's own timing, in whole ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        fn(i)
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    counts, sql = [], []
    for i in range(min(n, 20)):
        with CaptureQueriesContext(connection) as ctx:
            fn(i)
        counts.append(len(ctx.captured_queries))
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    lo, hi = min(counts), max(counts)
    queries = str(lo) if lo == hi else f"{lo}–{hi}"
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{label:<40} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
        f"queries {queries:>3} (SQL {statistics.median(sql):4.0f} ms)"
    )


def pages(n: int, rng: random.Random) -> None:
    from django.test import Client

    from kabinet.applications.models import Application
    from kabinet.identity.models import User

    staff = Client()
    staff.force_login(User.objects.get(login="operator"))

    def queue(query: str, expect_rows: bool = True):
        def get(i):
            response = staff.get(f"/staff/applications/{query}")
            assert response.status_code == 200, response.status_code
            if expect_rows:
                assert b"/staff/applications/" in response.content

        return get

    measure("GET /staff/applications/ (open)", queue(""), n)
    measure("GET /staff/applications/?status=done", queue("?status=done"), n)

    filed = list(
        Application.objects.filed()
        .filter(user__login__startswith="bench-")
        .values_list("uuid", "number", "check_key", "user_id")
    )
    rng.shuffle(filed)

    def staff_card(i):
        uuid = filed[i % len(filed)][0]
        response = staff.get(f"/staff/applications/{uuid}/")
        assert response.status_code == 200, response.status_code

    measure("GET /staff/applications/<uuid>/", staff_card, n)

    heavy = User.objects.get(login=MARK)
    light = User.objects.get(login="bench-00001")
    for user in (heavy, light):
        client = Client()
        client.force_login(user)
        count = Application.objects.filter(user=user).count()

        def listing(i, client=client):
            response = client.get("/applications/")
            assert response.status_code == 200, response.status_code

        measure(f"GET /applications/ ({count} applications)", listing, n)
    client = Client()
    client.force_login(heavy)
    own = list(Application.objects.filed().filter(user=heavy).values_list("uuid", flat=True))

    def card(i):
        response = client.get(f"/applications/{own[i % len(own)]}/")
        assert response.status_code == 200, response.status_code

    measure("GET /applications/<uuid>/", card, n)

    public = Client()
    surnames = {}

    def check(i):
        uuid, number, key, user_id = filed[i % len(filed)]
        if number not in surnames:
            app = Application.objects.get(uuid=uuid)
            surnames[number] = app.data["requisites"]["last_name"]
        response = public.post("/connection/check/", {"number": number, "name": surnames[number]})
        assert response.status_code == 200, response.status_code
        assert number.encode() in response.content and b"errorlist" not in response.content

    measure("POST /connection/check/ (found)", check, n)


# --- filing ----------------------------------------------------------------------------


def _filers(count: int, tag: str):
    from kabinet.identity.models import User

    return [
        User.objects.create(
            login=f"filer-{tag}-{i}",
            display_name=f"Заявитель {tag}-{i}",
            status=User.Status.ACTIVE,
            signup_mode=User.SignupMode.EMAIL,
        )
        for i in range(count)
    ]


def _file(user) -> tuple[str, float]:
    """One application from the start to the number, through the services; returns the
    number and the seconds ``application_submit`` took."""
    from kabinet.applications.services import drafts
    from kabinet.applications.tests.factories import filled_draft

    app = filled_draft(user)
    start = time.perf_counter()
    drafts.application_submit(application=app, user=user)
    return app.number, time.perf_counter() - start


def filing(m: int, threads: int) -> None:
    from django.db import connection, connections, reset_queries
    from django.test.utils import CaptureQueriesContext

    from kabinet.applications.models import Application

    tag = f"{time.time_ns():x}"
    # One thread.
    users = _filers(5, f"{tag}-s")
    submits, numbers = [], []
    start = time.perf_counter()
    for i in range(m):
        number, submit = _file(users[i % len(users)])
        numbers.append(number)
        submits.append(submit * 1000)
    total = time.perf_counter() - start
    submits.sort()
    reset_queries()  # DEBUG keeps the last 9 000 queries: make room to count these
    with CaptureQueriesContext(connection) as whole:
        from kabinet.applications.services import drafts
        from kabinet.applications.tests.factories import filled_draft

        app = filled_draft(users[0])
        with CaptureQueriesContext(connection) as submit:
            drafts.application_submit(application=app, user=users[0])
    numbers.append(app.number)
    print(
        f"one filing: {len(whole.captured_queries)} queries, of which application_submit "
        f"{len(submit.captured_queries)}"
    )
    print(
        f"filing, 1 thread: {m} in {total:6.2f} s = {m / total:6.1f} per second; "
        f"application_submit median {statistics.median(submits):6.2f} ms   "
        f"p95 {submits[int(len(submits) * 0.95) - 1]:6.2f} ms"
    )
    # Several threads at once, each with its own connection (and applicants).
    each = m // threads
    users = _filers(threads, f"{tag}-t")
    barrier = threading.Barrier(threads + 1)
    results: list[list[str]] = [[] for _ in range(threads)]
    errors: list[str] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            for _ in range(each):
                try:
                    results[k].append(_file(users[k])[0])
                except Exception as exc:  # counted and reported below
                    errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    total = time.perf_counter() - start
    given = [n for r in results for n in r]
    done = len(given)
    numbers += given
    stored = Application.objects.filter(number__in=numbers).count()
    distinct = len(set(numbers)) == len(numbers) == stored
    print(
        f"filing, {threads} threads: {done} of {each * threads} in {total:6.2f} s = "
        f"{done / total:6.1f} per second; errors {len(errors)}"
    )
    for e in sorted(set(errors))[:5]:
        print(f"  error: {e[:160]}")
    print(
        f"numbers given: {len(numbers)}, distinct: {len(set(numbers))}, stored: {stored} — "
        f"{'no number repeated' if distinct else 'A NUMBER REPEATED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    where = setup(args.applications)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from kabinet.applications.models import Application, ApplicationEvent
    from kabinet.identity.models import User

    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    if not User.objects.filter(login=MARK).exists():
        start = time.perf_counter()
        call_command("demo_data", quiet=True, stdout=io.StringIO())
        build(args.applications, rng)
        if connection.vendor == "postgresql":
            # The statistics autovacuum would gather soon after: without them the planner
            # takes the fresh tables for empty. (SQLite is left as the portal leaves it.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"built {where} in {time.perf_counter() - start:.0f} s")
    by_status = dict(Application.objects.values_list("status").annotate(n=Count("pk")).order_by())
    print(
        f"{where}: applications {sum(by_status.values())} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))}), "
        f"applicants {User.objects.filter(applications__isnull=False).distinct().count()}, "
        f"events {ApplicationEvent.objects.count()}; n={args.n}"
    )
    pages(args.n, rng)
    if args.filings:
        filing(args.filings, args.threads)


if __name__ == "__main__":
    main()
