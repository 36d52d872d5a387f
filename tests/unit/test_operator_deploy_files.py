"""docs/operator/compose.yaml and kubernetes.yaml parse and hold what docs/OPERATOR.md promises
(no container engine on these machines: syntax and required keys only)."""
from __future__ import annotations

from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operator"


def test_compose_has_postgres_two_workers_and_prometheus():
    data = yaml.safe_load((DOCS / "compose.yaml").read_text(encoding="utf-8"))
    services = data["services"]
    assert services["db"]["image"].startswith("postgres")
    workers = [s for name, s in services.items() if name.startswith("worker")]
    assert len(workers) == 2
    for worker in workers:
        assert worker["command"][:2] == ["grunndata", "worker"] and "--metrics-port" in worker["command"]
        assert "GRUNNDATA_DATABASE_URL" in worker["environment"] and worker["stop_signal"] == "SIGTERM"
    assert services["migrate"]["command"] == ["grunndata", "operator", "migrate"]
    assert services["prometheus"]["image"].startswith("prom/prometheus")
    prometheus = yaml.safe_load((DOCS / "prometheus.yml").read_text(encoding="utf-8"))
    targets = prometheus["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == ["worker-1:9400", "worker-2:9400"]


def test_kubernetes_has_migrate_job_and_worker_deployment():
    docs = [d for d in yaml.safe_load_all((DOCS / "kubernetes.yaml").read_text(encoding="utf-8")) if d]
    for doc in docs:
        assert {"apiVersion", "kind", "metadata", "spec"} <= set(doc)
    kinds = {d["kind"]: d for d in docs}
    job = kinds["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["grunndata", "operator", "migrate"]
    deployment = kinds["Deployment"]["spec"]
    assert deployment["replicas"] >= 2
    assert deployment["selector"]["matchLabels"] == deployment["template"]["metadata"]["labels"]
    pod = deployment["template"]["spec"]
    worker = pod["containers"][0]
    assert worker["command"][:2] == ["grunndata", "worker"]
    assert any(e["name"] == "GRUNNDATA_DATABASE_URL" for e in worker["env"])
    assert pod["terminationGracePeriodSeconds"] >= 60
    assert pod["volumes"][0]["secret"]["defaultMode"] == 0o400
