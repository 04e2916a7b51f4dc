"""How many corrections it takes to fix a systematic error on a new ward.

A new ward is a city the model never saw: the heads are built without one
public set of street reports (as `models/build.py --hold-out` does). On that
city, the model's most frequent confusion (true topic A, shown as B) is the
systematic error. A councillor corrects N of those posts; the heads are
retrained from the built ones exactly as the app's Retrain does
(`training.train(prior=...)`, the written examples plus the corrections); the
figures are on the confused posts that were not corrected, and on the whole
city, before and after.

    python models/data/get_public.py && python bench/corrections.py [--city fixmystreet_oswestry]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "models"))
sys.path.insert(0, str(ROOT))

import build

from networked_councillor.tagger import training
from networked_councillor.tagger.model import LocalTagger


def topics_of(tagger, examples) -> list[str]:
    texts = [e.text for e in examples]
    return [r.topics[0][0] for r in tagger.classify(tagger.embed(texts), texts)]


def accuracy(tagger, examples) -> float:
    return sum(t == e.topic for t, e in zip(topics_of(tagger, examples), examples, strict=True)) / len(examples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", default="fixmystreet_oswestry", help="the public set that plays the new ward")
    parser.add_argument("--counts", type=int, nargs="*", default=[5, 10, 20, 40])
    args = parser.parse_args()

    parts = build.load_all(hold_out=(args.city,))
    city = parts[f"test:unseen:{args.city}"]
    encoder = build.CachedEncoder("int8")
    built = training.train(encoder, parts["train"], vectors=encoder.embed([e.text for e in parts["train"]]))
    validation = parts["validation"]
    training.calibrate(built, encoder.embed([e.text for e in validation]), validation)
    tagger = LocalTagger(encoder, built)
    guesses = topics_of(tagger, city)
    confusion = Counter((e.topic, g) for e, g in zip(city, guesses, strict=True) if e.topic != g)
    (truth, shown), size = confusion.most_common(1)[0]
    confused = [e for e, g in zip(city, guesses, strict=True) if (e.topic, g) == (truth, shown)]
    random.Random(0).shuffle(confused)
    print(f"New ward: {args.city}, {len(city)} reports, topic accuracy {accuracy(tagger, city):.3f} "
          f"with the heads built without it.")
    print(f"Its most frequent confusion: {truth} shown as {shown} ({size} reports).")
    counts = [c for c in args.counts if c <= size // 2] or [size // 2]
    held_back = confused[max(counts):]
    print(f"Scored on the {len(held_back)} confused reports never corrected, and on the whole city.")
    print(f"{'corrections':>11} {'confused now right':>19} {'rest of the city':>17}")
    print(f"{0:>11} {0.0:>19.0%} {accuracy(tagger, city):>17.3f}")
    written = training.load_split("train")
    for count in counts:
        taught = [training.Example(e.text, e.topic, None, origin="correction") for e in confused[:count]]
        examples = written + taught
        retrained = training.train(encoder, examples, prior=built, vectors=encoder.embed([e.text for e in examples]))
        after = LocalTagger(encoder, retrained)
        fixed = sum(t == truth for t in topics_of(after, held_back)) / len(held_back)
        rest = [e for e in city if e not in confused[:count]]
        print(f"{count:>11} {fixed:>19.0%} {accuracy(after, rest):>17.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
