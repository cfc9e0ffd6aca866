"""Where a workload of scripts/bench spends its time: its requests through the server's WSGI entry,
in this process, under pyinstrument (a sampling profiler, which reads the call stack every
millisecond and so barely slows what it watches).

The requests take the path they take in the server (the WSGI entry, the dispatcher, the
operation, the JSON writer) without the socket, granian and wrk, which are the same for every
operation and shown by the bare-Flask baselines. The content is loaded and the collector frozen
as ``scripts/serve`` does it.

    scripts/profile "CodeSystem/\\$lookup GET"
    scripts/profile "ValueSet/\\$validate-code POST" --seconds 10 --html out.html
    scripts/profile "batch Bundle of 1000 CodeSystem/\\$lookup GETs"
    scripts/profile --list
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from benchmark import BULK_CODES, Request, bulk_workloads, workloads

from terminology.content import build_registry
from terminology.web.app import create_app


def environ(request: Request) -> dict[str, Any]:
    """The WSGI environ granian gives the app for ``request``."""
    path, _, query = request.path.partition("?")
    body = (request.body or "").encode()
    return {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/fhir+json" if body else "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/fhir+json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
    }


def answer_all(app: Callable[..., Any], workload: list[Request]) -> None:
    statuses: list[str] = []
    for request in workload:
        body = b"".join(app(environ(request), lambda status, headers: statuses.append(status)))
        if not statuses[-1].startswith("200"):
            raise SystemExit(f"{request.method} {request.path}: {statuses[-1]}\n{body[:500]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", nargs="?", help="a workload name of scripts/bench (see --list)")
    parser.add_argument("--list", action="store_true", help="list the workloads")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to profile (default: %(default)s)")
    parser.add_argument("--html", metavar="FILE", help="also write pyinstrument's interactive HTML report")
    args = parser.parse_args()
    rng = random.Random(20260401)
    operations = {**workloads(rng, 300), **{name: bulk.requests for name, bulk in bulk_workloads(rng, BULK_CODES).items()}}
    if args.list or args.workload not in operations:
        print("\n".join(operations))
        raise SystemExit(0 if args.list else f"\nno workload named {args.workload!r}: choose one of the above")
    workload = operations[args.workload]

    app = create_app(registry=build_registry()).wsgi_app
    gc.collect()
    gc.freeze()
    answer_all(app, workload)  # once before measuring: what is made when first asked for is made
    started = time.perf_counter()
    answer_all(app, workload)
    plain = (time.perf_counter() - started) / len(workload)

    profiler = Profiler(interval=0.001)
    done, started = 0, time.perf_counter()
    with profiler:
        while time.perf_counter() - started < args.seconds:
            answer_all(app, workload)
            done += len(workload)
    profiled = (time.perf_counter() - started) / done
    print(f"{args.workload}: {plain * 1e6:.1f} us a request; {profiled * 1e6:.1f} us under the profiler ({done} requests)")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
