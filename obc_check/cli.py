"""The ``obc-check`` command line (typer).

Each command parses options, calls one library function, prints and exits. Exit status
per CLI.md: 0 all good, 1 breaches found (or incomplete with --strict), 2 invalid input (or,
with --strict, any warning: the input is valid but almost certainly not what was meant),
3 an internal error. Bad input never ends in a traceback; a bug ends in one line (E099) and
exit 3, so a crash can never be mistaken for a result (see :mod:`obc_check.cli_guard`).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from obc_check.cli_guard import GuardedGroup, exit_for, hoist_debug
from obc_check.diagnostics import (
    Diagnostic,
    cap_per_code,
    count_errors,
    has_errors,
    render_json,
    render_text,
)
from obc_check.dsl import Compiled, compile_file
from obc_check.textsafe import printable

app = typer.Typer(
    name="obc-check",
    help="Rules-as-code for outcomes-based contracts: compile, check, render.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=GuardedGroup,
)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option(
        "--debug", help="on an internal error (exit 3), also print the Python traceback")] = False,
) -> None:
    """Rules-as-code for outcomes-based contracts: compile, check, render."""


class DiagFormat(StrEnum):
    """Output formats of ``validate``."""

    text = "text"
    json = "json"


def _print_diagnostics(results: list[Compiled], fmt: DiagFormat = DiagFormat.text) -> None:
    diags = cap_per_code([d for r in results for d in r.diagnostics])
    if fmt is DiagFormat.json:
        typer.echo(render_json(diags))
        return
    if diags:
        sources = {r.file: r.source for r in results}
        typer.echo(render_text(diags, sources), err=True)


def load_contract(path: Path, *, warnings: bool = False) -> Compiled:
    """Compile one contract for a command that needs it, exiting 2 with diagnostics.

    With ``warnings``, the contract's warnings (W codes) are printed too, as ``check`` does.
    """
    result = compile_file(path)
    if warnings and result.ok and result.diagnostics:
        _print_diagnostics([result])
    if not result.ok:
        _print_diagnostics([result])
        n = sum(1 for d in result.diagnostics if d.severity == "error")
        typer.echo(f"{printable(str(path))}: {n} error{'s' if n != 1 else ''}; the contract "
                   "does not compile", err=True)
        raise typer.Exit(exit_for(result.diagnostics))
    return result


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="contract files (.obc)")],
    format: Annotated[DiagFormat, typer.Option("--format", help="text or json")] = (
        DiagFormat.text),
    strict: Annotated[bool, typer.Option(
        "--strict", help="exit 2 also when there are warnings (W codes)")] = False,
) -> None:
    """Parse and statically check contracts; print every diagnostic."""
    results = [compile_file(f) for f in files]
    _print_diagnostics(results, format)
    bad = [r for r in results if has_errors(r.diagnostics) or r.contract is None]
    warned = [r for r in results if r not in bad and r.diagnostics]
    if format is DiagFormat.text:
        for r in results:
            if r not in bad:
                n = len(r.diagnostics)
                typer.echo(f"{printable(r.file)}: ok"
                           + (f", {n} warning{'s' if n != 1 else ''}" if n else ""))
    if bad:
        raise typer.Exit(exit_for([d for r in bad for d in r.diagnostics]))
    raise typer.Exit(2 if strict and warned else 0)


@app.command("compile")
def compile_cmd(
    file: Annotated[Path, typer.Argument(help="a contract file (.obc)")],
) -> None:
    """Print the compiled contract as JSON (no source positions)."""
    result = load_contract(file)
    assert result.contract is not None
    typer.echo(result.contract.model_dump_json(indent=2, by_alias=True))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the compiled contract and of the report."""
    from obc_check.schemas import all_schemas

    typer.echo(json.dumps(all_schemas(), indent=2))


