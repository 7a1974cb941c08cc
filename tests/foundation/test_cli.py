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
        assert callable(module.add_arguments), command.name
        assert callable(module.run), command.name
