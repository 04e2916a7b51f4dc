"""Tone: a reply that reads as angry, shouting or sarcastic undoes the conversation it is trying to have.

All of these warn rather than block: the councillor knows the resident and the
context, and a gentle second look is the point.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import regex

from networked_councillor.replies.context import Finding, ReplyContext, pattern_check

log = logging.getLogger(__name__)

NEGATIVE_CONFIDENCE = 0.8
"""How sure the sentiment model must be that a draft is negative before saying so."""

_CAPS_WORD = regex.compile(r"(?<![\p{L}\p{N}'’])\p{Lu}[\p{Lu}'’]*\p{Lu}(?![\p{L}\p{N}'’])")
_BETWEEN_CAPS = regex.compile(r"[^\p{L}\p{N}]*")
_VOWELS = frozenset("AEIOUY")
# Acronyms with vowels in them (ones without, like NHS or CCTV, are recognised as acronyms anyway).
ACRONYMS = frozenset("""
    NATO SEND SENCO SEMH ULEZ OFSTED OFCOM OFGEM OFWAT UNICEF UNESCO NICE ACAS DEFRA AONB SUDS PACE NEET EHCP
    CAMHS MASH RSPCA RNLI COVID UKIP IOPC PCSO PSPO ESOL ANPR ASAP DVLA UNISON
""".split())

_PUNCTUATION_RUN = re.compile(r"[!?]*(?:!{2,}|\?!|!\?|\?{3,})[!?]*")
_SARCASM = re.compile(
    r"\b(?:yeah,? right|thanks for nothing|oh,? (?:great|wonderful|brilliant|marvellous|lovely)|"
    r"clearly you|obviously you|as I(?:(?:'|’)ve| have)? (?:already )?(?:said|explained)(?: before)?|"
    r"good luck with that|nice try|if you(?:(?:'|’)d| had) (?:bothered|actually read)|not my problem|"
    r"with (?:all )?due respect|well done you|heaven forbid|funny how|shock,? horror)\b",
    re.IGNORECASE)
_SCARE_QUOTES = re.compile(r"(?<![\w\"“])[\"“]([a-z][\w-]*)[\"”](?![\w\"”])|(?<![\w'‘’])['‘]([a-z][\w-]*)['’](?![\w'’])")


def check_negative_tone(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    if ctx.sentiment is None or len(text.split()) < 3:
        return
    try:
        label, score = ctx.sentiment(text)
    except Exception:  # a model failing must not stop the councillor typing
        log.warning("the sentiment model could not read a draft", exc_info=True)
        return
    if label == "negative" and score >= NEGATIVE_CONFIDENCE:
        yield Finding("negative_tone", "warn", "This reads as negative or cross.",
                      "Read it as the resident will: thank them, say what you will do, and leave out anything "
                      "you would not say to their face.", (0, len(text)))


def _shouted(word: str) -> bool:
    letters = word.replace("'", "").replace("’", "")
    return len(letters) >= 4 and bool(_VOWELS.intersection(letters)) and letters not in ACRONYMS


def check_shouting(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    """Words in capitals (not acronyms such as NHS, HGV or SEND), as one finding per stretch."""
    run: list[regex.Match] = []
    for m in [*_CAPS_WORD.finditer(text), None]:
        if m is not None and run and _BETWEEN_CAPS.fullmatch(text, run[-1].end(), m.start()):
            run.append(m)
            continue
        if any(_shouted(w.group()) for w in run):
            yield Finding("shouting", "warn", "Words in capitals read as shouting.",
                          "Write them in lower case; use a word like “really” if you need emphasis.",
                          (run[0].start(), run[-1].end()))
        run = [m] if m is not None else []


check_punctuation_runs = pattern_check(
    "punctuation_run", "warn", _PUNCTUATION_RUN, "“{match}” can read as exasperated or shouting.",
    "Use a single full stop, question mark or exclamation mark.")

check_sarcasm = pattern_check(
    "sarcasm", "warn", _SARCASM, "“{match}” can read as sarcastic, especially in writing.",
    "Say what you mean plainly: residents read replies literally and others read them too.")

check_scare_quotes = pattern_check(
    "scare_quotes", "info", _SCARE_QUOTES, "Quotation marks around a single word ({match}) can read as sarcastic.",
    "Remove the quotation marks unless you are quoting someone.")
