"""Reading mail text, in one place: what a reply says now (quoted history, forwarded headers,
signatures and legal footers apart), out-of-office wording, and the dates people write.

Languages: English, German, French and Spanish throughout, with some Italian and Dutch.

The stripper is one: `split_reply` finds where the new text ends. The machine-mail parser
stores what `strip_quotes` keeps (forwarded messages cut, signature cut); reply triage reads
the same split with forwarded messages kept (the sender chose to show them to us) and the
signature kept for its triggers (a title says who writes).

The dates are one reader over one month table: `CALENDAR` and `calendar_date` read written
dates ("17 March", "2026-03-10", "15.03.", "04/03"); `return_date` takes an out-of-office
notice's first day back from them, and `resolve_date` adds what people say when they mean
later ("next quarter", "in the spring", "in two weeks").

Pure: no database, no network.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

_SCAN = 100_000  # characters a date search looks at

# --- text for reading -----------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """For reading, never for showing: compatibility forms folded, straight quotes, "\\n"."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def lower(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text.lower())


def one_line(text: str, limit: int) -> str:
    """Printable, on one line, at most `limit` characters."""
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- quoted history, forwards, signatures ---------------------------------------------------

# "On Mon, Alex wrote:", "Am 02.03.2026 um 09:12 schrieb Alex <a@b>:", "Le ... a écrit :", ...
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"(?:On|Am|Le|El|Il|Op)\b.{0,300}?(?:wrote|schrieb|a\s+[ée]crit|escribi[óo]|ha\s+scritto"
    r"|schreef)\s*:"
    r"|(?:Am|Op)\b.{0,300}\b(?:schrieb|schreef)\b.{0,300}:\s*$"
    r"|.{0,200}\bschrieb am\b.{0,200}:\s*$"
    r"|.{0,200}<[^<>@\s]+@[^<>\s]+>\s*(?:wrote|schrieb|a\s+[ée]crit|escribi[óo])\s*:\s*$"
    r")",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|ursprüngliche nachricht|originalnachricht"
    r"|message d'origine|message original|mensaje original|messaggio originale)|_{10,})",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]"
    r"|mensaje reenviado)|begin forwarded message:)",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|von|de|da|van)\s*:", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|cc|gesendet|datum|an|betreff|envoy[ée]|[àa]|objet"
    r"|enviado(?: el)?|fecha|para|asunto|inviato|data|oggetto|verzonden|aan|onderwerp)\s*:",
    re.IGNORECASE,
)
_HEADER_SENT = re.compile(
    r"^\s*(?:sent|gesendet|envoy[ée]|enviado|date|datum|fecha)\s*:", re.IGNORECASE
)
_HEADER_ANY = re.compile(r"^\s*[\w-]+\s*:")
_UNDERLINE = re.compile(r"^\s*_{8,}\s*$")
_SIGNATURE = ("--", "—", "__")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \w+|sent from (?:outlook|mail|yahoo)|get outlook for"
    r"|von meinem \w+ gesendet|gesendet von|envoy[ée] (?:de|depuis) mon|enviado desde"
    r"|inviato da)",
    re.IGNORECASE,
)
# Markers of a legal footer; a paragraph with two different ones is a footer, not a request.
_DISCLAIMER = re.compile(
    r"confidential|privileged|intended (?:solely |only )?for|intended recipient|addressee"
    r"|received (?:this|it) in error|notify the sender|unauthori[sz]ed (?:use|disclosure|copying)"
    r"|vertraulich|empfänger|confidentiel|destinataire|confidencial|destinatario",
    re.IGNORECASE,
)