@app.command("fmt")
def fmt_cmd(
    files: Annotated[list[Path], typer.Argument(help="contract files (.obc); - for stdin")],
    check: Annotated[bool, typer.Option(
        "--check", help="change nothing; list the files that would change, exit 1 if any")] = False,
) -> None:
    """Rewrite contracts in canonical layout (see docs/fmt.md)."""
    from obc_check.dsl.format import FormatError, Formatted, format_file, format_stream

    changed: list[str] = []
    bad = streamed = 0
    for path in files:
        try:
            result: Formatted = (format_stream(sys.stdin.buffer, "-") if str(path) == "-"
                                 else format_file(path))
        except FormatError as err:
            typer.echo(f"{err} (a bug in obc-check fmt: please report it)", err=True)
            bad += 1
            continue
        if result.text is None:
            _print_diagnostics([Compiled(result.file, result.source, None, result.diagnostics)])
            typer.echo(f"{printable(result.file)}: not formatted; the file is unchanged", err=True)
            bad += 1
            continue
        if str(path) == "-" and not check:
            typer.echo(result.text, nl=False)
            streamed += 1
            continue
        if result.changed:
            changed.append(result.file)
            if check:
                typer.echo(f"would reformat {printable(result.file)}")
            else:
                path.write_text(result.text, encoding="utf-8")
                typer.echo(f"reformatted {printable(result.file)}")
    n, same = len(changed), len(files) - len(changed) - bad - streamed
    verb = "would be reformatted" if check else "reformatted"
    if streamed < len(files):  # stdin → stdout needs no summary
        typer.echo(f"{n} file{'s' if n != 1 else ''} {verb}, {same} file{'s' if same != 1 else ''} "
                   "already formatted" + (f", {bad} not formatted" if bad else ""), err=True)
    raise typer.Exit(2 if bad else 1 if check and changed else 0)


@app.command()
def check(
    contract: Annotated[Path, typer.Argument(help="a contract file (.obc)")],
    data: Annotated[Path, typer.Option(
        "--data", help="the data bundle: a folder of CSV files, a .json or an .xlsx file")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE",
        help="assess as things stood at the end of this day (YYYY-MM-DD); default today")] = None,
    format: Annotated[str, typer.Option(
        "--format", metavar="text|json|junit|markdown", help="report format")] = "text",
    strict: Annotated[bool, typer.Option(
        "--strict", help="exit 1 also when indicator values are missing or insufficient; "
                         "exit 2 when the contract or the data has warnings")] = False,
    explain_id: Annotated[str | None, typer.Option(
        "--explain", metavar="ID",
        help="print how one indicator's, obligation's, gateway's or price's figures "
             "are derived")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", metavar="duckdb|spark",
        help="the query engine that counts measures over records (DuckDB in process, the "
             "default; Spark is not yet available)")] = "duckdb",
    spark_remote: Annotated[str | None, typer.Option(
        "--spark-remote", metavar="URL",
        help="a Spark Connect cluster (sc://HOST:PORT) for --engine spark")] = None,
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", metavar="DIR",
        help="write one CSV per measured indicator and year into DIR (created if need be): "
             "the records each measure counted")] = None,
) -> None:
    """Evaluate the data against the contract: payments, obligations, penalties."""
    import os

    from obc_check.checker.check import check_bundle, exit_status, parse_as_of
    from obc_check.checker.data.load import bundle_sources
    from obc_check.checker.engine import unavailable_engine
    from obc_check.checker.engine.evidence import EvidenceError
    from obc_check.checker.report import ReportFormat, render
    from obc_check.checker.report.explain import UnknownIdError, explain, explain_json

    if format not in {f.value for f in ReportFormat}:
        typer.echo(f"obc-check check: --format {format!r} is not one of text, json, junit, "
                   "markdown", err=True)
        raise typer.Exit(2)
    why = unavailable_engine(engine, spark_remote)
    if why is not None:
        typer.echo(f"obc-check check: {printable(why)}", err=True)
        raise typer.Exit(2)
    fmt = ReportFormat(format)
    try:
        day = parse_as_of(as_of)
    except ValueError as err:
        typer.echo(f"obc-check check: {err}", err=True)
        raise typer.Exit(2) from None
    if evidence is not None and evidence.exists() and not evidence.is_dir():
        typer.echo(f"obc-check check: --evidence {printable(str(evidence))} is a file, not a "
                   "folder; give a folder (it is created if it does not exist)", err=True)
        raise typer.Exit(2)
    compiled = load_contract(contract, warnings=True)
    assert compiled.contract is not None
    try:
        report, diags = check_bundle(compiled.contract, data, day, evidence)
    except EvidenceError as err:
        typer.echo(f"obc-check check: {printable(str(err))}", err=True)
        raise typer.Exit(2) from None
    if as_of is None and report is not None and _in_ci():  # only a result that ran can vary
        diags = [*diags, Diagnostic(
            "W007", f"no --as-of in CI: assessed as of today, {day}, so the result changes "
            "with the day the job runs", None,
            "pass --as-of DATE (e.g. the end of the last reporting period) for a result that "
            "stays the same", severity="warning", file="obc-check check")]
    warned = bool(compiled.diagnostics) or any(d.severity == "warning" for d in diags)

    def done(status: int) -> typer.Exit:
        """The exit: ``--strict`` turns any warning into 2 (the input is not as meant)."""
        return typer.Exit(2 if strict and warned else status)

    if diags:
        typer.echo(render_text(diags, bundle_sources(diags)), err=True)
    if report is None:
        n = count_errors(diags)  # with those only counted (at most 100 per code are shown)
        if fmt is ReportFormat.json:  # tools read the diagnostics, with the total, on stdout
            typer.echo(render_json(diags, total=True))
        typer.echo(f"{printable(str(data))}: {n:,} error{'s' if n != 1 else ''} in the data; "
                   "nothing was checked", err=True)
        raise typer.Exit(2)
    if explain_id is not None:
        try:
            how = explain_json if fmt is ReportFormat.json else explain
            typer.echo(how(compiled.contract, report, explain_id), nl=False)
        except UnknownIdError as err:
            typer.echo(f"obc-check check: --explain: {err}", err=True)
            raise typer.Exit(2) from None
        raise done(exit_status(report, strict))
    if fmt is ReportFormat.json:  # streamed: a big ledger's report is never one string
        report.write_json(sys.stdout)
        raise done(exit_status(report, strict))
    tty = sys.stdout.isatty()
    color = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    typer.echo(render(report, fmt, color=color), nl=False)
    raise done(exit_status(report, strict))


