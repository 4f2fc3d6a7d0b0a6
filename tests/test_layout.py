"""The grader's folders by role import only downwards: the boundary nothing of the kit but its faults, the grading
core nothing assignment-specific, the runner nothing of the grader but the wire it shares."""

import ast

import pytest

from tests.conftest import ROOT

ORDER = ["boundary", "grading", "assignments", "course"]  # each may import the ones before it
SHARED = {"autograder.config", "autograder.faults"}


def imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)


def kit_modules(module, names):
    """The kit's folders an import reaches (``from autograder import x`` reaches ``autograder.x``)."""
    if module == "autograder":
        return [f"autograder.{name}" for name in names]
    return [module] if module.startswith("autograder.") else []


@pytest.mark.parametrize("folder", ORDER)
def test_a_folder_imports_only_the_folders_before_it(folder):
    allowed = tuple(f"autograder.{below}" for below in ORDER[: ORDER.index(folder) + 1])
    upward = [
        f"{path.relative_to(ROOT)} imports {target}"
        for path in sorted((ROOT / "autograder" / folder).rglob("*.py"))
        for module, names in imports(path)
        for target in kit_modules(module, names)
        if target not in SHARED and not target.startswith(allowed)
    ]
    assert not upward, upward


def test_the_runner_imports_only_itself_and_the_wire():
    inside = {
        module.split(".")[0]
        for path in (ROOT / "autograder" / "runner").glob("*.py")
        for module, _ in imports(path)
        if module.split(".")[0] in {"autograder", "runner", "wire"}
    }
    assert inside == {"runner", "wire"}