def split_reply(text: str, *, keep_forwarded: bool = True) -> tuple[str, str]:
    """(new text, quoted history). The history begins at an attribution ("On ... wrote:"), an
    "Original Message" line or a mail header block; quoted "> " lines are never new text. A
    forwarded message is kept without its headers, or, with `keep_forwarded=False`, is
    history. When nothing is left (bottom-posting) the unquoted lines under the attribution
    are the answer, up to the quoted message's own history. Signatures stay."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    probe = [normalize(ln) for ln in lines]  # matched in a normal form, returned as written
    cut = _history_start(probe, keep_forwarded)
    kept, quoted = _new_lines(lines[:cut], probe[:cut])
    if not any(ln.strip() for ln in kept):
        rest = [(ln, seen) for ln, seen in zip(lines, probe, strict=True)]
        rest = [(ln, seen) for ln, seen in rest if not _ATTRIBUTION.match(seen)]
        rest = [(ln, seen) for ln, seen in rest if not seen.lstrip().startswith(">")]
        end = _history_start([seen for _, seen in rest], keep_forwarded=True)
        kept, _ = _new_lines([ln for ln, _ in rest[:end]], [seen for _, seen in rest[:end]])
    return "\n".join(kept).strip(), "\n".join(quoted + lines[cut:]).strip()


def _new_lines(lines: list[str], probe: list[str]) -> tuple[list[str], list[str]]:
    """(lines someone wrote now, quoted lines): forward markers and the forwarded message's
    headers are neither."""
    kept: list[str] = []
    quoted: list[str] = []
    in_headers = False
    for line, seen in zip(lines, probe, strict=True):
        if _FORWARD.match(seen):
            in_headers = True
            continue
        if in_headers and (_HEADER_FROM.match(seen) or _HEADER_NEXT.match(seen)):
            continue
        in_headers = False
        (quoted if seen.lstrip().startswith(">") else kept).append(line)
    return kept, quoted


def _history_start(lines: list[str], keep_forwarded: bool) -> int:
    after_forward = -1  # the index of the last forward marker
    for i, line in enumerate(lines):
        if _FORWARD.match(line):
            if not keep_forwarded:
                return i
            after_forward = i
            continue
        if _ORIGINAL.match(line) or _ATTRIBUTION.match(line):
            return i
        if i + 1 < len(lines) and _ATTRIBUTION.match(f"{line} {lines[i + 1].strip()}"):
            return i  # an attribution wrapped over two lines
        if _HEADER_FROM.match(line) and _header_block(lines, i):
            if after_forward >= 0 and not any(x.strip() for x in lines[after_forward + 1 : i]):
                continue  # the forwarded message's own headers
            return i - 1 if i and _UNDERLINE.match(lines[i - 1]) else i
    return len(lines)


def _header_block(lines: list[str], i: int) -> bool:
    """Whether a "From:" line at `i` starts a block of mail headers."""
    following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()][:3]
    if any(_HEADER_NEXT.match(ln) for ln in following):
        return True
    for line in lines[i + 1 : i + 7]:
        if _HEADER_SENT.match(line):
            return True
        if not _HEADER_ANY.match(line):
            return False
    return False


def without_signature(text: str) -> str:
    """Up to a signature separator ("-- ") or a "Sent from my phone" line."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip() in _SIGNATURE or _MOBILE.match(line):
            break
        out.append(line)
    return "\n".join(out).strip()


def without_disclaimers(text: str) -> str:
    """Without legal footers and "Sent from my phone" lines."""
    paras = re.split(r"\n\s*\n", text)
    kept = [p for p in paras if len({m.lower() for m in _DISCLAIMER.findall(p)}) < 2]
    lines = [ln for ln in "\n\n".join(kept).split("\n") if not _MOBILE.match(ln.strip())]
    return "\n".join(lines).strip()


