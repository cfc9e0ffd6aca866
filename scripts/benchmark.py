"""Side-by-side benchmark of the terminology server against bare-Flask baselines, in one run.

Absolute numbers on a shared 2-core machine mean little; every figure that has a baseline is
printed as a ratio to a baseline measured in the same run, on the same machine, with the same
number of workers and the same load generator (wrk, keeping connections open); the baselines run
before and after the server, and the better of the two runs is the one compared with. The typeahead
figures are about latency, not throughput: one client sends one query at a time on one
keep-alive connection, and its 95th percentile is printed beside the target.

It also shows how cost grows with work: throughput with 1, 2 and 4 workers (as a ratio to one),
and the latency of expanding a larger and larger value set (a block, a chapter, all of ICD-10-CM;
a page of 100 codes each time, so what grows is the selection and the count, not the answer).

    scripts/bench                 # the full run (a few minutes)
    scripts/bench --quick         # under a minute
    scripts/bench --json out.json # every figure: name, value, unit, baseline, ratio
    scripts/bench --against DIR   # this checkout's server beside another's (before and after a change)
    scripts/bench --only memory   # the newest release alone beside all releases: start-up and memory per worker
    scripts/bench --only batch    # codes validated (and looked up) per second, 1,000 a request beside one a request
    scripts/bench --only file     # a file of 100,000 codes to a report: embedded, and through a server with 2 workers
    scripts/bench --only tail     # p50, p99 and throughput with 16 connections, beside bare Flask on granian
    scripts/bench --only cluster  # throughput through HAProxy with 1, 2 and 3 replicas, and where the CPU went
    scripts/bench --only typeahead [--against DIR]  # the typeahead under load and from one client, beside its targets

With ``--against DIR`` (another checkout of the project, set up with ``scripts/setup-env bench``)
both servers run at once and each workload is sent to one, then the other, in turns: throughput
and latency are printed as ratios to the other checkout's, the best of the turns of each, so that
a change is judged against the code before it under the same load of the shared machine.

The memory figures set the default server (every embedded release) beside one that serves the newest
release alone, started in turns with their compiled content cached: the start-up to the first answer
(the best of the turns) against its target, and the memory of a worker (PSS: the pages it shares with
the other processes count in part) as a ratio to the one-release server's, beside its target.

The bulk figures are codes per second over the same many distinct codes (the mix the workloads draw),
sent 1,000 a request (``$batch-validate-code``, batch Bundles) and one a request, to one server in the
same run: each batched form as a ratio to its one-code form. Batches are sent on two connections per
worker (a request holds 1,000 codes' work: more at once only share the worker), one code a request on
the usual 32.

The file figures time ``terminology validate --file`` from start to a complete report of 100,000 rows
(``scripts/bulk_codes.py``: real codes with a skew as steep as hospitals' diagnoses, mixed with
dotless, lower-case, header, deleted and made-up ones), once on the embedded content and once through
a local server with 2 workers (``--server``), each the best of the turns; beside a program that reads
the same file and asks ``simple_icd_10_cm.is_valid_item`` of every row (start-up included), and beside
the issue's targets (2 s and 10 s). Two files: the default skew, and a flatter one with twice the
distinct codes.

The tail figures are ``CodeSystem/$validate-code`` GETs of 20,000 distinct codes on 16 connections, on
our server and on the bare Flask endpoint served by granian the same way, both up at once and loaded in
turns (``--turns``): the median, the 99th percentile and the throughput of each, the median of the turns,
ours as a ratio to the bare endpoint's, and the 99th percentile beside its target (10 ms); the spread of the
turns (the lowest and highest 99th percentile of each) says how noisy the machine was.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10CM_ALL = f"{ICD10CM}?fhir_vs"  # the implicit value set of every code
TYPEAHEAD_P95_TARGET_MS = 5.0  # one client
TYPEAHEAD_P99_TARGET_MS = 20.0  # under the load of 32 connections
TYPEAHEAD_SPEEDUP_TARGET = 5.0  # throughput, as a ratio to the code before the in-memory index (--against it)
CACHED_START_TARGET_S = 1.5  # every release served, the compiled content cached
RELEASES_MEMORY_TARGET = 1.3  # a worker's memory with every release, as a ratio to the newest release alone
READY = f"/fhir/CodeSystem/$lookup?system={ICD10CM}&code=M48.48XA"  # answered once the content is loaded
TYPEAHEAD = "ValueSet/$expand typeahead GET"
FILE_ROWS = 100_000
FILE_SKEWS = (1.2, 1.0)  # scripts/bulk_codes.py's default (about 14,000 distinct codes), and a flatter draw
FILE_TARGET_S = 2.0  # embedded content, start-up included
SERVER_FILE_TARGET_S = 10.0  # through a local server with 2 workers
#: What an integration engine would otherwise run: the oracle package's check of each row, and a report.
IS_VALID_ITEM = """
import csv, sys
from simple_icd_10_cm import is_valid_item
with open(sys.argv[1], newline="") as codes, open(sys.argv[2], "w", newline="") as report:
    out = csv.writer(report)
    for row in csv.DictReader(codes):
        out.writerow((row["code"], is_valid_item(row["code"])))
"""
BATCH_SIZE = 1000  # codes a batched request: the most one batch takes (terminology.http.views.MAX_BATCH_ENTRIES)
BULK_CODES = 20_000  # distinct codes the bulk figures send
TAIL_CONNECTIONS = 16
TAIL_P99_TARGET_MS = 10.0
CLUSTER_SIZES = (1, 2, 3)  # replicas behind the balancer
CLUSTER_WORKERS = 2  # of each replica
# Words a user does not type to narrow a search.
_STOP_WORDS = frozenset("and due for from not other than the with without".split())


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


@dataclass(frozen=True)
class Request:
    """One HTTP request of a workload; a body is sent as FHIR JSON."""

    method: str
    path: str
    body: str | None = None


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


def our_server(port: int, workers: int, cache_dir: str | None = None, checkout: Path | None = None) -> list[str]:
    """``cache_dir``: where the compiled content is kept (an empty one: a first start on a new machine);
    ``checkout``: another checkout of the project, whose server is run instead of this one's."""
    program = checkout / ".venv" / "bin" / "terminology" if checkout is not None else VENV_BIN / "terminology"
    command = [str(program), "serve", "--port", str(port), "--workers", str(workers)]
    return command + (["--cache-dir", cache_dir] if cache_dir else [])


