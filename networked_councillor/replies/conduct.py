"""Code of conduct and pre-election prompts, and the councillor's own list of words not to use.

The code of conduct asks councillors to treat officers with respect, keep
residents' cases confidential and not promise what they cannot deliver. In the
pre-election period (purdah) council resources must not be used for anything
that reads as campaigning. These are prompts to think again, not verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from networked_councillor.replies.context import Finding, ReplyContext, pattern_check

PURDAH_GUIDANCE = "Check your council's pre-election (purdah) guidance, or ask the monitoring officer."

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_OUTCOME = (r"(?:fixed|sorted(?: out)?|resolved|repaired|mended|replaced|removed|cleared|collected|stopped|done|"
            r"dealt with|taken care of|approved|refused|rejected|reinstated|put right)")
_WILL = r"(?:'ll|’ll| will| shall|(?:'|’)m going to| am going to| are going to)"
_PROMISES = re.compile(
    rf"\b(?:I|we){_WILL}(?: personally| definitely| absolutely)? (?:make sure|ensure|see to it|get)\b"
    rf"[^.!?\n]{{0,40}}?\b{_OUTCOME}\b"
    rf"|\b(?:it|this|that|they|these|those|the \w+){_WILL}(?: definitely| certainly| absolutely| soon)? (?:be|get) "
    rf"{_OUTCOME}\b"
    r"|\bguarantee[ds]?\b|\bI promise\b|\bpromise you\b|\byou have my word\b|\b(?:100|hundred) ?(?:%|per ?cent) sure\b",
    re.IGNORECASE)
# Words earlier in the sentence that make a promise something else: "I can't guarantee", "Highways say it will be fixed".
_QUALIFIER = re.compile(
    r"\b(?:not|never|cannot|no|hope\w*|expect\w*|aim\w*|should|say|says|said|told|tell|according|may|might|if|"
    r"unless|whether|ask\w*|try\w*)\b|n(?:'|’)t\b", re.IGNORECASE)

_ROLE = (r"\b(?:(?:planning|enforcement|highways|housing|council|licensing|parking|environmental health) )?"
         r"(?:officers?|clerks?|directors?|managers?|planners?|chief executive|head of \w+|council staff|officials?|"
         r"case ?workers?)\b")
_ROLE_RE = re.compile(_ROLE, re.IGNORECASE)
_NAMED_ROLE = re.compile(rf"(?i:{_ROLE}),? ([A-Z][a-z]+(?: [A-Z][a-z'-]+)?)")
_DISPARAGING = re.compile(
    r"\b(?:useless|incompetent|lazy|idiots?|idiotic|hopeless|clueless|rubbish|pathetic|disgrace(?:ful)?|a joke|"
    r"shambles|inept|stupid|arrogant|rude|liars?|lied|lying|can(?:'|’)t be bothered|couldn(?:'|’)t care less|"
    r"(?:should|ought to) be (?:sacked|fired|ashamed)|to blame|at fault|waste of space)\b", re.IGNORECASE)
_TITLED_NAME = re.compile(r"(?<!\w)(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? ([A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?)")

_CAMPAIGNING = re.compile(
    r"(?i:\bvote (?:for|me|us)\b|\bre-?elect\w*|\b(?:my|our) party\b|\bcandidates?\b|\bmanifestos?\b|"
    r"\bpolling day\b|\belection leaflets?\b|\bcanvass\w*)"
    r"|\b(?:Labour|Conservatives?|Tory|Tories|Lib ?Dems?|Liberal Democrats?|Green Party|Greens|Reform UK|"
    r"Plaid(?: Cymru)?|SNP|UKIP)\b"
    r"|\b(?:Green|Reform|Independent) (?i:councillors?|candidates?|MPs?|group|party)\b")
_COUNCIL_PUBLICITY = re.compile(
    r"\bcouncil[- ]funded\b|\b(?:funded|paid for) by the council\b|\bon behalf of (?:the )?(?:\w+ ){0,3}council\b|"
    r"\bcouncil(?:'s|’s)? logo\b|\b(?:the )?council (?:is|has) (?:proudly )?"
    r"(?:launch(?:ed|ing)?|unveil(?:ed|ing)?|announc(?:ed|ing)|introduc(?:ed|ing))\b|"
    r"\bnew council (?:scheme|initiative|programme|project|campaign|service|fund)\b|"
    r"\b(?:proud|delighted|pleased|thrilled) to announce\b", re.IGNORECASE)


@lru_cache(maxsize=8)
def _blocked_pattern(words: tuple[str, ...]) -> re.Pattern:
    alternatives = (r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def check_blocked_words(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    if not ctx.blocked_words:
        return
    for m in _blocked_pattern(ctx.blocked_words).finditer(text):
        yield Finding("blocked_word", "block", f"“{m.group()}” is on your list of words not to use.",
                      "Reword it, or change the list in Settings.", m.span())


def _qualified(text: str, m: re.Match, ctx: ReplyContext) -> bool:
    sentence_start = max(text.rfind(mark, 0, m.start()) for mark in ".!?\n") + 1
    return bool(_QUALIFIER.search(text, max(sentence_start, m.start() - 60), m.start()))


check_promises = pattern_check(
    "promise", "warn", _PROMISES, "“{match}” promises an outcome that may not be yours to deliver.",
    "Say what you will do (report it, chase it, ask) rather than what will happen; if you are passing on "
    "what the council said, say who said it.", unless=_qualified)


def check_officer_criticism(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    """A sentence that mentions an officer together with a disparaging word."""
    for sentence in _SENTENCE.finditer(text):
        role = _ROLE_RE.search(sentence.group())
        if role is None or _DISPARAGING.search(sentence.group()) is None:
            continue
        named = _NAMED_ROLE.search(sentence.group())
        who = f"a council officer by name ({named.group(1)})" if named else "a council officer"
        start = sentence.start() + len(sentence.group()) - len(sentence.group().lstrip())
        yield Finding("officer_criticism", "warn", f"This criticises {who}, who cannot answer back in public.",
                      "Keep the reply about the issue, and raise concerns about an officer privately with their "
                      "manager or through the council's complaints process.", (start, sentence.end()))


def _is_recipient(text: str, m: re.Match, ctx: ReplyContext) -> bool:
    return m.group(1).lower() in ctx.recipient.lower().split()


check_naming_people = pattern_check(
    "names_person", "warn", _TITLED_NAME, "This names someone ({match}) in a public reply.",
    "If they are a resident, leave their name out: other people's cases are confidential unless they have "
    "agreed to be named.", when=lambda ctx: ctx.public, unless=_is_recipient)

check_campaigning = pattern_check(
    "pre_election_campaigning", "warn", _CAMPAIGNING,
    "“{match}” can read as campaigning, and this is the pre-election period.",
    "Reply as a councillor about the issue only; keep campaigning to your party or campaign accounts. "
    + PURDAH_GUIDANCE, when=lambda ctx: ctx.in_pre_election)

check_council_publicity = pattern_check(
    "pre_election_publicity", "warn", _COUNCIL_PUBLICITY,
    "“{match}” uses the council's name or resources for publicity, and this is the pre-election period.",
    "Leave out announcements of new council schemes and anything that could be seen as promoting you or your "
    "party with council resources. " + PURDAH_GUIDANCE, when=lambda ctx: ctx.in_pre_election)
