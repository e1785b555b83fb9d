"""Requests to stop read from co-occurring cue classes, behind the phrase rules.

Why: phrase families do not carry over to new wording ("Zero emails from you going forward
would be ideal", "Kunnen jullie mij uit het bestand halen?"). What every request to stop
shares is a removal, cessation, unwanted or no-consent cue near a cue for our mail, the
writer's address or data, or a list of ours. So a clause with an ACTION cue and a fitting
OBJECT cue, in either order and at most `WINDOW` words apart, is a request to stop, unless
a veto says the object is a third thing (a meeting, an invoice, a feature, a plan...), the
stop word is a topic (unsubscribe links, opt-out rates), the clause asks about the
product, or it keeps the mail coming ("don't stop", "no need to remove me").

Every vocabulary is a small table per language; each cue class is one compiled pattern of
bounded alternatives (no nested unbounded quantifiers), searched once per clause.
"""

from __future__ import annotations

import re
from bisect import bisect_right

WINDOW = 12  # words between an action cue and its object

# --- OBJECT: our mail, or us as its sender -------------------------------------------------
_MAIL = {
    "en": r"e-?mails?|mails?|mailers?|follow[-‐]?ups|messages?|newsletters?|mailings?|marketing|campaigns?|sends"
    r"|outreach|communications?|correspondence|these(?= *(?:[.,!?;:)]|$|from\b|every\b|each\b"
    r"|coming\b|to\b|any ?more\b|here\b))|(?:hear|hearing) (?:\w+ ){0,2}from|from (?:you|your"
    r" (?:company|team|firm|side|organi[sz]ation))\b|(?:by|at) your (?:company|team|firm)"
    r"|reach(?:es)? me|lands? in my inbox",
    "de": r"e-?mails?|mails|nachrichten|newsletter|werbung|werbemails?|zusendungen|mailings?"
    r"|kampagnen?|\w+-mails?",
    "fr": r"e-?mails?|mails?|courriels?|messages?|newsletters?|envois?|prospection|relances?",
    "es": r"correos?|e-?mails?|mensajes?|env[ií]os?|boletines|newsletters?|publicidad"
    r"|comunicaciones|correspondencia",
    "it": r"e-?mails?|mail|messaggi|newsletter|invii?o?|comunicazion[ei]|pubblicit[aà]",
    "pt": r"e-?mails?|mensagens|newsletters?|envios?|comunica[cç][õo]es|publicidade",
    "nl": r"e-?mails?|mails?|berichten|nieuwsbrie(?:f|ven)|reclame|mailings?",
    "sv": r"mejl\w{0,3}|e-?post(?:en)?|utskick\w{0,3}|meddelanden|nyhetsbrev|reklam",
    "da": r"e-?mails?|beskeder|nyhedsbreve?|reklamer?|markedsføring",
    "no": r"e-?post(?:er|ar)?|meldinger|nyhetsbrev|reklame|markedsføring|utsendels\w{0,4}",
    "fi": r"sähköpost\w{0,8}|viest\w{0,6}|uutiskirje\w{0,6}|mainos\w{0,6}",
    "pl": r"e-?maili?|maili?|wiadomości|newslettera?|reklam\w{0,2}",
    "cs": r"e-?mail\w{0,3}|zpráv\w{0,3}|newsletter\w{0,3}|reklam\w{0,3}|obchodní sdělení",
    "tr": r"e-?posta\w{0,6}|mesaj\w{0,6}|bülten\w{0,6}|ileti\w{0,6}",
}
# --- OBJECT: the writer, their address or data --------------------------------------------
_WRITER = {
    "en": r"me|us|myself|my (?:\w+ )?(?:address|e-?mail(?: id| address)?|mail id|details|data"
    r"|info(?:rmation)?|contact(?: details)?|records?|inbox|name|particulars)|(?:both (?:of )?)?our"
    r" (?:\w+ )?(?:addresses|e-?mail addresses|contact details)|this (?:address|mailbox|inbox"
    r"|e-?mail address|account)|(?:\S+ )?domain",
    "de": r"mich|uns|meine (?:\w+ )?(?:adresse|daten|e-?mail(?:-?adresse)?|kontaktdaten)",
    "fr": r"me|moi|nous|mes (?:données|coordonnées)|mon (?:adresse|e-?mail)",
    "es": r"me|nos|mis datos|mi (?:correo|dirección|email|contacto)",
    "it": r"mi|ci|i miei dati|il mio (?:indirizzo|contatto)",
    "pt": r"me|nos|meus dados|meu (?:e-?mail|endereço|contato|contacto)",
    "nl": r"mij|me|ons|mijn (?:\w+ )?(?:adres|e-?mailadres|gegevens)",
    "sv": r"mig|oss|min (?:adress|e-?postadress)|mina uppgifter",
    "da": r"mig|os|min (?:adresse|e-?mail)|mine oplysninger",
    "no": r"meg|oss|min (?:adresse|e-?post(?:adresse)?)|mine opplysninger",
    "fi": r"minut|meidät|osoit\w{0,8}|tieto\w{0,6}",
    "pl": r"mnie|nas|moich danych|moje dane|mój adres|mojego adresu",
    "cs": r"mě|mne|nás|můj (?:e-?mail|adresu)|moje údaje",
    "tr": r"beni|bizi|adresimi|adresimizi|e-?posta adresimi",
}
# --- OBJECT: a list of ours, and a pronoun for what is taken off it ------------------------
_LIST = {
    "en": r"lists?|mailing lists?|database|records|crm|distribution|system",
    "de": r"verteiler\w{0,3}|liste\w?|mailingliste|datenbank|kartei|überall",
    "fr": r"liste|fichier|base(?: de données)?",
    "es": r"lista|listas|base de datos|registros?",
    "it": r"lista|elenco|database|archivio",
    "pt": r"lista|base de dados|cadastro",
    "nl": r"lijst|bestand|database|mailinglijst|adressenbestand",
    "sv": r"listan?|registret|databasen",
    "da": r"listen?|liste|databasen",
    "no": r"lista|listen|liste|registeret",
    "fi": r"list\w{0,8}|rekister\w{0,6}",
    "pl": r"list\w{0,3}|baz\w{0,2}",
    "cs": r"seznam\w{0,3}|databáz\w{0,2}",
    "tr": r"liste\w{0,6}",
}
_PRONOUN = r"(?<![\w'-])(?:it|them|him|her|ihn|lui|hem|haar)(?![\w-])"

