"""A tiny iCalendar reader for the tests: checks the line format, unfolds, unescapes."""

import re
from dataclasses import dataclass, field

UNESCAPE = {"\\\\": "\\", "\\;": ";", "\\,": ",", "\\n": "\n", "\\N": "\n"}


@dataclass
class Feed:
    properties: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # as sent, before unfolding


def unescape(value: str) -> str:
    return re.sub(r"\\[\\;,nN]", lambda m: UNESCAPE[m.group()], value)


def read_calendar(text: str) -> Feed:
    """Every line ends with CRLF and has at most 75 octets; a property is NAME[;PARAMS]:VALUE.

    Properties are keyed by name with their parameters (``DTSTART;VALUE=DATE``).
    """
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert not any("\n" in line or "\r" in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical), "a line longer than 75 octets"
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    feed = Feed(lines=physical)
    assert logical[0] == "BEGIN:VCALENDAR"
    assert logical[-1] == "END:VCALENDAR"
    current: dict[str, str] | None = None
    for line in logical[1:-1]:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            feed.events.append(current)
            current = None
        else:
            target = feed.properties if current is None else current
            target[name] = unescape(value)
    assert current is None
    return feed