def granian_baseline(port: int, workers: int) -> list[str]:
    """Granian as the server runs it: as many workers, as many blocking threads in each (with granian's
    default of one, its throughput under wrk swung between 11,000 and 30,000 req/s from run to run here)."""
    from terminology.server import THREADS_PER_WORKER

    return [str(VENV_BIN / "granian"), "--interface", "wsgi", "--no-ws", "--workers", str(workers),
            "--blocking-threads", str(THREADS_PER_WORKER),
            "--port", str(port), "--working-dir", str(ROOT / "scripts" / "bench_apps"), "bare_flask:app"]


def gunicorn_baseline(port: int, workers: int) -> list[str]:
    return [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--chdir", str(ROOT / "scripts" / "bench_apps"), "bare_flask:app"]


def memory_of(pid: int) -> tuple[float, float, int]:
    """PSS of a server process and its workers: (largest, total) in MB, and how many processes."""
    sizes = pss_mb([pid, *worker_pids(pid)])
    return max(sizes), sum(sizes), len(sizes)


def worker_memory(pid: int) -> float:
    """The mean PSS of a server's workers (the processes it forked), in MB."""
    return statistics.mean(pss_mb(worker_pids(pid)))


def worker_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (a server's workers)."""
    return [int(child) for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]


def pss_mb(pids: list[int]) -> list[float]:
    """The PSS of each process still running, in MB."""
    sizes = []
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        sizes.append(int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) / 1024)
    return sizes


# -- load ------------------------------------------------------------------------------------------

# Each wrk thread formats every request once, then sends them in turn.
_WRK_SCRIPT = """\
local specs = {
%s
}
local formatted = {}
local i = 0
function init(args)
  for n, spec in ipairs(specs) do
    local headers = nil
    if spec[3] then headers = {["Content-Type"] = "application/fhir+json"} end
    formatted[n] = wrk.format(spec[1], spec[2], headers, spec[3])
  end
end
function request()
  i = i + 1
  return formatted[(i %% #formatted) + 1]
end
"""


def _lua_string(text: str) -> str:
    """A Lua long string holding ``text`` as it is (Lua's escapes are not JSON's)."""
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def wrk_script(workload: list[Request]) -> str:
    specs = ",\n".join(
        "  {" + ", ".join(_lua_string(part) for part in (request.method, request.path, request.body) if part is not None) + "}"
        for request in workload
    )
    return _WRK_SCRIPT % specs


def wrk(port: int, workload: list[Request], seconds: int, connections: int = 32, timeout: int = 2) -> Load:
    """``timeout``: seconds before wrk counts a request unanswered (an error)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    with script:
        script.write(wrk_script(workload))
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s", "--latency", "-s", script.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
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


def one_client(port: int, workload: list[Request], warm_up: int = 10) -> tuple[list[float], int]:
    """Milliseconds per request, sent one at a time on one keep-alive connection, and how many
    failed. The first ``warm_up`` requests are sent once before the timed pass."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for request in workload[:warm_up]:
        _send(connection, request)
    times, errors = [], 0
    for request in workload:
        started = time.perf_counter()
        try:
            errors += _send(connection, request) != 200
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()  # http.client opens a new connection on the next request
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times, errors


def _send(connection: http.client.HTTPConnection, request: Request) -> int:
    headers = {"Content-Type": "application/fhir+json"} if request.body is not None else {}
    connection.request(request.method, request.path, request.body, headers)
    response = connection.getresponse()
    response.read()
    return response.status


# -- workloads -------------------------------------------------------------------------------------


def load_release() -> Any:
    """The ICD-10-CM release the server answers from (its compiled content is cached)."""
    from terminology.content import build_registry

    return build_registry().code_system(ICD10CM).release


def code_mix(rng: random.Random, release: Any, count: int) -> tuple[list[str], list[str]]:
    """(codes to validate, codes to look up) drawn from the whole release. To validate: billable
    codes, headers, unknown codes and codes written without the dot; to look up: billable codes."""
    entries = list(release.entries.values())
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
    return codes, [rng.choice(billable) for _ in range(count)]


def typeahead_filters(rng: random.Random, release: Any, count: int) -> list[str]:
    """What users type into a code picker: a quarter code prefixes (``S32``, ``M48.4``), the rest
    prefixes of one to three consecutive words of a real display (``fract sacr``, ``diab mell typ``)."""
    entries = [e for e in release.entries.values() if e.kind != "block"]
    filters = []
    while len(filters) < count:
        entry = rng.choice(entries)
        if rng.random() < 0.25:
            filters.append(entry.code[: rng.randint(3, len(entry.code))])
            continue
        words = [w for w in re.findall(r"[a-z]+", entry.display.lower()) if len(w) >= 3 and w not in _STOP_WORDS]
        if words:
            length = min(len(words), rng.randint(1, 3))
            start = rng.randrange(len(words) - length + 1)
            filters.append(" ".join(word[: rng.randint(3, len(word))] for word in words[start : start + length]))
    return filters


def workloads(rng: random.Random, queries: int) -> dict[str, list[Request]]:
    """Every workload of the run by operation name, each a seeded random sample of real requests."""
    release = load_release()
    validate, lookup = code_mix(rng, release, 2000)
    return {
        "CodeSystem/$validate-code GET": [
            Request("GET", f"/fhir/CodeSystem/$validate-code?{urlencode({'url': ICD10CM, 'code': code})}") for code in validate
        ],
        "CodeSystem/$lookup GET": [
            Request("GET", f"/fhir/CodeSystem/$lookup?{urlencode({'system': ICD10CM, 'code': code})}") for code in lookup
        ],
        "ValueSet/$validate-code POST": [
            Request("POST", "/fhir/ValueSet/$validate-code", value_set_validation(code)) for code in validate
        ],
        TYPEAHEAD: [
            Request("GET", f"/fhir/ValueSet/$expand?{urlencode({'url': ICD10CM_ALL, 'filter': text, 'count': 10})}")
            for text in typeahead_filters(rng, release, queries)
        ],
    }


#: Value sets of growing size: (what it is, the body of a POST $expand of its first 100 codes).
def growing_expansions() -> list[tuple[str, Request]]:
    def expand(include: dict[str, Any]) -> Request:
        value_set = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [include]}}
        body = {"resourceType": "Parameters", "parameter": [
            {"name": "valueSet", "resource": value_set}, {"name": "count", "valueInteger": 100},
        ]}  # fmt: skip
        return Request("POST", "/fhir/ValueSet/$expand", json.dumps(body))

    def filtered(prop: str, op: str, value: str) -> dict[str, Any]:
        return {"system": ICD10CM, "filter": [{"property": prop, "op": op, "value": value}]}

    return [
        ("a block (M45-M49, spondylopathies)", expand(filtered("concept", "is-a", "M45-M49"))),
        ("a chapter (13, the musculoskeletal system)", expand(filtered("chapter", "=", "13"))),
        ("all of ICD-10-CM", expand({"system": ICD10CM})),
    ]


