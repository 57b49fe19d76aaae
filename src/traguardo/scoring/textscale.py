"""Grading scales as Italian text: read what the cards say, print what a person can read.

`parse_scale(describe_scale(s)) == s` holds for every scale, so the printed form is also a
valid way to type a scale.
"""

import re
from decimal import Decimal

from .italian import parse_decimal
from .scales import Band, Bands, Binary, DelayStep, DelaySteps, GradingScale, Proportional
from .values import HUNDRED

EN_DASH = "\u2013"  # ranges such as "1-5 gg" are printed with an en dash
_NUM = r"\d+(?:[.,]\d+)*"
_BINARY_WORDS = (
    ("fatto", "nonfatto"),
    ("si", "no"),
    ("sì", "no"),
    ("raggiunto", "nonraggiunto"),
    ("rispettato", "nonrispettato"),
)
_BINARY_FORMS = frozenset(
    form
    for yes, no in _BINARY_WORDS
    for form in (f"{yes}/{no}", f"{yes}=100%;{no}=0%", f"{yes}=100%/{no}=0%")
)
_PROPORTIONAL = re.compile(
    rf"proporzionale(?:\s*[,;]?\s*(?:con\s+)?soglia(?:\s+di\s+accesso)?(?:\s+(?:del|al|di))?"
    rf"\s*({_NUM})\s*%?)?\s*\.?"
)
_DELAY_WORDS = re.compile(r"(?<![a-z])gg(?![a-z])|giorn|ritard|scadenz")
_BEYOND = re.compile(rf"oltre\s+(?:i\s+)?(\d+)\s*(?:gg|giorni)?\s*=\s*({_NUM})\s*%")
_STEP = re.compile(
    rf"(?:(\d+)\s*[\u2013-]\s*)?\+?\s*(\d+)\s*(?:gg|giorni|giorno)?\s*=\s*({_NUM})\s*%"
)
_DELAY_FILLER = re.compile(
    r"\b(?:gg|giorni|giorno|ritardo|di|e|scadenza|rispettata|rispettato|termine)\b|[+/;,.\u2013\-\s]"
)
_BAND = re.compile(
    rf"(?:da|almeno|>=|≥)\s*({_NUM})\s*%?"
    rf"(?:\s*(?:a|fino\s+a)\s+(?:meno\s+di\s+)?({_NUM})\s*%?)?"
    rf"\s*=\s*(?:(?:lineare\s+)?da\s+({_NUM})\s*%?\s*a\s+({_NUM})\s*%?|({_NUM})\s*%?)"
)
_BELOW = re.compile(rf"(?:sotto|meno\s+di|<)\s*(?:il\s+)?({_NUM})\s*%?\s*=\s*({_NUM})\s*%?")
_EXAMPLES = (
    "«gg ritardo 5 = 90% / 10 = 80% / 15 = 60%», «Proporzionale», «fatto/non fatto» "
    "o «da 90% = 100% / da 70% = 80% / sotto 70% = 0%»"
)


class ScaleParseError(ValueError):
    """A graduation text that cannot be read; `message` says why, in Italian, for the editor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_scale(text: str) -> GradingScale:
    """Read a graduation as written on a card or printed by `describe_scale`."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    normal = _normalise(text)
    if not normal:
        raise ScaleParseError("La graduazione è vuota.")
    if re.sub(r"\s", "", normal).rstrip(".") in _BINARY_FORMS:
        return Binary()
    if normal.startswith("proporzional"):
        return _parse_proportional(normal, text)
    if _DELAY_WORDS.search(normal) or normal.startswith("oltre"):
        return _parse_delay(normal, text)
    if re.match(r"(?:da|almeno|sotto|meno di)\b|>=|[<≥]", normal):
        return _parse_bands(normal, text)
    if _STEP.search(normal):
        return _parse_delay(normal, text)
    raise ScaleParseError(
        f"Non riconosco la graduazione «{text.strip()}»: scrivere ad esempio {_EXAMPLES}."
    )


def _normalise(text: str) -> str:
    text = text.lower().replace("\u00a0", " ")
    for arrow in ("→", "=>", "->"):
        text = text.replace(arrow, "=")
    return re.sub(r"\s+", " ", text.replace("\u2014", EN_DASH)).strip()


def _error(text: str, detail: str) -> ScaleParseError:
    return ScaleParseError(f"Nella graduazione «{text.strip()}» {detail}")


def _decimal(number: str, text: str) -> Decimal:
    try:
        return parse_decimal(number)
    except ValueError:
        raise _error(
            text, f"il numero «{number}» va scritto con la virgola per i decimali."
        ) from None


def _percent(number: str, text: str) -> Decimal:
    value = _decimal(number, text)
    if value > HUNDRED:
        raise _error(text, f"la percentuale {number}% supera 100%.")
    return value


def _parse_proportional(normal: str, text: str) -> Proportional:
    match = _PROPORTIONAL.fullmatch(normal)
    if match is None:
        raise ScaleParseError(
            f"Non riesco a leggere «{text.strip()}»: scrivere «Proporzionale» "
            "oppure «Proporzionale con soglia 50%»."
        )
    threshold = match.group(1)
    return Proportional(None if threshold is None else _percent(threshold, text))


