"""click's own usage errors and help headings, in the consultant's language.

click writes its messages in English ("Error: Missing option '--from'."). They are told here in
Norwegian from the exception's own fields where it has them (which option is missing, which
option or command is unknown and what comes close) and otherwise by the message patterns of
click's parameter types. The exit code stays click's: 2 for a usage error. A message this
module does not know is shown as click wrote it, after «Feil:».
"""

from __future__ import annotations

import difflib
import re
import sys
from typing import Any

import click
from click.exceptions import BadParameter, MissingParameter, NoArgsIsHelpError, NoSuchOption

# click's messages of its parameter types and its parser, as patterns -> Norwegian.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), n)
    for p, n in (
        (r"^'(?P<v>.*)' is not a valid integer range\.$", "«{v}» er ikke et heltall"),
        (r"^'(?P<v>.*)' is not a valid integer\.$", "«{v}» er ikke et heltall"),
        (r"^'(?P<v>.*)' is not a valid float( range)?\.$", "«{v}» er ikke et tall"),
        (r"^'(?P<v>.*)' is not a valid boolean\..*$", "«{v}» er ikke ja eller nei (true/false)"),
        (r"^(?P<v>.*) is not in the range (?P<r>.*)\.$", "{v} er utenfor det tillatte området {r}"),
        (r"^(File|Directory|Path) '(?P<v>.*)' does not exist\.$", "«{v}» finnes ikke"),
        (r"^(File|Directory|Path) '(?P<v>.*)' is a directory\.$", "«{v}» er en mappe, ikke en fil"),
        (r"^(File|Directory|Path) '(?P<v>.*)' is a file\.$", "«{v}» er en fil, ikke en mappe"),
        (r"^(File|Directory|Path) '(?P<v>.*)' is not readable\.$", "«{v}» kan ikke leses"),
        (r"^(File|Directory|Path) '(?P<v>.*)' is not writable\.$", "«{v}» kan ikke skrives"),
        (r"^Option '(?P<v>.*)' requires an argument\.$", "valget «{v}» trenger en verdi"),
        (r"^Option '(?P<v>.*)' requires (?P<n>\d+) arguments\.$", "valget «{v}» trenger {n} verdier"),
        (r"^Option '(?P<v>.*)' does not take a value\.$", "valget «{v}» tar ingen verdi"),
        (r"^Got unexpected extra arguments? \((?P<v>.*)\)$", "uventet argument: {v}"),
        (r"^Missing command\.$", "mangler en kommando"),
        (r"^Argument '(?P<v>.*)' takes (?P<n>\d+) values\.$", "argumentet «{v}» tar {n} verdier"),
        # Last: click's Choice, "'x' is not one of 'a', 'b'." (or "is not 'a'." with one choice).
        (r"^'(?P<v>.*)' is not (one of )?(?P<c>'.*')\.$", "«{v}» er ikke et av valgene {c}"),
    )
)

_HELP_TEXTS = {
    "Show this message and exit.": "Vis denne hjelpen og avslutt.",
    "Show the version and exit.": "Vis versjonen og avslutt.",
}
_SECTIONS = {
    "Options": "Valg",
    "Commands": "Kommandoer",
    "Arguments": "Argumenter",
    "Positional arguments": "Argumenter",
}


def translate(message: str) -> str:
    """One of click's messages in Norwegian (unchanged when it is not one click writes)."""
    for pattern, norwegian in _PATTERNS:
        found = pattern.match(message)
        if found:
            return norwegian.format(**found.groupdict())
    return message


def _hint(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.human_readable_name


def message(exc: click.UsageError) -> str:
    """The line after «Feil:» for a usage error."""
    ctx = exc.ctx
    if isinstance(exc, MissingParameter):
        param = exc.param
        what = "valget" if isinstance(param, click.Option) else "argumentet"
        hint = exc.param_hint if isinstance(exc.param_hint, str) else _hint(param, ctx)
        return f"mangler {what} «{hint}»" if hint else "mangler en verdi"
    if isinstance(exc, BadParameter):
        hint = exc.param_hint if isinstance(exc.param_hint, str) else _hint(exc.param, ctx)
        text = translate(exc.message)
        return f"ugyldig verdi for «{hint}»: {text}" if hint else f"ugyldig verdi: {text}"
    if isinstance(exc, NoSuchOption):
        text = f"ukjent valg «{exc.option_name}»"
        close = sorted(exc.possibilities or ())
        return text + (f"; mente du {' eller '.join(f'«{c}»' for c in close)}?" if close else "")
    return translate(exc.message)


def show(exc: click.UsageError) -> None:
    """Print a usage error as click would, in Norwegian: usage, where to find help, the error."""
    if isinstance(exc, NoArgsIsHelpError):  # no command given: the help page, as click shows it
        exc.show()
        return
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            names = ctx.help_option_names
            lines.append(f"Prøv «{ctx.command_path} {names[-1] if names else '--help'}» for hjelp.")
        lines.append("")
    lines.append(f"Feil: {message(exc)}")
    click.echo("\n".join(lines), err=True)


def no_such_command(ctx: click.Context, name: str, known: list[str]) -> click.UsageError:
    """An unknown command, with the closest known ones."""
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    hint = f"; mente du {' eller '.join(f'«{c}»' for c in close)}?" if close else ""
    return click.UsageError(f"ukjent kommando «{name}»{hint}", ctx)


def run_main(group: click.Group, main: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """click's ``main`` with its usage errors and "Aborted!" told in Norwegian (exit codes unchanged)."""
    if not kwargs.get("standalone_mode", True):
        return main(*args, **kwargs)
    kwargs["standalone_mode"] = False
    try:
        result = main(*args, **kwargs)
    except click.UsageError as exc:
        show(exc)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Feil: {translate(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Avbrutt.", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)


class Formatter(click.HelpFormatter):
    """Help pages with Norwegian headings («Bruk:», «Valg»)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(
            prog,
            args.replace("[OPTIONS]", "[VALG]").replace("COMMAND [ARGS]...", "KOMMANDO [ARGUMENTER]..."),
            "Bruk: " if prefix is None else prefix,
        )

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _HELP_TEXTS.get(text, text)) for term, text in rows], col_max, col_spacing)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_SECTIONS.get(heading, heading))


class Context(click.Context):
    formatter_class = Formatter
