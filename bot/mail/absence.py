"""The subject an out-of-office notice starts with, in the languages mail clients and servers
are set up in.

A notice sent with no Auto-Submitted or X-Autoreply header (a phone's vacation reply, a
hosting panel's autoresponder, a rule in a desktop client) is known by its subject: the
client's "Automatic reply:" (Outlook, localised into each of its UI languages) or the
absence word a person sets up ("Out of office:", "Abwesend:", "कार्यालय बाहिर:"), put before
the subject it answers. People do not start a reply's subject with those words and a colon,
so the start of a subject is read in every language here, not only the ones the body
wording of `machine.absence_notice` knows. One list per language, so a missing language is
one line to add.
"""

from __future__ import annotations

import re

# Outlook's "Automatic reply", and what other clients and servers put there, by language.
AUTOMATIC_REPLY = {
    "af": ("outomatiese antwoord", "outomatiese reaksie"),
    "am": ("ራስ-ሰር ምላሽ",),
    "ar": ("رد تلقائي", "الرد التلقائي", "رد آلي"),
    "az": ("avtomatik cavab",),
    "be": ("аўтаматычны адказ",),
    "bg": ("автоматичен отговор",),
    "bn": ("স্বয়ংক্রিয় উত্তর", "স্বয়ংক্রিয় জবাব"),
    "bs hr sr": ("automatski odgovor", "аутоматски одговор"),
    "ca": ("resposta automàtica",),
    "cs": ("automatická odpověď",),
    "cy": ("ateb awtomatig",),
    "da nb nn": ("automatisk svar", "autosvar"),
    "de": ("automatische antwort", "automatische beantwortung", "autoantwort"),
    "el": ("αυτόματη απάντηση",),
    "en": ("automatic reply", "automated reply", "auto reply", "auto-reply", "autoreply"),
    "es": ("respuesta automática", "respuesta automatica"),
    "et": ("automaatvastus", "automaatne vastus"),
    "eu": ("erantzun automatikoa",),
    "fa": ("پاسخ خودکار",),
    "fi": ("automaattinen vastaus",),
    "fil tl": ("awtomatikong tugon", "awtomatikong sagot"),
    "fr": ("réponse automatique", "reponse automatique"),
    "ga": ("freagra uathoibríoch", "freagra uathoibrioch"),
    "gl": ("resposta automática",),
    "gu": ("સ્વચાલિત જવાબ",),
    "he": ("תשובה אוטומטית", "מענה אוטומטי"),
    "hi": ("स्वचालित उत्तर", "स्वचालित जवाब", "ऑटो रिप्लाई"),
    "hu": ("automatikus válasz",),
    "hy": ("ավտոմատ պատասխան", "ինքնաշխատ պատասխան"),
    "id": ("balasan otomatis",),
    "is": ("sjálfvirkt svar",),
    "it": ("risposta automatica",),
    "ja": ("自動応答", "自動返信"),
    "ka": ("ავტომატური პასუხი",),
    "kk": ("автоматты жауап", "автожауап"),
    "km": ("ការឆ្លើយតបស្វ័យប្រវត្តិ",),
    "kn": ("ಸ್ವಯಂಚಾಲಿತ ಪ್ರತ್ಯುತ್ತರ",),
    "ko": ("자동 회신", "자동 응답", "자동회신", "자동응답"),
    "ky": ("автоматтык жооп",),
    "lb": ("automatesch äntwert",),
    "lo": ("ຕອບກັບອັດຕະໂນມັດ",),
    "lt": ("automatinis atsakymas",),
    "lv": ("automātiskā atbilde", "automātiska atbilde"),
    "mk": ("автоматски одговор",),
    "ml": ("സ്വയമേവയുള്ള മറുപടി",),
    "mn": ("автомат хариу",),
    "mr": ("स्वयंचलित उत्तर",),
    "ms": ("balasan automatik",),
    "mt": ("tweġiba awtomatika", "twegiba awtomatika"),
    "my": ("အလိုအလျောက် ပြန်စာ",),
    "ne": ("स्वचालित जवाफ", "स्वतः जवाफ"),
    "nl": ("automatisch antwoord",),
    "pa": ("ਸਵੈਚਾਲਤ ਜਵਾਬ",),
    "pl": ("odpowiedź automatyczna", "automatyczna odpowiedź"),
    "pt": ("resposta automática", "resposta automatica"),
    "ro": ("răspuns automat", "raspuns automat"),
    "ru": ("автоматический ответ", "автоответ"),
    "si": ("ස්වයංක්\u200dරීය පිළිතුර", "ස්වයංක්රීය පිළිතුර"),
    "sk": ("automatická odpoveď",),
    "sl": ("samodejni odgovor",),
    "sq": ("përgjigje automatike",),
    "sr-latn": ("automatski odgovor",),
    "sv": ("automatiskt svar",),
    "sw": ("jibu la kiotomatiki", "jibu la otomatiki"),
    "ta": ("தானியங்கு பதில்", "தானியங்கி பதில்"),
    "te": ("స్వయంచాలక ప్రత్యుత్తరం",),
    "th": ("ตอบกลับอัตโนมัติ", "การตอบกลับอัตโนมัติ"),
    "tk": ("awtomatik jogap",),
    "tr": ("otomatik yanıt", "otomatik cevap", "otomatik yanit"),
    "uk": ("автоматична відповідь", "автовідповідь"),
    "ur": ("خودکار جواب", "خودکار جوابی پیغام"),
    "uz": ("avtomatik javob", "автоматик жавоб"),
    "vi": ("trả lời tự động", "tra loi tu dong"),
    "zh": ("自动回复", "自動回覆", "自动答复", "自動回復"),
    "zu": ("impendulo ezenzakalelayo",),
}

