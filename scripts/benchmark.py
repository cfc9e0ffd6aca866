"""Side-by-side benchmark of the terminology server against bare-Flask baselines, in one run.

Absolute numbers on a shared 2-core machine mean little; every figure that has a baseline is
printed as a ratio to a baseline measured in the same run, on the same machine, with the same
number of workers and the same load generator (wrk, keeping connections open).

    scripts/bench                 # the full run (a few minutes)
    scripts/bench --quick         # under a minute
    scripts/bench --json out.json # every figure: name, value, unit, baseline, ratio
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str | None = None
    ratio: float | None = None


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


# -- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(command: list[str], port: int, ready_path: str) -> Iterator[tuple[float, int]]:
    """Starts a server; yields the seconds from launch to its first 200 answer on ``ready_path``, and its pid."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = started + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.perf_counter() > deadline or process.poll() is not None:
                raise RuntimeError(f"{command[0]} did not come up on port {port}")
            time.sleep(0.01)
        yield time.perf_counter() - started, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def our_server(port: int, workers: int) -> list[str]:
    return [str(VENV_BIN / "terminology"), "serve", "--port", str(port), "--workers", str(workers)]


def granian_baseline(port: int, workers: int) -> list[str]:
    return [str(VENV_BIN / "granian"), "--interface", "wsgi", "--no-ws", "--workers", str(workers),
            "--port", str(port), "--working-dir", str(ROOT / "scripts" / "bench_apps"), "bare_flask:app"]


def gunicorn_baseline(port: int, workers: int) -> list[str]:
    return [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--chdir", str(ROOT / "scripts" / "bench_apps"), "bare_flask:app"]


def memory_of(pid: int) -> tuple[float, float, int]:
    """PSS of a server process and its workers: (largest, total) in MB, and how many processes."""
    family = [pid] + [int(child) for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    sizes = []
    for member in family:
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        sizes.append(int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) / 1024)
    return max(sizes), sum(sizes), len(sizes)


# -- load ------------------------------------------------------------------------------------------


def wrk(port: int, paths: list[str], seconds: int, connections: int = 32) -> Load:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    with script:
        script.write("local paths = {" + ",".join(json.dumps(path) for path in paths) + "}\n")
        script.write("local i = 0\nrequest = function()\n  i = i + 1\n"
                     "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout
    os.unlink(script.name)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        p99_ms=_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        errors=errors,
    )


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


# -- workloads -------------------------------------------------------------------------------------


def code_mix(rng: random.Random, count: int) -> tuple[list[str], list[str]]:
    """(validate-code paths, lookup paths) over codes drawn from the whole release: billable
    codes, headers, unknown codes and codes written without the dot."""
    from terminology.content import build_registry

    provider = build_registry().code_system(ICD10CM)
    entries = list(provider.release.entries.values())
    billable = [e.code for e in entries if not e.children and e.kind != "block"]
    headers = [e.code for e in entries if e.children]
    codes = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.6:
            codes.append(rng.choice(billable))
        elif kind < 0.75:
            codes.append(rng.choice(headers))
        elif kind < 0.9:
            codes.append(rng.choice(billable).replace(".", ""))
        else:
            codes.append(rng.choice(billable)[:-1] + "Q")
    validate = [f"/fhir/CodeSystem/$validate-code?url={ICD10CM}&code={code}" for code in codes]
    lookup = [f"/fhir/CodeSystem/$lookup?system={ICD10CM}&code={rng.choice(billable)}" for _ in range(count)]
    return validate, lookup


def in_process(rng: random.Random, seconds: float) -> tuple[float, float]:
    """Codes validated per second: our library call (full FHIR answer) and simple_icd_10_cm's."""
    import simple_icd_10_cm

    from terminology.content import build_registry
    from terminology.context import RequestContext
    from terminology.model import Coding
    from terminology.operations.validate_code import CodeValidationRequest, validate_code

    registry = build_registry()
    codes = rng.sample(list(registry.code_system(ICD10CM).release.entries), 2000)
    requests_ = [CodeValidationRequest((Coding(ICD10CM, None, code),)) for code in codes]
    context = RequestContext()

    def rate(call) -> float:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for item in requests_:
                call(item)
            done += len(requests_)
        return done / (time.perf_counter() - started)

    ours = rate(lambda request: validate_code(registry, request, context))
    theirs = rate(lambda request: simple_icd_10_cm.is_valid_item(request.codings[0].code))
    return ours, theirs


# -- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute in all)")
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    seconds = 3 if args.quick else 10
    rng = random.Random(20260401)
    validate_paths, lookup_paths = code_mix(rng, 2000)
    workers = args.workers
    figures: list[Figure] = []

    baselines: dict[str, Load] = {}
    for name, command in (("granian", granian_baseline), ("gunicorn", gunicorn_baseline)):
        port = free_port()
        with running(command(port, workers), port, "/fhir/CodeSystem/$validate-code"):
            baselines[name] = wrk(port, validate_paths, seconds)
        figures.append(Figure(f"baseline bare Flask on {name}: throughput", baselines[name].requests_per_second, "req/s"))
    fastest = max(baselines, key=lambda name: baselines[name].requests_per_second)

    port = free_port()
    ready = f"/fhir/CodeSystem/$lookup?system={ICD10CM}&code=M48.48XA"
    with running(our_server(port, workers), port, ready) as (startup, pid):
        figures.append(Figure("start-up to first $lookup (compiled content cached)", startup, "s"))
        per_worker, total, processes = memory_of(pid)
        figures.append(Figure(f"memory (PSS) of the largest of {processes} processes", per_worker, "MB"))
        figures.append(Figure(f"memory (PSS) of all {processes} processes", total, "MB"))
        for operation, paths in (("CodeSystem/$validate-code GET", validate_paths), ("CodeSystem/$lookup GET", lookup_paths)):
            load = wrk(port, paths, seconds)
            for baseline in sorted({fastest, "gunicorn"}):
                reference = baselines[baseline].requests_per_second
                figures.append(Figure(f"{operation}: throughput vs {baseline}", load.requests_per_second, "req/s",
                                      f"bare Flask on {baseline}", load.requests_per_second / reference))
            figures.append(Figure(f"{operation}: median latency", load.p50_ms, "ms"))
            figures.append(Figure(f"{operation}: 99th percentile latency", load.p99_ms, "ms"))
            figures.append(Figure(f"{operation}: errors", load.errors, "requests"))

    ours, theirs = in_process(rng, 1.0 if args.quick else 3.0)
    figures.append(Figure("in process: codes validated (full FHIR answer)", ours, "codes/s",
                          "simple_icd_10_cm.is_valid_item", ours / theirs))

    print(f"\n{workers} workers, wrk -t2 -c32 for {seconds} s per run, on {os.cpu_count()} cores\n")
    for figure in figures:
        ratio = f"  {figure.ratio:6.2f} x {figure.baseline}" if figure.ratio is not None else ""
        print(f"{figure.name:<62} {figure.value:>10.2f} {figure.unit:<9}{ratio}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(figure) for figure in figures], indent=2))


if __name__ == "__main__":
    main()
