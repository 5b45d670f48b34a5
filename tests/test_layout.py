"""The apps stand in one order (README, "Apps"): each may import only the apps below it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top, as INSTALLED_APPS lists them.
ORDER = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(ORDER)


def test_every_app_is_in_the_order():
    assert ORDER == [
        "catalog",
        "staff",
        "integrations",
        "inventory",
        "customers",
        "offers",
        "products",
        "orders",
        "floor",
        "messaging",
        "clientbook",
        "dashboard",
        "privacy",
        "clienteling",
    ]


@pytest.mark.parametrize("app", ORDER)
def test_no_app_imports_one_above_it(app):
    below = set(ORDER[: ORDER.index(app) + 1])
    upward = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - below)
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: apps for path, apps in upward.items() if apps} == {}


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from floor.models import Visit\nimport dashboard.selectors\n")
    assert imported_apps(module) == {"floor", "dashboard"}
