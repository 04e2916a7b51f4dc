"""The ward report's headline numbers in plain British English (no Qt, so they are easy to test)."""

from __future__ import annotations

from datetime import date

from networked_councillor.printing.report_data import ReportData


def day_words(day: date | str) -> str:
    """24 November 2026 (no leading zero on any platform); text that is not a date is shown as it is."""
    return _day(day, "%B %Y")


def short_day(day: date | str) -> str:
    """24 Nov 2026."""
    return _day(day, "%b %Y")


def _day(day: date | str, month_and_year: str) -> str:
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day[:10])
        except ValueError:
            return day
    return f"{day.day} {day.strftime(month_and_year)}"


def period_words(start: date, end: date) -> str:
    """"1 to 31 October 2026", "28 September to 24 November 2026", or one day on its own."""
    if start == end:
        return day_words(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} to {day_words(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B} to {day_words(end)}"
    return f"{day_words(start)} to {day_words(end)}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def summary_sentences(data: ReportData) -> list[str]:
    """Two short paragraphs: what the ward said, and what happened to its casework (or one, if neither)."""
    if data.nothing_to_report:
        return [f"There is nothing to report for {period_words(data.start, data.end)}: no posts or reports about "
                f"{data.ward} were heard, and no issues were logged, resolved or open."]
    return [_heard_sentence(data), _casework_sentence(data)]


def _heard_sentence(data: ReportData) -> str:
    if not data.items_heard:
        return f"No posts or reports about {data.ward} were heard in this period."
    verb = "was" if data.items_heard == 1 else "were"
    words = (f"{plural(data.items_heard, 'post or report', 'posts and reports')} about {data.ward} {verb} heard "
             f"from {plural(len(data.items_by_source), 'source')}.")
    topic, count = data.items_by_topic[0]
    words += f" The most talked-about topic was {topic} ({count:,})."
    feeling = next(f for f in data.feeling_by_topic if f.topic == topic)
    if feeling.total and feeling.negative * 2 > feeling.total:
        words += f" Most of what was said about {topic} was negative."
    if data.rising:
        words += f" {data.rising[0].topic} was rising at the end of the period."
    return words


def _casework_sentence(data: ReportData) -> str:
    if not data.issues_in_report:
        return "No issues were logged, resolved or open in this period."
    logged = f"{plural(data.issues_logged, 'issue')} {'was' if data.issues_logged == 1 else 'were'} logged"
    if not data.issues_logged:
        logged = "No issues were logged"
    words = (f"{logged}, {_were(data.issues_resolved)} resolved, "
             f"and {_were(data.issues_open_at_end)} still open at the end")
    if data.overdue:
        words += f", {len(data.overdue):,} of them overdue"
    return words + "."


def _were(count: int) -> str:
    return "none were" if not count else f"{count:,} {'was' if count == 1 else 'were'}"
