"""The files other repositories run briefgen through: the GitHub Action (action.yml), the workflow
`briefgen init` writes, this repository's own workflow, and the pre-commit hooks.

The schemas are the ones check-jsonschema vendors (SchemaStore's), so the test runs offline.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.cli import main
from conftest import ROOT

ACTION = ROOT / "action.yml"
STARTER_WORKFLOW = ROOT / "briefgen" / "starter" / ".github" / "workflows" / "briefs.yml"
OUR_WORKFLOW = ROOT / ".github" / "workflows" / "brief.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"

#: `${{ … inputs.… }}`: an input pasted into the text of a script, where it would run as code.
INPUT_EXPRESSION = re.compile(r"\$\{\{[^}]*\binputs\.")


def check_jsonschema(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("check_jsonschema") is None:
        pytest.fail("check-jsonschema is not installed in this environment: run `make test`, "
                    "which installs the dev extras")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
         *map(str, paths)],
        capture_output=True, text=True, timeout=120)


def assert_valid(schema: str, path: Path) -> None:
    result = check_jsonschema(schema, path)
    assert result.returncode == 0, f"{path.relative_to(ROOT)}:\n{result.stdout}{result.stderr}"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def run_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [step for step in steps if "run" in step]


def action_steps() -> list[dict[str, Any]]:
    return load(ACTION)["runs"]["steps"]


def matrix_variant(text: str) -> str:
    """The starter workflow with its commented-out sharded jobs uncommented."""
    head, marker, tail = text.partition("  # build-all:")
    assert marker, "the commented-out build-all job is missing"
    lines = (marker + tail).splitlines()
    assert all(line.startswith("  #") for line in lines), "the variant must end the file"
    return head + "\n".join(re.sub(r"^  # ?", "  ", line) for line in lines) + "\n"


# --- schemas --------------------------------------------------------------------------------


def test_action_matches_the_github_action_schema():
    assert_valid("vendor.github-actions", ACTION)


@pytest.mark.parametrize("path", [STARTER_WORKFLOW, OUR_WORKFLOW], ids=["starter", "ours"])
def test_workflow_matches_the_github_workflow_schema(path: Path):
    assert_valid("vendor.github-workflows", path)


def test_the_commented_sharded_variant_is_a_valid_workflow(tmp_path: Path):
    variant = tmp_path / "briefs.yml"
    variant.write_text(matrix_variant(STARTER_WORKFLOW.read_text(encoding="utf-8")),
                       encoding="utf-8")
    assert_valid("vendor.github-workflows", variant)
    jobs = load(variant)["jobs"]
    assert jobs["build-all"]["strategy"]["matrix"]["shard"] == [1, 2, 3]
    assert jobs["merge"]["needs"] == "build-all"
    assert any(step.get("run") == "briefgen merge shard-1 shard-2 shard-3 -o output"
               for step in jobs["merge"]["steps"])


# --- the action -----------------------------------------------------------------------------


def test_action_never_pastes_an_input_into_a_script():
    for step in run_steps(action_steps()):
        assert not INPUT_EXPRESSION.search(step["run"]), (
            f"step {step['name']!r} interpolates an input into its script: pass it through "
            "env: and quote it")


def test_action_scripts_are_strict_bash():
    for step in run_steps(action_steps()):
        assert step.get("shell") == "bash", step["name"]
        assert step["run"].lstrip().startswith("set -euo pipefail\n"), step["name"]


def test_action_reads_every_input_it_declares_and_only_those():
    action = load(ACTION)
    declared = set(action["inputs"])
    read = set(re.findall(r"\binputs\.([\w-]+)", ACTION.read_text(encoding="utf-8")))
    assert read == declared


def test_action_installs_briefgen_from_its_own_checkout():
    scripts = "\n".join(step["run"] for step in run_steps(action_steps()))
    assert 'pip install --disable-pip-version-check --quiet "$GITHUB_ACTION_PATH"' in scripts
    assert "output-dir" in load(ACTION)["outputs"]


# --- the starter workflow -------------------------------------------------------------------


def test_starter_workflow_uses_the_action_init_rewrites():
    workflow = load(STARTER_WORKFLOW)
    uses = [step.get("uses") for job in workflow["jobs"].values() for step in job["steps"]]
    # `briefgen init --action` replaces exactly this text; the pull-request check and the build.
    assert uses.count("briefgen/briefgen@v0") == 2


def test_starter_workflow_has_minimal_permissions():
    workflow = load(STARTER_WORKFLOW)
    assert workflow["permissions"] == {"contents": "read"}
    writers = {name for name, job in workflow["jobs"].items() if "permissions" in job}
    assert writers == {"release"}
    assert workflow["jobs"]["release"]["permissions"] == {"contents": "write"}
    assert "${{ github.ref }}" in workflow["concurrency"]["group"]


def test_starter_workflow_pastes_no_expression_into_a_script():
    workflow = load(STARTER_WORKFLOW)
    for job in workflow["jobs"].values():
        for step in run_steps(job["steps"]):
            assert "${{" not in step["run"], step.get("name")


# --- pre-commit hooks -----------------------------------------------------------------------


def hooks() -> list[dict[str, Any]]:
    loaded = load(HOOKS)
    assert isinstance(loaded, list) and loaded, ".pre-commit-hooks.yaml must be a list of hooks"
    return loaded


def test_pre_commit_hooks_have_the_keys_pre_commit_requires():
    found = hooks()
    assert [hook.get("id") for hook in found] == ["briefgen-validate", "briefgen-check"]
    for hook in found:
        assert {"id", "name", "entry", "language"} <= hook.keys(), hook
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        pattern = re.compile(hook["files"])  # pre-commit matches with re.search
        for path in ("content/energy/brief.md", "content/energy/sources.yaml",
                     "styles/house/house.css", "briefgen.toml"):
            assert pattern.search(path), (hook["id"], path)
        for path in ("README.md", "docs/content/x.md", "briefgen.toml.bak", "src/styles/a"):
            assert not pattern.search(path), (hook["id"], path)


@pytest.mark.parametrize("hook", hooks(), ids=lambda hook: hook["id"])
def test_pre_commit_hook_runs_a_real_briefgen_command(hook: dict[str, Any],
                                                      capsys: pytest.CaptureFixture[str]):
    program, *args = shlex.split(hook["entry"])
    assert program == "briefgen"
    assert main([*args, "--help"]) == 0, capsys.readouterr()
