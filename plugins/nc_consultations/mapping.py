"""One Citizen Space activity (a json_search_results record) as a RawItem.

The fields are those of Citizen Space's API 2.4 reference with ``fields=extended``: ``id`` (unique
only within its department), ``title``, ``url``, ``status``, ``overview`` (HTML), ``startdate`` and
``enddate``, ``department``/``dept`` and, on newer sites, ``workspace_title``/``workspace_id``, and
``type_string``. The dates are days without a time, written ``2026/11/02`` by live sites.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from networked_councillor.plugin_api import Author, RawItem

LONDON = ZoneInfo("Europe/London")
CLOSING_TIME = time(23, 59)
"""Citizen Space gives only the closing day; an activity stays open until the end of it."""
_DAY_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y")
_TAG = re.compile(r"<[a-zA-Z/!]")


def activity_item(activity: dict[str, Any]) -> RawItem | None:
    """None when the record has nothing to identify it by."""
    department_id = _text(activity.get("workspace_id")) or _text(activity.get("dept"))
    activity_id, url = _text(activity.get("id")), _text(activity.get("url"))
    external_id = f"{department_id}/{activity_id}" if department_id and activity_id else url
    if not external_id:
        return None
    department = _text(activity.get("workspace_title")) or _text(activity.get("department"))
    overview = _text(activity.get("overview"))
    is_html = bool(overview and _TAG.search(overview))
    start = uk_time(activity.get("startdate"))
    end = uk_time(activity.get("enddate"), at=CLOSING_TIME)
    return RawItem(
        external_id=external_id,
        url=url,
        title=_text(activity.get("title")),
        text=None if is_html else overview,
        html=overview if is_html else None,
        author=Author(handle=department_id or department, display_name=department) if department else None,
        created_at=start,
        kind="consultation",
        extra={
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "status": _text(activity.get("status")),
            "department": department,
            "activity_type": _text(activity.get("type_string")),
        },
        raw=activity,
    )


def uk_time(value: Any, *, at: time = time(0)) -> datetime | None:
    """A Citizen Space date as a UK local time (``at`` on that day), or None if it is missing or unreadable."""
    text = _text(value)
    if not text:
        return None
    for form in _DAY_FORMATS:
        try:
            day = datetime.strptime(text, form).date()
        except ValueError:
            continue
        return datetime.combine(day, at, LONDON)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _text(value: Any) -> str | None:
    """A string field, stripped; None when it is empty or not a string."""
    if not isinstance(value, str):
        return None
    return value.strip() or None