# The absence a person names in their notice's subject ("Out of office", "on leave").
AWAY = {
    "af": ("uit kantoor", "buite kantoor", "met verlof"),
    "ar": ("خارج المكتب", "في إجازة"),
    "az": ("ofisdən kənarda", "məzuniyyətdəyəm"),
    "be": ("па-за офісам", "у адпачынку"),
    "bg": ("извън офиса", "в отпуск", "отсъствие"),
    "bn": ("অফিসের বাইরে", "ছুটিতে"),
    "bs hr sr": ("izvan ureda", "van kancelarije", "van ureda", "odsutan", "odsutna"),
    "ca": ("fora de l'oficina", "fora de l’oficina", "absència"),
    "cs sk": ("mimo kancelář", "mimo kanceláriu", "nepřítomnost", "neprítomnosť", "dovolená"),
    "cy": ("allan o'r swyddfa", "allan o’r swyddfa", "i ffwrdd o'r swyddfa"),
    "da nb nn sv": ("fraværende", "fravær", "ikke på kontoret", "frånvaro", "frånvarande"),
    "de": ("abwesenheit", "abwesenheitsnotiz", "abwesend", "nicht im büro", "außer haus"),
    "el": ("εκτός γραφείου", "σε άδεια"),
    "eo": ("ekster la oficejo", "ne en la oficejo", "en ferio", "forestanta"),
    "en": ("out of office", "out of the office", "away from the office", "on leave", "ooo"),
    "es": ("fuera de la oficina", "fuera de oficina", "ausente", "ausencia", "de vacaciones"),
    "et": ("kontorist väljas", "puhkusel", "eemal"),
    "eu": ("bulegotik kanpo", "oporretan"),
    "fa": ("خارج از دفتر", "در مرخصی"),
    "fi": ("poissa", "poissa toimistolta", "lomalla", "poissaolo"),
    "fil tl": ("wala sa opisina", "nasa bakasyon"),
    "fr": ("absent", "absente", "absence", "hors du bureau", "en congé", "en congés"),
    "ga": ("as an oifig", "ar saoire"),
    "gl": ("fóra da oficina", "ausente"),
    "he": ("מחוץ למשרד", "בחופשה", "לא נמצא במשרד", "לא נמצאת במשרד"),
    "hi": ("कार्यालय से बाहर", "ऑफिस से बाहर", "छुट्टी पर"),
    "ht": ("an konje", "an vakans", "pa nan biwo a", "andeyò biwo a"),
    "hu": ("házon kívül", "irodán kívül", "szabadságon", "szabadság"),
    "hy": ("գրասենյակից դուրս", "արձակուրդում"),
    "id ms": ("di luar kantor", "tidak di kantor", "sedang cuti", "di luar pejabat", "bercuti"),
    "is": ("fjarverandi", "ekki við", "í fríi"),
    "it": ("fuori ufficio", "fuori sede", "assente", "in ferie"),
    "ja": ("不在", "休暇中", "外出中", "不在通知"),
    "ka": ("ოფისის გარეთ", "შვებულებაში"),
    "ki": ("ndĩrĩ ofisi", "ndirĩ ofisi", "ndiri ofisi", "ndĩrĩ ofisini", "ndiri ofisini"),
    "kk": ("кеңседен тыс", "демалыстамын", "демалыста"),
    "km": ("មិននៅការិយាល័យ", "នៅក្រៅការិយាល័យ", "ឈប់សម្រាក"),
    # Greenlandic says "I am not in the office" in one word; the first person only ("she is
    # away, write to Ole" is a person's redirect)
    "kl": ("allaffimmiinngilanga", "sulinngiffeqarpunga"),
    "ko": ("부재중", "부재 중", "휴가중", "휴가 중", "외근 중"),
    "ky": ("кеңседе жокмун", "эмгек өргүүсүндөмүн", "өргүүдөмүн"),
    "lt": ("ne biure", "nesu biure", "atostogose", "atostogauju"),
    "lv": ("ārpus biroja", "atvaļinājumā", "prombūtnē", "prombūtne"),
    "mg": ("tsy ao amin'ny birao", "miala sasatra"),
    "mk": ("надвор од канцеларија", "на одмор"),
    "ml": ("ഓഫീസിന് പുറത്ത്", "അവധിയിലാണ്", "അവധിയിൽ"),
    "mn": ("ажлын байранд байхгүй", "амралттай"),
    "mr": ("कार्यालयाबाहेर", "रजेवर"),
    "mt": ("barra mill-uffiċċju", "barra mill-uffiċju", "fuq leave"),
    "ne": ("कार्यालय बाहिर", "अफिस बाहिर", "बिदामा"),
    "nl": ("afwezig", "niet aanwezig", "buiten kantoor", "met vakantie", "afwezigheidsbericht"),
    # Melanesian pidgins: Solomon Islands Pijin, Bislama, Tok Pisin
    "pis bi tpi": ("mi no stap long ofis", "mi no stap long opis", "no stap long ofis"),
    # Plautdietsch and Low German
    "pdt nds": ("nich em kontor", "nich im kontor", "nich in't kontor", "nich in’t kontor"),
    "pl": ("nieobecność", "poza biurem", "na urlopie", "urlop"),
    "pt": ("fora do escritório", "ausente", "ausência", "de férias"),
    "ro": ("în afara biroului", "in afara biroului", "în concediu", "absent"),
    "ru uk": ("нет на месте", "вне офиса", "в отпуске", "поза офісом", "у відпустці", "не в офісі"),
    "rw": ("sindi mu biro", "ndi mu kiruhuko", "ndi mu biruhuko"),
    "si": ("කාර්යාලයෙන් බැහැර", "නිවාඩු මත"),
    "sl": ("odsoten", "odsotna", "odsotnost", "izven pisarne"),
    # the glottal stop written ʻ, ' or not at all, the long vowels with or without macrons
    "sm": (
        "o lo'o ou malōlō",
        "o lo'o ou malolo",
        "ua ou malōlō",
        "ua ou malolo",
        "i fafo o le ofisa",
    ),
    "so": ("xafiiska kama joogo", "fasax ayaan ku maqnahay"),
    "sq": ("jashtë zyrës", "me pushime"),
    "sw": ("nje ya ofisi", "likizoni", "niko likizo"),
    "ta": ("அலுவலகத்திற்கு வெளியே", "விடுப்பில்"),
    "te": ("కార్యాలయంలో లేను", "సెలవులో ఉన్నాను"),
    "th": ("ไม่อยู่ที่สำนักงาน", "ไม่อยู่ที่ออฟฟิศ", "ลาพักร้อน", "ไม่อยู่"),
    "tr": ("ofis dışında", "ofis dışı", "izindeyim", "izinde", "tatildeyim"),
    "ur": ("دفتر سے باہر", "چھٹی پر"),
    "tvl": ("au e se i te ofisa", "e se i te ofisa"),
    "ty": ("aita vau i te piha toro'a", "i rapae i te piha toro'a", "te fa'afa'aea nei au"),
    "uz": ("ishdan tashqarida", "ofisdan tashqarida", "taʼtildaman", "ta'tildaman", "tatildaman"),
    "vi": ("vắng mặt", "ngoài văn phòng", "không có mặt tại văn phòng", "đang nghỉ phép"),
    "xh": ("andikho eofisini", "ndisekhefini", "ndisetchuthini"),
    "yi": ("נישטא אין ביורא", "נישט אין ביורא", "נישטא אין אפיס", "נישט אין אפיס", "אויף וואקאציע"),
    "yo": ("mi ò sí ní ọ́fíìsì", "mo wà ní ìsinmi"),
    "zh": ("不在办公室", "不在辦公室", "休假中", "外出中", "休假通知"),
    "zu": ("angikho ehhovisi", "ngaphandle kwehhovisi", "ngisekhefini", "ngiseholidini"),
}


