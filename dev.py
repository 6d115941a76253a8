#!/usr/bin/env python3
"""Set-up and run Kabinet with nothing but Python 3.11 on the machine.

    python3 dev.py demo     install, then start the portal with demo data on SQLite
    python3 dev.py test     install, then run the whole test suite
    python3 dev.py shots    install, then take the screenshots into docs/screenshots/

uv (installed with pip into .uv/) installs the locked dependencies into .venv/.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
E2E = ROOT / "tests" / "e2e"
UV_VERSION = "0.13.9"
UV = ROOT / ".uv" / "bin" / "uv"
PY = ROOT / ".venv" / "bin" / "python"


def run(*args, env=None):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False).returncode


def install() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Kabinet needs Python 3.11 or newer.")
    if not UV.exists():
        venv.create(ROOT / ".uv", with_pip=True)
        if run(ROOT / ".uv" / "bin" / "python", "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"):
            sys.exit("Could not install uv.")
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(ROOT / ".venv")}
    if run(UV, "sync", "--frozen", "--quiet", "--python", sys.executable, env=env):
        sys.exit("Could not install the dependencies (uv sync).")


def demo(argv: list[str]) -> int:
    env = {
        **os.environ,
        "KABINET_DEBUG": "1",
        # The demo turns every sign-up mode on so each demo sign-in works in one portal;
        # KABINET_SIGNUP_MODES= (empty) keeps the chosen utility exactly as its seed.
        "KABINET_SIGNUP_MODES": os.environ.get(
            "KABINET_SIGNUP_MODES", "email,phone,issued,contract"
        ),
    }
    return run(PY, "manage.py", "demo", *argv, env=env)


def test(argv: list[str]) -> int:
    args = argv or ["-n", "auto"]
    return run(PY, "-m", "pytest", *args)


def shots(argv: list[str]) -> int:
    return run(
        PY,
        "-m",
        "pytest",
        *sorted(
            str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "e2e").glob("test_screenshots*.py")
        ),
        "-p",
        "no:xdist",
        "--screenshots",
        *argv,
    )


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "shots", "install"}:
        print(__doc__)
        return 2
    install()
    command, argv = sys.argv[1], sys.argv[2:]
    if command == "install":
        return 0
    return {"demo": demo, "test": test, "shots": shots}[command](argv)


if __name__ == "__main__":
    sys.exit(main())
