"""The Kubernetes manifests: every file parses and belongs to a kustomization; selectors select the pods; the
ports agree between the Containerfile, the Deployment, its probes and the Services; the probes' paths answer
on the real server started as the Deployment configures it; the autoscaler, the disruption budget and the
drain fit together. Each kustomization is built here as kustomize builds it (its resources, then its patches
merged into them), for the few fields the manifests use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from terminology.settings import Settings, setting_key
from tests.deploy.containerfile import stages
from tests.running_server import RunningServer, serving

KUBERNETES = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
KUSTOMIZATIONS = ("", "with-redis")  # the folders under deploy/kubernetes one applies with kubectl apply -k
API_VERSIONS = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
}
SERVE_VARIABLES = {"HOST", "PORT", "WORKERS"}  # terminology serve's own, beside the TERMINOLOGY_* settings

Manifest = dict[str, Any]


def _documents(path: Path) -> list[Manifest]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document is not None]


def _kustomization(folder: Path) -> Manifest:
    [kustomization] = _documents(folder / "kustomization.yaml")
    return kustomization


def _build(folder: Path) -> list[Manifest]:
    """The objects ``kubectl apply -k folder`` applies."""
    kustomization = _kustomization(folder)
    objects: list[Manifest] = []
    for resource in kustomization.get("resources", []):
        path = (folder / resource).resolve()
        objects += _build(path) if path.is_dir() else _documents(path)
    for patch in kustomization.get("patches", []):
        [change] = _documents(folder / patch["path"])
        [target] = [item for item in objects if (item["kind"], item["metadata"]["name"]) == (change["kind"], change["metadata"]["name"])]
        _merge(target, change)
    return objects


def _merge(target: Any, change: Any) -> None:
    """A strategic merge of ``change`` into ``target``, for maps and lists of named items (containers, env)."""
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, list) and value and all(isinstance(item, dict) and "name" in item for item in value):
            by_name = {item["name"]: item for item in target.setdefault(key, [])}
            for item in value:
                if item["name"] in by_name:
                    _merge(by_name[item["name"]], item)
                else:
                    target[key].append(item)
        else:
            target[key] = value


def _one(objects: list[Manifest], kind: str, name: str = "terminology") -> Manifest:
    [found] = [item for item in objects if item["kind"] == kind and item["metadata"]["name"] == name]
    return found


def _container(deployment: Manifest, name: str = "terminology") -> Manifest:
    [container] = [item for item in deployment["spec"]["template"]["spec"]["containers"] if item["name"] == name]
    return container


def _env(container: Manifest) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", [])}


def _probes(container: Manifest) -> dict[str, Manifest]:
    return {kind: container[kind] for kind in ("startupProbe", "readinessProbe", "livenessProbe") if kind in container}


@pytest.fixture(params=KUSTOMIZATIONS, ids=lambda folder: folder or "base")
def objects(request) -> list[Manifest]:
    return _build(KUBERNETES / request.param)


@pytest.fixture(scope="module")
def deployed(release_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Manifest]]:
    """The real server, with the workers and settings the Deployment gives the container."""
    container = _container(_one(_build(KUBERNETES), "Deployment"))
    env = _env(container)
    with serving(release_cache, tmp_path_factory.mktemp("deployed") / "server.log", int(env.pop("WORKERS")), env) as running:
        yield running, container


def test_every_manifest_parses_names_its_kind_and_belongs_to_a_kustomization() -> None:
    listed = set()
    for folder in KUSTOMIZATIONS:
        kustomization = _kustomization(KUBERNETES / folder)
        names = [*kustomization.get("resources", []), *(patch["path"] for patch in kustomization.get("patches", []))]
        listed |= {(KUBERNETES / folder / name).resolve() for name in names} | {(KUBERNETES / folder / "kustomization.yaml").resolve()}
    files = sorted(KUBERNETES.rglob("*.yaml"))
    assert {path.resolve() for path in files} <= listed, "a manifest no kustomization applies"
    for path in files:
        for document in _documents(path):
            assert API_VERSIONS[document["kind"]] == document["apiVersion"], path
            assert document["kind"] == "Kustomization" or document["metadata"]["name"], path


def test_the_selectors_select_the_pods_of_their_deployment(objects) -> None:
    deployments = {item["metadata"]["name"]: item for item in objects if item["kind"] == "Deployment"}
    labels = {name: item["spec"]["template"]["metadata"]["labels"] for name, item in deployments.items()}
    for item in objects:
        selector = item["spec"].get("selector")
        if selector is None:
            continue
        wanted = selector.get("matchLabels", selector) if item["kind"] != "Service" else selector
        matching = [name for name, pod in labels.items() if wanted.items() <= pod.items()]
        assert matching == [item["metadata"]["name"]], f"{item['kind']} {item['metadata']['name']} selects {matching}"


def test_the_ports_agree_between_the_image_the_deployment_its_probes_and_the_services(objects) -> None:
    image = stages()[-1]
    container = _container(_one(objects, "Deployment"))
    [port] = container["ports"]
    assert str(port["containerPort"]) == image.one("EXPOSE").arguments == image.environment()["PORT"]
    assert "PORT" not in _env(container), "the container listens where the image says"
    for probe in _probes(container).values():
        assert probe["httpGet"]["port"] == port["name"]
    for service in (item for item in objects if item["kind"] == "Service"):
        [deployment] = [item for item in objects if item["kind"] == "Deployment" and item["metadata"]["name"] == service["metadata"]["name"]]
        names = {port["name"] for container in deployment["spec"]["template"]["spec"]["containers"] for port in container["ports"]}
        assert {port["targetPort"] for port in service["spec"]["ports"]} <= names


def test_the_container_is_configured_by_settings_the_server_reads(objects) -> None:
    container = _container(_one(objects, "Deployment"))
    known = SERVE_VARIABLES | {setting_key(field.name) for field in fields(Settings)}
    assert set(_env(container)) <= known


def test_the_redis_kustomization_points_the_replicas_at_its_redis() -> None:
    objects = _build(KUBERNETES / "with-redis")
    env = _env(_container(_one(objects, "Deployment")))
    assert env["TERMINOLOGY_CACHE_STORE"] == "redis"
    host, _, rest = env["TERMINOLOGY_REDIS_URL"].removeprefix("redis://").partition(":")
    service = _one(objects, "Service", host)
    assert int(rest.partition("/")[0]) in {port["port"] for port in service["spec"]["ports"]}
    assert "TERMINOLOGY_CACHE_STORE" not in _env(_container(_one(_build(KUBERNETES), "Deployment"))), "the base keeps caches in each pod (files, for its workers)"


def test_workers_match_the_cpu_and_every_container_has_requests_and_limits(objects) -> None:
    for deployment in (item for item in objects if item["kind"] == "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys() and {"cpu", "memory"} <= resources["limits"].keys()
    container = _container(_one(objects, "Deployment"))
    assert int(_env(container)["WORKERS"]) == int(container["resources"]["limits"]["cpu"])


def test_the_autoscaler_scales_the_deployment_on_cpu_and_the_budget_keeps_replicas_serving(objects) -> None:
    deployment = _one(objects, "Deployment")
    autoscaler = _one(objects, "HorizontalPodAutoscaler")
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (deployment["apiVersion"], "Deployment", "terminology")
    [metric] = autoscaler["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu" and 0 < metric["resource"]["target"]["averageUtilization"] <= 100
    budget = _one(objects, "PodDisruptionBudget")
    assert autoscaler["spec"]["minReplicas"] - budget["spec"]["maxUnavailable"] >= 1
    assert deployment["spec"]["replicas"] == autoscaler["spec"]["minReplicas"]


def test_the_pod_is_given_time_to_drain(objects) -> None:
    pod = _one(objects, "Deployment")["spec"]["template"]["spec"]
    container = _container(_one(objects, "Deployment"))
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    drain = float(_env(container)["TERMINOLOGY_SHUTDOWN_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] > pause + drain


def test_the_probes_ask_the_health_endpoints_of_the_real_server(deployed) -> None:
    running, container = deployed
    base = running.base.removesuffix("/fhir")
    expected = {"/readyz": {"status": "ready"}, "/livez": {"status": "live"}}
    probes = _probes(container)
    assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz" and probes["livenessProbe"]["httpGet"]["path"] == "/livez"
    for probe in probes.values():
        answer = requests.get(base + probe["httpGet"]["path"], timeout=probe.get("timeoutSeconds", 1))
        assert answer.status_code == 200 and answer.json() == expected[probe["httpGet"]["path"]]
    assert requests.get(f"{base}/no-such-probe", timeout=5).status_code == 404  # (a wrong path would not pass)
