"""``scripts/cluster`` as a user runs it: it prints the balancer's FHIR base once every replica is ready, and
Ctrl-C or SIGTERM stops everything it started (the balancer, every replica, Redis)."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from running_cluster import cluster_script
from running_server import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
START_DEADLINE = 120  # seconds: two replicas, one after the other, then the balancer's checks


def _refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_script_serves_through_the_balancer_and_stops_everything(compiled_content, stop):
    cluster_script()  # (skips the test where HAProxy or Redis is not installed)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "scripts/cluster.py", "--replicas", "2", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    found = None
    try:
        line = process.stdout.readline()  # the first line comes once the cluster is up, or the process ends
        found = re.match(r"(http://127\.0\.0\.1:(\d+)/fhir) .* Redis at redis://127\.0\.0\.1:(\d+)/0; logs in (\S+)\)", line)
        assert found, line + (process.stderr.read() if process.poll() is not None else "")
        base, folder = found[1], Path(found[4])
        assert int(found[2]) == port
        answer = requests.get(f"{base}/CodeSystem/$validate-code", params={"url": ICD10CM, "code": "M48.48XA"}, timeout=10)
        assert answer.status_code == 200 and answer.headers["X-Served-By"] in {"replica1", "replica2"}
        replicas = [int(port) for port in re.findall(r"server replica\d+ 127\.0\.0\.1:(\d+)", (folder / "haproxy.cfg").read_text())]
        assert len(replicas) == 2

        process.send_signal(stop)
        assert process.wait(60) == 0, process.stderr.read()
        assert all(_refuses(each) for each in (port, int(found[3]), *replicas))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if found:
            shutil.rmtree(folder, ignore_errors=True)
