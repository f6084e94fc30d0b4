"""The Dockerfile keeps the rules a container needs, read from the file (no Docker daemon is
needed): a /data volume the service user owns on every builder, the dependencies installed
before the source is copied, a health check on readiness with a start period; and the
README says how to build it, run it, create the first admin and point it at PostgreSQL."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCE = ("api", "domain", "events", "migrations")


def instructions() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments); continuations joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    stages: list[list[tuple[str, str]]] = []
    for line in joined.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, rest = line.strip().partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), rest.strip()))
    return stages


def _index(stage: list[tuple[str, str]], word: str, pattern: str = "") -> int:
    return next(i for i, (w, rest) in enumerate(stage) if w == word and re.search(pattern, rest))


def _container_section() -> str:
    return README.split("## Running in a container", 1)[1].split("\n## ", 1)[0]


def test_the_image_declares_data_a_volume_that_the_service_user_owns_on_every_builder() -> None:
    runtime = instructions()[-1]
    user = next(rest for word, rest in runtime if word == "USER")

    made = _index(runtime, "RUN", rf"mkdir (-p )?/data.*chown {user}(:{user})? /data")
    assert user not in ("root", "0")
    assert made < _index(runtime, "USER") < _index(runtime, "VOLUME", r'^(/data|\["/data"\])$')
    assert _index(runtime, "RUN", rf"useradd .*{user}") <= made


def test_the_dependencies_are_installed_before_the_source_is_copied() -> None:
    build = instructions()[0]
    copies = [(i, rest) for i, (word, rest) in enumerate(build) if word == "COPY"]

    dependencies = _index(build, "RUN", r"uv sync .*--no-install-project")
    before = [rest for i, rest in copies if i < dependencies]
    source = [i for i, rest in copies if any(f" ./{name}" in f" {rest}" for name in SOURCE)]
    assert before == ["pyproject.toml uv.lock ./"]
    assert source
    assert dependencies < min(source) < _index(build, "RUN", r"uv sync (?!.*--no-install)")


def test_every_package_of_the_wheel_is_copied_into_the_image() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = " ".join(rest for word, rest in instructions()[0] if word == "COPY")

    assert all(f"{package} ./{package}" in copied for package in packages)
    assert sorted(packages) == sorted(SOURCE)


def test_the_health_check_asks_readiness_and_waits_a_start_period() -> None:
    check = next(rest for word, rest in instructions()[-1] if word == "HEALTHCHECK")

    assert "/readyz" in check
    assert re.search(r"--start-period=\d+s", check)


def test_the_image_pins_the_uv_the_makefile_pins() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pinned = re.search(r"^UV_VERSION := (\S+)", makefile, flags=re.MULTILINE)
    build = " ".join(rest for word, rest in instructions()[0] if word == "RUN")

    assert pinned is not None
    assert f'"uv=={pinned.group(1)}"' in build


def test_the_readme_builds_runs_with_a_volume_and_creates_the_first_admin() -> None:
    section = _container_section()
    tag = re.search(r"docker build -t (\S+) \.", section)

    assert tag is not None
    runs = re.findall(rf"docker run .*\b{re.escape(tag.group(1))}\b.*", section)
    assert any(re.search(r"-v \S+:/data\b", run) for run in runs)
    assert re.search(r"docker exec -it \S+ tumbuh principals add-user \S+ --role admin", section)


def test_the_readme_says_how_to_run_the_image_on_postgresql() -> None:
    section = _container_section()

    assert "TUMBUH_DATABASE_URL=postgresql+psycopg://" in section
    assert "TUMBUH_MASTER_KEY" in section
    assert re.search(r"docker run .* tumbuh migrate", section)