def value_set_validation(code: str) -> str:
    """The Parameters body of a ValueSet/$validate-code of ``code`` against all of ICD-10-CM."""
    return json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": ICD10CM_ALL},
        {"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}},
    ]})


@dataclass(frozen=True)
class BulkWorkload:
    """Requests of ``codes_each`` codes each; ``single``: the name of the one-code form it is set beside."""

    requests: list[Request]
    codes_each: int
    single: str | None = None


def bulk_workloads(rng: random.Random, count: int) -> dict[str, BulkWorkload]:
    """``count`` distinct codes validated and looked up one a request and ``BATCH_SIZE`` a request, by name:
    validated in the code system (``$batch-validate-code`` of code-system validations, a batch Bundle of
    GETs) and against all of ICD-10-CM (``$batch-validate-code`` sharing the value set's url); looked up
    (a batch Bundle of GETs)."""
    release = load_release()
    codes, _ = code_mix(rng, release, count * 2)
    codes = list(dict.fromkeys(codes))[:count]
    lookups = list(dict.fromkeys(code_mix(rng, release, count * 2)[1]))[:count]
    chunks = [codes[start : start + BATCH_SIZE] for start in range(0, len(codes), BATCH_SIZE)]
    lookup_chunks = [lookups[start : start + BATCH_SIZE] for start in range(0, len(lookups), BATCH_SIZE)]
    validate, in_value_set, lookup = (
        "CodeSystem/$validate-code GET, one code a request",
        "ValueSet/$validate-code POST (all of ICD-10-CM), one code a request",
        "CodeSystem/$lookup GET, one code a request",
    )
    return {
        validate: BulkWorkload([Request("GET", "/fhir/CodeSystem/$validate-code?" + _code_query("url", code)) for code in codes], 1),
        f"ValueSet/$batch-validate-code, {BATCH_SIZE} code-system validations a request": BulkWorkload(
            [batch_validation(chunk) for chunk in chunks], BATCH_SIZE, validate
        ),
        f"batch Bundle of {BATCH_SIZE} CodeSystem/$validate-code GETs": BulkWorkload(
            [batch_bundle("CodeSystem/$validate-code?", "url", chunk) for chunk in chunks], BATCH_SIZE, validate
        ),
        in_value_set: BulkWorkload([Request("POST", "/fhir/ValueSet/$validate-code", value_set_validation(code)) for code in codes], 1),
        f"ValueSet/$batch-validate-code (all of ICD-10-CM), {BATCH_SIZE} codes a request": BulkWorkload(
            [batch_validation(chunk, ICD10CM_ALL) for chunk in chunks], BATCH_SIZE, in_value_set
        ),
        lookup: BulkWorkload([Request("GET", "/fhir/CodeSystem/$lookup?" + _code_query("system", code)) for code in lookups], 1),
        f"batch Bundle of {BATCH_SIZE} CodeSystem/$lookup GETs": BulkWorkload(
            [batch_bundle("CodeSystem/$lookup?", "system", chunk) for chunk in lookup_chunks], BATCH_SIZE, lookup
        ),
    }


def _code_query(system_parameter: str, code: str) -> str:
    return urlencode({system_parameter: ICD10CM, "code": code})


def batch_validation(codes: list[str], value_set: str | None = None) -> Request:
    """A ``$batch-validate-code`` of ``codes``: against ``value_set`` (its url shared by every validation),
    or, with none, each in ICD-10-CM (``system`` and ``code``)."""
    shared = [{"name": "url", "valueUri": value_set}] if value_set else []
    validations = [
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": (
            [{"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}}] if value_set
            else [{"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": code}]
        )}}
        for code in codes
    ]  # fmt: skip
    return Request("POST", "/fhir/ValueSet/$batch-validate-code", json.dumps({"resourceType": "Parameters", "parameter": shared + validations}))


def batch_bundle(operation: str, system_parameter: str, codes: list[str]) -> Request:
    """A batch Bundle of one GET of ``operation`` (``CodeSystem/$lookup?``) a code."""
    entries = [{"request": {"method": "GET", "url": operation + _code_query(system_parameter, code)}} for code in codes]
    return Request("POST", "/fhir", json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries}))


