"""The project installs under one import namespace, `supportlens`.

The folders ingest/, ml/, api/ and python_udfs/ stay where the layout puts them but are
installed as supportlens.ingest, supportlens.ml, ... (pyproject `package-dir`), so that no
generic top-level name (`import api`) lands in a user's environment.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAPPED = ("ingest", "ml", "api", "python_udfs")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def package_folders() -> dict[str, Path]:
    """Every Python package in the source tree, by the name it is installed under."""
    found: dict[str, Path] = {}
    for top in ("supportlens", *MAPPED):
        prefix = ["supportlens"] if top == "supportlens" else ["supportlens", top]
        for init in (REPO / top).rglob("__init__.py"):
            if "node_modules" in init.parts:
                continue
            found[".".join(prefix + list(init.parent.relative_to(REPO / top).parts))] = init.parent
    return found


def test_every_package_folder_is_listed_and_mapped() -> None:
    assert sorted(SETUPTOOLS["packages"]) == sorted(package_folders())
    assert SETUPTOOLS["package-dir"] == {
        "supportlens": "supportlens",
        **{f"supportlens.{name}": name for name in MAPPED},
    }


def test_no_module_imports_an_old_top_level_name() -> None:
    """`import ml` works by accident from the project root (cwd on sys.path), nowhere else."""
    offenders = []
    for folder in ("supportlens", *MAPPED, "tests", "benchmarks"):
        for path in (REPO / folder).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else []
                )
                offenders += [
                    f"{path.relative_to(REPO)}:{node.lineno} {name}"
                    for name in names
                    if name.split(".")[0] in MAPPED
                ]
    assert offenders == []


def _python(code: str, cwd: Path, extra_path: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )


IMPORT_ALL = (
    "import supportlens.ml.registry, supportlens.api.app, supportlens.ingest.land, "
    "supportlens.python_udfs.plugin, supportlens.ml.commands.train\n"
    "import importlib.util as u\n"
    "print([n for n in ('ml', 'api', 'ingest', 'python_udfs') if u.find_spec(n)])\n"
    "print(supportlens.ml.__file__)"
)


def test_installed_environment_has_the_namespace_and_no_generic_names(tmp_path: Path) -> None:
    """Outside the source tree (cwd elsewhere), as an application importing SupportLens."""
    result = _python(IMPORT_ALL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    leaked, ml_file = result.stdout.splitlines()
    assert leaked == "[]"
    assert Path(ml_file) == REPO / "ml" / "__init__.py"


def test_namespace_holds_from_the_project_root() -> None:
    """With the project root first on sys.path (pytest, `python -m`), the plain supportlens/
    folder is found before the installed package; the sub-packages must still resolve."""
    result = _python(IMPORT_ALL, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == str(REPO / "ml" / "__init__.py")


@pytest.mark.slow
def test_a_built_wheel_installs_the_namespace(tmp_path: Path) -> None:
    """A regular (non-editable) wheel: supportlens/ml/... inside, no top-level ml/."""
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("node_modules", "__pycache__")
    for folder in ("supportlens", *MAPPED):
        shutil.copytree(REPO / folder, source / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("supportlens-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "supportlens/ml/registry.py" in names
    assert "supportlens/api/routes/__init__.py" in names
    assert "supportlens/python_udfs/plugin.py" in names
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"supportlens"}

    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    result = _python(IMPORT_ALL, cwd=tmp_path, extra_path=target)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == str(target / "supportlens" / "ml" / "__init__.py")