# Scripts written without spaces between words: there the phrase may run on into the rest
# of the notice's name ("不在のお知らせ："), elsewhere a word must end where the phrase does.
_UNSPACED = re.compile(r"[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]")


def _alternation(phrases: set[str]) -> str:
    # Longest first, so "poissa toimistolta" is not read as "poissa" and stopped there.
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


def _alternatives(spaced: bool) -> str:
    phrases = {p.lower() for table in (AUTOMATIC_REPLY, AWAY) for ps in table.values() for p in ps}
    return _alternation({p for p in phrases if bool(_UNSPACED.search(p)) != spaced})


_PHRASE = (
    rf"(?:{_alternatives(spaced=True)})(?=[\s:：/(\-–—]|$)"
    rf"|(?:{_alternatives(spaced=False)})[^\s:：]{{0,12}}?"
)

# The phrase at the subject's start (after a gateway's "[EXT]"), then the colon before the
# subject answered. Between them only its dates ("Absent until 12/3:", "Odsutan do 12.3.:"),
# a run-on in scripts without spaces ("不在のお知らせ："), or a second such phrase
# ("Taʼtildaman / Ishdan tashqarida:"): a noun a person's subject starts with ("Absence
# management pilot: next steps") is followed by other words. Any token but a colon counts:
# Indic scripts' vowel signs are not word characters to `re`.
_DATES = r"(?:(?:\s+[^\s:：]{1,5}){0,2}(?:\s+[^\s:：]*\d[^\s:：]*)+)?"
SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?"
    rf"(?:{_PHRASE}){_DATES}"
    rf"(?:\s*[/|]\s*(?:{_PHRASE}){_DATES})?\s*[:：]",
    re.IGNORECASE,
)