def check_batch_answers(port: int, name: str, request: Request) -> None:
    """Every code of a batched request answered as such (no entry an error): a figure of errors answered fast
    would mislead."""
    response = requests.post(f"http://127.0.0.1:{port}{request.path}", data=request.body,
                             headers={"Content-Type": "application/fhir+json"}, timeout=60)
    answer = response.json()
    if answer["resourceType"] == "Parameters":
        failed = [p["resource"] for p in answer["parameter"] if p["resource"]["resourceType"] != "Parameters"]
    else:
        failed = [entry["resource"] for entry in answer.get("entry", []) if entry["response"]["status"] != "200 OK"]
    if response.status_code != 200 or failed:
        raise RuntimeError(f"{name}: {len(failed)} codes not answered, as {failed[:1] or response.status_code}")


def bulk_figures(rng: random.Random, seconds: int, workers: int) -> list[Figure]:
    """Codes per second of each bulk workload, on one server in the same run; a batched form as a ratio to
    its one-code form."""
    operations = bulk_workloads(rng, BULK_CODES)
    rates: dict[str, float] = {}
    errors = 0
    port = free_port()
    with running(our_server(port, workers), port, READY):
        for name, workload in operations.items():
            if workload.codes_each == 1:
                one_client(port, workload.requests[:10], warm_up=0)
                load = wrk(port, workload.requests, seconds)
            else:
                check_batch_answers(port, name, workload.requests[0])
                load = wrk(port, workload.requests, seconds, connections=2 * workers, timeout=30)
            rates[name] = load.requests_per_second * workload.codes_each
            errors += load.errors
    figures = []
    for name, workload in operations.items():
        single = workload.single
        figures.append(Figure(f"bulk: {name}", rates[name], "codes/s", single, rates[name] / rates[single] if single else None))
    return figures + [Figure("bulk: errors", errors, "requests")]


def in_process(rng: random.Random, seconds: float) -> list[Figure]:
    """Codes validated per second in this process, by the library (a full FHIR answer, kept or made anew)
    and by ``simple_icd_10_cm.is_valid_item`` (a yes or no), on the same codes: the mix sent over HTTP."""
    import simple_icd_10_cm

    from terminology.library import LocalTerminology

    terminology = LocalTerminology()
    codes, _ = code_mix(rng, terminology.registry.code_system(ICD10CM).release, 2000)

    def rate(validate: Callable[[str], Any]) -> float:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for code in codes:
                validate(code)
            done += len(codes)
        return done / (time.perf_counter() - started)

    theirs = rate(simple_icd_10_cm.is_valid_item)
    kept = rate(terminology.code_system(ICD10CM).validate_code)
    made = rate(terminology.validate_code)
    baseline = "simple_icd_10_cm.is_valid_item"
    return [
        Figure(f"in process: {baseline}", theirs, "codes/s"),
        Figure("in process: codes validated, answers kept (CodeSystemHandle.validate_code)", kept, "codes/s", baseline, kept / theirs),
        Figure("in process: codes validated, each answer made (LocalTerminology.validate_code)", made, "codes/s", baseline, made / theirs),
    ]


# -- figures ---------------------------------------------------------------------------------------


def baseline_loads(workload: list[Request], seconds: int, workers: int) -> dict[str, Load]:
    """The bare Flask endpoint under ``workload``, served by granian and by gunicorn."""
    loads = {}
    for name, command in (("granian", granian_baseline), ("gunicorn", gunicorn_baseline)):
        port = free_port()
        with running(command(port, workers), port, "/fhir/CodeSystem/$validate-code"):
            loads[name] = wrk(port, workload, seconds)
    return loads


def load_figures(operation: str, load: Load, baselines: dict[str, Load]) -> list[Figure]:
    """Throughput as a ratio to gunicorn's baseline and to the faster one's; latency; errors."""
    fastest = max(baselines, key=lambda name: baselines[name].requests_per_second)
    figures = [
        Figure(f"{operation}: throughput vs {name}", load.requests_per_second, "req/s",
               f"bare Flask on {name}", load.requests_per_second / baselines[name].requests_per_second)
        for name in sorted({fastest, "gunicorn"})
    ]
    return figures + [
        Figure(f"{operation}: median latency", load.p50_ms, "ms"),
        Figure(f"{operation}: 99th percentile latency", load.p99_ms, "ms"),
        Figure(f"{operation}: errors", load.errors, "requests"),
    ]


def one_client_figures(operation: str, times: list[float], errors: int) -> list[Figure]:
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    return [
        Figure(f"{operation}, one client: median latency", statistics.median(times), "ms"),
        Figure(f"{operation}, one client: 95th percentile latency", p95, "ms",
               f"target {TYPEAHEAD_P95_TARGET_MS:g} ms", p95 / TYPEAHEAD_P95_TARGET_MS),
        Figure(f"{operation}, one client: errors", errors, "requests"),
    ]


def scaling_figures(seconds: int, workload: list[Request]) -> list[Figure]:
    """Throughput of ``workload`` with 1, 2 and 4 workers, as a ratio to one worker."""
    figures, one = [], None
    for workers in (1, 2, 4):
        port = free_port()
        with running(our_server(port, workers), port, READY):
            load = wrk(port, workload, seconds)
        one = one or load.requests_per_second
        figures.append(Figure(f"scaling: CodeSystem/$validate-code GET with {workers} worker(s)", load.requests_per_second,
                              "req/s", "1 worker", load.requests_per_second / one))
    return figures


def growth_figures(port: int, repeats: int) -> list[Figure]:
    """One client's median latency of expanding value sets of growing size, as a ratio to the smallest's."""
    figures, smallest = [], None
    for what, request in growing_expansions():
        times, errors = one_client(port, [request] * repeats, warm_up=2)
        median = statistics.median(times)
        smallest = smallest or median
        if errors:
            raise RuntimeError(f"$expand of {what} failed")
        figures.append(Figure(f"scaling: $expand of {what}, first 100 codes: median latency", median, "ms",
                              "the block", median / smallest))
    return figures


