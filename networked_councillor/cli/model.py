"""`networked-councillor model ...` and `topics ...`: the local tagger from the command line."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError, NcError, TaggerError
from networked_councillor.cli.args import EXIT_OK, MAX_ID, count_between


def add_parsers(commands) -> None:
    model = commands.add_parser("model", help="the local topic and sentiment model").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    model.add_parser("info", help="which model is in use, what it was trained on, how well it does")
    model.add_parser("train", help="retrain with your corrections and topics, then re-tag every item "
                                   "(maintainers rebuild the shipped model with models/build.py)")
    evaluate = model.add_parser(
        "evaluate", help="precision, recall and F1 on labelled posts: your own (--data) or the held-out examples")
    evaluate.add_argument("--variant", choices=("auto", "int8", "fp32", "both"), default="auto")
    evaluate.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    evaluate.add_argument("--data", type=Path, metavar="FILE",
                          help="your own labelled posts: a CSV with a text column and a topic and/or sentiment "
                               "column (or JSON Lines with those keys)")
    classify = model.add_parser("classify", help="tag a file of texts: one per line, or a CSV with a text column")
    classify.add_argument("--in", dest="infile", type=Path, required=True)
    classify.add_argument("--out", dest="outfile", type=Path, required=True)
    setting = model.add_parser("set", help="choose the encoder path (auto, int8, fp32) or your own model folders")
    setting.add_argument("key", choices=("variant", "encoder", "sentiment"))
    setting.add_argument("value", help="variant: auto|int8|fp32; encoder/sentiment: a folder, or 'default'")
    correct = model.add_parser("correct", help="correct an item's topic or sentiment (teaches the model)")
    correct.add_argument("item", type=count_between(1, MAX_ID))
    correct.add_argument("--topic")
    correct.add_argument("--sentiment", choices=("negative", "neutral", "positive"))

    topics = commands.add_parser("topics", help="list the topics; add or remove your own").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    topics.add_parser("list", help="the default topics and your own")
    add = topics.add_parser("add", help="a topic of your own: it works at once, by its description and examples")
    add.add_argument("name")
    add.add_argument("--description", required=True)
    add.add_argument("--example", action="append", default=[], help="an example post (repeatable)")
    remove = topics.add_parser("remove", help="remove one of your topics")
    remove.add_argument("id")


def cmd_model(app, args) -> int:
    return _MODEL_ACTIONS[args.action](app, args)


def _info(app, args) -> int:
    from networked_councillor.tagger.learning import heads_folder, model_settings, user_heads_dir

    settings = model_settings(app.store)
    own = user_heads_dir(app.data_dir)
    folder = heads_folder(app.data_dir)
    print(f"Encoder path setting: {settings['variant'] or 'auto'}"
          + (f"; own encoder {settings['encoder_path']}" if settings["encoder_path"] else ""))
    if settings["sentiment_path"]:
        print(f"Sentiment model: {settings['sentiment_path']}")
    try:
        tagger = app.load_tagger()
    except TaggerError as exc:
        print(f"The model cannot be loaded: {exc}")
        return 2
    print(f"Encoder: {tagger.encoder.name} ({tagger.encoder.variant}), {tagger.encoder.dim} dimensions")
    meta = tagger.heads.meta
    print(f"Heads: {folder} ({'retrained on this computer' if folder == own else 'as shipped'}), "
          f"version {tagger.version}, trained {meta.get('trained_at', '?')}")
    print(f"Trained on: {meta.get('examples', {})}")
    print(f"Topics: {', '.join(tagger.topic_ids)}")
    from networked_councillor.tagger.figures import headline

    print("How well it does (measured when it was built; `model evaluate --data FILE` checks your own posts):")
    for line in headline(meta):
        print(f"  {line}")
    return EXIT_OK


def _train(app, args) -> int:
    from networked_councillor.cli.progress import ProgressBar
    from networked_councillor.tagger.learning import retrain

    bar = ProgressBar() if sys.stderr.isatty() else (lambda f, m: None)
    heads = retrain(app.store, app.data_dir, progress=bar)
    print(f"\nTrained {heads.version} on {heads.meta['examples']}.")
    _retag_everything(app)
    return EXIT_OK


def _evaluate(app, args) -> int:
    from networked_councillor.tagger.encoder import load_encoder
    from networked_councillor.tagger.model import LocalTagger
    from networked_councillor.tagger.training import evaluate, load_labelled, load_split

    examples = load_labelled(args.data) if args.data else load_split("heldout")
    where = f"posts from {args.data.name}" if args.data else "held-out posts written for this repository (not real residents)"
    heads = app.load_tagger().heads
    variants = ("int8", "fp32") if args.variant == "both" else (args.variant,)
    figures = {}
    for variant in variants:
        tagger = LocalTagger(load_encoder(variant), heads)
        reports = dict(zip(("topic", "sentiment"), evaluate(tagger, examples), strict=True))
        for kind, report in reports.items():
            if report is not None:
                print(report.table(f"{kind.capitalize()} ({tagger.encoder.variant} encoder, "
                                   f"{sum(report.support.values())} {where})"))
                print()
        figures[tagger.encoder.variant] = {kind: r.as_dict() for kind, r in reports.items() if r is not None}
    if len(figures) == 2:
        for kind in figures["int8"]:
            delta = figures["int8"][kind]["accuracy"] - figures["fp32"][kind]["accuracy"]
            print(f"int8 - fp32 {kind} accuracy: {delta:+.3f}")
    if not args.data:
        from networked_councillor.tagger.figures import headline

        print("On real public posts (measured when the model was built; see models/README.md):")
        for line in headline(heads.meta):
            print(f"  {line}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"Wrote {args.json}.")
    return EXIT_OK


def read_texts(path: Path) -> list[str]:
    """One text per line, or a CSV file with a `text` column (quoted newlines allowed)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"Could not read {path} ({exc.strerror}).") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text.") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw))
        if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
            raise ConfigError(f"{path} has no 'text' column (its columns: {', '.join(reader.fieldnames or [])}).")
        column = next(f for f in reader.fieldnames if f.strip().lower() == "text")
        return [row[column] or "" for row in reader]
    return raw.splitlines()


