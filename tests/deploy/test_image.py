"""The container image without a container engine: the Containerfile's build steps run as it runs them, in a
clean temporary directory, from the build context its ignore file lets through; then the image's command
serves from what they made, with the image's environment and as the image's user (when the tests run as
root), and the image's health check asks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.deploy.containerfile import Stage, stages
from tests.running_server import ROOT, RunningServer, free_port, start, stop

BUILD_DEADLINE = 600.0  # seconds: pip installs the project (from its cache, or the index), then prepare compiles
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


@dataclass(frozen=True)
class BuiltImage:
    image: Stage  # the Containerfile's last stage
    root: Path  # stands for the image's /
    build_log: str

    def path(self, path: str) -> str:
        """A path of the image (``/opt/...``), here."""
        return str(self.root / path.lstrip("/"))

    def environment(self, port: int) -> dict[str, str]:
        """The image's ``ENV``, its paths here, listening on the loopback at ``port``."""
        env = {name: os.path.expandvars(value.replace("/opt/", f"{self.root}/opt/")) for name, value in self.image.environment().items()}
        return {**env, "HOST": "127.0.0.1", "PORT": str(port)}

    def files(self) -> dict[str, tuple[int, int]]:
        """Every file under the image's ``/opt``: its size and time of change."""
        opt = self.root / "opt"
        return {str(file): (file.stat().st_size, file.stat().st_mtime_ns) for file in opt.rglob("*") if file.is_file()}


def _context(into: Path) -> None:
    """Copies what ``.containerignore`` lets into the build context (an allow list: ``*`` then ``!path``s)."""
    rules = [line.strip() for line in (ROOT / ".containerignore").read_text().splitlines()]
    assert rules[rules.index("*") + 1 :], "the ignore file is an allow list"
    for allowed in (rule[1:] for rule in rules if rule.startswith("!")):
        source, target = ROOT / allowed, into / allowed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target)


@pytest.fixture(scope="module")
def built() -> Iterator[BuiltImage]:
    *builders, image = stages()
    [build] = builders
    # Not under pytest's own folder: that one is its user's alone, and the image's user reads this one.
    root = Path(tempfile.mkdtemp(prefix="terminology-image-"))
    root.chmod(0o755)
    try:
        [copy] = build.all("COPY")
        source, destination = copy.words()
        assert source == ".", "the build stage copies the whole (filtered) context"
        _context(root / destination.lstrip("/"))
        command = [word.replace("/", str(root) + "/", 1) if word.startswith("/") else word for word in build.one("RUN").words()]
        # pip's own settings stay the test machine's (its cache, not the image's PIP_NO_CACHE_DIR: a quick install).
        env = {**os.environ, **{name: value for name, value in build.environment().items() if not name.startswith("PIP_")}}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=BUILD_DEADLINE)
        assert done.returncode == 0, f"the build steps failed:\n{done.stdout}\n{done.stderr}"
        yield BuiltImage(image, root, done.stdout + done.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _as_image_user(image: Stage, command: list[str]) -> list[str]:
    """``command`` run as the image's ``USER`` when the tests can switch to it (as root), else as is."""
    if os.geteuid() != 0:
        return command
    uid, _, gid = image.one("USER").arguments.partition(":")
    return ["setpriv", f"--reuid={uid}", f"--regid={gid or uid}", "--clear-groups", *command]


@pytest.fixture(scope="module")
def container(built: BuiltImage) -> Iterator[tuple[RunningServer, dict[str, str]]]:
    port = free_port()
    env = built.environment(port)
    command = _as_image_user(built.image, built.image.one("CMD").exec_form())
    command[command.index("terminology")] = shutil.which("terminology", path=env["PATH"])
    running = start(command, env, port, Path(built.root) / "server.log")
    try:
        yield running, env
    finally:
        stop(running)


def test_the_image_is_a_slim_python_that_serves_as_an_unprivileged_user_configured_by_its_environment() -> None:
    *builders, image = stages()
    assert all(stage.base == image.base for stage in builders) and "-slim" in image.base
    uid = image.one("USER").arguments.partition(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, "a numeric user id, so that Kubernetes' runAsNonRoot can check it"
    # No option on the command line: every setting comes from the environment, which an operator overrides.
    assert image.one("CMD").exec_form() == ["terminology", "serve"]
    env = image.environment()
    assert env["HOST"] == "0.0.0.0" and env["PORT"] == image.one("EXPOSE").arguments
    assert env["WORKERS"].isdigit() and env["TERMINOLOGY_CACHE_DIR"].startswith("/opt/")


def test_the_build_steps_compile_the_content_into_the_image(built: BuiltImage) -> None:
    cache = Path(built.environment(0)["TERMINOLOGY_CACHE_DIR"])
    assert "compiled and indexed in" in built.build_log
    assert len(list(cache.glob("icd10cm-text-*.sqlite"))) == 3, "the text index of each embedded release"
    assert sum(file.stat().st_size for file in cache.iterdir()) > 50_000_000
    [healthcheck] = [word for word in built.image.one("HEALTHCHECK").exec_form() if word.endswith(".py")]
    assert Path(built.path(healthcheck)).is_file()


def test_the_container_serves_from_the_content_compiled_at_build_time_and_writes_nothing_of_it(built: BuiltImage, container) -> None:
    running, _ = container
    before = built.files()
    base = running.base.removesuffix("/fhir")
    assert requests.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
    answer = requests.get(f"{running.base}/CodeSystem/$validate-code", params={"url": ICD10CM, "code": "M48.48XA"}, timeout=10)
    assert answer.status_code == 200
    assert {"name": "result", "valueBoolean": True} in answer.json()["parameter"]
    typeahead = requests.get(  # the text index, built at build time
        f"{running.base}/ValueSet/$expand", params={"url": f"{ICD10CM}?fhir_vs", "filter": "fatigue fracture sacral", "count": "5"}, timeout=30
    )
    assert typeahead.status_code == 200 and typeahead.json()["expansion"]["contains"]
    assert built.files() == before
    # Nothing compiled, built or found unreadable at start (each would be logged: a warning, or the index built).
    log = running.output()
    assert '"level":"WARNING"' not in log and '"level":"ERROR"' not in log and "built text index" not in log, log


def test_the_container_runs_as_the_image_user(built: BuiltImage, container) -> None:
    if os.geteuid() != 0:
        pytest.skip("the tests run as an unprivileged user already: they cannot switch to the image's")
    running, _ = container
    uid = built.image.one("USER").arguments.partition(":")[0]
    status = Path(f"/proc/{running.process.pid}/status").read_text()
    [line] = [line for line in status.splitlines() if line.startswith("Uid:")]
    assert line.split()[1:] == [uid] * 4


def test_the_health_check_passes_while_the_server_is_ready_and_fails_when_it_does_not_answer(built: BuiltImage, container) -> None:
    _, env = container
    command = _as_image_user(built.image, [built.path(word) if word.startswith("/") else word for word in built.image.one("HEALTHCHECK").exec_form()])
    assert subprocess.run(command, env=env, capture_output=True, timeout=10).returncode == 0
    down = subprocess.run(command, env={**env, "PORT": str(free_port())}, capture_output=True, text=True, timeout=10)
    assert down.returncode == 1 and "/readyz" in down.stderr
