"""`networked-councillor`: the desktop app with no arguments, headless sub-commands otherwise."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from networked_councillor import __version__
from networked_councillor.base import paths
from networked_councillor.base.errors import NcError
from networked_councillor.cli import (
    briefing,
    casework,
    doctor,
    fetching,
    items,
    listening,
    model,
    privacy,
    shared,
    sources,
    training,
    ward,
)
from networked_councillor.cli.args import EXIT_ERROR

GROUPS = (sources, fetching, listening, items, briefing, ward, model, casework, shared, privacy, training, doctor)
"""The command groups, in the order `--help` lists them."""


class OneLineParser(argparse.ArgumentParser):
    """A mistake on the command line is one line and exit 2 (argparse prints the whole usage first)."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"Error: {message}. See `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="networked-councillor",
        description="Hear what your ward is saying, answer conversationally, and turn it into casework. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__} (model {paths.model_version()})")
    parser.add_argument("--data-dir", metavar="DIR", help="where the app keeps its data (default: $NC_DATA_DIR, "
                        "then your user data folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print what the app is doing")
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)  # the bundle's smoke test
    parser.add_argument("--training", action="store_true", help="open the training workspace (the demo ward, "
                        "guided exercises; nothing is posted or sent)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("gui", help="open the desktop app (the default)")
    for group in GROUPS:
        group.add_parsers(commands)
    return parser


def warn_if_synced(folder) -> None:
    service = paths.synced_by(folder)
    if service:
        print(f"Warning: the data folder {folder} is inside {service}, which can corrupt the app's database by "
              f"copying it while it is written. Keep it in {paths.local_data_dir()} (the default) instead.",
              file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        from networked_councillor.ui.main import run

        return run(args.data_dir, training=args.training, exit_when_shown=args.exit_when_shown)
    handler = next(group.HANDLERS[args.command] for group in GROUPS if args.command in group.HANDLERS)
    try:
        from networked_councillor.app import App
        from networked_councillor.demo import start_demo_services

        with App(args.data_dir, verbose=args.verbose) as app:
            warn_if_synced(app.data_dir)
            start_demo_services(app)
            return handler(app, args)
    except NcError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a fault of the app's, not of the input: one line here, the details in the log
        logging.getLogger(__name__).exception("`%s` failed unexpectedly", args.command)
        print(f"Error: something went wrong that the app did not expect ({type(exc).__name__}: {exc}). "
              "The details are in the log file in the app's data folder.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
