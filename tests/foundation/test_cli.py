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
