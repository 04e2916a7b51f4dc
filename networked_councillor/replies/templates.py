"""Reply templates per topic, in the Networked Councillor style: acknowledge, inform, invite.

Acknowledge the person and the issue, say what you know or will do, and
invite them to carry on the conversation or get in touch privately. The
defaults never promise an outcome (the councillor cannot fix a pothole, only
report and chase it). A template the councillor edits is stored in
`reply_templates` and wins over the default for its topic; resetting removes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError
from networked_councillor.replies.placeholders import unknown_placeholders

PARTS = ("acknowledge", "inform", "invite")
GENERAL = "general"
"""The fallback template, for the councillor's own topics and items with none."""


@dataclass(frozen=True, slots=True)
class Template:
    topic: str
    acknowledge: str
    inform: str
    invite: str
    custom: bool = False
    """True when the councillor has edited it."""

    def parts(self) -> dict[str, str]:
        return {part: getattr(self, part) for part in PARTS}


DEFAULTS: dict[str, Template] = {t.topic: t for t in (
    Template('general',
             'Hi {name}, thanks for getting in touch about this[ in {place}].',
             "I'll look into it and find out who at the council can help[ – I've logged it as {issue_ref}].",
             'Reply here with anything else I should know, or message me privately.'),
    Template('roads_pavements',
             "Hi {name}, thanks for flagging the road[ on {street}] – that's a real hazard.",
             "I'll report it to highways and ask them to inspect it[ (ref {issue_ref})].",
             'A photo and the exact spot would help – here or by private message.'),
    Template('street_lighting',
             'Hello {name}, thanks for letting me know about the lighting[ on {street}].',
             "I'll ask the street lighting team to check it[ (ref {issue_ref})].",
             'If you can see a number on the lamp post, message me with it – it helps them find the right one.'),
    Template('bins_recycling',
             'Hi {name}, sorry about the bins[ on {street}] – missed collections are frustrating.',
             "I'll raise it with the waste team and ask what went wrong[ (ref {issue_ref})].",
             'Let me know if it happens again, or message me your address privately so I can chase the right round.'),
    Template('litter_flytipping',
             'Hi {name}, thanks for reporting this[ near {street}].',
             "I'll ask street cleansing to clear it[ (ref {issue_ref})].",
             'If you saw anything that might identify who left it, please message me privately rather than posting it here.'),
    Template('graffiti_vandalism',
             "Hello {name}, that's disappointing to see[ on {street}] – thanks for flagging it.",
             "I'll report the damage to the council, and to the police where it's relevant[ (ref {issue_ref})].",
             'A photo would help, and if you know who was involved, please message me privately.'),
    Template('parking',
             'Hi {name}, thanks for raising the parking[ on {street}] – I know it causes real frustration.',
             "I'll ask parking enforcement to look at it and what options there are[ (ref {issue_ref})].",
             'When is it worst? Reply here or message me, whichever suits you.'),
    Template('traffic_transport',
             "Hello {name}, thanks for sharing this – it's useful to hear what you've seen[ around {street}].",
             "I'll pass it to the transport team and ask what monitoring has been done[ (ref {issue_ref})].",
             'Do keep me posted, or get in touch privately to talk it through.'),
    Template('noise',
             "Hi {name}, sorry you're dealing with this – noise that goes on and on is exhausting.",
             "The council's environmental health team can investigate, and I can help you start a report[ (ref {issue_ref})].",
             'As it may involve neighbours, please message me the details privately.'),
    Template('antisocial_behaviour_crime',
             "Hello {name}, I'm sorry to hear this – nobody should feel unsafe[ in {place}].",
             "If anyone is in danger call 999; otherwise report it on 101 or online, and I'll raise it with the neighbourhood police team[ (ref {issue_ref})].",
             'Please send me details privately, not here.'),
    Template('trees_parks_green_spaces',
             'Hi {name}, thanks for keeping an eye on our green spaces[ in {place}].',
             "I'll check with the parks team and find out what's planned[ (ref {issue_ref})].",
             'If you spot any changes, let me know here or by message – local knowledge really helps.'),
    Template('flooding_drainage',
             'Hello {name}, thanks for letting me know about the water[ on {street}] – I hope your home is all right.',
             "I'll ask highways to check the drains[ (ref {issue_ref})]; if water is getting into homes, call the council's emergency line.",
             'Photos would help – here or privately.'),
    Template('planning_development',
             'Hi {name}, thanks for your interest – planning decisions shape the area for years.',
             "I'll find out where the application has got to and when comments close.",
             "You can comment on the council's planning portal, and I'm happy to explain the process – just message me."),
    Template('housing',
             "Hello {name}, I'm sorry to hear about your housing situation – that sounds really difficult.",
             'I can raise it with the housing team for you[ (case {issue_ref})].',
             'Housing matters are personal, so please message me privately with your details.'),
    Template('schools_children',
             'Hi {name}, thanks for raising this – anything affecting families[ in {place}] matters.',
             "I'll check with the right team at the council or the school[ (ref {issue_ref})].",
             "If it's about a particular child, please message me privately rather than sharing details here."),
    Template('health_social_care',
             'Hello {name}, thank you for sharing this – I know how worrying these things can be.',
             "Some of this sits with the NHS rather than the council, but I'll find out who can help.",
             "Please message me privately if you'd like to talk about your own circumstances."),
    Template('council_tax_finance',
             'Hi {name}, thanks for asking – questions about council tax and spending are completely fair.',
             "I'll look up the figures and let you know what I find[ (ref {issue_ref})].",
             "If it's about your own bill, message me privately and I'll point you to the right person."),
    Template('community_events',
             'Hello {name}, this sounds lovely – thanks for sharing it[ with everyone in {place}].',
             "I'll pass it on to others in the ward and try to come along if I can.",
             "Let me know if there's anything I can do to help spread the word."),
    Template('environment_climate',
             "Hi {name}, thanks for raising this – it's good to hear people[ in {place}] thinking about the environment.",
             "I'll find out what the council is doing on this and share what I learn.",
             "If you have ideas for the ward, I'd love to hear them – here or by private message."),
    Template('other',
             'Hi {name}, thanks for your message.',
             "I'm not sure this is one for the council, but I'm happy to find out who might be able to help.",
             "Feel free to get in touch privately if there's anything I can do."),
)}


