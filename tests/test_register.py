"""One register in every Italian text: the impersonal form of PA writing, never «tu» or «Lei»."""

import re
from pathlib import Path

import traguardo

# The second person, familiar or courtesy: pronouns, possessives and the imperatives that carry
# it — an instruction is written with the infinitive («Indicare la data dell'atto.») — («Lei»
# only capitalised: «lei» is the third person).
INFORMAL = re.compile(
    r"\b(?:(?i:tuo|tua|tuoi|tue|puoi|hai|rivolgiti|correggi|correggila|correggile|scegli|"
    r"scegline|scrivi|riprova|attendi|chiedi|chiudilo|chiudila|salvalo|avviala|indicane)|Lei)\b"
)
ROOT = Path(traguardo.__file__).parent


def test_no_page_or_message_addresses_the_reader_as_tu_or_lei():
    found = [
        f"{source.relative_to(ROOT)}:{number}: {word}"
        for source in sorted([*ROOT.rglob("*.html"), *ROOT.rglob("*.py")])
        if "migrations" not in source.parts
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
        for word in INFORMAL.findall(line)
    ]
    assert found == []
