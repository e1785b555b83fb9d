"""Requests to stop, read from the shape of the sentence rather than from sample phrases.

A request to stop is a clause whose verb is one of contacting (email, write, contact, send,
reach out, follow up...) under a negation or a directive ("don't", "stop", "refrain from",
"no further"), or one of removal and erasure (remove, delete, erase, take off, lose, drop,
unsubscribe, opt out...) whose object is the writer: me/us, my address, my data, everyone
at our company. A consequence attached to further mail (a regulator, a spam-report desk, a
lawyer's warning) is a request to stop too, and so is a data-protection demand (erasure,
objection to processing) that never says "unsubscribe". Each family is written once per
language with its usual inflections.

The other direction matters as much: a clause whose removal or stop has another object
("remove Tom from the thread", "delete the old proposal", "our users unsubscribe", "we
unsubscribed from our current vendor", "don't drop me from your list", "no more emails
needed, let's call") is not a request to stop, and `vetoed` says so for the rules' cues too.

Decision, documented: "remove me from the CC and add my colleague" is a referral AND a stop
for the writer's own address; suppression is per address, the colleague is not suppressed,
and the referral still reaches a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _c(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)


def _alt(words: str) -> str:
    return "(?:" + "|".join(words.split()) + ")"


# --- English building blocks --------------------------------------------------------------

# Verbs of contacting, in the forms a directive or a negation takes (base and -ing).
_CONTACT = (
    r"(?:e-?mail(?:ing)?|mail(?:ing)?|writ(?:e|ing)(?: to)?|contact(?:ing)?|messag(?:e|ing)"
    r"|reach(?:ing)? out(?: to)?|follow(?:ing)?[- ]up(?: with)?|ping(?:ing)?|spam(?:ming)?"
    r"|bother(?:ing)?|call(?:ing)?|text(?:ing)?|pester(?:ing)?|chas(?:e|ing)|bug(?:ging)?"
    r"|send(?:ing)?(?: (?:me|us))?(?: (?:any|anything|stuff|these|this|more|further|mails?"
    r"|e-?mails?|messages?))?)"
)
# Who is being contacted: the writer, their mailbox, their company.
_WRITER = (
    r"(?:me|us|my (?:\w+ )?(?:address|inbox|mailbox|colleagues|team|staff)|this (?:address"
    r"|account|mailbox|inbox|e-?mail(?: address)?)|our (?:company|team|staff|office|firm|people)"
    r"|anyone (?:at|in|from) (?:our|my) \w+)"
)
_NEG = r"(?:don'?t|do not|never|pls don'?t|please don'?t|please do not|kindly do not)"
_MORE = r"(?:again|anymore|any ?more|any further|ever again|further|going forward|in future"
_MORE += r"|in the future)"
# Things that are mail from us.
_MAIL_NOUN = (
    r"(?:e-?mails?|mails?|messages?|follow-?ups?|outreach|newsletters?|mailings?|marketing"
    r"|communications?|correspondence|contact|chasers?|reminders?|sequences?|campaigns?"
    r"|solicitations?|pitches|promotions?)"
)
# The writer's data: what an erasure names.
_MY_DATA = (
    r"(?:my|our) (?:personal |private |contact |e-?mail |work )?(?:data|details|information|info"
    r"|address|e-?mail(?: address)?|number|phone(?: number)?|records?|name|contact(?: details)?"
    r"|profile|entry|file)"
)
_REMOVAL = (
    r"(?:remov(?:e|ed|ing)|delet(?:e|ed|ing)|eras(?:e|ed|ing)|purg(?:e|ed|ing)|wip(?:e|ed|ing)"
    r"|scrub(?:bed|bing)?|drop(?:ped|ping)?|los(?:e|ing)|forget|forgot|destroy(?:ed|ing)?"
    r"|strik(?:e|ing)|struck|tak(?:e|ing|en)|took|get|got|cross(?:ed)?|bin|ditch|trash"
    r"|unsubscrib(?:e|ed|ing)|exclud(?:e|ed|ing))"
)
_LIST = (
    r"(?:(?:your|the|this|that|these|all|any|every) (?:of your )?(?:[\w-]+ ){0,2}"
    r"(?:lists?|mailing(?: list)?s?|database|records|distribution|contacts|system|systems"
    r"|sequences?|campaigns?|newsletters?|crm|outreach|e-?mails?|marketing|files|cc|loop|thread"
    r"|audience|send(?:ing)? list))"
)
# A report, complaint or legal step somebody can take about mail.
_AUTHORITY = (
    r"(?:ico|cnil|garante(?: (?:della|per la) privacy)?|aepd|agencia española de protección"
    r"|autoriteit persoonsgegevens|datenschutzbeh[öo]rde|datenschutzbeauftragten?"
    r"|aufsichtsbeh[öo]rde|cnpd|anpd|ftc|fcc|spamcop|spamhaus|knujon|abuse(?: desk| team)?"
    r"|data protection (?:authority|commissioner|regulator)|regulators?|supervisory authority"
    r"|attorney general|trading standards|ombuds\w*)"
)

STOP_CLAUSES = _c(
    # negated contacting with the writer as object: "please don't reach out again"
    rf"\b{_NEG} (?:ever )?{_CONTACT} (?:{_WRITER}\b|{_MORE}\b)",
    rf"\b{_NEG} (?:ever )?send (?:me|us) (?:any ?more|any further|further|more|other"
    r"|anything (?:else|more|further))\b",
    rf"\b{_NEG} (?:ever )?(?:send|forward) (?:any )?(?:more|further|other|additional)"
    rf" {_MAIL_NOUN}\b",
    # refraining: "kindly refrain from emailing me", "please cease contacting us"
    rf"\b(?:refrain|desist|abstain) from {_CONTACT}\b",
    rf"\b(?:stop|quit|cease|end|halt|discontinue|pause) (?:all |any |the |these |this |your "
    rf"|with the |sending )*(?:further |future |automated |automatic |marketing |sales )?"
    rf"{_MAIL_NOUN}\b(?! (?:filter|folder|protection|score|check|rules?|form|forms|details|person"
    r"|list)\b)",
    # no further mail, said as a demand: "no further contact" (never "no more emails needed")
    rf"\bno (?:more|further|future|additional) {_MAIL_NOUN}\b(?!\s*(?:needed|necessary|required"
    r"|is needed|are needed|for now|[-–—,:]+\s*let'?s|,? (?:just |let'?s )))",
    # being removed, in any inflection: "took me off your list", "lose my address"
    rf"\b{_REMOVAL} (?:me|us|myself|ourselves|{_MY_DATA})\b(?: \w+){{0,2}}? (?:from|off|out of)"
    rf" {_LIST}",
    rf"\b(?:(?:remov|delet|eras|purg|wip)\w*|lose|forget|destroy|bin|ditch|trash|scrub) (?:all )?"
    rf"(?:of )?{_MY_DATA}\b(?! (?:to|with|as|in the (?:form|field))\b)(?!(?: \w+)? (?:from|on|in"
    r"|off) (?:the |this |that |our |your )?(?:proposal|quote|document|doc|contract|deck|slides?"
    r"|invoice|agenda|invite|invitation|website|page|case study|draft|call|meeting|webinar))",
    r"\b(?:remove|take|get|drop|strike|delete|scrub|cross) (?:every(?:one|body)|all of us"
    r"|anyone|all (?:staff|employees|addresses|contacts)|our (?:team|company|staff|domain"
    r"|people|employees))\b[^.!?\n]{0,40}\b(?:from|off)\b",
    rf"\b(?:want|wants|wanted|like|need|get|be)(?: to be| to get)? off (?:of )?{_LIST}",
    rf"\b(?:i'm|i am|we're|we are|i'll|i will|we'll|we will)(?: be)? (?:going|go)(?: straight)?"
    rf" to (?:the )?{_AUTHORITY}\b",
    r"\bcount (?:me|us) out\b(?! (?:for|of (?:the|this|that|tomorrow|\w+day)\b))",
    r"\bopt(?:ing|ed)?[- ]?(?:me |us )?out\b(?! (?:rates?|links?|buttons?|pages?|forms?"
    r"|options?|process|rules?|requirements?|flows?|logic|data)\b)",
    # data-protection demands that never say unsubscribe
    r"\bright to (?:be forgotten|erasure|object)\b",
    r"\bart(?:icle|ikel|icolo|igo|ículo|\.)? ?(?:17|21)\b[^.!?\n]{0,30}\b(?:gdpr|dsgvo|rgpd|avg)\b"
    r"|\b(?:gdpr|dsgvo|rgpd|avg)\b[^.!?\n]{0,30}\bart(?:icle|ikel|icolo|igo|ículo|\.)? ?(?:17|21)\b",
    r"\b(?:request|demand|want|require|ask for|requesting|demanding)(?: the)? (?:immediate )?"
    r"(?:erasure\b|(?:deletion|removal|destruction) of (?:all )?(?:my|our|the|any) (?:personal )?"
    r"(?:data|details|information|info|address|e-?mail|records?|contact))",
    r"\b(?:i|we) (?:hereby )?object to (?:the |any |your |you )?(?:processing|(?:use|using"
    r"|holding|storing|storage) (?:of )?(?:my|our) (?:personal )?(?:data|details|information"
    r"|address|e-?mail))\b",
    r"\b(?:i|we) (?:want|need) (?:it|them|this|that|my \w+|our \w+) (?:gone|deleted|erased"
    r"|removed|wiped|purged)\b",
    r"\bwho (?:sold|rented) you (?:my|our)\b",
    # implied stops: a consequence for the next mail or a report to an authority
    rf"\b(?:next|another|one more|any (?:more|further)) (?:one|e-?mail|mail|message|contact"
    rf"|time)s?\b[^.!?\n]{{0,40}}\b(?:goes|go|will go|gets|get|is going|i'?ll|i will|we'?ll"
    rf"|we will|and)\b[^.!?\n]{{0,40}}\b(?:{_AUTHORITY}|lawyers?|attorneys?|report(?:ing|ed)?"
    r" (?:you|it|this|them)|spam|junk|block(?:ing|ed)?|complain|police|court)",
    # a threat, not a report already made ("I'm filing a complaint with the ICO about this
    # email" is a complaint for a person, not a request about further mail)
    rf"\b(?:i|we)(?:'ll| will| shall|'m going to| am going to| are going to|'re going to"
    rf"| (?:\w+ )?(?:then|otherwise)|'d| would)\b[^.!?\n]{{0,25}}\b(?:report|complain|file"
    rf"|lodge|escalate|forward|send)\w*\b[^.!?\n]{{0,50}}\b(?:to|with)\b[^.!?\n]{{0,15}}"
    rf"{_AUTHORITY}\b",
    rf"\b(?:or|otherwise|else|if (?:you|i|we))\b[^.!?\n]{{0,40}}\b(?:report|complain|file|lodge"
    rf"|escalate|forward)\w*\b[^.!?\n]{{0,50}}\b(?:to|with)\b[^.!?\n]{{0,15}}{_AUTHORITY}\b",
    rf"\b(?:report|complain|file|lodge|escalate|forward)\w*\b[^.!?\n]{{0,50}}\b(?:to|with)\b"
    rf"[^.!?\n]{{0,15}}{_AUTHORITY}\b[^.!?\n]{{0,30}}\b(?:if|unless|should) you\b",
    r"\bspamcop\b|\bknujon\b",
    # --- de ----------------------------------------------------------------------------
    r"\b(?:bitte keine|keine weiteren) (?:werbe-?)?(?:e-?mails?|mails|nachrichten|newsletter"
    r"|werbung|zusendungen|anrufe)\b|\bkeine (?:\w+ )?\w*(?:e-?mails?|mails|nachrichten|newsletter"
    r"|werbung|zusendungen|anrufe) mehr\b",
    r"\b(?:nicht mehr|nie wieder) (?:\w+ )?(?:kontaktieren|anschreiben|anrufen|mailen|e-?mailen"
    r"|schreiben|belästigen|zuschicken|zusenden|senden)\b",
    r"\b(?:löschen|entfernen|streichen) sie (?:\w+ ){0,2}(?:mich|uns|mein\w*|unser\w*)\b"
    r"|\btragen sie (?:mich|uns) (?:\w+ ){0,4}aus\b",
    r"\b(?:mich|uns|meine (?:daten|adresse|e-?mail(?:-?adresse)?|kontaktdaten)) (?:\w+ ){0,3}"
    r"(?:löschen|entfernen|austragen|streichen|abmelden|herausnehmen|rausnehmen)\b",
    r"\b(?:aus|von) (?:ihrem|ihrer|dem|der|eurem|eurer|diesem|dieser) (?:\w+ )?(?:verteiler"
    r"|liste|mailingliste|datenbank|kartei|newsletter)\w* (?:\w+ )?(?:nehmen|streichen|löschen"
    r"|entfernen|austragen)\b",
    r"\blöschung (?:meiner|unserer|der) (?:\w+ )?(?:daten|adresse|kontaktdaten)\b",
    r"\bwiderspr(?:eche|echen|uch)\b[^.!?\n]{0,60}\b(?:daten|nutzung|verarbeitung|werbung"
    r"|werbezwecke\w*|kontakt\w*)\b",
    r"\babmahnung\b|\bnoch (?:eine|ein) (?:weitere )?(?:mail|e-?mail|nachricht) und\b",
    r"\b(?:melde|melden) (?:ich|wir) (?:sie|das|dies|euch)\b[^.!?\n]{0,30}\b(?:spam|behörde"
    r"|datenschutz\w*|anwalt|polizei|verbraucherzentrale)|\bzeigen? (?:ich|wir) sie an\b",
    r"\bausgetragen werden\b|\babgemeldet werden\b|\bgelöscht werden\b",
    # --- fr ----------------------------------------------------------------------------
    r"\bne (?:me |m'|nous )?(?:\w+ )?(?:contactez|recontactez|écrivez|sollicitez|envoyez"
    r"|relancez|appelez|mailez) (?:plus|jamais)\b",
    r"\bne plus (?:me |m'|nous )?(?:contacter|recontacter|écrire|solliciter|relancer|recevoir"
    r"|envoyer|appeler)\b",
    r"\b(?:me|nous) (?:désinscrire|désabonner|radier)\b|\b(?:me|nous) (?:retirer|supprimer"
    r"|effacer|enlever|rayer) (?:de|des) (?:votre|vos|la|cette|ce|votre) (?:\w+ )?(?:liste|fichier"
    r"|base|mailing|listes|fichiers|envois)",
    r"\b(?:supprim|effac|retir)(?:ez|er|ez-moi|ez-nous)\b[^.!?\n]{0,20}\b(?:mes|nos|mon|notre)"
    r" (?:données|coordonnées|adresse|e-?mail|informations|contact)\b",
    r"\bdroit (?:à l'effacement|à l'oubli|d'opposition)\b",
    r"\b(?:je m'oppose|nous nous opposons) (?:au traitement|à (?:l'utilisation|la prospection"
    r"|toute))",
    r"\bsignal(?:er|e|erai|erons|é)\b[^.!?\n]{0,40}\b(?:cnil|spam|indésirable|abus)",
    r"^plus (?:de |d')(?:mails?|e-?mails?|messages?|courriels?|relances?)\b",
    # --- es ----------------------------------------------------------------------------
    r"\b(?:dejen|deje|dejad) de (?:enviar|escribir|contactar|mandar|llamar|molestar)\w*"
    r"|\bdejar de (?:enviar|escribir|contactar|mandar|llamar|molestar)(?:me|nos)\b",
    r"\bno (?:me|nos) (?:\w+ )?(?:escriban|escriba|escribas|contacten|contacte|envíen|envie"
    r"|envíe|manden|llamen|molesten) (?:más|nunca)\b",
    r"\b(?:supresión|eliminación|borrado|cancelación) de (?:mis|nuestros) (?:datos|correo"
    r"|dirección)\w*",
    r"\b(?:eliminen|borren|supriman|eliminar|borrar|suprimir) (?:\w+ )?(?:mis|nuestros|mi)"
    r" (?:datos|correo|dirección|contacto|email)\w*",
    r"\bderecho (?:de supresión|al olvido|de oposición)\b|\b(?:me opongo|nos oponemos) al"
    r" (?:tratamiento|uso)\b",
    r"\b(?:reclamación|denuncia|queja)\b[^.!?\n]{0,30}\b(?:aepd|agencia)\b",
    r"\bdar(?:me|nos)? de baja\b|\bdarse de baja\b|\bden(?:me)? de baja\b",
    # --- it ----------------------------------------------------------------------------
    r"\bnon (?:mi |ci )?(?:\w+ )?(?:scrivete(?:mi|ci)?|contattate(?:mi|ci)?|scrivermi|contattarmi"
    r"|inviate(?:mi|ci)?|mandate(?:mi|ci)?|chiamate(?:mi|ci)?) più\b",
    r"\b(?:cancellate|rimuovete|togliete|eliminate)(?:mi|ci)\b|\b(?:mi|ci) (?:cancellate"
    r"|rimuovete|togliete|eliminate)\b",
    r"\b(?:cancell|rimuov|elimin|togli)\w* (?:i |il |la )?(?:miei|mio|mia|nostri) (?:dati|indirizzo"
    r"|email|e-mail|contatto|recapito)\b",
    r"\bdiritto all'oblio\b|\b(?:mi oppongo|ci opponiamo) al (?:trattamento|uso)\b",
    r"\bsegnal(?:erò|eremo|o|are)\b[^.!?\n]{0,40}\b(?:garante|spam|polizia postale)\b",
    r"\bnon (?:voglio|desidero|vogliamo) (?:più )?ricevere\b|\bdisiscriv\w*",
    # --- pt ----------------------------------------------------------------------------
    r"\bparem de (?:me |nos )?(?:enviar|mandar|escrever|contactar|contatar)\w*",
    r"\bnão (?:me |nos )?(?:enviem|mandem|escrevam|contactem|contatem) mais\b",
    r"\b(?:apag|elimin|exclu|remov|delet)\w* (?:os |o |a )?(?:meus|meu|minha|nossos) (?:dados"
    r"|contacto|contato|e-?mail|endereço)\b",
    r"\bremov\w* (?:\w+ ){0,4}d[ae] (?:vossa |sua |tua )?(?:lista|base)\b|\bdescadastr\w*",
    r"\bnão (?:quero|desejo|queremos) (?:mais )?receber\b|\bdireito (?:ao apagamento|à eliminação"
    r"|ao esquecimento|de oposição)\b|\bme oponho ao (?:tratamento|uso)\b",
    # --- nl ----------------------------------------------------------------------------
    r"\bafmelden\b|\buitschrijven\b|\bschrijf (?:mij|me|ons) uit\b|\bmeld (?:mij|me|ons) af\b",
    r"\bhaal (?:mij|me|ons) (?:\w+ ){0,2}(?:van|uit)\b",
    r"\bniet meer (?:\w+ )?(?:mailen|e-?mailen|benaderen|contacteren|sturen|bellen|schrijven"
    r"|toesturen)\b",
    r"\bgeen (?:e-?mails?|mails?|berichten|nieuwsbrieven) meer\b",
    r"\bverwijder (?:\w+ )?(?:mij|me|ons|mijn|onze)\b",
    r"\bklacht\b[^.!?\n]{0,40}\b(?:autoriteit persoonsgegevens|ap)\b",
    # --- ja ----------------------------------------------------------------------------
    r"配信(?:を)?停止|配信(?:を)?解除|登録(?:を)?解除|購読(?:を)?解除|送らないで|送信しないで"
    r"|連絡しないで|メールしないで|(?:メール|ご連絡|ご案内|連絡)(?:は|を)?[^。\n]{0,6}"
    r"(?:不要|お断り|結構|やめて|止めて|停止)|(?:リスト|名簿)から(?:削除|外して)"
    r"|(?:個人情報|アドレス|メールアドレス)を削除",
)

# Stop sign emoji, alone or by mail: "🛑", "🚫📧", "⛔ emails".
STOP_EMOJI = re.compile(r"^[\s🛑⛔🚫✋❌🙅📧📩✉️️.!]*[🛑⛔🚫✋🙅][\s🛑⛔🚫✋❌🙅📧📩✉️️.!]*$")
STOP_EMOJI_WITH_MAIL = re.compile(r"[🛑⛔🚫❌]\s*(?:📧|📩|✉|e-?mails?|mails?|spam)", re.I)

# A sentence that is a bare verb of stopping with politeness around it: "pls remove",
# "remove pls", "unsub", "Remove.", "take me off asap".
_POLITE = r"(?:please|pls|plz|plse|kindly|thanks|thank you|thx|ty|asap|now|immediately|already"
_POLITE += r"|right now|at once|me|us|again|thank u|cheers|bitte|svp|por favor|per favore|graag|lol"
_POLITE += r"|danke|merci|gracias|grazie|obrigad[oa])"
BARE_STOP = re.compile(
    rf"^(?:{_POLITE}[ ,]*)*(?:remove|unsub|unsubscribe|stop|opt[- ]?out|delete|take (?:me|us) off"
    rf"|count me out|stop it|stop this)(?:[ ,]+{_POLITE})*[ .!]*$",
    re.IGNORECASE,
)

# Vetoes: a clause where the stop word is about something else.
VETOES = _c(
    # a third party unsubscribes, or is asked about: "how do your users unsubscribe"
    r"\b(?:users?|customers?|clients?|recipients?|subscribers?|members?|readers?|people|contacts"
    r"|leads|prospects|they|he|she|someone|somebody|anyone|everyone|folks|audience|employees"
    r"|patients|students)\b(?: \w+){0,5} (?:can |could |to |will |would |do |may |might )?"
    r"(?:unsubscrib|opt(?:-| )?out)\w*",
    r"\bhow (?:do|does|can|could|would|should) (?:your|their|the|our|his|her|[a-z]+'s)"
    r"(?: [\w']+){0,3} (?:unsubscrib|opt(?:-| )?out)\w*",
    # unsubscribing from someone else: "from our current vendor", "from a competitor"
    r"\b(?:unsubscrib|abbestell|désabonn|désinscri)\w* (?:\w+ )?(?:from|to|de|von) (?:our"
    r"|my|their|his|her|a|an|another|the other|other|\w+'s) (?:\w+ )?(?:current|existing|old"
    r"|previous|other|vendor|provider|competitor|supplier|tool|service|platform|agency)",
    r"\b(?:unsubscribed|abbestellt|désabonnée?s?|désinscrite?s?)\b[^.!?\n]{0,40}\b(?:competitor"
    r"|concurrent|anbieter|vendor|provider|other)\b",
    # unsubscribe as a feature someone needs or offers
    r"\b(?:need|needs|want|require|requires|support|supports|offer|offers|add|build|provide"
    r"|implement|include|includes|handle|handles|with|have|has) (?:an? |the )?(?:one-?click |1-?click"
    r" |easy |list-)?(?:unsubscribe|opt-?out)\b(?! me\b)",
    # keeping the writer: "don't drop me from your list", "don't remove me", "don't stop"
    r"(?:^|\b(?:please|pls|kindly|but|just)\s+)(?:don'?t|do not|never) (?:\w+ )?(?:remove|drop"
    r"|delete|unsubscribe|take|stop|cut|exclude) (?:me|us|sending|emailing|writing|the"
    r" (?:e-?mails|updates))\b",
    # "no more emails needed - let's get on a call"
    r"\bno (?:more|further) \w+ (?:needed|necessary|required)\b",
    # what somebody else stopped, or stopping a word: "we stopped sending newsletters"
    r"\b(?:we|i|they|he|she|it)(?: (?:have|had|already|just|recently|also))* (?:stopped|ceased"
    r"|quit) (?:sending|e-?mailing|writing|mailing|using|doing|running|calling)\b",
    r"\bstop (?:calling|naming|labell?ing|referring to) (?:it|them|him|her|that)\b",
    # stopping by a place
    r"\bstop (?:by|over|in at)\b",
)


def clauses(text: str) -> list[str]:
    """Sentences, and their coordinated parts ("... and add my colleague", "; ...", " - ")."""
    text = re.sub(r"\b(art|abs|nr|no|para|ziff|e\.g|i\.e|z\.b|bzw|vs)\. ", r"\1 ", text, flags=re.I)
    parts = re.split(r"(?<=[.!?;])\s+|\n+|\s+[-–—]+\s+|,?\s+(?:and|but|und|et|y)\s+(?=\w)", text)
    return [p.strip() for p in parts if p and p.strip()]


def _osa(a: str, b: str) -> int:
    """Edit distance with adjacent swaps (optimal string alignment): "unsusbcribe" is one."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def misspelt_unsubscribe(text: str) -> bool:
    """A word within two edits of "unsubscribe" (or "unsubscribed"), starting with "u" so
    that "subscribe" and "resubscribe" never count."""
    for word in re.findall(r"\bu[a-z]{7,13}\b", text.lower()):
        if word.startswith("unsubscrib"):
            continue  # spelt right: the cues read it, vetoes and all
        if any(_osa(word, w) <= 2 for w in ("unsubscribe", "unsubscribed", "unsubscribing")):
            return True
    return False


