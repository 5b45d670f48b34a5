"""README's demo, typed as written: the commands of "Watch the floor live" run in a second
terminal beside the server, without the demo's SECRET_KEY in the environment, and the
cards they send arrive on the associate's tablet."""

import os
import re
import shlex
import subprocess

from playwright.sync_api import expect

from tests.browser.conftest import ROOT, _database_url, on_the_floor
from tests.factories import ConsentFactory, CustomerFactory


def readme_commands(section: str) -> list[str]:
    """The shell lines of the code blocks under README's ``## section`` heading."""
    readme = (ROOT / "README.md").read_text()
    body = readme.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", body, flags=re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]


def second_terminal_env() -> dict:
    """A fresh terminal: none of the settings the tests or the demo server were given."""
    from django.conf import settings

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # The one thing shared with the running server: its database (here the tests').
    env["DATABASE_URL"] = _database_url(settings.DATABASES["default"])
    return env


def test_readme_simulate_command_works_as_written(tablets, live_server_url, associate, store):
    commands = readme_commands("Watch the floor live")
    assert commands, "README shows how to play the doorway"
    for first in ("Anna", "Bruno", "Chloé"):
        ConsentFactory(customer=CustomerFactory(first_name=first, last_name="Demo"))
    page = tablets()
    on_the_floor(page, live_server_url, associate.email)
    key_file = ROOT / ".venv" / "demo-secret-key"
    had_key = key_file.exists()
    try:
        for command in commands:
            args = shlex.split(command) + ["--events", "3", "--interval", "0"]
            args += ["--url", live_server_url]
            done = subprocess.run(  # noqa: S603 (README's own command)
                args,
                cwd=ROOT,
                env=second_terminal_env(),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
            assert "Set SECRET_KEY" not in done.stderr
            assert done.stdout.count("HTTP 202") >= 3, done.stdout
            # The newest client who agreed walks in first (in the demo, Jean Martin).
            first = next(line for line in done.stdout.splitlines() if "enter" in line)
            assert "Chloé Demo" in first, done.stdout
    finally:
        if not had_key:
            key_file.unlink(missing_ok=True)

    expect(page.get_by_test_id("floor-card")).to_have_count(3)


def test_every_run_command_in_readme_is_one_run_knows():
    usage = subprocess.run(  # noqa: S603
        [str(ROOT / "run")], cwd=ROOT, capture_output=True, text=True, check=False
    ).stderr
    readme = (ROOT / "README.md").read_text()
    for sub in set(re.findall(r"\./run (\w+)", readme)):
        assert f"./run {sub}" in usage, sub