def _in_ci() -> bool:
    """True under a CI service: they set ``CI`` (to ``true``, ``1``, ...); ``false`` is not."""
    import os

    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@app.command("render")
def render_cmd(
    contract: Annotated[Path, typer.Argument(help="a contract file (.obc)")],
    format: Annotated[str, typer.Option(
        "--format", metavar="markdown|html|docx", help="output format")] = "markdown",
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE",
        help="write here instead of standard output (required for docx)")] = None,
) -> None:
    """Print the readable contract text for legal review (Markdown, HTML or Word)."""
    from obc_check.render import Format, render

    formats: dict[str, Format] = {"markdown": "markdown", "html": "html", "docx": "docx"}
    fmt = formats.get(format)
    if fmt is None:
        typer.echo(f"obc-check render: --format {format!r} is not one of markdown, html, docx",
                   err=True)
        raise typer.Exit(2)
    if fmt == "docx" and output is None:
        typer.echo("obc-check render: --format docx needs -o FILE (a Word file is not text)",
                   err=True)
        raise typer.Exit(2)
    if output is not None and output.exists() and output.resolve() == contract.resolve():
        typer.echo("obc-check render: -o names the contract itself; choose another file",
                   err=True)
        raise typer.Exit(2)
    compiled = load_contract(contract)
    assert compiled.contract is not None
    data = render(compiled.contract, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as err:
        typer.echo(f"obc-check render: cannot write {output}: {err.strerror}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{printable(str(output))}: written ({format})", err=True)


@app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="the earlier version of the contract (.obc)")],
    new: Annotated[Path, typer.Argument(help="the later version of the contract (.obc)")],
    format: Annotated[str, typer.Option(
        "--format", metavar="text|markdown|json", help="output format")] = "text",
) -> None:
    """What changed between two versions of a contract, stricter or looser for the provider.

    Exits 0 whether or not anything changed (1 is for breaches); 2 if either does not compile.
    """
    from obc_check.diff import diff_contracts, to_json, to_markdown, to_text

    writers = {"text": to_text, "markdown": to_markdown, "json": to_json}
    writer = writers.get(format)
    if writer is None:
        typer.echo(f"obc-check diff: --format {format!r} is not one of text, markdown, json",
                   err=True)
        raise typer.Exit(2)
    before, after = load_contract(old), load_contract(new)
    assert before.contract is not None and after.contract is not None
    typer.echo(writer(diff_contracts(before.contract, after.contract)), nl=False)


def main() -> None:
    """Console-script entry point."""
    try:
        app(args=hoist_debug(sys.argv[1:]))
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
