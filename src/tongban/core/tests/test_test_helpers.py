"""Shared test helpers live in tongban.testing, not in another app's tests: a test that imports
from another app's tests (its conftest or any test module) or from the root conftest fails here,
so a newcomer finds every shared factory, builder and fixture in one package."""

import ast
import pathlib

SRC = pathlib.Path(__file__).resolve().parents[3]
E2E = SRC.parent / "e2e"


def foreign_conftest_imports(source: str, own_app: str) -> list[str]:
    """`line module` of every import from another app's tests or of the root conftest (its
    fixtures come from pytest; its constants are in tongban.testing)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        module = node.module.split(".")
        foreign = module[:1] == ["tongban"] and (
            module[1:] == ["conftest"] or (module[2:3] == ["tests"] and module[1] != own_app)
        )
        if foreign:
            found.append(f"{node.lineno} {node.module}")
    return found


def test_no_test_imports_another_apps_conftest():
    found = []
    for path in sorted((SRC / "tongban").rglob("*.py")):
        parts = path.relative_to(SRC / "tongban").parts
        own = parts[0] if len(parts) > 1 else ""
        found += [f"{path}:{hit}" for hit in foreign_conftest_imports(path.read_text(), own)]
    for path in sorted(E2E.glob("*.py")):
        found += [f"{path}:{hit}" for hit in foreign_conftest_imports(path.read_text(), "")]
    assert found == []


def test_the_check_tells_a_foreign_conftest_from_the_apps_own():
    source = (
        "from tongban.cases.tests.conftest import at\n"
        "from tongban.ratings.tests.conftest import complete_case\n"
        "from tongban.conftest import PASSWORD\n"
        "from tongban.testing.clock import at\n"
        "from tongban.catalog.tests import conftest\n"
        "from tongban.licences.tests.test_issuing import approved_and_completed\n"
        "from tongban.ratings.tests.test_policy import PASSWORD\n"
    )
    assert foreign_conftest_imports(source, "ratings") == [
        "1 tongban.cases.tests.conftest",
        "3 tongban.conftest",
        "5 tongban.catalog.tests",
        "6 tongban.licences.tests.test_issuing",
    ]