def strip_quotes(text: str) -> str:
    """The new text of a reply, as it is stored and shown: quoted history, forwarded messages
    and the signature removed."""
    fresh = without_signature(split_reply(text, keep_forwarded=False)[0])
    out = "\n".join(ln.rstrip() for ln in fresh.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", out).strip()


# --- subjects and out-of-office wording -----------------------------------------------------

_REPLY_WORDS = r"re|aw|sv|vs|fw|fwd|wg|tr|rv|r|antw|ref|rif|res|enc"
REPLY_PREFIX = re.compile(rf"^\s*(?:(?:{_REPLY_WORDS})\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)

# Out-of-office wording: one of these in a subject or a text is enough.
_AUTO_REPLY = (
    r"\bout of (?:the )?office\b",
    r"\b(?:automatic|automated|auto)[- ]?(?:reply|replied|response|antwort)\b|\bautoreply\b",
    r"\bauto[- ]?respon",
    r"\bautosvar\b",
    r"\bthis (?:mailbox|inbox|address) is (?:no longer|not) (?:monitored|in use|active)\b",
    r"\babwesenheit",
    r"\bautomatische antwort\b",
    r"\bnicht im büro\b",
    r"\bau(?:ß|ss)er haus\b",
    r"\bkeinen zugriff auf (?:meine )?e-?mails\b",
    r"\br[ée]ponse automatique\b",
    r"\bhors du bureau\b|\babsen(?:ce|te?) du bureau\b",
    r"\bmessage d'absence\b",
    r"\bfuera de la oficina\b",
    r"\brespuesta autom[áa]tica\b",
    r"\bfuori ufficio\b",
    r"\brisposta automatica\b",
    r"\bautomatisch antwoord\b",
    r"\bafwezigheidsbericht\b",
)
# ... and in a subject only: people write these in their own text.
_AUTO_REPLY_SUBJECT = (r"\bOOO\b", r"^\s*(?:auto|absence|abwesend)\s*:")
AUTO_REPLY = re.compile("|".join(_AUTO_REPLY), re.IGNORECASE)
AUTO_REPLY_SUBJECT = re.compile("|".join(_AUTO_REPLY + _AUTO_REPLY_SUBJECT), re.IGNORECASE)
# Phrases a person also writes ("when I'm back", "limited access to email"): only in pairs.
_AUTO_REPLY_WEAK = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bi (?:am|will be|'m) (?:currently )?(?:away|out|on (?:annual |parental |maternity |"
        r"paternity |sick )?(?:leave|vacation|holiday))\b(?! of the question)",
        r"\blimited (?:access to (?:my )?)?e-?mail(?: access)?\b|\bno access to (?:my )?e-?mail\b",
        r"\b(?:upon|on|after) my return\b|\bwhen i(?:'m| am)? (?:back|return)\b",
        r"\b(?:will|shall) (?:be )?(?:back|return|respond|reply)\b",
        r"\b(?:messages?|e-?mails?|your (?:e-?mail|message)) (?:will|has|have) not be(?:en)?"
        r" forwarded\b",
        r"\bim urlaub\b",
        r"\bnach meiner rückkehr\b|\bwieder (?:im büro|erreichbar)\b",
        r"\babsente?\b",
        r"\ben congés?\b|\ben vacances\b",
        r"\bde retour\b|\bà mon retour\b",
        r"\bde vacaciones\b|\bausente\b",
        r"\ba mi regreso\b|\bacceso limitado\b",
        r"\buntil\b|\bbis\b|\bjusqu'au\b|\bhasta\b",
    )
)
# A subject the sender did not write: a reply's, or an automatic reply's.
_NOT_OWN_SUBJECT = re.compile(
    rf"^\s*(?:(?:{_REPLY_WORDS}|(?:{'|'.join(_AUTO_REPLY)})\w*|absence|abwesend)"
    r"\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)


def own_subject(subject: str) -> str:
    """The subject when the sender wrote it; "" when it is ours with a Re:/AW: prefix, or an
    automatic reply's."""
    subject = normalize(subject).strip()
    return "" if _NOT_OWN_SUBJECT.match(subject) else subject


def looks_like_auto_reply(text: str, subject: str = "") -> bool:
    """Whether the text reads like an out-of-office or other automatic reply. A fallback for
    mail whose headers did not say so; the machine-mail parser decides the `kind`."""
    return auto_reply_wording(split_reply(normalize(text))[0], subject)


def auto_reply_wording(fresh: str, subject: str = "") -> bool:
    """`looks_like_auto_reply` for a reply's new text (normalized)."""
    subject = normalize(subject)
    low = lower(subject + "\n" + fresh)
    if AUTO_REPLY.search(low) or AUTO_REPLY_SUBJECT.search(subject):
        return True
    return sum(1 for p in _AUTO_REPLY_WEAK if p.search(low)) >= 2


# --- written dates --------------------------------------------------------------------------

MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
    "mai": 5, "juni": 6, "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
    "avril": 4, "avr": 4, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # Spanish
    "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5,
    "junio": 6, "julio": 7, "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9,
    "octubre": 10, "noviembre": 11, "diciembre": 12, "dic": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
    "samstag": 5, "sonntag": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3,
    "vendredi": 4, "samedi": 5, "dimanche": 6, "lunes": 0, "martes": 1, "miércoles": 2,
    "miercoles": 2, "jueves": 3, "viernes": 4, "sábado": 5, "sabado": 5, "domingo": 6,
    "lunedì": 0, "martedì": 1, "mercoledì": 2, "giovedì": 3, "venerdì": 4,
}  # fmt: skip

_MONTH_RE = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(map(re.escape, WEEKDAYS), key=len, reverse=True))
# Written dates, most specific first.
CALENDAR: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")),
    (
        "num",
        re.compile(
            r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?!\d|[./-]\d)",
        ),
    ),
    (
        "dm",
        re.compile(
            rf"(?<![\d.])(\d{{1,2}})(?:st|nd|rd|th|er|º|ª)?\.?\s*(?:of\s+|de\s+)?"
            rf"({_MONTH_RE})\b\.?(?:,?\s*(?:de\s+|del\s+)?(\d{{4}}))?",
            re.IGNORECASE,
        ),
    ),
    (
        "md",
        re.compile(
            rf"\b({_MONTH_RE})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![\d:])(?:,?\s*(\d{{4}}))?",
            re.IGNORECASE,
        ),
    ),
]
WEEKDAY = re.compile(rf"\b({_WEEKDAY_RE})\b", re.IGNORECASE)