def first_start_figures(workers: int, typeahead: Request) -> list[Figure]:
    """A start on a new machine (an empty cache): to the first $lookup, and its first typeahead."""
    with tempfile.TemporaryDirectory() as empty:
        port = free_port()
        with running(our_server(port, workers, empty), port, READY) as (startup, _):
            times, errors = one_client(port, [typeahead], warm_up=0)
    if errors:
        raise RuntimeError("the first typeahead after a first start failed")
    return [
        Figure("start-up to first $lookup, first start (XML parsed and compiled)", startup, "s"),
        Figure("first typeahead after a first start (the text index built)", times[0], "ms"),
    ]


def release_figures(workers: int, turns: int) -> list[Figure]:
    """The default server (every embedded release) beside one that serves the newest release alone,
    started in turns with their compiled content cached (``terminology prepare`` first): the start-up
    to the first $lookup, the best of the turns, against its target; a worker's PSS, the median of the
    turns, as a ratio to the one-release server's."""
    from terminology.content import EMBEDDED_ICD10CM_FILES, resources_dir

    servers = {
        "the newest release alone": ["--data", str(resources_dir() / EMBEDDED_ICD10CM_FILES[-1])],
        "every release (the default)": [],
    }
    starts: dict[str, list[float]] = {name: [] for name in servers}
    memory: dict[str, list[float]] = {name: [] for name in servers}
    for data in servers.values():
        subprocess.run([str(VENV_BIN / "terminology"), "prepare", *data], check=True, capture_output=True)
    for _ in range(turns):
        for name, data in servers.items():
            port = free_port()
            with running(our_server(port, workers) + data, port, READY) as (startup, pid):
                starts[name].append(startup)
                memory[name].append(worker_memory(pid))
    alone, every = servers
    start, per_worker = min(starts[every]), statistics.median(memory[every])
    one_start, one_worker = min(starts[alone]), statistics.median(memory[alone])
    return [
        Figure(f"releases: start-up to first $lookup, {alone} (compiled content cached)", one_start, "s"),
        Figure(f"releases: start-up to first $lookup, {every} (compiled content cached)", start, "s",
               f"target {CACHED_START_TARGET_S:g} s", start / CACHED_START_TARGET_S),
        Figure(f"releases: memory (PSS) per worker, {alone}", one_worker, "MB"),
        Figure(f"releases: memory (PSS) per worker, {every}", per_worker, "MB",
               f"{alone} (target {RELEASES_MEMORY_TARGET:g})", per_worker / one_worker),
    ]


