"""A minimal iCalendar (RFC 5545) writer for all-day events; pure Python, no dependency.

Only what the deadlines feed needs: a VCALENDAR of all-day VEVENTs. Lines end with CRLF and
are folded at 75 octets (never inside a UTF-8 character); text values are escaped.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

LINE_OCTETS = 75


@dataclass(frozen=True)
class AllDayEvent:
    uid: str
    day: date
    summary: str
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash first, then ; , and line breaks."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets; continuations start with a space."""
    octets = line.encode()
    if len(octets) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    start, limit = 0, LINE_OCTETS
    while start < len(octets):
        end = min(start + limit, len(octets))
        # Step back over UTF-8 continuation bytes (10xxxxxx) so no character is cut in two.
        while end < len(octets) and octets[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(octets[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # the leading space counts
    return "\r\n ".join(parts)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[AllDayEvent], *, name: str, stamp: datetime) -> str:
    """The VCALENDAR text; ``stamp`` (any aware datetime) becomes every DTSTAMP, in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Traguardo//Scadenze//IT",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{_date(event.day)}",
            f"DTEND;VALUE=DATE:{_date(event.day + timedelta(days=1))}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        # A deadline does not make anyone busy for the day.
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
