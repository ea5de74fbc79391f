"""The `briefgen` command as installed: start what a PDF build will need, run the command, and
end the process without tearing the interpreter down.

Two costs of a one-PDF build are not briefgen's work and not WeasyPrint's either:

- Before the first layout worker can import WeasyPrint, the command line must be parsed, which
  means importing Typer and Rich and building every command (about 110 ms). So when the words
  say `build` or `watch` and may make a PDF, the worker is forked here, before any of that,
  and the command claims it (`briefgen.early`).
- When the command is done, Python would free every object and module before exiting (about
  60 ms for what a build has loaded). Nothing is left to do by then: the command has closed its
  workers and written its files atomically, so the process flushes its output and ends at
  once (`os._exit`).

`preview` of a print style takes the worker too (through `watch`). `briefgen.cli.main` stays
an ordinary function for tests and for `python -m briefgen`.
"""

from __future__ import annotations

import os
import sys

from . import early

#: Commands that lay out PDFs in workers (`preview` for a print style).
_LAYING_OUT = frozenset({"build", "watch", "preview"})


def main() -> None:
    argv = sys.argv[1:]
    if _may_lay_out(argv):
        early.start_early_worker()
    try:
        from .cli import main as run_command

        code = run_command(argv)
    finally:
        early.close_early_worker()  # not claimed: `--help`, or an error before the build
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _may_lay_out(argv: list[str]) -> bool:
    """Whether these words run `build` or `watch` for formats that may include PDF: a guess,
    made before the command line is parsed. A wrong yes costs a worker killed unused; a
    wrong no, the overlap."""
    words = [word for word in argv if not word.startswith("-")]
    if not words or words[0] not in _LAYING_OUT or "--help" in argv:
        return False
    if words[0] == "preview":  # the web style (the default) and --html show the HTML
        return "--html" not in argv and any(style != "web" for style in
                                             _values(argv, "-s", "--style"))
    return early.may_lay_out(_values(argv, "-f", "--format"))


def _values(argv: list[str], short: str, long: str) -> list[str]:
    """The values given to an option, as `-s memo`, `--style memo` or `--style=memo`."""
    given = [value for option, value in zip(argv, [*argv[1:], ""], strict=True)
             if option in (short, long)]
    return given + [word.split("=", 1)[1] for word in argv if word.startswith(f"{long}=")]