def file_figures(workers: int, turns: int) -> list[Figure]:
    """``terminology validate --file`` of 100,000 rows, embedded and through a server, end to end, the best of
    ``turns``; as ratios to ``simple_icd_10_cm.is_valid_item`` over the same rows and to the targets."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        files = {skew: Path(folder) / f"codes-{skew}.csv" for skew in FILE_SKEWS}
        for skew, codes in files.items():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "bulk_codes.py"), "--rows", str(FILE_ROWS),
                            "--skew", str(skew), "--out", str(codes)], check=True)
        report = Path(folder) / "report.csv"
        validate = [str(VENV_BIN / "terminology"), "validate", "--column", "code", "--out", str(report), "--quiet", "--file"]
        port = free_port()
        with running(our_server(port, workers), port, READY):
            for skew, codes in files.items():
                with codes.open(newline="") as rows:
                    distinct = len({row["code"] for row in csv.DictReader(rows)})
                what = f"file of {FILE_ROWS:,} codes ({distinct:,} distinct, skew {skew:g}) to a report"
                oracle = _best_run([sys.executable, "-c", IS_VALID_ITEM, str(codes), str(report)], turns)
                embedded = _best_run([*validate, str(codes)], turns, report)
                served = _best_run([*validate, str(codes), "--server", f"http://127.0.0.1:{port}/fhir"], turns, report)
                figures += [
                    Figure(f"{what}: simple_icd_10_cm.is_valid_item", oracle, "s"),
                    Figure(f"{what}: embedded content", embedded, "s", "is_valid_item", embedded / oracle),
                    Figure(f"{what}: embedded content", embedded, "s", f"target {FILE_TARGET_S:g} s", embedded / FILE_TARGET_S),
                    Figure(f"{what}: --server, {workers} workers", served, "s",
                           f"target {SERVER_FILE_TARGET_S:g} s", served / SERVER_FILE_TARGET_S),
                ]
    return figures


def _best_run(command: list[str], turns: int, report: Path | None = None) -> float:
    """The shortest of ``turns`` runs of ``command``, start to exit; each must write a whole report."""
    best = float("inf")
    for _ in range(turns):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        best = min(best, time.perf_counter() - started)
        if done.returncode not in (0, 1):  # 1: some codes are invalid, as the file means them to be
            raise RuntimeError(f"{' '.join(command[:3])} ... exited {done.returncode}: {done.stderr.strip()}")
        if report is not None and report.read_text().count("\n") != FILE_ROWS + 1:
            raise RuntimeError(f"the report of {command[-1]} does not have a row for each of the {FILE_ROWS:,} codes")
    return best


def tail_figures(rng: random.Random, seconds: int, workers: int, turns: int) -> list[Figure]:
    """Latency and throughput of many distinct codes validated on ``TAIL_CONNECTIONS`` connections: our server
    beside the bare Flask endpoint on granian, loaded in turns (the median of the turns stands)."""
    release = load_release()
    codes = list(dict.fromkeys(code_mix(rng, release, BULK_CODES * 2)[0]))[:BULK_CODES]
    workload = [Request("GET", "/fhir/CodeSystem/$validate-code?" + _code_query("url", code)) for code in codes]
    ours_port, bare_port = free_port(), free_port()
    loads: dict[str, list[Load]] = {"ours": [], "bare": []}
    with running(our_server(ours_port, workers), ours_port, READY), running(
        granian_baseline(bare_port, workers), bare_port, "/fhir/CodeSystem/$validate-code"
    ):
        one_client(ours_port, workload[:200], warm_up=0)
        for _ in range(turns):
            for name, port in (("bare", bare_port), ("ours", ours_port)):
                loads[name].append(wrk(port, workload, seconds, connections=TAIL_CONNECTIONS))
    ours, bare = ({field: statistics.median(getattr(load, field) for load in loads[name]) for field in ("p50_ms", "p99_ms", "requests_per_second")}
                  for name in ("ours", "bare"))
    what = f"tail: CodeSystem/$validate-code GET, {len(codes):,} distinct codes, {TAIL_CONNECTIONS} connections"
    baseline = "bare Flask on granian"
    return [
        Figure(f"{what}: median latency", ours["p50_ms"], "ms", baseline, ours["p50_ms"] / bare["p50_ms"]),
        Figure(f"{what}: 99th percentile latency", ours["p99_ms"], "ms", baseline, ours["p99_ms"] / bare["p99_ms"]),
        Figure(f"{what}: 99th percentile latency", ours["p99_ms"], "ms", f"target {TAIL_P99_TARGET_MS:g} ms", ours["p99_ms"] / TAIL_P99_TARGET_MS),
        Figure(f"{what}: throughput", ours["requests_per_second"], "req/s", baseline, ours["requests_per_second"] / bare["requests_per_second"]),
        Figure(f"{baseline}: 99th percentile latency", bare["p99_ms"], "ms"),
        Figure(f"{baseline}: throughput", bare["requests_per_second"], "req/s"),
        *(Figure(f"{what}: 99th percentile latency, {extreme} of {turns} turns", pick(load.p99_ms for load in loads["ours"]), "ms")
          for extreme, pick in (("lowest", min), ("highest", max))),
        *(Figure(f"{baseline}: 99th percentile latency, {extreme} of {turns} turns", pick(load.p99_ms for load in loads["bare"]), "ms")
          for extreme, pick in (("lowest", min), ("highest", max))),
        Figure(f"{what}: errors", sum(load.errors for load in loads["ours"]), "requests"),
    ]


def cluster_figures(seconds: int, turns: int, workload: list[Request]) -> list[Figure]:
    """Throughput of ``workload`` through HAProxy with each of ``CLUSTER_SIZES`` replicas, as a ratio to one
    replica, beside one server without the balancer; and the cores each part kept busy in the best turn."""
    from cluster import running_cluster  # scripts/cluster.py, beside this script

    port = free_port()
    with running(our_server(port, CLUSTER_WORKERS), port, READY) as (_, pid):
        alone, _ = _best_load(turns, lambda: wrk(port, workload, seconds), {"server": [pid]})
    what = f"cluster: CodeSystem/$validate-code GET, {CLUSTER_WORKERS} workers a replica"
    figures = [Figure(f"{what}: one server, no balancer: throughput", alone.requests_per_second, "req/s")]
    one = None
    for replicas in CLUSTER_SIZES:
        with running_cluster(replicas, CLUSTER_WORKERS) as cluster:
            parts = {"replicas": [replica.popen.pid for replica in cluster.replicas], "HAProxy": [cluster.balancer.popen.pid],
                     "Redis": [cluster.redis.popen.pid]}
            load, cores = _best_load(turns, lambda: wrk(cluster.balancer.port, workload, seconds), parts)
            memory = {"a replica (mean)": statistics.mean(sum(pss_mb([pid, *worker_pids(pid)])) for pid in parts["replicas"]),
                      "HAProxy": sum(pss_mb(parts["HAProxy"])), "Redis": sum(pss_mb(parts["Redis"]))}
        one = one or load.requests_per_second
        through = f"{what}, {replicas} replica(s) through HAProxy"
        figures += [
            Figure(f"{through}: throughput", load.requests_per_second, "req/s", "1 replica", load.requests_per_second / one),
            Figure(f"{through}: throughput", load.requests_per_second, "req/s", "one server, no balancer",
                   load.requests_per_second / alone.requests_per_second),
            Figure(f"{through}: 99th percentile latency", load.p99_ms, "ms"),
            Figure(f"{through}: errors", load.errors, "requests"),
            *(Figure(f"{through}: cores busy, {part}", busy, "cores") for part, busy in cores.items()),
            *(Figure(f"{through}: memory (PSS) after the load, {part}", size, "MB") for part, size in memory.items()),
        ]
    return figures


def _best_load(turns: int, run: Callable[[], Load], parts: dict[str, list[int]]) -> tuple[Load, dict[str, float]]:
    """The turn of ``run`` with the most requests a second, and the cores each of ``parts`` (process groups by
    their leaders: a server with its workers) and the load generator kept busy in it."""
    best: tuple[Load, dict[str, float]] | None = None
    for _ in range(turns):
        before = {part: _cpu_seconds(leaders) for part, leaders in parts.items()}
        children, machine = _children_cpu_seconds(), _machine_cpu_seconds()
        started = time.perf_counter()
        load = run()
        elapsed = time.perf_counter() - started
        cores = {part: (_cpu_seconds(leaders) - before[part]) / elapsed for part, leaders in parts.items()}
        cores["wrk"] = (_children_cpu_seconds() - children) / elapsed
        cores["the whole machine"] = (_machine_cpu_seconds() - machine) / elapsed  # others' work too: how noisy the run was
        if best is None or load.requests_per_second > best[0].requests_per_second:
            best = (load, cores)
    return best


def _cpu_seconds(leaders: list[int]) -> float:
    """The CPU seconds (user and system) the processes of these process groups have used so far."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) in leaders:  # the process group
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _machine_cpu_seconds() -> float:
    """The CPU seconds every core of the machine has been busy so far (all but idle and waiting for I/O)."""
    ticks = [int(tick) for tick in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """The CPU seconds of this process's children that have ended (wrk's, once each run is done)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def against_figures(other: Path, operations: dict[str, list[Request]], seconds: int, workers: int, turns: int) -> list[Figure]:
    """Each workload's throughput and latencies on this checkout's server as ratios to ``other``'s,
    both up at once and loaded in turns; the best turn of each stands."""
    if not (other / ".venv" / "bin" / "terminology").exists():
        raise SystemExit(f"{other} has no .venv/bin/terminology: run scripts/setup-env bench there first")
    ours_port, theirs_port = free_port(), free_port()
    figures: list[Figure] = []
    with running(our_server(ours_port, workers), ours_port, READY), running(
        our_server(theirs_port, workers, checkout=other), theirs_port, READY
    ):
        for operation, workload in operations.items():
            loads: dict[int, list[Load]] = {ours_port: [], theirs_port: []}
            for _ in range(turns):
                for port in loads:
                    loads[port].append(wrk(port, workload, seconds))
            ours, theirs = (max(loads[port], key=lambda load: load.requests_per_second) for port in (ours_port, theirs_port))
            figures += [
                Figure(f"{operation}: throughput", ours.requests_per_second, "req/s", f"{other.name}", ours.requests_per_second / theirs.requests_per_second),
                Figure(f"{operation}: median latency", ours.p50_ms, "ms", f"{other.name}", ours.p50_ms / theirs.p50_ms),
                Figure(f"{operation}: 99th percentile latency", min(l.p99_ms for l in loads[ours_port]), "ms", f"{other.name}",
                       min(l.p99_ms for l in loads[ours_port]) / min(l.p99_ms for l in loads[theirs_port])),
                Figure(f"{operation}: errors", sum(l.errors for l in loads[ours_port]), "requests"),
            ]
    return figures


def typeahead_figures(workload: list[Request], seconds: int, workers: int, turns: int, other: Path | None) -> list[Figure]:
    """The typeahead under load (the best of ``turns`` runs) and from one client, beside the targets;
    with ``other`` (another checkout), both servers up at once and loaded in turns, as ratios to its."""
    servers = {"ours": None} if other is None else {"ours": None, "theirs": other.resolve()}
    ports = {name: free_port() for name in servers}
    loads: dict[str, list[Load]] = {name: [] for name in servers}
    times: dict[str, tuple[list[float], int]] = {}
    with contextlib.ExitStack() as stack:
        for name, checkout in servers.items():
            stack.enter_context(running(our_server(ports[name], workers, checkout=checkout), ports[name], READY))
            one_client(ports[name], workload[:1], warm_up=0)  # (a server whose text index is still to build builds it now)
        for _ in range(turns):
            for name in servers:
                loads[name].append(wrk(ports[name], workload, seconds))
        for name in servers:
            times[name] = one_client(ports[name], workload)
    best = {name: max(runs, key=lambda load: load.requests_per_second) for name, runs in loads.items()}
    p99 = {name: min(load.p99_ms for load in runs) for name, runs in loads.items()}
    p95 = {name: statistics.quantiles(times[name][0], n=20, method="inclusive")[-1] for name in servers}
    ours = best["ours"]
    figures = [
        Figure(f"{TYPEAHEAD}: throughput", ours.requests_per_second, "req/s"),
        Figure(f"{TYPEAHEAD}: median latency", ours.p50_ms, "ms"),
        Figure(f"{TYPEAHEAD}: 99th percentile latency beside its target", p99["ours"], "ms",
               f"target {TYPEAHEAD_P99_TARGET_MS:g} ms", p99["ours"] / TYPEAHEAD_P99_TARGET_MS),
        Figure(f"{TYPEAHEAD}: errors", sum(load.errors for load in loads["ours"]), "requests"),
        *one_client_figures(TYPEAHEAD, *times["ours"]),
    ]
    if other is not None:
        theirs = best["theirs"]
        speedup = ours.requests_per_second / theirs.requests_per_second
        figures += [
            Figure(f"{TYPEAHEAD}: throughput beside {other.name}", ours.requests_per_second, "req/s", other.name, speedup),
            Figure(f"{TYPEAHEAD}: throughput as a ratio to {other.name}", speedup, "x",
                   f"target {TYPEAHEAD_SPEEDUP_TARGET:g} x", speedup / TYPEAHEAD_SPEEDUP_TARGET),
            Figure(f"{TYPEAHEAD}: 99th percentile latency beside {other.name}", p99["ours"], "ms", other.name, p99["ours"] / p99["theirs"]),
            Figure(f"{TYPEAHEAD}, one client: 95th percentile latency beside {other.name}", p95["ours"], "ms", other.name,
                   p95["ours"] / p95["theirs"]),
            Figure(f"{other.name} {TYPEAHEAD}: throughput", theirs.requests_per_second, "req/s"),
            Figure(f"{other.name} {TYPEAHEAD}: 99th percentile latency", p99["theirs"], "ms"),
            Figure(f"{other.name} {TYPEAHEAD}, one client: 95th percentile latency", p95["theirs"], "ms"),
        ]
    return figures


def print_figures(figures: list[Figure]) -> None:
    width = max(len(figure.name) for figure in figures)
    for figure in figures:
        ratio = f"  {figure.ratio:6.2f} x {figure.baseline}" if figure.ratio is not None else ""
        print(f"{figure.name:<{width}} {figure.value:>10.2f} {figure.unit:<9}{ratio}")


# -- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute in all)")
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default: 2 with --quick, else 10)")
    parser.add_argument("--queries", type=int, default=300, help="typeahead queries (default: %(default)s)")
    parser.add_argument("--against", metavar="DIR", type=Path, help="compare with the server of another checkout, in turns")
    parser.add_argument("--turns", type=int, default=3,
                        help="with --against, --only tail or --only cluster: runs of each workload on each server (or cluster); else starts of each server for the memory figures")
    parser.add_argument("--only", choices=("memory", "batch", "file", "tail", "cluster", "typeahead"),
                        help="only these figures: memory (every release beside the newest alone), "
                             f"batch (codes a second, {BATCH_SIZE} a request beside one a request), "
                             f"file ({FILE_ROWS:,} codes from a CSV file to a report), "
                             f"tail (p50, p99 and throughput with {TAIL_CONNECTIONS} connections beside bare Flask), "
                             f"cluster (throughput through HAProxy with {', '.join(map(str, CLUSTER_SIZES))} replicas), "
                             "typeahead (under load and from one client, beside the targets; with --against, as ratios)")
    args = parser.parse_args()
    seconds = args.seconds or (2 if args.quick else 10)
    if args.only == "memory":
        figures = release_figures(args.workers, args.turns)
        header = f"{args.workers} workers, {args.turns} starts of each server, on {os.cpu_count()} cores"
    elif args.only == "batch":
        figures = bulk_figures(random.Random(20260401), seconds, args.workers)
        header = f"{args.workers} workers, {bulk_header(seconds, args.workers)}, on {os.cpu_count()} cores"
    elif args.only == "tail":
        figures = tail_figures(random.Random(20260401), seconds, args.workers, args.turns)
        header = f"{args.workers} workers, wrk -t2 -c{TAIL_CONNECTIONS} for {seconds} s per run, {args.turns} turns on each server, on {os.cpu_count()} cores"
    elif args.only == "cluster":
        figures = cluster_figures(seconds, args.turns, workloads(random.Random(20260401), args.queries)["CodeSystem/$validate-code GET"])
        header = (f"{CLUSTER_WORKERS} workers a replica, wrk -t2 -c32 for {seconds} s per run, the best of {args.turns} turns, "
                  f"on {os.cpu_count()} cores")
    elif args.only == "typeahead":
        workload = workloads(random.Random(20260401), args.queries)[TYPEAHEAD]
        figures = typeahead_figures(workload, seconds, args.workers, args.turns, args.against)
        header = (f"{args.workers} workers, wrk -t2 -c32 for {seconds} s per run, the best of {args.turns} turns; "
                  f"{len(workload)} typeahead queries (count=10), one client after the load"
                  + (f"; ratios: this checkout / {args.against}" if args.against else ""))
    elif args.only == "file":
        figures = file_figures(args.workers, args.turns)
        header = f"terminology validate --file, the best of {args.turns} runs each, on {os.cpu_count()} cores"
    else:
        figures, header = load_run(args, seconds)
    print(f"\n{header}\n")
    print_figures(figures)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(figure) for figure in figures], indent=2))


def load_run(args: argparse.Namespace, seconds: int) -> tuple[list[Figure], str]:
    """The figures of the workloads (beside the baselines, or beside another checkout's server), and their header."""
    rng = random.Random(20260401)
    operations = workloads(rng, args.queries)
    shared = f"{args.workers} workers, wrk -t2 -c32 for {seconds} s per run"
    if args.against is not None:
        figures = against_figures(args.against.resolve(), operations, seconds, args.workers, args.turns)
        return figures, f"{shared}, {args.turns} turns on each server, on {os.cpu_count()} cores; ratios: this checkout / {args.against}"
    figures = baseline_figures(rng, operations, seconds, args.workers, args.quick, args.turns)
    return figures, (f"{shared}, on {os.cpu_count()} cores; typeahead: {len(operations[TYPEAHEAD])} queries (count=10) "
                     f"from one keep-alive client; {bulk_header(seconds, args.workers)}")


def baseline_figures(
    rng: random.Random, operations: dict[str, list[Request]], seconds: int, workers: int, quick: bool, turns: int
) -> list[Figure]:
    """The server's figures, as ratios to the bare-Flask baselines where they have one."""
    figures: list[Figure] = []
    # The baselines are run before and after the server's runs, and the better of the two stands: a
    # ratio is not flattered by a moment when the shared machine was busy with something else.
    validate = operations["CodeSystem/$validate-code GET"]
    before = baseline_loads(validate, seconds, workers)

    figures += first_start_figures(workers, operations[TYPEAHEAD][0])
    figures += release_figures(workers, turns)
    port = free_port()
    with running(our_server(port, workers), port, READY) as (startup, pid):
        figures.append(Figure("start-up to first $lookup (compiled content cached)", startup, "s"))
        per_worker, total, processes = memory_of(pid)
        figures.append(Figure(f"memory (PSS) of the largest of {processes} processes", per_worker, "MB"))
        figures.append(Figure(f"memory (PSS) of all {processes} processes", total, "MB"))
        typeahead = one_client(port, operations[TYPEAHEAD])  # first, on a server at rest
        growth = growth_figures(port, 5 if quick else 20)
        loads = {operation: wrk(port, workload, seconds) for operation, workload in operations.items()}

    after = baseline_loads(validate, seconds, workers)
    baselines = {name: max(before[name], after[name], key=lambda load: load.requests_per_second) for name in before}
    figures = [
        Figure(f"baseline bare Flask on {name}: throughput", load.requests_per_second, "req/s") for name, load in baselines.items()
    ] + figures
    for operation, load in loads.items():
        figures += load_figures(operation, load, baselines)
    typeahead_p99 = loads[TYPEAHEAD].p99_ms
    figures.append(Figure(f"{TYPEAHEAD}: 99th percentile latency beside its target", typeahead_p99, "ms",
                          f"target {TYPEAHEAD_P99_TARGET_MS:g} ms", typeahead_p99 / TYPEAHEAD_P99_TARGET_MS))
    figures += one_client_figures(TYPEAHEAD, *typeahead)
    figures += growth
    figures += scaling_figures(seconds, operations["CodeSystem/$validate-code GET"])
    figures += bulk_figures(rng, seconds, workers)
    figures += tail_figures(rng, seconds, workers, turns)
    return figures + in_process(rng, seconds / 3)


def bulk_header(seconds: int, workers: int) -> str:
    return (f"bulk: {BULK_CODES} distinct codes, {BATCH_SIZE} a batched request, wrk -t2 for {seconds} s per run "
            f"(-c32 one code a request, -c{2 * workers} batches)")


if __name__ == "__main__":
    main()
