"""A soak test: many concurrent clients send a realistic mix of requests to a real ``terminology serve``
for a bounded time, and the memory of each worker is watched.

The mix, over every code of the newest ICD-10-CM release (so that what a worker keeps per code is
reached again and again, not once at warm-up): ``CodeSystem/$validate-code`` (real codes, headers,
codes without their dot, made-up ones; one in five naming a release), ``CodeSystem/$lookup``, a
typeahead ``ValueSet/$expand`` with ``filter``, ``ValueSet/$validate-code`` against all of ICD-10-CM,
``ValueSet/$validate-code`` against a value set sent along as a ``tx-resource`` in a POST Parameters,
and batch Bundles of validations and lookups. The load is wrk (one connection a thread, so that each
answer is counted under the kind of request it answers), on loopback only, against a server this
script starts and stops.

It runs a warm-up, reads each worker's PSS (``/proc/<pid>/smaps_rollup``: the pages it shares with
the other processes count in part), then the rest of the run, reading the PSS as it goes; and it fails
(exit status 1) if any answer was not a 200 (or a batch held an entry that failed), or if a worker's
PSS at the end is more than 10% over its level after the warm-up.

    scripts/soak                      # 10 minutes, 16 clients, 2 workers
    scripts/soak --minutes 0.5        # a short run
    scripts/soak --json out.json      # the figures as JSON as well
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmark import (
    ICD10CM,
    ICD10CM_ALL,
    READY,
    batch_bundle,
    code_mix,
    free_port,
    load_release,
    our_server,
    pss_mb,
    running,
    typeahead_filters,
    value_set_validation,
    worker_pids,
)

MAX_CONNECTIONS = 64  # the script's own bound: it soaks a server, it does not flood the machine
MAX_MINUTES = 24 * 60
GROWTH_LIMIT = 0.10  # a worker's PSS at the end, over its level after the warm-up
BATCH_ENTRIES = 10
SAMPLE_SECONDS = 30  # how often the PSS is read during the run

# Each wrk thread reads its share of the requests (a file of its own), formats one when it is sent, and counts the answers by kind: with one connection a thread, an answer is always to
# the last request the thread sent. A batch's answer is a 200 whatever its entries say: an entry that
# failed is counted as a failure too.
_WRK_SCRIPT = r"""
local threads, created = {}, 0
function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end
local kinds, methods, paths, bodies = {}, {}, {}, {}
local count, at, last = 0, 0, nil
answered, failed = {}, {}
local json = {["Content-Type"] = "application/fhir+json"}
function init(args)
  for line in io.lines(args[1] .. id) do
    local kind, method, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    count = count + 1
    kinds[count], methods[count], paths[count] = kind, method, path
    if body ~= "" then bodies[count] = body end
  end
  at = math.random(count) - 1  -- the threads do not all start at the top of their shares
end
function request()
  at = at % count + 1
  last = kinds[at]
  local body = bodies[at]
  return wrk.format(methods[at], paths[at], body and json or nil, body)
