"""The iCalendar writer on its own: escaping, folding at 75 octets, CRLF."""

from datetime import UTC, date, datetime, timedelta, timezone

from tests.reminders.ical_reader import read_calendar
from traguardo.monitoring.ical import AllDayEvent, calendar, escape_text, fold


def test_text_is_escaped():
    assert escape_text("a\\b; c, d\ne\r\nf") == "a\\\\b\\; c\\, d\\ne\\nf"


def test_a_short_line_is_left_alone():
    assert fold("SUMMARY:" + "x" * 67) == "SUMMARY:" + "x" * 67


def test_a_long_line_is_folded_at_75_octets_without_cutting_a_character():
    line = "DESCRIPTION:" + "è" * 100  # 12 + 200 octets
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
    # 12 octets + 31 "è" = 74 octets: the 32nd "è" would straddle the limit.
    assert parts[0] == "DESCRIPTION:" + "è" * 31


def test_a_calendar_of_one_all_day_event():
    stamp = datetime(2019, 9, 25, 8, 30, tzinfo=timezone(timedelta(hours=2)))
    text = calendar(
        [AllDayEvent(uid="x-1@traguardo", day=date(2019, 12, 31), summary="Fine, anno; nuovo")],
        name="Scadenze",
        stamp=stamp,
    )
    assert text == (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//Traguardo//Scadenze//IT\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\n"
        "X-WR-CALNAME:Scadenze\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:x-1@traguardo\r\n"
        "DTSTAMP:20190925T063000Z\r\n"
        "DTSTART;VALUE=DATE:20191231\r\n"
        "DTEND;VALUE=DATE:20200101\r\n"
        "SUMMARY:Fine\\, anno\\; nuovo\r\n"
        "TRANSP:TRANSPARENT\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_what_is_written_reads_back():
    summary = "Scadenza: " + "Verifica della qualità, dei tempi; e \\ del resto\n" * 4
    text = calendar(
        [AllDayEvent(uid="u@t", day=date(2019, 9, 30), summary=summary, description="à\nb")],
        name="Scadenze – Comune di Esempio",
        stamp=datetime(2019, 9, 25, tzinfo=UTC),
    )
    feed = read_calendar(text)
    assert feed.properties["X-WR-CALNAME"] == "Scadenze – Comune di Esempio"
    [event] = feed.events
    assert event["SUMMARY"] == summary
    assert event["DESCRIPTION"] == "à\nb"