# --- ACTION: removal ----------------------------------------------------------------------
_REMOVAL = {
    "en": r"remov(?:e|ed|ing)|delet(?:e|ed|ing)|eras(?:e|ing)|purg(?:e|ing)|take (?:\S+ ){1,4}"
    r"(?:off|out)|pull (?:\S+ ){1,4}(?:off|out)|drop(?:ping)? (?:\S+ ){1,3}from|exclud(?:e|ing)"
    r"|expung(?:e|ed|ing)|leav(?:e|ing) (?:me|us) (?:off|out of)"
    r"|(?:don'?t|do not|never) include|gone from|off-limits|not be on|taken (?:off|out of)",
    "de": r"entfern\w{0,3}|lösch\w{0,3}|austrag\w{0,3}|streich\w{0,3}|(?:trag|tragt|tragen)"
    r" (?:\w+ ){1,4}aus|nehm\w{0,3} (?:\S+ ){1,5}(?:raus|heraus)",
    "fr": r"supprim\w{1,4}|retir\w{1,4}|effac\w{1,4}|enlev\w{1,4}|désinscri\w{1,5}",
    "es": r"sac\w{1,4}|saqu\w{1,4}|quit\w{1,4}|borr\w{1,4}|elimin\w{1,4}|dar(?:me|nos)? de baja",
    "it": r"cancell\w{1,4}|rimuov\w{1,4}|togl\w{1,5}|elimin\w{1,4}|escludet\w{1,3}",
    "pt": r"remov\w{1,4}|retir\w{1,4}|tir\w{1,4}|apag\w{1,4}|exclu\w{1,4}",
    "nl": r"(?:haal|halen|haalt) (?:\w+ ){0,4}(?:uit|van|af)|(?:uit|van) (?:\w+ ){0,4}(?:halen"
    r"|haalt)|verwijder\w{0,3}|schrap\w{0,3}|uitschrijv\w{0,3}",
    "sv": r"ta bort|tar bort|radera\w{0,2}|avregistrera\w{0,2}|stryk\w{0,2}",
    "da": r"fjern\w{0,2}|slet\w{0,2}|afmeld\w{0,2}|meld (?:mig|os) (?:\w+ )?af",
    "no": r"fjern\w{0,2}|slett\w{0,2}|meld\w{0,2} (?:meg|oss) (?:\w+ )?av|avmeld\w{0,2}"
    r"|reserver\w{0,3} (?:jeg |vi )?(?:meg|oss) mot",
    "fi": r"poista\w{0,6}|poistakaa",
    "pl": r"usu[nń]\w{0,6}|usunię\w{0,4}|wypisa\w{0,4}|wypisz\w{0,3}|skreśl\w{0,4}",
    "tr": r"çıkar\w{0,4}|sil\w{0,4}",
    "cs": r"odstra\w{1,5}|smaž\w{0,3}|smazat|smazání|vyřa\w{1,5}|odhlas\w{0,4}|odhlás\w{0,4}"
    r"|odebr\w{1,4}|odeber\w{1,4}",
}
# --- ACTION: cessation ----------------------------------------------------------------------
_CESSATION = {
    "en": r"stop(?:ped)?|ceas(?:e|ing)|discontinu(?:e|ing)|quit|halt|no more|no further"
    r"|nothing (?:further|more|else)|never again|zero (?:e-?mails?|messages?|mails?|contact)"
    r" (?:from you )?(?:going forward|from (?:now|here) on|in future|please)|no longer"
    r"|(?:is|be|were|was|it'?s) the"
    r" (?:very )?(?:last|final)|(?:won'?t|will not|not|never|don'?t|do not|stop) (?:be )?"
    r"receiv\w{1,3}|(?:didn'?t|don'?t|not) keep coming|(?:preferences?|settings?) (?:to|at)"
    r" '?none|(?:preferences?|settings?) (?:\w+ )?(?:to|at) '?none",
    "de": r"nicht mehr|keine (?:[\w-]+ ){0,2}mehr|keine weiteren|nie wieder|(?:auf)?hören"
    r"|einstellen|stoppen|abstellen|abbestellen",
    "fr": r"ne (?:\S+ ){0,3}plus|plus (?:de|d'|aucun)|cessez|arrêtez|arrêter|cesser|aucun(?:e)?"
    r" (?:autre )?",
    "es": r"no (?:\S+ ){0,3}más|ning[uú]n (?:otro )?|dejen de|dejar de|dejad de|deje de|parar"
    r"|paren|no (?:me |nos )?sig(?:an|as|a|ue|uen) (?:mandando|enviando|escribiendo)",
    "it": r"non (?:\S+ ){0,3}più|interromp\w{1,4}|smett\w{1,5}|nessun(?:'altra| altro)",
    "pt": r"não (?:\S+ ){0,3}mais|parem|parar|deixem de|deixar de|interromp\w{1,4}",
    "nl": r"niet meer|geen (?:\w+ ){0,2}meer|stoppen|stop met|ophouden",
    "sv": r"inte (?:\w+ )?(?:fler|mer)|inga (?:fler|mer)|sluta|sluta skicka",
    "da": r"ikke (?:\w+ )?(?:flere|mere)|ingen (?:flere|mere)|stop med|stoppe",
    "no": r"ikk(?:e|je) (?:\w+ ){0,2}(?:flere|fleire|mer|meir)|ingen (?:flere|fleire|mer|meir)"
    r"|slutt\w{0,2} (?:å|med)",
    "fi": r"ei enää|älkää (?:\w+ )?lähettäkö|lopett\w{1,6}|loppumaan|loppuvan",
    "pl": r"więcej nie|nie (?:\w+ )?więcej|niewysyłani\w{1,2}|nie (?:wysyłać|przysyłać"
    r"|wysyłajcie|przysyłajcie)|przesta\w{1,6}",
    "cs": r"už (?:\w+ )?ne\w{2,12}|již (?:\w+ )?ne\w{2,12}|nepos\w{2,8}|přesta\w{2,6}",
}
# --- ACTION: unwanted, no consent, not wishing to receive ---------------------------------
_UNWANTED = {
    "en": r"unwanted|unsolicited|unwelcome|not (?:welcome|wanted|acceptable|appreciated)|no use for"
    r"|(?:un|not |\w{2,5}n'?t |no longer )interested in (?:ever )?(?:hearing|receiving|getting)|without (?:my |our )?(?:consent"
    r"|permission)|withdraw\w{0,4} (?:of )?(?:\w+ ){0,2}consent|no consent|(?:not|no longer"
    r"|never) (?:\w+ )?(?:wish|want)\w{0,2} to (?:receive|hear|get|be contacted)|none of us"
    r" (?:want|need)s?",
    "de": r"unerwünscht\w{0,2}|unverlangt\w{0,2}|ohne (?:meine |unsere )?(?:einwilligung"
    r"|zustimmung|erlaubnis)",
    "fr": r"(?:non|pas|plus) (?:\w+ )?souhaités?|indésirables?|non sollicités?"
    r"|(?:ne sont|n'est) (?:pas|plus) (?:les |la |le )?bienvenu\w{0,2}|sans (?:mon"
    r"|notre) (?:accord|consentement)",
    "es": r"no (?:son |es )?deseados?|no (?:son |es )?solicitados?|no (?:son |es )?bienvenid\w{1,2}"
    r"|sin (?:mi|nuestro) (?:consentimiento|permiso)|no (?:deseo|deseamos|quiero|queremos)"
    r" (?:seguir )?recibir",
    "it": r"non (?:sono )?gradit\w|indesiderat\w|non richiest\w|senza (?:il )?(?:mio|nostro)"
    r" consenso|non (?:desider|vogli)\w{1,4} (?:più )?ricevere|mi oppongo|ci opponiamo",
    "pt": r"indesejad\w{1,2}|não solicitad\w{1,2}|sem (?:o )?(?:meu|nosso) consentimento",
    "nl": r"ongewenst\w?|ongevraagd\w?|zonder (?:mijn |onze )?toestemming",
    "sv": r"oönskad\w?|oombedd\w?|utan (?:mitt )?samtycke",
    "da": r"uønsket\w?|uopfordre[dt]\w?|uden (?:mit )?samtykke|ikke velkomne?",
    "no": r"uønsket\w?|uten (?:mitt )?samtykke|ikke velkomne?|ikk(?:e|je) ha (?:flere|fleire)",
    "fi": r"ei-toivot\w{1,4}|ilman (?:minun )?suostumusta",
    "pl": r"niechcian\w{1,3}|niezamówion\w{1,3}|bez (?:mojej )?zgody",
    "cs": r"nevyžádan\w{1,3}|bez (?:mého )?souhlasu|nepřeji si|nepřejeme si",
    "tr": r"(?:almak|görmek) istemiyor(?:um|uz)|istenmeyen",
}


