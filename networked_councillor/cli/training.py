"""`networked-councillor training handouts --out DIR`: the session's handouts as PDFs to print."""

from __future__ import annotations

from pathlib import Path


def add_parsers(commands) -> None:
    training = commands.add_parser("training", help="training sessions: print the handouts (open the training "
                                   "workspace with --training)").add_subparsers(dest="action", metavar="ACTION",
                                                                               required=True)
    handouts = training.add_parser("handouts", help="the facilitator guide, quick reference and exercise sheet "
                                   "as PDFs")
    handouts.add_argument("--out", type=Path, default=Path("handouts"), help="the folder (default: ./handouts)")


def cmd_training(app, args) -> int:
    from networked_councillor.printing.handouts import write_handouts

    for path in write_handouts(args.out):
        print(f"wrote {path}")
    return 0


HANDLERS = {"training": cmd_training}
