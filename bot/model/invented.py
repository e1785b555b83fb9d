"""What a drafted answer may not make up: numbers, prices and meeting times.

Read on the text, never on the model's word:
- every number in the answer (digits, with or without separators) must be a whole number
  token of some fact we gave it: "$12" is not "$1,200", "100 seats" is not "20 pipelines";
- price-like wording (an amount in any currency, a rate per month or seat, a discount, a free
  or no-cost offer) must be text copied from one pricing fact, token for token;
- a clock time, a weekday or a part of a named day is the owner's calendar, not the
  model's: only as text of a fact (a booking link's own page names the times).
Pure: no database, no model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Every currency symbol Unicode knows ($, €, £, ¥, ₹, ₩, ₽, ₺, ¢, ...); none lies past U+1FFFF.
_SYMBOLS = re.escape(
    "".join(c for c in map(chr, range(0x20000)) if unicodedata.category(c) == "Sc")
)
# ISO 4217 codes: upper case beside an amount ("CHF 900", "900 SEK"); a few are English words
# in lower case ("all", "top", "try"), so only the common ones count in any case.
_CODES = re.sub(
    r"\s+",
    "|",
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY "
    "KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP "
    "MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
    "RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
    "TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW "
    "ZWL",
)
_COMMON_CODES = "usd|eur|gbp|chf|inr|jpy|aud|cad|cny|sek|nok|dkk|nzd|sgd|hkd"
_AMOUNT = r"\d+(?:[.,'’ ]\d{3})*(?:[.,]\d+)?(?:\s?(?:k|m|bn|million|thousand)\b)?"
_MONEY_WORDS = (
    r"dollars?|euros?|pounds?|francs?|rupees?|yen|yuan|pesos?|reais|kron[aeo]r?|złoty|zloty|"
    r"bucks|cents?|quid"
)
_UNITS = r"seat|user|month|year|annum|quarter|week|day|hour|pipeline|licen[cs]e|head|member|node"

PRICE_LIKE = [
    re.compile(rf"[{_SYMBOLS}]\s?(?:{_AMOUNT})?|{_AMOUNT}\s?[{_SYMBOLS}]"),
    re.compile(rf"\b(?:{_CODES})\s?{_AMOUNT}|{_AMOUNT}\s?(?:{_CODES})\b"),
    re.compile(
        rf"\b(?:{_COMMON_CODES})\b(?:\s?{_AMOUNT})?|(?:{_AMOUNT}\s?)?\b(?:{_MONEY_WORDS})\b"
        rf"|{_AMOUNT}\s?(?:{_COMMON_CODES})\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bper\s+(?:{_UNITS})s?\b"
        rf"|/\s?(?:{_UNITS}|mo|yr)s?\b"
        r"|\b(?:a|an|each|every)\s+(?:seat|user|licen[cs]e|head|member)\b"
        r"|\ba\s+(?:month|year|quarter|week)\b"
        r"(?!\s+(?:ago|later|earlier|before|after|from|or|and|back|in|of|at)\b)"
        r"|\b(?:monthly|yearly|annual|annually|quarterly)\s+"
        r"(?:fees?|prices?|costs?|plans?|subscriptions?|rates?|billing|charges?|payments?)\b"
        r"|\bbilled\s+\w+"
        rf"|\b(?:costs?|priced\s+at|starts?\s+at)\s+(?:{_AMOUNT}|[{_SYMBOLS}])",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_AMOUNT}\s?(?:%|percent|per\s?cent)\s*"
        r"(?:off|discount|reduction|rebate|savings?|cheaper|less)\b"
        r"|\bdiscount(?:s|ed)?\b|\brebates?\b|\bcoupons?\b|\bwaive[ds]?\b"
        r"|\b(?:price|cost|fee|rate)\s+(?:reduction|cut|drop|decrease)s?\b"
        r"|\breduced\s+(?:prices?|rates?|fees?|costs?)\b"
        r"|\bpromo(?:tion(?:al)?)?\s+(?:code|price|rate)s?\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bfree\s+(?:for|of\s+charge|trials?|tiers?|plans?|pilots?|months?|weeks?|seats?|users?"
        r"|versions?|editions?|access|onboarding|setup|period|upgrades?)\b"
        r"|\bfor\s+free\b|\bcomplimentary\b|\bgratis\b|\bon\s+the\s+house\b"
        r"|\b(?:at\s+)?no\s+(?:extra\s+|additional\s+|upfront\s+)?(?:cost|charge|fee)s?\b"
        r"|\bwithout\s+(?:any\s+)?(?:cost|charge)s?\b|\bcosts?\s+nothing\b",
        re.IGNORECASE,
    ),
]
TIME_LIKE = re.compile(
    r"\b\d{1,2}[:.h]\d{2}(?:\s?[ap]\.?m\b\.?)?"  # 10:00, 10.30, 14h00, 10:30am
    r"|\b\d{1,2}\s?[ap]\.?m\b\.?"  # 10am, 3 p.m.
    r"|\b(?:noon|midday|midnight)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b"
    r"|\b(?:tomorrow|today|tonight|this|next)\s+(?:morning|afternoon|evening|at\b)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,'’]\d+)*")
_TOKEN = re.compile(r"\d+(?:[.,'’]\d+)*|[^\W\d_]+|[^\w\s]|_")


def problems(body: str, facts: Sequence[str], pricing: Sequence[str]) -> list[str]:
    """Numbers, prices and times in `body` that no fact vouches for (empty: none)."""
    out = [f"number not in any fact: '{n}'" for n in invented_numbers(body, facts)]
    for span in price_spans(body):
        if not any(_copied(span, p) for p in pricing):
            out.append(f"price not taken from a pricing fact: '{span}'")
    for m in TIME_LIKE.finditer(_norm(body)):
        span = m.group().strip(" .")
        if not any(_copied(span, f) for f in facts):
            out.append(f"names a time ('{span}'): the owner's calendar decides, not the model")
    return list(dict.fromkeys(out))


def invented_numbers(body: str, facts: Iterable[str]) -> list[str]:
    """Numbers in `body` that are not a whole number token of some fact."""
    known = {_number(m.group()) for f in facts for m in _NUMBER.finditer(_norm(f))}
    found = [m.group() for m in _NUMBER.finditer(_norm(body))]
    return [n for n in dict.fromkeys(found) if _number(n) not in known]


def price_spans(body: str) -> list[str]:
    """Each price-like span of `body`, in order of appearance, overlapping ones merged."""
    text = _norm(body)
    spans = sorted(
        (m.start(), m.end())
        for pattern in PRICE_LIKE
        for m in pattern.finditer(text)
        if m.group().strip()
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [text[a:b].strip(" .,;:") for a, b in merged]


def _copied(span: str, fact: str) -> bool:
    """Whether `span` is text of `fact` on token boundaries ("$12" is not in "$1,200")."""
    want, have = _tokens(span), _tokens(fact)
    if not want:
        return False
    n = len(want)
    return any(have[i : i + n] == want for i in range(len(have) - n + 1))


def _tokens(text: str) -> list[str]:
    out = []
    for m in _TOKEN.finditer(_norm(text).casefold()):
        token = m.group()
        out.append(_number(token) if token[0].isdigit() else token)
    return out


def _number(token: str) -> str:
    """Thousands separators aside: "1,200" and "1200" are one number."""
    return re.sub(r"[,'’]", "", token)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