def template_for(db: Database, topic: str | None) -> Template:
    """The councillor's template for ``topic`` if they wrote one, else the default, else the general one."""
    topic = topic or GENERAL
    for candidate in dict.fromkeys((topic, GENERAL)):
        row = db.execute("SELECT acknowledge, inform, invite FROM reply_templates WHERE topic = ?",
                         [candidate]).fetchone()
        if row is not None:
            return Template(candidate, *(part or "" for part in row), custom=True)
        if candidate in DEFAULTS:
            return DEFAULTS[candidate]
    return DEFAULTS[GENERAL]


def save_template(db: Database, topic: str, acknowledge: str, inform: str, invite: str, now: str) -> list[str]:
    """Store the councillor's own template for ``topic``; returns the placeholders in it the app cannot fill."""
    topic = (topic or "").strip()
    parts = [(p or "").strip() for p in (acknowledge, inform, invite)]
    if not topic:
        raise ConfigError("A reply template needs a topic.")
    if not any(parts):
        raise ConfigError("A reply template needs some text.", hint="To go back to the default, reset it instead.")
    db["reply_templates"].upsert({"topic": topic, **dict(zip(PARTS, parts, strict=True)), "updated_at": now},
                                 pk="topic")
    return unknown_placeholders(" ".join(parts))


def reset_template(db: Database, topic: str) -> bool:
    """Go back to the default for ``topic``; False if it was not customised."""
    return db.execute("DELETE FROM reply_templates WHERE topic = ?", [topic]).rowcount > 0


def customised_topics(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT topic FROM reply_templates ORDER BY topic")]