end
function response(status, headers, body)
  answered[last] = (answered[last] or 0) + 1
  if status ~= 200 or (last == "batch Bundle" and body:find('"status":"[45]')) then
    failed[last] = (failed[last] or 0) + 1
  end
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("socket\t%d\t%d\n", errors.connect + errors.read + errors.write + errors.timeout, 0))
  for _, thread in ipairs(threads) do
    local answers, failures = thread:get("answered"), thread:get("failed")
    for kind, n in pairs(answers) do
      io.write(string.format("kind\t%s\t%d\t%d\n", kind, n, failures[kind] or 0))
    end
  end
  io.write(string.format("latency\t%g\t%g\t%g\n", latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class Phase:
    """What one wrk run of the soak saw."""

    seconds: float
    answered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0


def requests_mix(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """``(kind, method, path, body)`` of every request of the mix, shuffled."""
    release = load_release()
    codes = list(release.entries)
    lookups = [code for code in codes if release.entries[code].kind != "block"]
    validations, _ = code_mix(rng, release, len(codes))
    versions = _release_versions()
    mix = [("CodeSystem/$lookup", "GET", "/fhir/CodeSystem/$lookup?" + urlencode({"system": ICD10CM, "code": code}), "")
           for code in lookups]
    for code in validations:
        query = {"url": ICD10CM, "code": code} | ({"version": rng.choice(versions)} if rng.random() < 0.2 else {})
        mix.append(("CodeSystem/$validate-code", "GET", "/fhir/CodeSystem/$validate-code?" + urlencode(query), ""))
    mix += [("ValueSet/$validate-code", "POST", "/fhir/ValueSet/$validate-code", value_set_validation(code))
            for code in validations[: len(codes) // 2]]
    mix += [("ValueSet/$expand typeahead", "GET", "/fhir/ValueSet/$expand?" + urlencode({"url": ICD10CM_ALL, "filter": text, "count": 10}), "")
            for text in typeahead_filters(rng, release, len(codes) // 3)]
    headers = [code for code in codes if release.entries[code].children and release.entries[code].kind != "block"]
    mix += [("ValueSet/$validate-code tx-resource", "POST", "/fhir/ValueSet/$validate-code",
             tx_resource_validation(rng.choice(headers), rng.choice(validations))) for _ in range(len(codes) // 4)]
    for _ in range(len(codes) // 10):
        picked = rng.sample(lookups, BATCH_ENTRIES)
        half = BATCH_ENTRIES // 2
        bundle = json.loads(batch_bundle("CodeSystem/$validate-code?", "url", picked[:half]).body)
        bundle["entry"] += json.loads(batch_bundle("CodeSystem/$lookup?", "system", picked[half:]).body)["entry"]
        mix.append(("batch Bundle", "POST", "/fhir", json.dumps(bundle)))
    rng.shuffle(mix)
    return mix


def _release_versions() -> list[str]:
    from terminology.content import build_registry

    return build_registry().versions(ICD10CM)


def tx_resource_validation(header: str, code: str) -> str:
    """A ``ValueSet/$validate-code`` of ``code`` against the codes below ``header``: a value set sent along
    as a ``tx-resource`` (a value set of the client's own, as validators send them)."""
    url = f"http://example.org/fhir/ValueSet/soak-{header}"
    value_set = {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": [
        {"system": ICD10CM, "filter": [{"property": "concept", "op": "is-a", "value": header}]},
    ]}}  # fmt: skip
    return json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": url},
        {"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}},
        {"name": "tx-resource", "resource": value_set},
    ]})  # fmt: skip


def wrk_phase(port: int, shares: Path, script: Path, connections: int, seconds: float, watch: Any = None) -> Phase:
    """One wrk run of ``seconds``, thread ``n`` sending the requests of the file ``shares`` + n;
    ``watch()`` is called every ``SAMPLE_SECONDS`` while it runs."""
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout=10s",
               "-s", str(script), f"http://127.0.0.1:{port}", "--", str(shares)]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, text=True)
        while process.poll() is None:
            try:
                process.wait(SAMPLE_SECONDS)
            except subprocess.TimeoutExpired:
                if watch is not None:
                    watch()
        if process.returncode:
            raise RuntimeError(f"wrk failed: {process.stderr.read()}")
        out.seek(0)
        lines = out.read().splitlines()
    phase = Phase(time.perf_counter() - started)
    for line in lines:
        fields = line.split("\t")
        if fields[0] == "kind":
            kind, answered, failed = fields[1], int(fields[2]), int(fields[3])
            phase.answered[kind] = phase.answered.get(kind, 0) + answered
            phase.failed[kind] = phase.failed.get(kind, 0) + failed
        elif fields[0] == "socket":
            phase.socket_errors = int(fields[1])
        elif fields[0] == "latency":
            phase.p50_ms, phase.p99_ms, phase.max_ms = (float(value) / 1000 for value in fields[1:4])
    return phase


@dataclass
class Report:
    minutes: float
    workers: int
    connections: int
    distinct_requests: int
    warm_up: Phase
    run: Phase
    pss_start_mb: dict[int, float]
    pss_warm_mb: dict[int, float]
    pss_end_mb: dict[int, float]
    pss_samples_mb: list[dict[int, float]]

    @property
    def errors(self) -> int:
        return sum(p.socket_errors + sum(p.failed.values()) for p in (self.warm_up, self.run))

    def growth(self) -> dict[int, float]:
        """Each worker's PSS at the end as a ratio to its level after the warm-up, less one."""
        return {pid: self.pss_end_mb[pid] / self.pss_warm_mb[pid] - 1 for pid in self.pss_warm_mb if pid in self.pss_end_mb}

    def passed(self) -> bool:
        growth = self.growth()
        return not self.errors and len(growth) == self.workers and all(g <= GROWTH_LIMIT for g in growth.values())


def worker_pss(server_pid: int) -> dict[int, float]:
    """Each worker's PSS in MB, by pid."""
    return {pid: size for pid in worker_pids(server_pid) for size in pss_mb([pid])}


def soak(minutes: float, workers: int, connections: int, warm_up_seconds: float, seed: int) -> Report:
    mix = requests_mix(random.Random(seed))
    with tempfile.TemporaryDirectory() as folder:
        shares, script = Path(folder) / "requests-", Path(folder) / "soak.lua"
        for thread in range(connections):
            Path(f"{shares}{thread}").write_text("".join("\t".join(request) + "\n" for request in mix[thread::connections]))
        script.write_text(_WRK_SCRIPT)
        port = free_port()
        with running(our_server(port, workers), port, READY) as (_, pid):
            start = worker_pss(pid)
            warm_up = wrk_phase(port, shares, script, connections, warm_up_seconds)
            warm = worker_pss(pid)
            samples: list[dict[int, float]] = []
            run = wrk_phase(port, shares, script, connections, minutes * 60 - warm_up_seconds,
                            lambda: samples.append(worker_pss(pid)))
            end = worker_pss(pid)
    return Report(minutes, workers, connections, len(mix), warm_up, run, start, warm, end, samples)


def print_report(report: Report) -> None:
    total = report.warm_up.seconds + report.run.seconds
    print(f"\nsoak: {report.minutes:g} min ({report.warm_up.seconds:.0f} s warm-up), {report.workers} workers, "
          f"{report.connections} connections, {report.distinct_requests:,} distinct requests, on {os.cpu_count()} cores\n")
    kinds = sorted(set(report.warm_up.answered) | set(report.run.answered))
    width = max(map(len, kinds))
    print(f"{'requests':<{width}} {'answered':>10} {'req/s':>8} {'failed':>7}")
    for kind in kinds:
        answered = report.warm_up.answered.get(kind, 0) + report.run.answered.get(kind, 0)
        failed = report.warm_up.failed.get(kind, 0) + report.run.failed.get(kind, 0)
        print(f"{kind:<{width}} {answered:>10,} {answered / total:>8.0f} {failed:>7}")
    answered = sum(report.warm_up.answered.values()) + sum(report.run.answered.values())
    print(f"{'all':<{width}} {answered:>10,} {answered / total:>8.0f} {report.errors:>7}  (socket errors and timeouts: "
          f"{report.warm_up.socket_errors + report.run.socket_errors})")
    print(f"\nlatency after the warm-up, all kinds: median {report.run.p50_ms:.1f} ms, 99th percentile "
          f"{report.run.p99_ms:.1f} ms, max {report.run.max_ms:.1f} ms")
    print("\nPSS per worker (MB): at start, after the warm-up, during the run, at the end (growth after the warm-up)")
    growth = report.growth()
    for pid, warm in report.pss_warm_mb.items():
        during = " ".join(f"{sample[pid]:.1f}" for sample in report.pss_samples_mb if pid in sample)
        end = report.pss_end_mb.get(pid)
        ending = f"{end:.1f} ({growth[pid]:+.1%})" if end is not None else "gone"
        print(f"  worker {pid}: {report.pss_start_mb.get(pid, 0):.1f}, {warm:.1f}, [{during}], {ending}")
    verdict = "passed" if report.passed() else "FAILED"
    print(f"\n{verdict}: {report.errors} errors (0 allowed); growth after the warm-up at most {GROWTH_LIMIT:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="the whole run, warm-up included (default: %(default)s)")
    parser.add_argument("--warm-up", type=float, metavar="SECONDS",
                        help="seconds of load before the PSS is read as the level to hold (default: a tenth of the run, at most 60)")
    parser.add_argument("--workers", type=int, default=2, help="the server's workers (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help=f"concurrent clients, at most {MAX_CONNECTIONS} (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--json", metavar="FILE", help="write the figures to FILE")
    args = parser.parse_args()
    if not 0 < args.minutes <= MAX_MINUTES or not 0 < args.connections <= MAX_CONNECTIONS:
        parser.error(f"--minutes is at most {MAX_MINUTES} and --connections at most {MAX_CONNECTIONS}")
    warm_up = args.warm_up if args.warm_up is not None else min(60.0, args.minutes * 6)
    if not 0 < warm_up < args.minutes * 60:
        parser.error("the warm-up must be shorter than the run")
    report = soak(args.minutes, args.workers, args.connections, warm_up, args.seed)
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(report) | {"errors": report.errors, "growth": report.growth(),
                                                                "passed": report.passed()}, indent=2))
    sys.exit(0 if report.passed() else 1)


if __name__ == "__main__":
    main()