# "How did you get my email? Delete it.": the erasure's object is the writer's data, named
# earlier in the reply.
_MENTIONED_DATA = re.compile(_MY_DATA, re.I)
_ERASE_IT = re.compile(
    r"\b(?:delete|erase|remove|purge|wipe|destroy|scrub|bin|trash|lose|forget|l[öo]schen sie"
    r"|supprimez|effacez|borren|eliminen|cancellate|apaguem|verwijder)\s+(?:it|them|everything"
    r"|all of (?:it|that)|sie|les|la|le|los|lo|li|la|os|o|het|ze)\b(?! \w+ (?:from the|of the)"
    r" (?:proposal|quote|deck|contract|doc))",
    re.I,
)


def _any(patterns: Iterable[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def vetoed(clause: str) -> bool:
    """The clause's stop word is about something other than us writing to the writer."""
    return _any(VETOES, clause)


def without_vetoed(low: str) -> str:
    """The text with the clauses whose removal or stop has another object blanked out."""
    parts = clauses(low)
    if not any(vetoed(p) for p in parts):
        return low
    return "\n".join(p for p in parts if not vetoed(p))


def asks_to_stop(low: str) -> bool:
    """A request to stop in lower-cased text, clause by clause, vetoed clauses left out."""
    if _MENTIONED_DATA.search(low) and _ERASE_IT.search(low):
        return True
    for clause in clauses(low):
        if vetoed(clause):
            continue
        if _any(STOP_CLAUSES, clause) or misspelt_unsubscribe(clause):
            return True
        if BARE_STOP.match(clause.strip()) or STOP_EMOJI.match(clause):
            return True
        if STOP_EMOJI_WITH_MAIL.search(clause):
            return True
    return False