def _classify(app, args) -> int:
    texts = read_texts(args.infile)
    tagger = app.load_tagger()
    vectors = tagger.embed(texts)
    results = tagger.classify(vectors, texts)
    scores = tagger.all_topic_scores(vectors, texts)
    with args.outfile.open("w", encoding="utf-8") as out:
        for text, result, all_scores in zip(texts, results, scores, strict=True):
            out.write(json.dumps({
                "text": text,
                "topic": result.topics[0][0],
                "topics": [{"id": t, "score": s} for t, s in result.topics],
                "topic_scores": all_scores,
                "sentiment": result.sentiment[0],
                "sentiment_score": result.sentiment[1],
                "topic_unsure": result.topic_unsure,
                "sentiment_unsure": result.sentiment_unsure,
            }, ensure_ascii=False) + "\n")
    print(f"Tagged {len(texts)} texts into {args.outfile} ({tagger.version}).")
    return EXIT_OK


def _set(app, args) -> int:
    from networked_councillor.store import settings as settings_store

    key = {"variant": "model.variant", "encoder": "model.encoder_path", "sentiment": "model.sentiment_path"}[args.key]
    value: str | None = args.value
    if args.key == "variant" and value not in ("auto", "int8", "fp32"):
        raise ConfigError("The variant must be auto, int8 or fp32.")
    if args.key != "variant":
        value = None if value == "default" else str(Path(value).expanduser().resolve())
    with app.store.read() as db:
        previous = settings_store.get_setting(db, key)
    app.perform(settings_store.save_settings, {key: value})
    try:
        tagger = app.load_tagger(reload=True)  # proves the choice works before keeping it
    except NcError:
        app.perform(settings_store.save_settings, {key: previous})
        raise
    print(f"Now using {tagger.version} ({tagger.encoder.variant} encoder).")
    return EXIT_OK


def _correct(app, args) -> int:
    from networked_councillor.store import tags as tag_store

    if not args.topic and not args.sentiment:
        raise ConfigError("Say what to correct: --topic ID and/or --sentiment LABEL.")
    if args.topic and args.topic not in app.load_tagger().topic_ids:
        raise ConfigError(f"Unknown topic {args.topic!r}; see `topics list`.")
    for kind, label in (("topic", args.topic), ("sentiment", args.sentiment)):
        if label:
            app.perform(tag_store.correct, args.item, kind, label, clock.now_iso())
    print(f"Item {args.item} corrected. It teaches the model at the next `model train`.")
    return EXIT_OK


def cmd_topics(app, args) -> int:
    from networked_councillor.store import tags as tag_store
    from networked_councillor.tagger.topics import default_topics, make_user_topic

    if args.action == "list":
        for topic in default_topics():
            print(f"{topic.id:<28} {topic.name}")
        with app.store.read() as db:
            own = tag_store.user_topics(db)
        for topic in own:
            print(f"{topic['id']:<28} {topic['name']} (yours: {topic['description']})")
        return EXIT_OK
    if args.action == "add":
        topic = make_user_topic(args.name, args.description, args.example)
        app.perform(tag_store.save_user_topic, topic.id, topic.name, topic.description, topic.examples,
                    clock.now_iso())
        print(f"Added topic {topic.id}.")
    else:
        if not app.perform(tag_store.remove_user_topic, args.id):
            raise ConfigError(f"You have no topic {args.id!r} (the default topics cannot be removed).")
        print(f"Removed topic {args.id}.")
    _retag_everything(app)
    return EXIT_OK


def _retag_everything(app) -> None:
    """Topics changed: re-tag the stored items now, from their stored embeddings (no encoding needed)."""
    from networked_councillor.cli.progress import ProgressBar
    from networked_councillor.tagger.learning import retag

    bar = ProgressBar() if sys.stderr.isatty() else (lambda f, m: None)
    count = retag(app.store, app.load_tagger(reload=True), progress=bar)
    print(f"Re-tagged {count} items.")


_MODEL_ACTIONS = {"info": _info, "train": _train, "evaluate": _evaluate, "classify": _classify, "set": _set,
                  "correct": _correct}


HANDLERS = {"model": cmd_model, "topics": cmd_topics}