def _parse_delay(normal: str, text: str) -> DelaySteps:
    beyond_matches = list(_BEYOND.finditer(normal))
    if len(beyond_matches) > 1:
        raise _error(text, "c'è più di una riga «oltre».")
    rest = _BEYOND.sub(" ", normal)
    found = list(_STEP.finditer(rest))
    _reject_leftover(_DELAY_FILLER.sub("", _STEP.sub(" ", rest)), text)
    steps: list[DelayStep] = []
    previous = 0
    for match in sorted(found, key=lambda m: int(m.group(2))):
        first, up_to, percent = match.group(1), int(match.group(2)), _percent(match.group(3), text)
        if up_to == 0:
            if first not in (None, "0") or percent != HUNDRED or steps:
                raise _error(text, "il ritardo zero vale sempre 100%.")
            continue
        if up_to == previous:
            raise _error(text, f"i {up_to} gg compaiono due volte.")
        if first is not None and int(first) != previous + 1:
            raise _error(
                text,
                f"lo scaglione {first}{EN_DASH}{up_to} gg "
                f"non segue lo scaglione precedente (che finisce a {previous} gg).",
            )
        steps.append(DelayStep(up_to, percent))
        previous = up_to
    if not steps:
        raise _error(text, "non trovo scaglioni di ritardo come «5 gg = 90%».")
    beyond = Decimal(0)
    if beyond_matches:
        days, beyond_text = beyond_matches[0].groups()
        if int(days) != previous:
            raise _error(
                text,
                f"«oltre {days} gg» non segue l'ultimo scaglione, che finisce a {previous} gg.",
            )
        beyond = _percent(beyond_text, text)
    return DelaySteps(tuple(steps), beyond)


def _reject_leftover(leftover: str, text: str) -> None:
    leftover = leftover.strip()
    if leftover:
        raise _error(text, f"non riesco a leggere «{leftover}».")


def _parse_bands(normal: str, text: str) -> Bands:
    found: list[tuple[Decimal, Decimal | None, Decimal, Decimal | None]] = []
    below: tuple[Decimal, Decimal] | None = None
    for segment in filter(None, (s.strip(" .") for s in re.split(r"[/;\n]", normal))):
        segment = segment.replace(":", "=")
        if (match := _BAND.fullmatch(segment)) is not None:
            lower, upper, start, end, flat = match.groups()
            found.append(
                (
                    _decimal(lower, text),
                    None if upper is None else _decimal(upper, text),
                    _percent(flat if flat is not None else start, text),
                    None if end is None else _percent(end, text),
                )
            )
        elif (match := _BELOW.fullmatch(segment)) is not None and below is None:
            below = (_decimal(match.group(1), text), _percent(match.group(2), text))
        else:
            raise _error(text, f"non riesco a leggere «{segment}».")
    if not found:
        raise _error(text, "non trovo fasce come «da 90% = 100%».")
    found.sort(key=lambda band: band[0])
    bands = []
    for index, (lower, upper, percent, at_upper) in enumerate(found):
        following = found[index + 1][0] if index + 1 < len(found) else None
        if following == lower:
            raise _error(text, f"due fasce partono da {_number(lower)}%.")
        if upper is not None and upper != following:
            raise _error(
                text,
                f"la fascia da {_number(lower)}% a {_number(upper)}% "
                + (
                    "deve finire dove comincia la successiva."
                    if following is not None
                    else "è l'ultima: deve restare aperta verso l'alto («da …% in su»)."
                ),
            )
        if at_upper is not None and following is None:
            raise _error(text, "l'ultima fascia è aperta e non può crescere in modo lineare.")
        bands.append(Band(lower, following, percent, at_upper))
    below_percent = Decimal(0)
    if below is not None:
        if below[0] != found[0][0]:
            raise _error(
                text,
                f"«sotto {_number(below[0])}%» deve coincidere con "
                f"l'inizio della fascia più bassa ({_number(found[0][0])}%).",
            )
        below_percent = below[1]
    return Bands(tuple(bands), below_percent)


def _number(value: Decimal) -> str:
    """Integral percents without decimals ("90"), others with every digit and a comma ("12,5")."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f").replace(".", ",")


def scale_rows(scale: GradingScale) -> list[tuple[str, str]]:
    """(condition, percent) rows, for the graduation table of a printed card."""
    if isinstance(scale, DelaySteps):
        rows = [("0 gg", "100%")]
        previous = 0
        for step in scale.steps:
            first = previous + 1
            days = (
                f"{first} gg"
                if first == step.up_to_days
                else f"{first}{EN_DASH}{step.up_to_days} gg"
            )
            rows.append((days, f"{_number(step.percent)}%"))
            previous = step.up_to_days
        rows.append((f"oltre {previous} gg", f"{_number(scale.beyond)}%"))
        return rows
    if isinstance(scale, Proportional):
        rows = [("in proporzione al valore atteso", "fino a 100%")]
        if scale.threshold is not None:
            rows.append((f"sotto la soglia di accesso del {_number(scale.threshold)}%", "0%"))
        return rows
    if isinstance(scale, Bands):
        rows = []
        for band in reversed(scale.bands):
            condition = f"da {_number(band.lower)}%"
            if band.upper is not None:
                condition += f" a meno di {_number(band.upper)}%"
            percent = f"{_number(band.percent)}%"
            if band.percent_at_upper is not None:
                percent = f"da {percent} a {_number(band.percent_at_upper)}%"
            rows.append((condition, percent))
        if scale.below != 0 or scale.bands[0].lower > 0:
            rows.append((f"sotto {_number(scale.bands[0].lower)}%", f"{_number(scale.below)}%"))
        return rows
    if isinstance(scale, Binary):
        return [("Raggiunto", "100%"), ("non raggiunto", "0%")]
    raise TypeError(f"not a grading scale: {type(scale).__name__}")


def describe_scale(scale: GradingScale) -> str:
    """One readable Italian line, e.g. "0 gg → 100%; 1-5 gg → 90%; oltre 5 gg → 0%"."""
    if isinstance(scale, Proportional):
        if scale.threshold is None:
            return "Proporzionale"
        return f"Proporzionale, soglia di accesso {_number(scale.threshold)}%"
    return "; ".join(f"{condition} → {percent}" for condition, percent in scale_rows(scale))
