"""The README stays true to the code: every setting and every command is documented."""

from assistant.cli import build_parser
from assistant.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table():
    missing = [
        f"NPNRU_{name.upper()}"
        for name in Settings.model_fields
        if f"`NPNRU_{name.upper()}`" not in README
    ]
    assert missing == []


def test_every_cli_command_is_in_the_readme():
    commands = build_parser()._subparsers._group_actions[0].choices
    assert sorted(commands) == ["ask", "eval", "ingest", "map", "quiz", "search", "stats", "ui"]
    assert all(f"`npnru {name}" in README for name in commands)


def test_readme_opens_with_the_two_commands_ci_runs():
    head = README.split("\n## ", 1)[0]
    assert "make run" in head and "make test" in head
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