# The same words in a notice's text, for one sent under a plain "Re:" subject. Two
# statements, as `machine.absence_notice` asks of English ones: the absence with its end (a
# phrase of more than one word, never one shared with English like "absent", with a date
# within a few words of it), and someone else to write to meanwhile (another address), in a
# short text that asks nothing. Where a language builds the whole statement, "I am not in
# the office", into one word (Greenlandic "allaffimmiinngilanga"), that word is as specific as
# a phrase; a noun such as "nepřítomnost" (absence) or "Abwesenheitsnotiz" is not.
_ONE_WORD_STATEMENTS = {"kl"}


def _away_in_text() -> str:
    return _alternation(
        {
            p.lower()
            for lang, ps in AWAY.items()
            if lang != "en"
            for p in ps
            if (" " in p.strip() or lang in _ONE_WORD_STATEMENTS) and not _UNSPACED.search(p)
        }
    )


# Not inside a longer word; scripts without spaces as in subjects.
_BODY = re.compile(
    rf"(?<![^\W\d_])(?:{_away_in_text()})(?![^\W\d_])|{_alternatives(spaced=False)}",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
QUESTION = re.compile("[?\uff1f\u061f\u037e]")  # ? in Latin, CJK, Arabic and Greek text
# The "?" that starts a link's query ("...index.php?task=confirm"): ASCII link characters up to
# it, a key and "=" after it. A "?" that ends a sentence after a link is a question.
_QUERY = re.compile(r"((?:https?://|www\.)[A-Za-z0-9._~:/@%+-]*)\?(?=[A-Za-z0-9._~%-]+=)", re.I)
SHORT = 700  # characters: a notice is a few lines; a reply that says more is a person's


# Read without what a writer may or may not put in: the vowel points of Hebrew-script text
# (Yiddish spells "ביוראָ" pointed, Hebrew mostly not) and the Polynesian glottal stop's ʻ,
# written as an apostrophe in the tables.
_OPTIONAL_MARKS = str.maketrans({**dict.fromkeys(range(0x0591, 0x05C8)), 0x02BB: "'", 0x05BE: "-"})


def notice(text: str, sender: str = "") -> bool:
    """An out-of-office by its words in any language the tables know (see `_BODY`)."""
    text = text.translate(_OPTIONAL_MARKS)
    if len(text) > SHORT or asks(text):
        return False
    dated = any(
        re.search(r"\d", text[max(0, m.start() - 60) : m.end() + 60]) for m in _BODY.finditer(text)
    )
    sender = sender.lower()
    return dated and any(a.lower() != sender for a in _ADDRESS.findall(text))


def asks(text: str) -> bool:
    """Whether the text asks something: a question mark, but not one that starts a link's
    query."""
    return bool(QUESTION.search(_QUERY.sub(r"\1 ", text)))
