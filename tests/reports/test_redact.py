"""The one redactor of public texts: the authority's people's names in every spelling an office
writes them, replaced by [omissis]; words that only look like a name stay."""

import pytest

from traguardo.reports.redact import Redactor, fold

PEOPLE = [
    ("Lucia", "D'Amico"),
    ("Nicolò", "Sà"),
    ("Bianca", "Bertolini"),
    ("Maria Grazia", "De Luca"),
    ("Giancarlo", "Serrao"),
    ("Anna", "Re"),
    ("Jean-Luc", "Lefèvre"),
    ("Giuseppe", "Bianco"),
]
redact = Redactor(PEOPLE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Case, accents and apostrophes.
        ("Relazione di Lucia D'Amico.", "Relazione di [omissis]."),
        ("D’Amico (L. D’Amico)", "[omissis] ([omissis])"),
        ("firmato LUCIA D’AMICO", "firmato [omissis]"),
        ("sentita la D' Amico", "sentita la [omissis]"),
        ("Nicolo Sa ha verificato", "[omissis] ha verificato"),
        ("NICOLÒ SÀ", "[omissis]"),
        ("Sà Nicolò", "[omissis]"),
        ("visto da N. Sà", "visto da [omissis]"),
        # Titles stay; after one, a short last name is a name too.
        ("a cura della dott.ssa Bianca Bertolini", "a cura della dott.ssa [omissis]"),
        ("Dott. Bertolini", "Dott. [omissis]"),
        ("la dottoressa Bertolini Bianca", "la dottoressa [omissis]"),
        ("ing.Serrao", "ing.[omissis]"),
        ("sig.ra De Luca", "sig.ra [omissis]"),
        ("dott. Sà e geom. Re", "dott. [omissis] e geom. [omissis]"),
        # Surname first, with a comma, with an initial after.
        ("Bertolini, Bianca", "[omissis]"),
        ("D'Amico L.", "[omissis]"),
        # Several first names, or one of them.
        ("Maria Grazia De Luca", "[omissis]"),
        ("Grazia De Luca", "[omissis]"),
        ("M. De Luca", "[omissis]"),
        ("De Luca Maria Grazia", "[omissis]"),
        # Hyphens and decomposed accents.
        ("Jean-Luc Lefevre", "[omissis]"),
        ("Lefe\u0300vre, Jean-Luc", "[omissis]"),
        # Short surnames only with a first name or an initial.
        ("Anna Re ha firmato", "[omissis] ha firmato"),
        ("A. Re", "[omissis]"),
        ("il Re e il Sà", "il Re e il Sà"),
        # Words that contain a name are not a name.
        ("Serraol e Bertolinis", "Serraol e Bertolinis"),
        ("Dott. Rossi", "Dott. Rossi"),
        # Two names in one text, and the text around them untouched.
        (
            "Serrao e Bertolini hanno consegnato il 3 maggio.",
            "[omissis] e [omissis] hanno consegnato il 3 maggio.",
        ),
    ],
)
def test_the_redactor_finds_every_spelling(text, expected):
    assert redact(text) == expected


def test_an_over_match_is_accepted_and_shown():
    """A surname that is also a word is redacted: the review page lists it."""
    assert redact("foglio bianco") == "foglio [omissis]"
    assert [m.text for m in redact.matches("foglio Bianco e G. Bianco")] == ["Bianco", "G. Bianco"]


def test_folding_keeps_the_way_back_to_the_original():
    folded, origin = fold("Nicolò D’Amico")
    assert folded == "nicolo d'amico"
    assert [origin[i] for i in (5, 8)] == [5, 8]


def test_no_people_no_change():
    assert Redactor([]).matches("Mario Rossi") == []
    assert Redactor([("", "")])("Mario Rossi") == "Mario Rossi"