def calendar_date(
    kind: str,
    m: re.Match[str],
    today: date,
    *,
    us_dates: bool = False,
    grace: int = 14,
    bare_dots: bool = True,
) -> date | None:
    """A written date. "15.03." is day.month; "04/03" is month/day only with `us_dates` (a
    part over 12 settles it either way); "10-31" without a year is a range, not a date; a bare
    "15.03" (no closing dot, no year) only with `bare_dots`, where the words around it say it
    is a date ("2.5" is more often a number). A date without a year is this year's, or next
    year's once it is more than `grace` days past."""
    year: int | None
    if kind == "iso":
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif kind == "num":
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if sep == "-" and not y:
            return None
        if sep == "." and not y and not bare_dots and not m.string.startswith(".", m.end()):
            return None
        if sep == "." or a > 12 or (b <= 12 and not us_dates):
            day, month = a, b
        else:
            month, day = a, b
        year = None if not y else int(y) + (2000 if len(y) == 2 else 0)
    elif kind == "dm":
        day, month = int(m.group(1)), MONTHS[m.group(2).lower()]
        year = int(m.group(3)) if m.group(3) else None
    else:
        month, day = MONTHS[m.group(1).lower()], int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
    try:
        if year is not None:
            return date(year, month, day)
        found = date(today.year, month, day)
    except ValueError:
        if year is None and month == 2 and day == 29:  # a leap day, next time there is one
            return next(
                (date(y, 2, 29) for y in range(today.year, today.year + 8) if _leap(y)), None
            )
        return None
    if found < today - timedelta(days=grace):
        try:
            found = date(today.year + 1, month, day)
        except ValueError:
            return None
    return found


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def next_weekday(today: date, name: str) -> date:
    """The next such day strictly after today: "Monday" said on a Monday is next week's."""
    return today + timedelta(days=(WEEKDAYS[name.lower()] - today.weekday() - 1) % 7 + 1)


# --- out-of-office return dates -------------------------------------------------------------

