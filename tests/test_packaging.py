"""The wheel is the package: built from the source, installed apart from the checkout, it lists
the shipped scenarios, and nothing but ``cxsim`` is importable from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cxsim.model import shipped_scenarios

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "experiments", "scenarios")  # the subpackages' folders
# What never goes into a wheel: environments, caches, results, version control.
IGNORED = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", "build", "dist",
                                 "runs", "results", ".pytest_cache", ".ruff_cache", ".hypothesis")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the folder it is installed into with ``pip --target``)."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)  # the build writes beside its source
    wheels = root / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("cxsim-*.whl")
    target = root / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                           "--quiet", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return wheel, target


def outside(target: Path, *command: str, cwd: Path) -> subprocess.CompletedProcess:
    """``command`` with only the installed wheel (and this environment's dependencies) on the
    path, from a folder outside the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CXSIM_SCENARIOS")}
    return subprocess.run(list(command), capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**env, "PYTHONPATH": str(target)})


def test_the_wheel_holds_every_subpackage_and_the_scenarios(installed) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"cxsim"}
    inits = [ROOT / "__init__.py", *(init for top in PACKAGES
                                      for init in (ROOT / top).glob("**/__init__.py"))]
    for init in sorted(inits):
        folder = init.parent.relative_to(ROOT)
        assert "/".join(("cxsim", *folder.parts, "__init__.py")) in names, (
            f"{folder} is not in the wheel: list it in pyproject's [tool.setuptools] packages")
    for name in shipped_scenarios():
        assert f"cxsim/scenarios/{name}.toml" in names
    assert "cxsim/scenarios/calibration_record.json" in names
    for name in ("posterior.csv", "posterior_record.json"):     # the shipped posterior
        assert f"cxsim/scenarios/{name}" in names


def test_installed_wheel_runs_outside_the_checkout(installed, tmp_path) -> None:
    _, target = installed
    where = outside(target, sys.executable, "-c", "import cxsim; print(cxsim.__file__)",
                    cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(target), where.stdout
    listed = outside(target, sys.executable, "-m", "cxsim", "scenarios", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in shipped_scenarios():
        assert name in listed.stdout, name
    version = outside(target, str(target / "bin" / "cxsim"), "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("cxsim "), version.stderr
    for module in ("model", "experiments", "scenarios"):
        stray = outside(target, sys.executable, "-c", f"import {module}", cwd=tmp_path)
        assert stray.returncode != 0 and "ModuleNotFoundError" in stray.stderr, module
