"""docker-compose.yml, Dockerfile and .env.example, checked without a Docker engine.

The compose file is validated against the Compose Specification schema that check-jsonschema
ships (vendor.compose-spec), then the settings the search stage relies on are asserted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def _checker() -> str | None:
    beside = Path(sys.executable).with_name("check-jsonschema")
    return str(beside) if beside.exists() else shutil.which("check-jsonschema")


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("ruamel.yaml", reason="ruamel.yaml comes with check-jsonschema")
    return yaml.YAML(typ="safe").load(COMPOSE.read_text(encoding="utf-8"))


@pytest.mark.skipif(_checker() is None, reason="check-jsonschema is not installed "
                                               "(pip install 'check-jsonschema>=0.29,<1')")
def test_compose_file_matches_the_compose_spec():
    result = subprocess.run([_checker(), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_elasticsearch_single_node_secured_persistent_and_checked(compose):
    es = compose["services"]["elasticsearch"]
    env = es["environment"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION:-8.")
    assert env["discovery.type"] == "single-node" and env["xpack.security.enabled"] == "true"
    assert env["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")  # from .env, required
    assert "esdata:/usr/share/elasticsearch/data" in es["volumes"] and "esdata" in compose["volumes"]
    assert "_cluster/health" in " ".join(es["healthcheck"]["test"])
    assert all(port.startswith("127.0.0.1:") for port in es["ports"])


def test_app_is_built_here_and_wired_to_elasticsearch(compose):
    app = compose["services"]["luutru"]
    assert app["build"] == "." and (ROOT / "Dockerfile").exists()
    assert app["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    url = app["environment"]["LUUTRU_ES_URL"]
    assert url.startswith("http://elastic:${ELASTIC_PASSWORD") and url.endswith("@elasticsearch:9200")


def test_env_example_names_every_variable_and_no_real_secret():
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert {"ELASTIC_PASSWORD", "ES_VERSION"} <= set(example)
    assert example["ES_VERSION"].startswith("8.")  # the Python client is elasticsearch>=8.13,<9
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_ocr_workers_share_the_archive_and_the_broker(compose):
    """`docker compose up --scale worker=N`: workers on the app's image, the archive and Redis."""
    services = compose["services"]
    redis, worker, app = services["redis"], services["worker"], services["luutru"]
    assert "--appendonly" in redis["command"] and "redisdata:/data" in redis["volumes"]
    assert all(port.startswith("127.0.0.1:") for port in redis["ports"])
    assert worker["image"] == app["image"] and worker["command"][0] == "worker"
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["environment"]["LUUTRU_BROKER_URL"] == app["environment"]["LUUTRU_BROKER_URL"] \
        == "redis://redis:6379/0"
    archive_mount = [v for v in app["volumes"] if v.endswith(":/archive")]
    assert archive_mount and archive_mount[0] in worker["volumes"]
    assert "container_name" not in worker                  # --scale needs nameless containers


def test_the_image_reads_with_the_coordinators_tesseract_and_pinned_model():
    """Coordinator and workers run one image: Debian's Tesseract with `vie`, and the default
    model installed from its pinned package (checked against both SHA-256s as it is unpacked)."""
    from luutru.ocr.models import DATA_DIR_ENV, DEFAULT_MODEL, MODELS

    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "tesseract-ocr-vie" in dockerfile.split() and "tesseract-ocr" in dockerfile.split()
    model = MODELS[DEFAULT_MODEL]
    assert f"npm pack --silent {model.package}" in dockerfile      # the version ocr/models pins
    assert f"python -m luutru.ocr.models install {DEFAULT_MODEL} --from /tmp/vie.tgz" in dockerfile
    assert f"ENV {DATA_DIR_ENV}=/usr/local/share/luutru/tessdata" in dockerfile
    # the model is installed after luutru (which installs it) and before the user switch
    assert dockerfile.index("pip install") < dockerfile.index("luutru.ocr.models install") \
        < dockerfile.index("USER luutru")


def test_workers_run_the_worker_command_on_the_apps_image(compose):
    worker, app = compose["services"]["worker"], compose["services"]["luutru"]
    assert worker["build"] == app["build"] == "."
    assert worker["command"] == ["worker", "--concurrency", "1"]
    assert worker["environment"]["LUUTRU_ARCHIVE"] == app["environment"]["LUUTRU_ARCHIVE"]
    assert worker["environment"]["OMP_THREAD_LIMIT"] == "1"           # one thread per page
    assert worker["stop_grace_period"]                                 # a warm shutdown