_TOMORROW = ("tomorrow", "morgen", "demain", "mañana", "domani")
_WEEKDAY_OR_TOMORROW = re.compile(
    r"\b("
    + "|".join(sorted(map(re.escape, [*WEEKDAYS, *_TOMORROW]), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_BACK_BEFORE = re.compile(  # a return word shortly before the date
    r"\bback\b|\breturn|\bresum|\buntil\b|\btill?\b|\bthrough\b|\bthru\b"
    r"|\bin the office (?:again )?(?:on|from)\b|\bavailable (?:again )?(?:on|from)\b"
    r"|\bzurück|\bwieder\b|\bbis\b|\brückkehr"
    r"|\bretour\b|\bjusqu|\brentr|\bde nouveau\b"
    r"|\bhasta\b|\bregres|\bvuelta\b|\bvolver|\breincorpor"
    r"|\bfino al|\brientr|\britorno\b",
    re.IGNORECASE,
)
_RANGE_END = re.compile(r"(?:\bto|\bau|\bal|\bbis|[-–—])\s*$", re.IGNORECASE)  # "2 to 13 March"
_BACK_AFTER = re.compile(  # ... or a return word shortly after it: "am 16.3. wieder da"
    r"\bwieder\b|\bzurück|\bagain\b|\bback\b|\bde retour\b|\bde nouveau\b|\bde vuelta\b"
    r"|\bregres|\bdi nuovo\b|\brientr",
    re.IGNORECASE,
)


def return_date(text: str, today: date, *, us_dates: bool = False) -> date | None:
    """When an out-of-office text says its author is back, or None.

    The date follows a return word ("back on", "until", "bis", "jusqu'au", "hasta el") or
    precedes one ("am 16.3. wieder im Büro"). "Until X" gives X. A date without a year up to
    14 days in the past stays in the past: a stale notice, they are back already."""
    text = text[:_SCAN]
    found: list[tuple[int, int, date | None]] = []  # (start, end, date); None: unresolvable
    taken: list[tuple[int, int]] = []
    for kind, pattern in CALENDAR:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append(m.span())
            found.append((m.start(), m.end(), calendar_date(kind, m, today, us_dates=us_dates)))
    for m in _WEEKDAY_OR_TOMORROW.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        if any(0 <= s - m.end() <= 4 for s, _ in taken):  # "Monday 3 March": the date counts
            continue
        word = m.group(1).lower()
        when = today + timedelta(days=1) if word in _TOMORROW else next_weekday(today, word)
        found.append((m.start(), m.end(), when))
    found.sort()

    later: date | None = None
    prev_end = 0
    for start, end, day in found:
        before = text[max(prev_end, start - 45) : start]
        before = re.split(r"[.!?;\n]\s", before)[-1]
        after = re.split(r"[.!?;\n]", text[end : end + 40].removeprefix("."))[0]
        prev_end = end
        if day is None:
            continue
        if _BACK_BEFORE.search(before) or _RANGE_END.search(before):
            return day
        if later is None and _BACK_AFTER.search(after):
            later = day
    return later


# --- dates named for later contact ----------------------------------------------------------


def _words_to_months(*groups: tuple[list[str], int]) -> dict[str, int]:
    return {word: value for words, value in groups for word in words}


# Seasons start on the first of a month; French "été" is also "been", so it needs "en"/"cet".
_SEASONS = _words_to_months(
    (["spring", "frühjahr", "frühling", "printemps", "primavera"], 3),
    (["summer", "sommer", "verano"], 6),
    (["fall", "autumn", "herbst", "automne", "otoño", "otono"], 9),
    (["winter", "hiver", "invierno"], 12),
)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNTS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}
_COUNTS |= {"a couple of": 2, "couple of": 2, "a few": 3, "few": 3}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_ORDINALS |= {"4th": 4}

_MONTH = "(" + _MONTH_RE + r")\.?"
_SEASON = "(" + "|".join(map(re.escape, _SEASONS)) + ")"
_COUNT = "(" + "|".join(sorted(map(re.escape, _COUNTS), key=len, reverse=True)) + r"|\d{1,2})"
_UNTIL = (
    r"(in|after|from|until|till|til|by|early|mid-|mid|middle of|late|end of|beginning of|start of|"
    r"around|during|im|ab|nach|anfang|mitte|ende|en|après|apres|début|fin|después de|despues de|"
    r"a partir de|a finales de|a principios de|next)"
)
_AFTER_WORDS = ("after", "nach", "après", "apres", "después de", "despues de")
_LATE_WORDS = ("end of", "late", "ende", "fin", "a finales de")
_MID_WORDS = ("mid", "mid-", "middle of", "mitte")


def _r(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _add_months(d: date, months: int, day: int | None = None) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(day or d.day, calendar.monthrange(year, month)[1]))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next(today: date, month: int, day: int = 1) -> date:
    """The next `day` of `month` strictly after today: this year's or next year's."""
    this_year = _safe_date(today.year, month, min(day, calendar.monthrange(today.year, month)[1]))
    if this_year is not None and this_year > today:
        return this_year
    return date(today.year + 1, month, min(day, calendar.monthrange(today.year + 1, month)[1]))


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text.strip("' "))
    return y + 2000 if y < 100 else y


def _period(today: date, start: date, end: date) -> date:
    """A period named for contact: its start, two weeks out when we are in it, or next year's."""
    if today < start:
        return start
    if today <= end:
        return today + timedelta(days=14)
    return start.replace(year=start.year + 1)


def _quarter(today: date, q: int, year: int | None = None) -> date:
    start = date(year or today.year, 3 * (q - 1) + 1, 1)
    end = _add_months(start, 3) - timedelta(days=1)
    return start if year is not None and start > today else _period(today, start, end)


def _d_month_phrase(m: re.Match[str], today: date) -> date | None:
    """in March -> 1 March, mid-March -> the 15th, end of March -> the 24th, after March ->
    1 April; the next such date after today unless a year is given."""
    word, month, year = m.group(1).lower(), MONTHS[m.group(2).lower()], _year(m.group(3))
    if word in _AFTER_WORDS:
        return _day_after(today, date(year or today.year, month, 1), 1, year is not None)
    day = 24 if word in _LATE_WORDS else 15 if word in _MID_WORDS else 1
    if year is not None:
        return _safe_date(year, month, day)
    if month == today.month and day <= today.day:
        return today + timedelta(days=7)  # "in March", said in March: soon
    return _next(today, month, day)


def _d_relative(m: re.Match[str], today: date) -> date | None:  # in two weeks, 6 weeks from now
    count, unit = [g for g in m.groups() if g][:2]
    n = int(count) if count.isdigit() else _COUNTS[count.lower()]
    unit = unit.lower()
    if unit == "day":
        return today + timedelta(days=n)
    if unit == "week":
        return today + timedelta(weeks=n)
    return _add_months(today, n if unit == "month" else 12 * n)


def _day_after(today: date, start: date, months: int, year_given: bool) -> date:
    """The day after a period (`months` long from `start`) ends: its next end, unless the year
    was given ("after March" said in May means next April)."""
    after = _add_months(start, months, 1)
    if not year_given and after <= today:
        after = after.replace(year=after.year + 1)
    return after


def _d_quarter_phrase(m: re.Match[str], today: date) -> date | None:  # after Q2, in Q3 2025
    word, q, year = m.group(1).lower(), int(m.group(2)), _year(m.group(3))
    if word in ("after", "end of", "beyond", "post", "nach"):
        start = date(year or today.year, 3 * (q - 1) + 1, 1)
        return _day_after(today, start, 3, year is not None)
    return _quarter(today, q, year)


def _d_half(m: re.Match[str], today: date) -> date:  # H2 -> 1 July; after H2 -> 1 January
    h = int(m.group(2)) + (1 if m.group(1) else 0)
    if h == 3:
        return date(today.year + 1, 1, 1)
    start = date(today.year, 1 if h == 1 else 7, 1)
    end = date(today.year, 6, 30) if h == 1 else date(today.year, 12, 31)
    return _period(today, start, end)


def _d_season(m: re.Match[str], today: date) -> date:
    """ "in the spring" -> 1 March, two weeks out when it is spring now; "next spring" -> the
    next 1 March; "after the summer" -> the day after it ends."""
    word, month = m.group(1).lower(), _SEASONS[m.group(2).lower()]
    start = date(today.year, month, 1)
    if word in ("after", "after the"):
        return _day_after(today, start, 3, False)
    if word == "next":
        return _next(today, month)
    return _period(today, start, _add_months(start, 3) - timedelta(days=1))


def _d_day_of_month(m: re.Match[str], today: date) -> date | None:  # "on the 15th"
    day = int(m.group(1))
    for months in range(3):
        base = _add_months(today.replace(day=1), months, 1)
        d = _safe_date(base.year, base.month, day)
        if d and d > today:
            return d
    return None


def _d_holidays(m: re.Match[str], today: date) -> date:
    return _next(today, 9) if 6 <= today.month <= 8 else _next(today, 1, 7)


def _d_later_this_year(m: re.Match[str], today: date) -> date:
    if today.month >= 11:
        return today + timedelta(days=30)
    return min(today + timedelta(days=90), date(today.year, 12, 1))


def _quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


_DateRule = tuple[re.Pattern[str], Callable[[re.Match[str], date], date | None]]
_DATE_RULES: list[_DateRule] = [
    # Written dates first; "04/03" read month/day, as English writers mostly mean it.
    *(
        (pattern, partial(calendar_date, kind, us_dates=True, grace=0, bare_dots=False))
        for kind, pattern in CALENDAR
    ),
    (_r(rf"\b{_UNTIL}(?:\s+|(?<=-)){_MONTH}(?:,? (\d{{4}}))?\b"), _d_month_phrase),
    (
        _r(
            rf"\bin (?:the )?(?:next )?{_COUNT} (day|week|month|year)s?\b"
            rf"|\b{_COUNT} (day|week|month|year)s? (?:from now|time|out)\b"
        ),
        _d_relative,
    ),
    (
        _r(r"\bnext week\b|\bnächste woche\b|\bsemaine prochaine\b|\bpróxima semana\b"),
        lambda m, t: t + timedelta(days=7 - t.weekday()),
    ),
    (
        _r(r"\bnext month\b|\bnächsten monat\b|\bmois prochain\b|\bpróximo mes\b"),
        lambda m, t: _add_months(t, 1, 1),
    ),
    (
        _r(r"\b(?:next|following) quarter\b|\bnächsten quartal\b|\btrimestre prochain\b"),
        lambda m, t: _add_months(_quarter_start(t), 3, 1),
    ),
    (
        _r(
            r"\b(after|end of|beyond|post|in|before|during|until|till|by|for|early|nach|ab|im|en"
            r"|el) (?:the )?q([1-4])(?:\s*(20\d\d|'?\d\d))?\b"
        ),
        _d_quarter_phrase,
    ),
    (_r(r"\bq([1-4])(?:\s*(20\d\d|'\d\d))?\b"), lambda m, t: _quarter(t, int(m[1]), _year(m[2]))),
    (
        _r(r"\b(first|second|third|fourth|1st|2nd|3rd|4th) quarter\b"),
        lambda m, t: _quarter(t, _ORDINALS[m[1].lower()]),
    ),
    (_r(r"\b(after )?h([12])\b"), _d_half),
    (
        _r(
            r"\b(?:next|new|the new|following) (?:calendar |fiscal |financial )?year\b"
            r"|\bnächstes jahr\b|\bneuen jahr\b|\bl'année prochaine\b|\bl'an prochain\b"
            r"|\bel próximo año\b|\bel año que viene\b"
        ),
        lambda m, t: date(t.year + 1, 1, 1),
    ),
    (_r(r"\bafter the holidays\b|\bnach den feiertagen\b|\baprès les fêtes\b"), _d_holidays),
    (_r(r"\bà la rentrée\b|\bafter (?:the )?summer\b"), lambda m, t: _next(t, 9)),
    (_r(r"\b(?:en|cet) été\b"), lambda m, t: _next(t, 6)),
    (
        _r(rf"\b(next|this|in the|in|im|en|au|à l'|en el|after the|after) {_SEASON}\b"),
        _d_season,
    ),
    (
        _r(
            r"\blater (?:this|in the) year\b|\bend of (?:the|this) year\b|\bende des jahres\b"
            r"|\bfin d'année\b"
        ),
        _d_later_this_year,
    ),
    (_r(r"\bend of (?:the|this) month\b"), lambda m, t: _add_months(t, 1, 1)),
    (
        _r(r"\bend of (?:the|this) quarter\b"),
        lambda m, t: _add_months(_quarter_start(t), 3, 1),
    ),
    (_r(rf"\b(?:next )?({_WEEKDAY_RE})\b"), lambda m, t: next_weekday(t, m[1])),
    (_r(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b"), _d_day_of_month),
    (
        _r(r"\b(?:in|after|until|by) (20\d\d)\b"),
        lambda m, t: date(int(m[1]), 1, 1) if int(m[1]) > t.year else None,
    ),
    # Not "morgen" or "mañana": they also mean "morning".
    (_r(r"\btomorrow\b|\bdemain\b"), lambda m, t: t + timedelta(days=1)),
]


def resolve_date(text: str, today: date, *, latest: bool = False) -> date | None:
    """The first date the text names (or the latest, for out-of-office return dates), resolved
    against `today`; only dates after today and within three years count."""
    low = lower(normalize(text))
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, date]] = []
    # Rules run most specific first; a later rule may not reuse text an earlier one read
    # ("until 2026-01-31" is that date, not "until 2026").
    for pattern, build in _DATE_RULES:
        for m in pattern.finditer(low):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            try:
                d = build(m, today)
            except (ValueError, KeyError, OverflowError):
                d = None
            if d is not None and today < d <= today + timedelta(days=3 * 366):
                taken.append(m.span())
                found.append((m.start(), d))
    if not found:
        return None
    if latest:
        return max(d for _, d in found)
    return min(found)[1]
