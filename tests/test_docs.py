"""Documentation is checked: every command and setting is documented, every command has help."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from sitroom.cli import app
from sitroom.settings import SETTINGS

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_readme_opens_with_the_two_commands():
    head = README[:800]
    assert "make demo" in head and "make test" in head


def test_every_command_has_a_readme_section_and_help():
    import typer.main

    group = typer.main.get_command(app)
    for name in command_names():
        assert re.search(rf"^### `sitroom {name}\b", README, re.M), f"README lacks a section for {name}"
        cmd = group.commands[name]
        assert cmd.help, f"{name} has no help text"
        for param in cmd.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.opts} has no help text"
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0


def test_every_setting_is_documented():
    for s in SETTINGS:
        assert f"SITROOM_{s.name.upper()}" in README, f"README lacks setting {s.name}"


def test_every_make_target_is_documented():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("install", "demo", "test", "eval", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M)
        assert f"make {target}" in README