def _class(table: dict[str, str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'-])(?:" + "|".join(table.values()) + r")(?![\w-])", re.I)


MAIL = _class(_MAIL)
WRITER = _class(_WRITER)
LIST = _class(_LIST)
PRONOUN = re.compile(_PRONOUN, re.I)
REMOVAL = _class(_REMOVAL)
CESSATION = _class(_CESSATION)
UNWANTED = _class(_UNWANTED)

# Which objects each action needs: a removal of the writer or from a list; a cessation or
# an "unwanted" of our mail. "stop" near "me" alone is too often something else.
PAIRS = ((REMOVAL, WRITER), (REMOVAL, MAIL), (CESSATION, MAIL), (UNWANTED, MAIL))
# A removal from a list needs the writer, or a pronoun for them, in the clause too: "delete
# old entries from the CRM" is housekeeping.

# --- vetoes ------------------------------------------------------------------------------
# A third thing the action is about: not our mail, not the writer.
_THIRD = (
    r"cc|bcc|thread|duplicates?|duplicated?|duplicat\w+|bug|meeting|call|slot|booking|webinar"
    r"|invite|invitation|invoices?|contract|commitment|plan|renewal|vendor|provider|features?"
    r"|footer|link|button|label|limit|watermark|trial|pilot|seats?|licen[cs]es?|sequences?"
    r"|proposal|quote|deck|slides?|agenda|attachment|survey|poll|ticket|order|payment|card"
    r"|termin|rechnung|vertrag|réunion|facture|contrat|reunión|factura|contrato|riunione|fattura"
    r"|contratto|reunião|fatura|vergadering|factuur|contract|möte|faktura|kontrakt|møde|møte"
    r"|kokous|lasku|spotkanie|faktur\w|schůzk\w|smlouv\w|duplikat\w*|doppelt\w*|doublons?"
    r"|duplicados?|duplicati|dubbele?"
)
# The form of the mail, not the mail: "remove the logo", "as PDF attachments". Overruled by
# the writer's own stop in the same text ("stop sending me PDFs and all your emails").
_FORM = r"logos?|logga|loggan|logotyp\w*|pdfs?|attachments|anhänge?|pièces? jointes?|adjuntos?"
# Unsubscribe or opt-out as a topic noun, or a question about what the product can do.
_TOPIC = (
    r"(?:unsubscrib\w*|opt-?outs?|abmelde\w*|désinscriptions?|afmeld\w*)[- ](?:handling|links?"
    r"|rates?|footer|flows?|records?|compliance|buttons?|pages?|process|requests?|logic|sync)"
    r"|\b(?:your|the) (?:tool|product|platform|software|app|solution|feature|integration|api"
    r"|import)\b|\b(?:does|can|will) (?:it|yours)\b"
)
# The writer's own side doing the removal or stop ("we delete inactive leads", "our IT
# removed the block"), the mail kept coming, or a stop the writer does not want.
_KEEP = (
    r"\b(?:we|our (?:\w+ )?(?:team|it|ops|admins?|system|department))"
    r" (?:\w+ ){0,2}(?:delete[sd]?|removed?|stopped|dropped|purged?|unsubscribed|cancell?ed)\b"
    r"|\b(?:don'?t|do not|never|no need to|not asking (?:you )?to|no reason to) (?:\w+ )?"
    r"(?:stop|remove|unsubscribe|delete|drop|exclude|take)\b"
    r"|\bkeep (?:me|us|them|these|sending|the \w+ coming|me posted)\b"
    r"|\b(?:happy|glad|want|like) to (?:keep )?(?:receiv|hear|get)\w*\b"
    r"|\bstop(?:ped)? (?!receiv|send|e-?mail|mail|writ|contact|messag|spam|bother|trying)\w+ing\b"
    r"|\bmy (?:earlier|previous|last|other) (?:reply|message|e-?mail|mail)\b"
    # The writer says our mail stopped reaching them, or wants it back or moved elsewhere.
    r"|\b(?:i|we)(?:'ve| have)? (?:\w+ )?(?:stopped|no longer|not|haven'?t been|have not been"
    r"|am not|are not|aren'?t|'m not|'re not) (?:been )?(?:receiv|gett)\w*"
    r"|\b(?:add|put|sign) (?:me|us) back\b|\bput (?:me|us) (?:on|onto|in|into) the\b"
    r"|\bsign (?:me|us) up\b|\bre-?subscribe|\bresend|\bwant (?:them|it|these) back\b"
    r"|\bdid (?:i|we) get (?:dropped|removed)"
    # Somebody else stops getting mail: "how can our customers stop receiving emails".
    r"|\b(?:customers?|users?|clients?|recipients?|subscribers?|prospects?|leads|contacts"
    r"|members|they|he|she)\b (?:\w+ ){0,2}(?:stop|no longer|don'?t|never) (?:receiv|get)\w*"
)
# A notice's boilerplate, our own quoted footer, or a sentence that moves the conversation
# elsewhere or swaps in somebody else ("... and call me directly", "ja lisätä minut").
_ELSEWHERE = (
    r"intended recipient|(?:by mistake|in error)|^\s*>|\bif you(?:'d| would)? (?:rather|prefer"
    r"|want|wish|like)\b|\b(?:take|move) (?:this|it|the (?:conversation|discussion)) (?:off"
    r"|out of) (?:e-?mail|mail|the thread)|\b(?:directly|directement|direkt|directamente"
    r"|direttamente|diretamente|rechtstreeks|instead|plutôt|stattdessen|invece|tilalle)\b"
    r"|\b(?:and|und|et|y|e|en|ja|och|og|i|a) (?:\w+ ){0,2}(?:add|lisä\w*|lägg till|tilføj\w*"
    r"|legg til|voeg\w*|toevoeg\w*|hinzufüg\w*|ajout\w*|añad\w*|aggiung\w*|adicion\w*|dodaj\w*"
    r"|přidej\w*)\b"
)
VETOES = tuple(
    re.compile(p, re.I | re.M)
    for p in (rf"(?<![\w-])(?:{_THIRD})(?![\w-])", _TOPIC, _KEEP, _ELSEWHERE)
)
FORM_VETO = re.compile(rf"(?<![\w-])(?:{_FORM})(?![\w-])", re.I)
# The writer asking us to stop in so many words: the writer the object of our mail or of a
# removal, or our mail itself the thing to stop. A veto that reads a stop as being about
# something else (the form of the mail, staff, other people) yields to it: a false
# suppression can be lifted from the reply's card, a missed stop cannot be taken back.
OWN_STOP = re.compile(
    r"\b(?:stop|quit|cease|no longer|don'?t|do not|never)\w* (?:\w+ ){0,2}?(?:e-?mail|mail"
    r"|messag|contact|writ|spamm|send)\w* (?:me|us)\b(?! (?:the |a |an |your |some |more )?\w*"
    r"(?:pdf|attachment|logo|file|image|deck|slide)s?\b)"
    r"|\b(?:remov|tak|delet|drop|unsubscrib)\w* (?:me|us)\b(?: \w+){0,2} (?:off|from|out)\b"
    r"|\bunsubscribe (?:me|us)\b"
    r"|(?:\b(?:i|we|me|us)|\bour \w+|\bthe \w+ of this (?:inbox|address|mailbox))\b(?: [\w']+){0,4}"
    r" (?:be|get|getting|being) (?:removed|taken off|taken out|unsubscribed|deleted|dropped)"
    r" (?:from|off)\b"
    r"|\b(?:i|we|our \w+|(?:the )?\w+ of this (?:inbox|address|mailbox))\b(?: [\w']+){0,3}"
    r" (?:stop|quit|no longer)\w* (?:receiv|get)\w* (?:your |these |those |any |all |more |the )*"
    r"(?:e-?mails?|messages?|mails?|newsletters?|mailings?)\b"
    r"|(?:\band|\bor|,) (?:all |any |your |the |these |those |other |more )*(?:e-?mails?"
    r"|messages?|newsletters?|mailings?)\b(?! (?:with|without|in|as|from)\b)"
    r"|\bno more (?:of your )?(?:e-?mails?|messages?|mails?|newsletters?)\b",
    re.I,
)
# Quoted words are someone's words, not the writer's request: "log a 'please stop emailing
# me' from a call". Double or curly quotes, or a single quote that opens after a space.
_QUOTED = re.compile(r"[\"“][^\"”]{1,80}[\"”]|(?:^|(?<=\s))['‘][^'’\n]{1,80}['’](?!\w)")


def own_stop(text: str) -> bool:
    """The writer asks us to stop in so many words (see OWN_STOP), outside quotation marks."""
    return OWN_STOP.search(_QUOTED.sub(" ", text)) is not None


def _near(clause: str, action: re.Pattern[str], obj: re.Pattern[str]) -> bool:
    starts = [m.start() for m in re.finditer(r"\S+", clause)]

    def word(pos: int) -> int:
        return bisect_right(starts, pos)

    actions = [(word(m.start()), word(m.end() - 1)) for m in action.finditer(clause)]
    if not actions:
        return False
    for m in obj.finditer(clause):
        start, end = word(m.start()), word(m.end() - 1)
        if any(a_start - end <= WINDOW and start - a_end <= WINDOW for a_start, a_end in actions):
            return True
    return False


def vetoed(text: str, own: bool | None = None) -> bool:
    """A veto reads the clause or sentence: its stop words are about something else. `own`:
    whether the sentence around it asks us to stop in so many words (read here if None)."""
    if any(v.search(text) for v in VETOES):
        return True
    if FORM_VETO.search(text) is None:
        return False
    return not (own_stop(text) if own is None else own)


def cue_stop(clause: str, own: bool | None = None) -> bool:
    """An action cue near an object it fits, in a clause no veto reads (the caller reads
    the vetoes on the clause's sentence, once per sentence; `own` as for `vetoed`)."""
    if vetoed(clause, own):
        return False
    if any(_near(clause, action, obj) for action, obj in PAIRS):
        return True
    return _near(clause, REMOVAL, LIST) and bool(WRITER.search(clause) or PRONOUN.search(clause))
