import subprocess
import sys

from supportlens.cli import COMMANDS, main


def test_help_lists_every_subcommand_with_its_description() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "supportlens.cli", "--help"], capture_output=True, text=True
    ).stdout
    for command in COMMANDS:
        assert command.name in out
        assert command.help in out


def test_no_subcommand_prints_help_and_fails(capsys) -> None:
    assert main([]) == 2
    assert "commands" in capsys.readouterr().out


def test_every_command_module_exposes_the_convention() -> None:
    import importlib

    for command in COMMANDS:
        module = importlib.import_module(command.module)
        # add_arguments is optional: a command without options (publish) has none.
        assert callable(getattr(module, "add_arguments", print)), command.name
        assert callable(module.run), command.name


def test_a_command_without_options_parses_and_rejects_unknown_ones(capsys) -> None:
    import supportlens.commands.publish as publish

    assert not hasattr(publish, "add_arguments")
    try:
        main(["publish", "--no-such-option"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_no_command_module_imports_the_cli_back() -> None:
    """Commands get what they need from the CLI as arguments: no hidden import cycle."""
    import ast
    from pathlib import Path

    import supportlens

    offenders = []
    for path in Path(supportlens.__file__).parent.rglob("*.py"):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if "supportlens.cli" in names:
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders


def test_the_run_command_is_handed_the_dispatcher() -> None:
    from supportlens.cli import build_parser

    assert build_parser("run").parse_args(["run"]).dispatch is main
