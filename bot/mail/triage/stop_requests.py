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

from bot.mail.triage.stop_clauses import cue_stop, own_stop
from bot.mail.triage.stop_clauses import vetoed as clause_vetoed


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
    r"(?:(?:your|the|this|that|these|all|any|every|each|whatever|whichever) (?:of your )?"
    r"(?:[\w-]+ ){0,2}"
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

# What a threat to report names: our mail, us, or the complaint itself, never anything else
# ("we'll report the results to the FTC" is about their work). Nothing at all counts too
# ("I'll complain to the ICO").
_OUR_THING = (
    r"(?:it|this|that|these|those|them|you|you guys|y'all|everything|all (?:of )?(?:it|this|that"
    r"|them)|(?:this|these|that|your|the|every|each|any|all|all of your|all your|a|an|my|our"
    r"|formal|official) (?:[\w-]+ ){0,2}?(?:e-?mails?|mails?|messages?|outreach|spam|complaints?"
    r"|reports?|company|companies|firm|domain|matter|issue|behaviou?r|conduct|practices?|ones?"
    r"|senders?|address(?:es)?|thread|sequence|campaign|nonsense|harassment|case))"
)
_REPORT_TO = (
    rf"\b(?:report|complain|file|lodge|escalate|forward|send)\w*(?: {_OUR_THING}(?: (?:and|&)"
    rf" {_OUR_THING})?)?(?: (?:immediately|straight|directly|right away|officially|formally"
    rf"|promptly|too|also|as well|now|today|then))* (?:to|with)\b[^.!?\n]{{0,15}}"
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
    r"|anyone|all (?:staff|employees)|all (?:addresses|contacts) (?:at|from|of|in|on) (?:our|my"
    r"|this|@)|our (?:team|company|staff|domain|people|employees))\b[^.!?\n]{0,40}\b(?:from"
    r"|off)\b",
    rf"\b(?:want|wants|wanted|like|need|get|be)(?: to be| to get)? off (?:of )?{_LIST}",
    rf"\b(?:i'm|i am|we're|we are|i'll|i will|we'll|we will)(?: be)? (?:going|go)(?: straight)?"
    rf" to (?:the )?{_AUTHORITY}\b(?=\s*(?:[.!,;]|$|with (?:this|it|that|you|your)\b|about"
    r" (?:this|it|that|you|your)\b|over (?:this|it|that)\b|if\b|unless\b|now\b|next\b(?! week"
    r"| month| year)|immediately\b|straight away\b|and\b))",
    r"\bcount (?:me|us) out\b(?! (?:for|of (?:the|this|that|tomorrow|\w+day)\b))",
    r"\bopt(?:ing|ed)?[- ]?(?:me |us )?out\b(?! (?:rates?|links?|buttons?|pages?|forms?"
    r"|options?|process|rules?|requirements?|flows?|logic|data)\b)",
    # data-protection demands that never say unsubscribe
    r"\bright to (?:be forgotten|erasure|object)\b",
    r"\bart(?:icle|ikel|icolo|igo|ículo|\.)? ?(?:17|21)\b[^.!?\n]{0,30}\b(?:gdpr|dsgvo|rgpd|avg)\b"
    r"|\b(?:gdpr|dsgvo|rgpd|avg)\b[^.!?\n]{0,30}\bart(?:icle|ikel|icolo|igo|ículo|\.)? ?(?:17|21)\b",
    r"\b(?:request|demand|ask for|requesting|demanding)(?: the)? (?:immediate )?"
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
    rf"| (?:\w+ )?(?:then|otherwise)|'d| would)\b[^.!?\n]{{0,25}}{_REPORT_TO}{_AUTHORITY}\b",
    rf"\b(?:or|otherwise|else|if (?:you|i|we))\b[^.!?\n]{{0,40}}{_REPORT_TO}{_AUTHORITY}\b",
    rf"{_REPORT_TO}{_AUTHORITY}\b[^.!?\n]{{0,30}}\b(?:if|unless|should) you\b",
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
    # "dejen de escribirme", "dejen de molestar"; not "dejen de enviar la factura en PDF"
    r"\b(?:dejen|deje|dejad|dejar) de (?:enviar|escribir|contactar|mandar|llamar|molestar"
    r"|acosar)(?:me|nos)\b|\b(?:dejen|deje|dejad) de (?:escribir|contactar|llamar|molestar"
    r"|acosar|spamear)\b(?! a (?!mí\b|nosotros\b))|\b(?:dejen|deje|dejad) de (?:enviar|mandar)"
    r"\s*(?:[.!,;]|$)",
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
    # --- issue 17, second blind set: families, each in every language it is said in ------
    # an erasure whose object is "all (the) personal data you hold about me"
    r"\b(?:request|demand|ask for|requesting|demanding)(?: the)? (?:immediate )?"
    r"(?:deletion|removal|erasure|destruction) of (?:all|any|every)(?: of the| the)? (?:personal )?"
    r"(?:data|details|information|info|records?)\b",
    r"\b(?:data|details|information|info|records?) (?:that |which )?you (?:hold|have|keep|store"
    r"|process)(?: \w+)? (?:about|on|of|for) (?:me|us)\b[^.!?\n]{0,40}\b(?:delet|eras|remov|purg"
    r"|destroy|wip)|\b(?:delet|eras|remov|purg|destroy|wip)\w*\b[^.!?\n]{0,40}\b(?:data|details"
    r"|information|info|records?) (?:that |which )?you (?:hold|have|keep|store|process)(?: \w+)?"
    r" (?:about|on|of|for) (?:me|us)\b",
    r"\b(?:verlange|verlangen|fordere|fordern|beantrage|beantragen|bitte um|bitten um)"
    r" (?:hiermit )?(?:die )?(?:sofortige |unverzügliche )?löschung\b",
    r"\b(?:demande|exige|demandons|exigeons)\w* (?:l'effacement|la suppression|l'effacement"
    r" immédiat)\b(?! (?:du|de la|des|de ce|de cette) (?:fichier|document|devis|proposition"
    r"|version|rendez-vous|réunion))",
    r"\b(?:cancellazione|eliminazione|rimozione) (?:immediata )?(?:dei|di tutti i|dei miei"
    r"|dei nostri) (?:\w+ )?dati\b|\bdiritto (?:alla cancellazione|di opposizione)\b",
    r"\b(?:eliminação|apagamento|remoção|exclusão) (?:imediata )?(?:dos|de todos os) (?:meus"
    r" |nossos )?(?:\w+ )?dados\b",
    r"\b(?:verwijdering|wissing) van (?:al )?(?:mijn|onze) (?:\w+ )?(?:gegevens|e-?mailadres"
    r"|adres)\b|\brecht op (?:vergetelheid|verwijdering|gegevenswissing)\b"
    r"|\b(?:maak|maken) (?:hierbij )?bezwaar tegen (?:de |het )?(?:verwerking|gebruik)\b",
    # an infinitive or imperative with the writer as a clitic, said politely ("vi prego di
    # cancellarmi", "potete rimuovermi", "quítenme de su lista", "retirem-me da lista"): the
    # clitic names the writer; a list after it, or nothing at all, makes it a stop
    r"\b(?:cancellar|rimuover|toglier|eliminar|levar|escluder|depennar|disiscriver|stralciar"
    r"|cancellate|rimuovete|togliete|eliminate|levate|escludete|depennate)(?:mi|ci)\b"
    r"(?: \w+){0,2} (?:da|dalla|dal|dai|dalle|dagli|dall'|dall’)(?: ?\w+){0,2} ?(?:lista|liste"
    r"|mailing|elenco|elenchi|indirizzario|database|banca dati|newsletter|archivio|archivi|rubrica"
    r"|contatti|invii|comunicazioni|sistema|crm)\b",
    r"\b(?:cancellar|rimuover|toglier|eliminar|disiscriver)(?:mi|ci)\b(?:,? (?:per favore|grazie"
    r"|subito|immediatamente|al più presto))*\s*[.!?]*\s*$",
    r"\b(?:quit|qu[ií]t|sac|s[aá]c|s[aá]qu|borr|b[oó]rr|elimin|elim[ií]n|exclu|excl[uú]y|retir"
    r"|ret[ií]r|dar de baja|d[eé]n de baja)\w{0,4}(?:me|nos)\b(?: \w+){0,2} de (?:su |sus |la |las"
    r"|los |vuestra |vuestras |esta |esa |tu |tus |cualquier )?(?:\w+ )?(?:lista|listas|base|bases"
    r"|correos|envíos|registros?|newsletter|boletín|boletines|mailing|listado|contactos|sistema"
    r"|crm|campañas?)\b",
    r"\b(?:b[oó]rr|elim[ií]n|elimin|qu[ií]t|s[aá]qu)(?:en|e|a|ad|ar)(?:me|nos)\b(?:,? (?:por favor"
    r"|gracias|ya|ahora|inmediatamente|de inmediato))*\s*[.!?]*\s*$",
    r"\b(?:remov|retir|tir|exclu|apag|elimin|descadastr)\w{0,4}-(?:me|nos)\b|\b(?:me|nos)"
    r" (?:remov|retir|tir|exclu|apag|elimin)\w+ d[aoe]s? (?:\w+ ){0,2}(?:lista|listas|base"
    r"|mailing|cadastro|newsletter|contactos|contatos|envios|sistema|registos|registros)\b",
    r"\b(?:retir|supprim|enlev|effac|ray|sort|désinscriv|désabonn|radi)ez-(?:moi|nous)\b"
    r"(?=\s*(?:[.!,;]|$|de |des |du |d'|s'il|svp|merci|immédiatement|tout de suite))",
    r"\b(?:schrap|wis|haal) (?:mij|me|ons|mijn (?:\w+ )?(?:adres|e-?mailadres|gegevens))\b"
    r"(?: \w+){0,3} (?:van|uit|eraf|eruit)\b|\bhaal (?:mij|me|ons) er ?(?:\w+ ){0,3}(?:af|uit)\b",
    # telling us to cease, in the words each language uses to tell somebody off
    r"\bknock it off\b(?=\s*(?:[.!,;]|$|with\b|already\b|please\b|now\b))"
    r"|\b(?:enough|give it a rest) (?:with |of )?(?:the |these |your |all (?:the |these )?)?"
    rf"{_MAIL_NOUN}\b|\btake (?:a|the) hint\b(?=\s*(?:[.!,;]|$|already\b|please\b))"
    rf"|\bgive (?:me|us|it) a (?:break|rest) (?:with|from) (?:the |these |your )?{_MAIL_NOUN}\b",
    r"\blassen sie (?:mich|uns) (?:\w+ )?in ruhe\b|^\s*hört auf\s*[.!]*\s*$|\bschluss mit (?:den |diesen"
    r" |ihren |euren |der |dieser |ihrer )?(?:\w+)?(?:e-?mails|mails|nachrichten|werbung|spam"
    r"|newsletter|anrufen)\b",
    r"\blaissez-(?:moi|nous) tranquilles?\b|\b(?:fichez|foutez)-(?:moi|nous) la paix\b"
    r"|\b(?:assez|ça suffit|y en a marre|marre) (?:de |d'|avec )?(?:vos |ces |les )?(?:mails"
    r"|e-?mails|courriels|messages|relances|spams?)\b",
    r"\bd[eé]j(?:en|e|ad|a)(?:me|nos) en paz\b|\bbasta (?:ya )?(?:de |con )?(?:sus |estos |tus"
    r" |los )?(?:correos|emails|e-mails|mensajes|spam)\b|\b(?:dejen|deje|dejad) de (?:enviar"
    r"|mandar) (?:correos|emails|e-mails|mensajes|spam|publicidad)\b",
    r"\bsmett\w{0,6} di (?:scriver|contattar|mandar|inviar|disturbar|importunar|tartassar"
    r"|spammar)(?:mi|ci)\b|\bsmett\w{0,6} di (?:spammare|mandare (?:email|mail|e-mail|messaggi)"
    r"|inviare (?:email|mail|e-mail|messaggi))\b|\blasciate(?:mi|ci) in pace\b"
    r"|\bbasta (?:con )?(?:le |queste |vostre |le vostre )?(?:email|mail|e-mail|messaggi|spam)\b",
    r"\b(?:deixem|deixe|deixa|parem|pare|para) de (?:me|nos) (?:enviar|mandar|escrever|contactar"
    r"|contatar|incomodar|ligar)\w*|\b(?:deixem|deixe|parem|pare) de (?:enviar|mandar)"
    r" (?:e-?mails|emails|mensagens|spam|newsletters?)\b|\b(?:deixem|deixe|deixa)-(?:me|nos)"
    r" em paz\b|\b(?:me|nos) deixem em paz\b|\bchega de (?:e-?mails|emails|mensagens|spam)\b",
    r"\b(?:hou|houd|houdt|stop|stopt|kap|kappen) (?:eens |nu |toch )?(?:op )?met (?:dat |het"
    r" |die |al die |uw |jullie |je )?(?:mailen|e-?mailen|spammen|sturen|mails|e-?mails|berichten"
    r"|bellen|spam)\b|\blaat (?:mij|me|ons) (?:\w+ )?met rust\b",
    # "I never signed up for this": consent denied for our mail (never for a named event)
    r"(?:\b(?:i|we)(?: have|'ve)? (?:never|not ever) (?:signed up|subscribed|opted in|registered"
    r"|asked|agreed|consented|gave (?:you )?(?:my |our |any )?(?:consent|permission|e-?mail"
    r"|address|details))|\b(?:i|we) (?:didn'?t|did not|never did) (?:sign up|subscribe|opt in"
    r"|register|ask|agree|consent))"
    r"(?=(?: (?:for|to|up for|in to|into))?(?: (?:this|these|that|it|them|any(?:thing| of (?:this"
    r"|these|it|them|that))?|your (?:\w+ )?(?:list|e-?mails?|mails?|newsletters?|mailings?"
    r"|marketing|messages?|spam|stuff|crap|junk)|e-?mails?|mails?|newsletters?|marketing"
    r"|any (?:e-?mails?|lists?)|(?:to )?(?:be|being) (?:contacted|e-?mailed)))?\s*(?:[.!,;]|$))",
    r"\b(?:e-?mail|contact|writ|add|subscrib|sign|put|got|obtain)\w*"
    r" (?:\w+ ){0,4}without (?:my|our|any) (?:consent|permission)\b",
    r"\b(?:ich|wir) (?:habe|haben) (?:mich|uns) (?:\w+ )?(?:nie|niemals|nicht) (?:\w+ )?"
    r"(?:angemeldet|registriert|eingetragen|abonniert)\b(?= *(?:[.!,;]|$|für (?:diesen|ihren"
    r"|den|das|so) \w+ *(?:[.!,;]|$)))|\b(?:nie|niemals) (?:zugestimmt|eingewilligt)\b|\bohne"
    r" (?:meine|unsere) (?:einwilligung|zustimmung|erlaubnis)\b",
    r"\b(?:je|nous) ne (?:me |nous )?(?:suis|sommes) jamais (?:inscrite?s?|abonnée?s?)\b(?= *(?:[.!"
    r",;]|$|à (?:rien|votre|vos|cette|ce|ces) (?:\w+ )?(?:liste|newsletter|lettre|mailing|envois"
    r"|fichier)?))|\b(?:je|nous) n'(?:ai|avons) jamais (?:demandé|accepté|consenti|donné (?:mon"
    r"|notre) (?:accord|consentement|adresse))\b(?= *(?:[.!,;]|$|à (?:recevoir|être)|ça|cela"
    r"|vos))|\bsans (?:mon|notre) (?:consentement|accord)\b",
    r"\bnunca (?:me |nos )?(?:suscrib[ií]|registr[eé]|apunt[eé]|inscrib[ií]|di (?:mi|el|nuestro)"
    r" (?:consentimiento|permiso|correo|email|dirección)|ped[ií]|autoric[eé]|acept[eé]"
    r"|consent[ií])\b(?= *(?:[.!,;]|$|a (?:nada|esto|su|sus|esta)|esto|nada))|\bsin (?:mi|nuestro)"
    r" (?:consentimiento|permiso|autorización)\b",
    r"\b(?:non mi sono mai|non ci siamo mai) (?:iscritt[oaie]|registrat[oaie])\b(?= *(?:[.!,;]|$"
    r"|a (?:nessuna|questa|vostra|alla vostra)))|\bnon (?:ho|abbiamo) mai (?:dato il (?:mio|nostro)"
    r" consenso|chiesto|autorizzato|acconsentito)\b(?= *(?:[.!,;]|$|a (?:ricevere|essere)|nulla"
    r"|niente))|\bsenza (?:il )?(?:mio|nostro) consenso\b",
    r"\bnunca (?:me |nos )?(?:inscrevi|inscrevemos|cadastrei|registei|registrei|subscrevi|pedi"
    r"|autorizei|consenti|dei (?:o meu |o nosso )?consentimento)\b(?= *(?:[.!,;]|$|nada|isto|isso"
    r"|a (?:nada|receber)))|\bsem (?:o )?(?:meu|nosso) consentimento\b",
    r"\b(?:ik heb|wij hebben|we hebben) (?:me|mij|ons) (?:nooit|niet) (?:\w+ )?(?:aangemeld"
    r"|ingeschreven|geregistreerd)\b(?= *(?:[.!,;]|$|voor (?:deze|uw|jullie|je) (?:\w+ )?"
    r"(?:lijst|nieuwsbrief|mails|mailings)))|\bnooit toestemming (?:gegeven|verleend)\b"
    r"|\bzonder (?:mijn|onze) toestemming\b",
    # "nobody here wants these": our mail, unwanted by the writer or everyone around them
    r"\b(?:nobody|no one|no-one|none of us)(?: (?:here|(?:at|in) (?:our |my |the )?\w+(?: [\w&.-]+)"
    r"{0,2}?|on (?:my|our)"
    r" team))?"
    rf" (?:wants|asked for|needs|reads|cares about|is interested in) (?:these|this|them|your"
    rf" (?:\w+ )?{_MAIL_NOUN}|these {_MAIL_NOUN}|any of (?:this|these|it|them))(?=\s*(?:[.!,;]|$"
    r"|from you|anymore|any ?more))",
    rf"\b(?:i|we) (?:don'?t|do not|really don'?t|never) (?:want|need|wish to receive)"
    rf" (?:to (?:get|receive) )?(?:these|your|any|any more|any further|more|further)"
    rf"(?: of (?:your|these|the|those))? (?:\w+ )?{_MAIL_NOUN}\b(?! (?:from|about) (?:the|our|my|\w+'s) )",
    r"\bniemand (?:hier |bei uns )?(?:will|möchte|braucht|liest) (?:diese|ihre|eure|solche)"
    r" (?:\w+)?(?:e-?mails|mails|nachrichten|werbung|newsletter)\b|\bpersonne (?:ici )?ne"
    r" (?:veut|lit) (?:de )?(?:vos|ces|tes) (?:mails|e-?mails|courriels|messages)\b|\bnadie"
    r" (?:aquí |aqui )?(?:quiere|lee|necesita) (?:sus|estos|tus|vuestros) (?:correos|emails"
    r"|e-mails|mensajes)\b|\bnessuno (?:qui )?(?:vuole|legge) (?:le vostre|queste|le tue|le sue)"
    r" (?:email|mail|e-mail|messaggi)\b|\bningu[ée]m (?:aqui )?(?:quer|l[eê]) (?:os vossos|os seus"
    r"|esses|estes|os teus) (?:e-?mails|emails|mensagens)\b|\bniemand (?:hier )?(?:wil|leest|zit"
    r" te wachten op) (?:uw|jouw|je|jullie|deze|die) (?:e-?mails|mails|berichten)\b",
    # breaking an anti-spam law, said of our mail
    r"\b(?:this|these|that|your) (?:\w+ )?(?:e-?mails?|messages?|mails?|outreach|spam|emailing"
    r"|mailing|sequence|campaign)s? (?:is |are )?(?:violat\w*|breach\w*|break\w*|(?:in )?(?:breach"
    r"|violation) of|(?:a )?(?:violation|breach) of|illegal under|against)(?: the)?"
    r" (?:can-?spam|casl|gdpr|pecr|tcpa|dsgvo|rgpd|uwg|avg|lopd|lgpd)\b|\b(?:violat\w*|breach"
    r"\w*|breaking|in (?:breach|violation) of)(?: the)? (?:can-?spam|casl|pecr|tcpa)\b",
    # typos of "take me off": "take me of your list"
    rf"\b(?:take|get) (?:me|us) of {_LIST}",
    # --- ja ----------------------------------------------------------------------------
    r"配信(?:を)?停止|配信(?:を)?解除|登録(?:を)?解除|購読(?:を)?解除|送らないで|送信しないで"
    r"|連絡しないで|メールしないで|(?:メール|ご連絡|ご案内|連絡)(?:は|を)?[^。\n]{0,6}"
    r"(?:不要|お断り|結構|やめて|止めて|停止)|(?:リスト|名簿)から(?:削除|外して)"
    r"|(?:個人情報|アドレス|メールアドレス)を削除",
)

# --- issue 17, third blind set: constructions, each in every covered language -------------
# (en/de/fr/es/it/pt/nl, and sv/da/no/pl basics). Read the module docstring first: these
# are the same families said in the forms blind3 showed the rules had not generalised to.

# Who acts, in the first person, with the auxiliaries that put an act in the past, present
# or future: "I've", "we'll be", "I'm going to", "ich habe", "j'ai", "he", "ho", "eu",
# "ik heb", "jag har", "jeg har", "ja". An act with no subject at all ("Reported as spam.",
# "Blocked your domain.") counts too: the writer is the only one who can have done it.
_I_ACT = (
    r"(?:^(?:(?:just|already|now|simply|hereby|have|has) )*(?=(?:reported|marked|flagged"
    r"|blocked|banned|blacklisted)\b)|\b(?:i|we|i've|we've|i'll|we'll|i'm"
    r"|we're|i'd|we'd)\b(?: (?:have|will|shall|am|are"
    r"|be|been|just|already|now|hereby|also|officially|gone and|going to|gonna|had"
    r"|did|simply|promptly|immediately|permanently|even))*\s+"
    r"|\b(?:ich|wir) (?:(?:habe|haben|hab|werde|werden) (?:\w+ ){0,3})?"
    r"|\b(?:j'ai|nous avons|je vais|nous allons) (?:\w+ ){0,2}|\b(?:je|nous) (?:vous |les )?"
    r"|\b(?:he|hemos|voy a|vamos a) (?:\w+ ){0,2}|\b(?:ho|abbiamo|sto) (?:\w+ ){0,2}"
    r"|\b(?:eu|nós|vou|vamos) (?:\w+ ){0,2}|\b(?:ik|wij|we) (?:heb|hebben|ga|gaan|zal"
    r"|zullen) (?:\w+ ){0,2}|\b(?:jag|vi|jeg) (?:(?:har|kommer att|vil|skal) )?)"
)
# "as spam", "as junk", in each language: the label a mail client's button gives our mail.
_AS_SPAM = (
    r"(?:as|for|to|into|in|in(?:to)? (?:the|my|our))(?: (?!not\b|non\b|no\b)\w+)?"
    r" (?:spam|junk|phishing|scam|abuse"
    r"|harassment|trash)\b|\bals (?:spam|junk|werbung|phishing|ongewenst)\b|\bin (?:den|meinen"
    r"|unseren) (?:spam|junk)\w*|\bcomme (?:spam|indésirables?|pourriel|courrier indésirable"
    r"|hameçonnage|phishing)\b|\bcomo (?:spam|correo no deseado|phishing|basura|lixo"
    r"|lixo eletrônico)\b|\bcome (?:spam|posta indesiderata|phishing)\b|\bjako (?:spam|śmieci"
    r"|phishing)\b|\bsom (?:spam|skräppost|skräp|uønsket|junk|phishing)\b"
)
_MARKING = (
    r"(?:report|mark|flag|tag|filtered|filtering|send|sent|route|mov|classif|label|forward"
    r"|markier|meld|gemeld|gemarkeerd|markeer|signal|marqu|class|marc|report|denunci|segnal"
    r"|contrassegn|oznacz|zgłos|markera|markerat|rapporter|markeret|anmeld|flytt)\w*"
)
# Our mail, our sender, our domain, us: what gets blocked.
_OUR_SENDING = (
    r"(?:you\b(?! (?:in|into|on|for|off)\b)|y'all|your (?:\w+ ){0,2}?(?:domain|address|e-?mail address|company|e-?mails?|mails?"
    r"|messages?|sender|server|ip|outreach|company's domain)|(?:all |any |every )?(?:future )?"
    r"(?:e-?mails?|mails?|messages?) (?:from (?:you|your \w+)|of yours)|this (?:sender|domain"
    r"|address)|(?:ihre|eure|deine) (?:domain|adresse|e-?mails?|mails|absender\w*)|sie\b"
    r"|(?:votre|vos|ton|tes) (?:domaine|adresse|mails?|e-?mails?|messages?)|vous\b"
    r"|(?:su|sus|tu|tus|vuestro|vuestra) (?:dominio|dirección|correos?|mensajes?|emails?)"
    r"|(?:il vostro|la vostra|le vostre|il tuo) (?:dominio|indirizzo|email|mail)"
    r"|(?:o seu|o vosso|os seus|a sua|seu|sua) (?:domínio|endereço|e-?mails?|mensagens)"
    r"|(?:uw|jullie|je) (?:domein|adres|e-?mails?|mails|berichten)"
    r"|(?:er|din|dere|jeres|deres) (?:domän|domæne|domene|adress|adresse|mejl|mails?)"
    r"|(?:wasz|waszą|waszego|twój|twoją) (?:domen\w*|adres\w*|mail\w*))"
)

STOP_CLAUSES += _c(
    # Our mail is spam / junk / phishing / harassment, said as a verdict (not asked, not
    # denied): "this is spam", "your emails are junk", "c'est du spam", "das ist Spam".
    r"\b(?:this|that|it|these|those|what you(?:'re| are) doing|you)(?:'s|'re| is| are| was"
    r"| were)(?: (?:just|pure|total|complete|plain|obvious|clearly|basically|unsolicited"
    r"|nothing but|simply|all|straight|literally|more|blatant))* (?:spam|junk (?:mail|e-?mail)"
    r"|phishing|a scam|harassment|unsolicited (?:spam|junk|marketing|e-?mail|mail))\b"
    r"(?! (?:filter|folder|score|check|test|trap|box|rate|rules?|protection|settings?|season)\b)"
    r"|\byour (?:\w+ )?(?:e-?mails?|messages?|mails?|outreach|sequences?|campaigns?|mailings?)"
    r" (?:is|are|were|was)(?: (?:just|pure|total|plain|obvious|clearly|basically|nothing but"
    r"|simply|all|literally|more))* (?:spam|junk|phishing|a scam|harassment|unsolicited)\b"
    r"(?! (?:filter|folder|score|check|test|trap|box|rate|rules?|protection|settings?)\b)"
    r"|^(?:(?:just|pure|total|more|blatant|unsolicited) )*(?:spam|junk mail)\s*[.!]*$",
    r"\b(?:das|dies|ihre (?:\w+ )?(?:e-?mails?|mails|nachrichten)) (?:ist|sind) (?:doch |einfach"
    r" |reiner |purer |nur |nichts als |totaler |eindeutig |klar |unverlangter |unerwünschter )?"
    r"(?:spam|werbemüll|belästigung|phishing)\b"
    r"|\b(?:c'est|ceci est|ce sont|vos (?:\w+ )?(?:mails|e-?mails|messages) sont) (?:juste |encore"
    r" |clairement |vraiment |carrément |purement )?(?:du |un )?(?:spam|pourriel|harcèlement"
    r"|hameçonnage|indésirables?)\b"
    r"|\b(?:esto|eso|sus (?:correos|mensajes)) (?:es|son) (?:puro |solo |simplemente |claramente"
    r" )?(?:spam|acoso|phishing|basura|correo basura)\b|\b(?:questo|questa|queste (?:\w+ )?)"
    r" ?(?:è|sono) (?:solo |puro |chiaramente )?(?:spam|molestia|phishing)\b|\b(?:isto|isso)"
    r" é (?:puro |só |apenas |claramente )?(?:spam|assédio|lixo|phishing)\b|\b(?:dit|dat|uw"
    r" (?:\w+ )?mails?) (?:is|zijn) (?:gewoon |pure |echt |duidelijk )?(?:spam|intimidatie"
    r"|phishing)\b|\bto jest (?:czysty |zwykły )?(?:spam|nękanie)\b|\b(?:detta|det här|det"
    r"|dette) (?:är|er) (?:bara |rent |ren )?(?:spam|skräppost)\b",
    # The writer blocked, reported or marked our mail, or will: "Blocked your domain.",
    # "I'll be marking every future email from your domain as spam", "als Spam gemeldet".
    rf"{_I_ACT}{_MARKING}\b(?:(?!\b(?:safe|not|doesn'?t|does not|don'?t|won'?t|never|accident"
    rf"|mistake)\b)[^.!?\n]){{0,70}}?{_AS_SPAM}",
    r"(?:^\s*|\b(?:ich|wir|ik|wij|we|jeg|vi|jag|ja|my)\b[^.!?\n]{0,40}?)(?:als|som|jako)"
    r" (?:spam|junk|ongewenst|skräppost|uønsket) (?:gemeldet|markiert|gemarkeerd|gemeld"
    r"|markeret|markerat|rapporteret|anmeldt|oznacz\w*|zgłosz\w*|melden|markieren|markeren"
    r"|rapportere|anmelde)",
    # object before the participle (de/nl): "ich habe Sie blockiert", "ik heb u geblokkeerd"
    r"\b(?:ich|wir|ik|wij) (?:habe|haben|hab|heb|hebben) (?:(?!nicht|niet|kein|geen)\w+ ){1,3}?"
    r"(?:blockiert|geblockt|gesperrt|gemeldet|geblokkeerd|gemeld)\b",
    r"\b(?:je vous ai|nous vous avons|je t'ai|(?:los|las|les|te|os|vi|ti|li|le|vos|u|jullie)"
    r" (?:he|hemos|ho|abbiamo|heb|hebben)|eu (?:te|os|vos)) (?:\w+ )?(?:bloqu|blocc|signal"
    r"|denunci|report|segnal|geblokkeerd|gerapporteerd)\w*",
    rf"{_I_ACT}(?:block(?:ed|ing|s)?|ban(?:ned|ning|s)?|(?:black|block)list(?:ed|ing)?|filtered"
    r"|filtering|blockier\w*|sperr\w*|gesperrt|blockiert|bloqu\w*|blocc\w*|blokkeer\w*"
    r"|geblokkeerd|blokk\w*|blokuj\w*|zablokow\w*|spärr\w*|blockerat|blokeret|blokerede)"
    rf" (?:(?:all|every|any|now|just|already|permanently|also|hiermit|hereby) )*{_OUR_SENDING}",
    rf"\b{_OUR_SENDING} (?:is|are|has been|have been|got|gets|will be|'s|'re|ist|sind|wurde"
    r"|wurden|est|sont|a été|es|son|ha sido|è|sono|é|são|foi|is|zijn|werd|är|er|blev|jest)"
    r" (?:now |hereby |permanently |jetzt |hiermit |maintenant |ahora |ora |agora |nu |nå )?"
    r"(?:blocked|blacklisted|blocklisted|banned|reported|gesperrt|blockiert|bloqu\w+|blocc\w+"
    r"|geblokkeerd|blokerad|blokeret|blokkert|zablokowan\w*)(?! (?:by|from|on) (?:your|their"
    r"|its|the|our (?:firewall|filter|gateway|proxy|it|security)))\b",
    # Our next mail goes to junk by the writer's own rule: "every email from you goes to junk
    # from now on", "I've set up a filter that sends your emails straight to trash" (never
    # "your email went to my spam folder", which says where one landed).
    rf"\b{_OUR_SENDING}(?: \w+){{0,3}}? (?:will|'ll|is going to|are going to|go|goes|get|gets"
    r"|are|is)(?: now| all| be| automatically| permanently)* (?:(?:go|goes|going|sent|moved"
    r"|routed|filtered|deleted|land|end up) )?(?:straight |directly )?(?:to|into|in) (?:the |my"
    r" |our )?(?:junk|spam|trash|bin)\b(?=[^.!?\n]*\b(?:from now on|going forward|henceforth"
    r"|automatically|forever|permanently|from today)\b)"
    rf"|\b{_OUR_SENDING}(?: \w+){{0,3}}? (?:will|'ll|is going to|are going to)(?: now| all| be)*"
    r" (?:go|be sent|be moved|be routed|land|end up|get sent) (?:straight|directly) (?:to|into)"
    r" (?:the |my |our )?(?:junk|spam|trash|bin)\b"
    r"|\b(?:i|we)(?:'ve| have| just)* (?:set up|created|added|made"
    r"|setup) (?:a |an )?(?:\w+ )?(?:filter|rule)\b[^.!?\n]{0,40}\b(?:send|sends|move|moves"
    r"|route|routes|delete|deletes|bin|bins|trash|trashes|block|blocks)\b",
    # Telling us to stop in a modal or a wish, any person: "could you not email me again",
    # "I'd rather you didn't contact us", "please make sure I'm not contacted again", "I'd
    # like to be taken off your mailing list", "I don't want any more of these".
    rf"\b(?:could|can|would|will|please|kindly|pls) (?:you )?(?:please |kindly )?not {_CONTACT}"
    rf" (?:{_WRITER}\b|{_MORE}\b)",
    rf"\b(?:i'd|i would|we'd|we would) (?:rather|prefer(?: it if)?) you (?:didn'?t|did not"
    rf"|don'?t|not|stopped|stop) {_CONTACT}",
    r"\b(?:make sure|ensure|see to it that) (?:i'?m|i am|we'?re|we are|i|we|my (?:address|e-?mail)"
    r"(?: address)? is|this address is) (?:not|never|no longer) (?:be )?(?:contacted|e-?mailed"
    r"|mailed|messaged|sent|on)\b|\b(?:make sure|ensure|confirm) (?:i'?m|i am|we'?re|we are"
    r"|i|we|i've been|we've been|my address is|this address is) (?:removed|taken off|deleted"
    r"|unsubscribed|off)\b",
    r"\b(?:i|we)(?:'d| would| want| wish| need| ask| asked| request| am asking| 'm asking"
    r"| expect)(?: (?:like|love|ask|request|you))? to be (?:taken off|removed|deleted|erased"
    r"|unsubscribed|excluded|struck off|dropped|left alone|opted out|not contacted"
    r"|contacted no more)\b(?=\s*(?:[.!,;]|$|please\b|asap\b|now\b|immediately\b|again\b"
    rf"|(?:(?:from|off|of) )?{_LIST}))",
    r"\b(?:i|we) (?:don'?t|do not|really don'?t|no longer) (?:want|need|wish to (?:get|receive))"
    r" (?:any ?more|more|further|any further|another)(?: (?:of )?(?:these|this|them|that|it"
    r"|your \w+))?\s*(?:[.!,;]|$|from you\b|thanks\b|thank you\b|please\b)",
    # "can you take me off", "pouvez-vous arrêter de m'écrire": a stop said as a question
    # stays a stop; the French verb in every person ("arrêter", "arrêtez", "arrête").
    r"\b(?:arrêt|cess|stopp)\w* (?:donc |enfin |immédiatement |tout de suite )?de (?:m'|me |nous"
    r" |m’)(?:écrire|envoyer|contacter|relancer|solliciter|harceler|spammer|mailer|déranger"
    r"|appeler|inonder)\b|\b(?:arrêt|cess)\w* (?:vos|les|ces|tes) (?:\w+ )?(?:mails|e-?mails"
    r"|courriels|messages|relances|envois|sollicitations|spams?)\b",
    # de: the imperative of every verb of contacting, with the writer as object and "no
    # more" after it: "kontaktieren Sie mich nicht mehr", "schreib mir nie wieder"
    r"\b(?:kontaktier|schreib|mail|e-?mail|anschreib|send|schick|belästig|ruf|nerv|bombardier"
    r"|zuspamm|spamm)\w* (?:sie |ihr |du )?(?:mich|mir|uns)\b(?: \w+){0,3}? (?:nicht mehr|nie"
    r" wieder|niemals wieder|nicht weiter|nicht länger|keine \w+ mehr|nichts mehr|nicht noch"
    r" einmal|nicht nochmal)\b",
    r"\b(?:hör|hört|hören) (?:sie |ihr )?(?:(?!nicht\b)\w+ )?auf,? (?:mir|mich|uns)\b"
    r"|(?<!nicht )\baufh[öo]r\w*,? (?:mir|mich|uns)\b",
    # es: the negative imperative in every person ("no me escribas/escriba/escriban/escribáis
    # más") and "dejar de" in every person ("deja de escribirme", "deje de mandarnos")
    r"\bno (?:me|nos) (?:\w+ )?(?:escrib|contact|envi|enví|mand|llam|molest|spame|reenv|acos"
    r"|insist)\w* (?:más|nunca|de nuevo|otra vez|jamás)\b",
    r"\bdej\w{0,4} de (?:escribir|contactar|enviar|mandar|llamar|molestar|acosar|spamear"
    r"|escribí)(?:me|nos)\b|\bdej\w{0,4} de (?:enviar|mandar)(?:me|nos)? (?:correos|emails"
    r"|e-mails|mensajes|spam|publicidad)\b",
    # it/pt/nl: every person of the verb of contacting, negated, with the writer as object
    r"\bnon (?:mi |ci )?(?:scriv|contatt|mand|invi|chiam|disturb)\w* (?:più|mai più)\b"
    r"|\bnon (?:scriv|contatt|mand|invi)\w*(?:mi|ci) (?:più|mai più)\b",
    r"\bnão (?:me |nos )?(?:envi|mand|escrev|contact|contat|lig|incomod)\w* mais\b"
    r"|\bnão (?:me |nos )?(?:volte|voltem) a (?:escrever|contactar|contatar|enviar|mandar)\b",
    r"\b(?:mail|e-?mail|stuur|bel|contacteer|benader|schrijf|spam)(?:t)? (?:mij|me|ons)"
    r" (?:\w+ ){0,2}(?:niet meer|nooit meer)\b|\b(?:mij|me|ons) (?:\w+ )?(?:niet meer|nooit meer)"
    r" (?:mailen|e-?mailen|sturen|bellen|benaderen|contacteren|lastigvallen)\b",
    # sv / da / no: stop, remove, unsubscribe, no more mail
    r"\bsluta (?:att )?(?:skicka|maila|mejla|e-?posta|kontakta|skriva|höra av|spamma|ringa)\b"
    r"|\bavregistrera (?:mig|oss)\b|\bavregistrera\b(?=\s*(?:[.!,;]|$|tack\b))"
    r"|\bavanmäl\w*|\bta bort (?:mig|oss|min (?:\w+ )?adress|mina uppgifter)\b"
    r"|\bavsluta (?:min |vår )?prenumeration\w*|\b(?:inga|vill inte ha|vill inte få) (?:fler|mer)"
    r" (?:mejl|mail|e-?post|utskick|meddelanden)\b|\bkontakta (?:mig|oss) inte\b"
    r"|\bskicka inte (?:fler|mer)\b|\b(?:mejla|maila) (?:mig|oss) inte\b",
    r"\b(?:stop|hold op|hør op|slutt|stopp) med (?:at |å )?(?:sende|skrive|kontakte|maile"
    r"|e-?maile|spamme|ringe)\b|\bslutt å (?:sende|skrive|kontakte|maile|spamme)\b"
    r"|\bfjern (?:mig|os|meg|oss|min (?:\w+ )?adresse|mine oplysninger)\b|\b(?:afmeld|frameld"
    r"|avmeld)\w*|\bmeld (?:mig|os|meg|oss) (?:af|av|fra)\b|\bingen (?:flere|fler) (?:mails"
    r"|e-?mails|e-?poster|henvendelser|beskeder|meldinger|nyhedsbreve)\b|\b(?:kontakt|skriv til)"
    r" (?:mig|os|meg|oss) ikke\b|\bjeg (?:vil|ønsker) ikke (?:have|modtage|motta|få) (?:flere"
    r"|fler|mere|mer)\b",
    # pl: remove me/my address, unsubscribe me, stop writing, don't write any more
    r"\b(?:usuń|usun|usuńcie|usuncie|usunąć|usunac|usunięcie|usuniecie) (?:\w+ )?(?:mnie|nas"
    r"|(?:mój|moj|moje|mojego|moich|nasz|nasze|naszego|naszych) (?:\w+ )?(?:adres\w*|dan\w*"
    r"|e-?mail\w*|kontakt\w*|numer\w*))\b|\b(?:mnie|nas) (?:\w+ )?(?:usunąć|usunac|usuńcie"
    r"|usuncie)\b"
    r"|\b(?:wypisz|wypiszcie|wypisać|wypisac|wypisanie)\b(?= (?:mnie|nas|się)\b| z (?:\w+ )?"
    r"(?:list\w*|newslettera|baz\w*|mailingu|subskrypcji|wysył\w*|korespondencji)\b|\s*[.!,;]"
    r"|\s*$)|\b(?:mnie|nas|się) (?:\w+ )?(?:wypisać|wypisac|wypisz|wypiszcie)\b"
    r"|\bprzesta\w* (?:do mnie |do nas |mi |nam )?(?:pisać|wysyłać|przesyłać|kontaktować"
    r"|mailować|spamować|dzwonić|nękać)\b|\b(?:więcej |już )?(?:do mnie|do nas) (?:\w+ )?nie"
    r" (?:pisać|piszcie|pisz|wysyłać|wysyłajcie)\b|\bnie (?:piszcie|pisz|wysyłajcie|wysyłaj"
    r"|kontaktujcie|kontaktuj)(?: się)?(?: do mnie| do nas| ze mną| z nami| mi| nam)?"
    r" (?:więcej|już)\b|\bnie (?:chcę|chcemy) (?:więcej |już )?(?:otrzymywać|dostawać|żadnych)\b"
    r"|\brezygnuj\w* z (?:\w+ )?(?:subskrypcji|newslettera|mailingu|listy|wiadomości|maili"
    r"|e-?maili|korespondencji|otrzymywania|kontaktu|wysyłki|powiadomień)\b"
    r"|\brezygnuj(?:ę|e|emy)\s*[.!]*\s*$"
    r"|\b(?:proszę|prosze) (?:o )?(?:usunięcie|wypisanie)\b(?= (?:mnie|nas|mojego|moich"
    r"|naszego|naszych|adresu|danych|z )|\s*[.!,;]|\s*$)",
    # A third person removed from a mailing list of ours ("please remove my colleague Jana
    # from your list, she left"): suppression is per sender, so the writer is suppressed
    # and the reply still reaches a person, who removes the colleague.
    r"\b(?:remove|delete|take|drop|strike|scrub|unsubscribe) (?:him|her|them|my (?:former )?"
    r"(?:colleague|co-?worker|boss|manager|predecessor|assistant)(?: \w+){0,2}"
    r"|(?!(?:the|a|an|all|any|these|those|this|that|some|our|my|their|its|every|each|old|no"
    r"|duplicate|test|inactive|invalid|bounced|\d+)\b)\w+ (?!(?:duplicates?|dupes?|entries"
    r"|entry|records?|rows?|contacts?|leads?|items?|files?|tags?|fields?|columns?|data|e-?mails?"
    r"|addresses|bounces|lists?|accounts?|users?)\b)\w+)"
    r" (?:from|off) (?:your|the|all (?:of )?your) (?:[\w-]+ )?(?:mailing(?: list)?s?|lists?"
    r"|database|crm|distribution(?: list)?|newsletters?|sequences?|campaigns?|records)\b",
)

# Stop sign emoji, alone or by mail: "🛑", "🚫📧", "⛔ emails".
STOP_EMOJI = re.compile(r"^[\s🛑⛔🚫✋❌🙅📧📩✉️️.!]*[🛑⛔🚫✋🙅][\s🛑⛔🚫✋❌🙅📧📩✉️️.!]*$")
# What turns one emoji into another (skin tone, gender, joiner, variation): "🙅‍♂️" is "🙅".
_EMOJI_MODIFIERS = re.compile("[\u200d\u2640\u2642\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
# A stop emoji around words that are a bare stop ("✋ stop", "remove me 🛑").
_STOP_EMOJI_AROUND = re.compile(r"^[\s🛑⛔🚫✋❌🙅📧📩✉]+|[\s🛑⛔🚫✋❌🙅📧📩✉]+$")
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

# The writer asks to be kept: a removal under a negative imperative, with the writer or
# their details as its object ("don't delete my details", "Niet afmelden!", "non
# cancellatemi dalla lista", "ne me désinscrivez pas"), or the reply itself disowned as a stop
# ("don't read this as an unsubscribe", "this is not an unsubscribe"). Only those words are
# blanked before the text is read (`without_kept`); whatever else the sentence says still
# counts ("this isn't an opt-out, this is me telling you to stop"). Only where a sentence or a
# "please" bids it: elsewhere the same words complain that we do not remove them ("ich kann
# mich nicht abmelden", "vi ho chiesto tre volte, non mi cancellate mai"), which is a stop.
_BIDDING = (
    r"(?:^[^\S\n]*|(?<=[.!?,;:(¡¿])[^\S\n]*|\b(?:please|pls|kindly|but|just|bitte|alstublieft"
    r"|alsjeblieft|per favore|vi prego|svp|s'il vous plaît|por favor|pfv)[^\S\n]*,?[^\S\n]+)"
)
_NOT_ONLY = r"(?![^\S\n]+(?:just|only|simply|merely|nur|bloß|bloss|alleen|solo|seulement|apenas)\b)"
_ENDS = (
    r"(?=[^\S\n]*(?:[.!\n]|$)|[^\S\n]*[,;-]?[^\S\n]+(?:only|just|merely|simply|but (?:a|an|just"
    r"|only))\b)"
)
# What asks to go, anywhere after words for staying on: those words are then not blanked.
_GOING = (
    r"\b(?:remov|delet|eras|stop|unsub|opt[- ]?out|out of|done|forg[eo]t|never|no more|no longer"
    r"|no further|lösch|loesch|verwijder|supprim|effac|apag|exclu|borr|elimin|cancel|désinscri"
    r"|desinscri|désabonn|abmeld|austrag|afmeld|uitschrijv|suppress|baja|descadastr|leave me"
    r"|take me off|off (?:the|your) list)"
)
KEEP_ME = (
    # the object is read, not blanked: "don't delete my data: erase it" still names the data
    rf"{_BIDDING}(?:don'?t|do not)(?: ever)? (?:remove|drop|delete|erase|unsubscribe|cut|exclude"
    r"|purge|wipe)(?= (?:me|us|my|our)\b)|" + rf"{_BIDDING}(?:don'?t|do not)(?: ever)? take"
    r"(?= (?:me|us) off\b)",
    # ... disowned only where the sentence ends there or goes on to make less of it ("only a
    # note"): "this isn't an unsubscribe request, it's a GDPR erasure request" is a stop
    r"\b(?:don'?t|do not) (?:read|take|treat|count|file|log|process|see) (?:this|it|my (?:reply"
    rf"|answer|e-?mail)) as (?:an? )?(?:unsubscribe|opt-?out|stop|removal)(?: request)?\b{_ENDS}",
    r"\b(?:this|it|that) (?:is|was)(?: not|n't) (?:an? )?(?:unsubscribe|opt-?out|removal)"
    rf"(?: request)?\b{_ENDS}",
    rf"{_BIDDING}(?:bitte )?nicht (?:ab|aus)(?:melden|tragen)\b{_NOT_ONLY}"
    rf"|{_BIDDING}(?:bitte )?(?:melden|tragen) sie mich (?:bitte )?nicht (?:ab|aus)\b"
    rf"|{_BIDDING}(?:bitte )?löschen sie (?:mich|meine daten) (?:bitte )?nicht\b{_NOT_ONLY}",
    rf"{_BIDDING}niet (?:afmelden|uitschrijven|verwijderen)\b(?! (?:mogelijk|lukt|kan|gaat"
    rf"|werkt)\b)|{_BIDDING}(?:meld|schrijf|haal) (?:me|mij|ons) (?:alstublieft |alsjeblieft )?"
    r"niet (?:af|uit|weg)\b",
    # the imperative's own form (enclitic), never "non mi cancellate" (also "you don't")
    rf"{_BIDDING}non (?:(?:cancellat|togliet|rimuovet|disiscrivet|eliminat)e(?:mi|ci)"
    r"|(?:cancellar|toglier|rimuover|disiscriver|eliminar)(?:mi|ci))\b",
    rf"{_BIDDING}ne (?:me|nous) (?:désinscrivez|désabonnez|retirez|supprimez|rayez|enlevez)"
    r"(?: surtout)? pas\b",
    rf"{_BIDDING}no (?:me|nos) (?:des|den|dé|dén) de baja\b|{_BIDDING}no (?:me|nos) (?:elimines"
    r"|eliminen|borres|borren|quites|quiten|saques|saquen)\b",
    rf"{_BIDDING}não (?:me|nos) (?:remova|removam|descadastre|descadastrem|exclua|excluam|tire"
    r"|tirem|apague|apaguem|cancele|cancelem)\b",
    # the stop asked back and answered no ("Unsubscribe? No.", "Abmelden? Nein!"), as a
    # sentence of its own, and nothing after it that asks to go: "Stop? No more emails!",
    # "Unsubscribe? No, remove me" and "Abmelden? Nein, löschen!" are stops
    rf"{_BIDDING}(?:unsubscribe|unsubscribing|opt[- ]?out|remove me|stop|abmelden|austragen"
    r"|afmelden|uitschrijven|désabonnement|(?:se |me )?désabonner|désinscription"
    r"|(?:se |me )?désinscrire|darme de baja|baja|disiscrivermi|descadastrar)"
    r"[^\S\n]*\?\s*(?:no|nope|nah|nein|non|nee|não)[^\S\n]*[.!]+(?=\s|$)"
    rf"(?![\s\S]*{_GOING})",
    # the mail named as what is not to stop: "stop the swarms, not your emails"
    r"(?<=\bstop )(?:the|our|my|their|your|all|these|those) (?!e-?mails?\b|mails?\b"
    r"|messages?\b|newsletters?\b|updates\b|list\b)[\w'-]+(?: [\w'-]+){0,2},[^\S\n]*not"
    r" (?:your|the|these|those) (?:e-?mails?|mails?|messages?|newsletters?|updates)\b"
    r"(?=[^\S\n]*[.!\n]|$)",
)
_KEPT = re.compile("|".join(KEEP_ME), re.I | re.M)


def without_kept(low: str) -> str:
    """The text with the writer's words for staying on blanked out."""
    return _KEPT.sub(" ", low)


# "By mistake" where the writer owns to a slip (de nl fr es it pt sv da no pl); not "sin
# querer" or "sem querer", which also mean "without wanting to".
_BY_MISTAKE = (
    r"(?:versehentlich|aus versehen|irrtümlich|fälschlich\w*|per ongeluk|per abuis"
    r"|per vergissing|abusievelijk|onbedoeld|par erreur|par mégarde|accidentellement"
    r"|por error|por equivocaci[oó]n|por accidente|accidentalmente|per errore|per sbaglio"
    r"|erroneamente|por engano|por erro|av misstag|ved en fejl|ved et uhell|ved en feil"
    r"|przez pomyłkę|przypadkowo)"
)

_SPAM_MARK = (
    r"(?:spam|junk|indésirable|no deseado|indesiderat\w*|ongewenst|skräppost|gemeldet"
    r"|gemarkeerd|gerapporteerd|markiert|marqué\w*|signalé\w*|marcad\w*|denunciad\w*"
    r"|segnalat\w*)\b"
)
_NEGATED = r"\b(?:not|nicht|niet|pas|non|nie|nunca|jamais|nooit)\b"


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


# A reply that is nothing but a word for stopping, in any covered language, with
# politeness around it: "Baja.", "Stopp!", "Avregistrera", "Afmeld", "Wypisz mnie", "Abmelden
# bitte", "Désinscription svp", "Cancelar suscripción".
_POLITE_ANY = (
    r"(?:please|pls|plz|kindly|thanks|thank you|thx|ty|asap|now|immediately|right now|me|us"
    r"|again|cheers|bitte|danke|sofort|merci|svp|s'il vous plaît|s'il vous plait|por favor"
    r"|gracias|ya|per favore|grazie|subito|obrigad[oa]|graag|alstublieft|aub|a\.u\.b\.|dank"
    r"|bedankt|tack|snälla|venligst|tak|takk|proszę|prosze|dziękuję|dzięki|ok|okay)"
)
_STOP_TOKEN = (
    r"(?:stop|stopp|stoppen|unsub|unsubscribe|remove|opt[- ]?out|delete|spam"
    r"|abmelden|austragen|abbestellen|abmeldung|löschen|entfernen|mich abmelden|bitte austragen"
    r"|désinscription|désinscrire|désabonnement|désabonner|me désinscrire|me désabonner"
    r"|retirez-moi|supprimez-moi|arrêtez|arrêter"
    r"|baja|de baja|dar de baja|darme de baja|denme de baja|cancelar (?:la )?suscripción"
    r"|anular (?:la )?suscripción|desuscribir(?:me)?|desuscripción|bórrenme|elimínenme|basta"
    r"|disiscrivimi|disiscrizione|cancellami|cancellatemi|rimuovimi|rimuovetemi|cancellazione"
    r"|descadastrar|descadastre-me|descadastro|remover|remova-me|removam-me|sair|cancelar"
    r" inscrição|parem|chega"
    r"|afmelden|uitschrijven|meld me af|schrijf me uit|verwijderen|verwijder mij"
    r"|avregistrera(?: mig)?|avsluta|avanmäl(?: mig)?|sluta|ta bort mig"
    r"|afmeld(?: mig)?|frameld(?: mig)?|avmeld(?: meg)?|fjern mig|fjern meg"
    r"|wypisz(?: mnie)?|wypisać|usuń(?: mnie)?|rezygnuję|rezygnacja)"
)
BARE_STOP_ANY = re.compile(
    rf"^(?:{_POLITE_ANY}[ ,!]*)*{_STOP_TOKEN}(?:[ ,!]+{_POLITE_ANY})*[ .!]*$", re.IGNORECASE
)

VETOES += _c(
    # what did not happen: "I almost reported this as spam", "I was about to ask you to take
    # me off your list, but...", "fast hätte ich abbestellt", "j'ai failli me désabonner"
    r"\b(?:almost|nearly|was about to|were about to|was going to|were going to|was tempted to"
    r"|was close to|thought about|considered|came close to|half a mind to)\b(?: \w+){0,4}?"
    r" (?:report|mark|flag|block|unsubscrib|ask(?:ing)? you|hit|click|remov|delet|bin|trash"
    r"|opt|send (?:it|this) to)",
    r"\b(?:fast|beinahe|beinah)\b(?: \w+){0,3} (?:abbestell|abgemeldet|abmeld|gemeldet|markiert"
    r"|blockiert|gelöscht)|\bj'ai (?:failli|presque|bien failli)\b|\bfaillir\b|\bestuve a punto"
    r" de\b|\bcasi (?:me |lo )?(?:doy|di|marco|marqué|reporto|reporté|borro|borré)\b|\bstavo per\b"
    r"|\bquasi (?:mi |lo )?(?:disiscrivo|disiscrissi|segnalo|segnalato)\b|\bquase (?:me |o )?"
    r"(?:descadastrei|marquei|denunciei)\b|\bbijna\b(?: \w+){0,3} (?:afgemeld|gemeld|gemarkeerd)"
    r"|\bprawie\b|\bnästan\b|\bnæsten\b",
    # unsubscribes as the writer's own feature or data: "the unsubscribe links in our
    # newsletters", "il ne gérait pas les désabonnements", "opt-out syncing"
    r"\b(?:our|my|their|its|his|her|customers'?|clients'?)(?: own)? (?:\w+ ){0,2}['\"]?"
    r"(?:unsubscribe|opt-?out)['\"]? (?:links?|buttons?|pages?|rates?|flows?|headers?|footers?"
    r"|process(?:es|ing)?|handling|logic|options?|features?|urls?|functionality|mechanism|events?"
    r"|data|counts?|numbers?|stats|statistics|forms?|emails?|settings?|preferences?|lists?"
    r"|sync\w*|tracking|management)\b|\b['\"]?(?:unsubscribe|opt-?out)['\"]? (?:links?|buttons?"
    r"|pages?|forms?|flows?|headers?|options?|settings?) (?:\w+ )?(?:in|on|of|for|across) (?:our"
    r"|my|their|his|her|its) ",
    r"(?<!to your )(?<!on your )(?<!to the )(?<!on the )\bopt-?outs? (?:sync\w*|handling"
    r"|management|status|fields?|flags?|lists?|preferences?"
    r"|settings?|tracking|compliance|features?|functionality|mechanisms?|support|workflows?"
    r"|records?|data|rates?)\b",
    r"\b(?:handle|handles|handled|handling|manage|manages|managed|managing|process|processes"
    r"|processing|track|tracks|tracking|sync|syncs|syncing|honou?r|honou?rs|respect|count"
    r"|gérer|gère|gérait|gèrent|gestion des|traiter|traitait|verwalten|verwaltet|gestionar"
    r"|gestiona|gestionaba|gestire|gestisce|gerenciar|gerencia|beheren|beheert|verwerken)"
    r" (?:\w+ )?(?:les |the |des |die |las |los |le |gli |os |as |de |our |their |all )?"
    r"(?:unsubscribes|unsubscriptions|unsubscribe requests|opt-?outs|désabonnements"
    r"|désinscriptions|abmeldungen|abbestellungen|bajas|disiscrizioni|descadastramentos"
    r"|afmeldingen|uitschrijvingen)\b",
)

# --- issue 17, fourth blind set: families, each in the languages it is said in ------------

# Lists that exist to keep people from being written to: being put on one is a stop.
_NO_CONTACT_LIST = (
    r"(?:do[- ]not[- ](?:contact|call|e-?mail|mail|solicit|disturb)|no[- ](?:contact|e-?mail"
    r"|mail|call)|don'?t[- ](?:contact|e-?mail|call)|suppression|opt[- ]?out|unsubscribe"
    r"|exclusion|robinson|dnc|dne|block|blacklist|blocklist|sperr|werbesperr|negativ"
    r"|ausschluss|d'opposition|rouge|noire|bloctel|de exclusión|negra|delle opposizioni"
    r"|di esclusione|nera|de exclusão|bel-me-niet|blokkeer|uitsluit|zwarte|spärr|spærre"
    r"|sperre|blokad)\w*(?:[- ]?(?:list|liste|lista|lijst|register|registry|file))?\b"
)
_ME_ANY = (
    r"(?:me|us|myself|ourselves|my (?:\w+ )?(?:address|e-?mail)|this (?:address|e-?mail"
    r"(?: address)?)|our (?:domain|company|addresses)|mich|uns|meine (?:[\w-]+-)?adresse|mij"
    r"|ons|mig|os|meg|oss|mnie|nas)"
)

STOP_CLAUSES += _c(
    # not hearing from us again: "I'd rather not hear from you again", "ich möchte nichts
    # mehr von Ihnen hören", "je ne veux plus entendre parler de vous"
    r"\b(?:(?:i'?d|i would|we'?d|we would) (?:rather not|prefer not to|prefer to not)|(?:i|we)"
    r" (?:don'?t|do not"
    r"|never|no longer) (?:want|wish|need|care) to|(?:i|we) (?:hope|trust) (?:i|we|to) never"
    r"|please (?:let me|let us) not|(?:let me|let us|may i) never) (?:ever )?hear (?:back )?from"
    r" (?:you|your (?:\w+ )?(?:company|firm|team|people|lot|side)|any of you|anyone (?:at|from)"
    r" (?:your|\w+))(?: (?:guys|folks|people|all|lot))?\b(?=\s*(?:[.!,;]|$|again\b|anymore\b"
    r"|any ?more\b|ever again\b|in (?:the )?future\b|going forward\b|please\b|thanks?\b"
    r"|thank you\b))",
    r"\b(?:nichts mehr|nie wieder|nie mehr) (?:etwas )?von (?:ihnen|euch|dir|ihrer firma|ihrem"
    r" unternehmen) hören\b|\b(?:ne (?:veux|voulons|souhaite|souhaitons)|n'ai pas envie d') plus"
    r" (?:jamais )?entendre parler de (?:vous|votre (?:société|entreprise))\b|\bno (?:quiero"
    r"|queremos|deseo|deseamos) (?:volver a )?saber (?:nada )?(?:más )?de (?:ustedes|usted|ti"
    r"|vosotros|su empresa)\b|\bnon (?:voglio|vogliamo|desidero) più (?:sentir(?:vi|la|ti|ne"
    r" parlare)|avere (?:vostre |sue )?notizie)\b|\bnão (?:quero|queremos) (?:mais )?(?:ouvir"
    r" falar de|saber de|ter notícias de) (?:vocês|você|vós|si|sua empresa)\b|\b(?:ik|wij|we)"
    r" (?:wil|willen) (?:niets|nooit) meer (?:iets )?van (?:u|jullie|je|jou) horen\b|\bvill inte"
    r" höra (?:något )?(?:mer|mera|av er|från er)\b|\bvil ikke (?:høre|hø) (?:mere|mer|fra jer"
    r"|fra dere)\b|\bnie (?:chcę|chcemy) (?:więcej|już) (?:o was |od was )?(?:słyszeć|nic słyszeć)\b",
    # anyone at the writer's company, again: "do not contact anyone at this company again"
    rf"\b{_NEG} (?:ever )?{_CONTACT} (?:any(?:one|body)(?: else)?|any of us|(?:every|no)(?:one"
    rf"|body)|all of us|us all|my (?:\w+ )?(?:colleagues|team|staff|company)|people (?:here"
    rf"|at \w+))\b(?: [\w@.&'-]+){{0,4}}? {_MORE}\b",
    # the whole domain or company: "remove every @acme.example address", "take all our
    # addresses off your lists", "remove our entire domain from your database"
    r"\b(?:remove|delete|take|drop|strike|scrub|purge|suppress|exclude|unsubscribe|block"
    r"|blacklist|blocklist|wipe) (?:every|all|any|each)(?: (?:of )?the)? @[\w-]+(?:\.[\w-]+)+"
    r" (?:addresses|address|e-?mails?|contacts?|people|one)\b",
    r"\b(?:remove|delete|take|drop|strike|scrub|purge|suppress|exclude|unsubscribe|block"
    r"|blacklist|blocklist|wipe) (?:every|all|any|each)(?: of)? (?:our|my) (?:\w+ )?(?:addresses"
    r"|address|e-?mails?|contacts?|people|employees|staff|colleagues)\b",
    r"\b(?:remove|delete|take|drop|strike|scrub|purge|suppress|exclude|unsubscribe|block"
    r"|blacklist|blocklist|wipe) (?:every|all|any|each)(?: of the)? (?:addresses|address"
    r"|e-?mails?|contacts?|people|employees|staff|one) (?:at|from|on|in|under|ending in|with)"
    r" (?:@[\w-]+(?:\.[\w-]+)+|(?:our|my|this) (?:company|domain|firm|organi[sz]ation|team"
    r"|business))\b|\b(?:remove|delete|take|drop|strike|scrub|purge|suppress|exclude"
    r"|unsubscribe) (?:every|all|any|each)(?: of the)? (?:addresses|address|e-?mails?|contacts?"
    r"|people|one) (?:at|from|on|ending in|@) ?@?[\w-]+(?:\.[\w-]+)+ (?:from|off) (?:your|all"
    r" (?:of )?your|any of your) ",
    rf"\b(?:remove|delete|take|drop|strike|scrub|purge|suppress|exclude|unsubscribe|block"
    rf"|blacklist|wipe) (?:our|my|this) (?:whole |entire |complete )?(?:domain|company"
    rf"|organi[sz]ation|firm)\b(?: [\w@.-]+)? (?:from|off) {_LIST}",
    # put on a list that keeps people from being written to, in each language
    rf"\b(?:(?:put|add|place|keep|list|mark|flag|move|zet|plaats|voeg|setzen sie|setzt|nehmen"
    rf" sie|tragen sie|sett|lägg|sätt|tilføj|dodajcie|wpiszcie) {_ME_ANY}|(?:mettez|inscrivez"
    rf"|ajoutez|placez)-(?:moi|nous)|(?:inclúy|incluy|añád|añad|póng|pong)anme"
    rf"|(?:agrégu|agregu)enme|(?:inserit|mettet"
    rf"|aggiunget)emi|(?:coloquem|incluam|adicionem|ponham)-me)\b[^.!?\n]{{0,30}}?"
    rf"\b{_NO_CONTACT_LIST}",
    rf"\b(?:be|been|get|got|being) (?:added|put|placed|listed|entered) (?:to|on|in|into)"
    rf" (?:your |the |a |our )?{_NO_CONTACT_LIST}",
    # verbs of taking somebody out of a sequence: "retire me from this sequence", "pull us
    # from your campaigns", "unenroll me", "leave me out of your mailings"
    rf"\b(?:retir|pull|unenrol|unenroll|un-enrol|un-enroll|de-?enrol|suppress|exempt|kick|cut"
    rf"|releas|excus|spare)\w* (?:me|us|myself|ourselves)\b(?: (?:please|now|immediately|asap"
    rf"|permanently|right away|out|too|also))? (?:from|off|out of) {_LIST}"
    rf"|\bleave (?:me|us) out of {_LIST}",
    r"\b(?:unenrol|unenroll|un-enrol|un-enroll|de-?enrol)\w* (?:me|us)\b(?=\s*(?:[.!,;]|$"
    r"|please\b|now\b|asap\b))",
    # da / no / sv: "jeg ønsker ikke at modtage flere mails", "jag vill inte få fler mejl"
    r"\b(?:jeg|vi|jag|eg) (?:vil|ønsker|önskar|vill|ønskjer)(?: ikke| inte| ej| ikkje)"
    r" (?:længere|lenger|längre|lengre) (?:at |å |att )?(?:modtage|motta|motte|få|ta emot"
    r"|erhålla|have|ha)\b|"
    r"\b(?:jeg|vi|jag|eg) (?:vil|ønsker|önskar|vill|ønskjer|will)(?: ikke| inte| ej| ikkje)"
    r"(?: længere| lenger| längre| lengre)? (?:at |å |att )?(?:have|modtage|motta|motte|få|ha"
    r"|ta emot|erhålla|mottaga) (?:flere|fler|mere|mer|nogen|några|noen|yderligere|ytterligare)\b",
    # pl: "proszę nie wysyłać mi więcej wiadomości", "nie piszcie do mnie już"
    r"\bnie (?:pisać|wysyłać|przesyłać|kontaktować|mailować|spamować|dzwonić|nękać|pisz\w*"
    r"|wysył\w*|przesył\w*|kontaktuj\w*)(?: się)?(?: (?:do mnie|do nas|ze mną|z nami|mi|nam"
    r"|mnie|nas))?(?: \w+)? (?:więcej|już|ponownie|nigdy)\b|\b(?:proszę|prosimy|prosze)"
    r" (?:\w+ )?(?:więcej |już )?nie (?:pisać|wysyłać|przesyłać|kontaktować|mailować|dzwonić)\b",
)

# Events a person registers for, and cancels: not our mail.
_EVENT = (
    r"(?:webinar|webinaire|webinario|event|evento|événement|evenement|veranstaltung|seminar"
    r"|séminaire|seminario|workshop|atelier|taller|training|sessie|session|sesión|sessione|sessão"
    r"|conference|konferenz|conférence|conferencia|congres|kongress|congresso|beurs|messe|salon"
    r"|feria|fiera|meetup|termin|afspraak|rendez-vous|cita|appuntamento|kurs|course|cursus|curso"
    r"|corso)"
)

VETOES += _c(
    # a scam or spam that is somebody else's: "that's a scam we saw last week, not your
    # email", "phishing that impersonates you"
    r"\b(?:spam|scam|phishing|fraud)\b (?:that |which )?(?:we|i|they|people|someone|others"
    r"|everyone|our \w+) (?:saw|see|seen|got|get|received|receive|found|spotted|had|noticed"
    r"|keep getting|have been getting)\b",
    r"\b(?:spam|scam|phishing|fraud)\w* (?:that'?s |that is |which is |that was |that )?"
    r"(?:going around|circulating|impersonat\w*|pretending|spoof\w*|using your (?:name|brand|logo"
    r"|domain)|in your name|posing as)",
    r"\b(?:spam|scam|phishing|fraud)\b[^.!?\n]{0,60}\bnot (?:from )?(?:you|your (?:\w+ )?"
    r"(?:e-?mails?|mails?|messages?|company|domain|team|outreach)|yours)\b",
    # de-registering from an event, not from our mail: "afmelding voor het webinar",
    # "ich melde mich vom Workshop ab", "unsubscribe me from Thursday's webinar"
    r"(?:afmeld|abmeld|désinscri|désabonn|desinscri|baja|disiscri|descadastr|unsubscrib"
    r"|unregist|deregist|uitschrij|inschrijving|registration|anmeldung|inscription|inscripción"
    rf"|iscrizione|inscrição|melde (?:mich|uns) (?:\w+ ){{0,3}}ab)\w*\b[^.!?\n]{{0,30}}\b{_EVENT}s?"
    r"\b(?! ?(?:invit\w*|e-?mails?|mails?|newsletters?|updates|announcements|reminders"
    r"|notifications|series|list|uitnodigingen|einladungen|mailings?|promotions?))",
    rf"\b{_EVENT}s?\b(?:(?!newsletter|e-?mail|mail|einladung|invit|uitnodiging|updates)"
    r"[^.!?\n]){0,20}\b(?:abmeld|abzumeld|afmeld|uitschrijv|désinscri|desinscri|disiscri"
    r"|unregist|deregist)\w*",
    # unsubscribing as a mail standard: "List-Unsubscribe-Post (RFC 8058)", "one-click
    # unsubscribes"
    r"\blist-unsubscribe\b|\brfc ?(?:8058|2369)\b|\b(?:one|1)-?click (?:unsubscribe|opt-?out)s\b",
    # unsubscribes counted as things: "we add every unsubscribe to our suppression list"
    r"\b(?:every|each|any new|all the|new) (?:unsubscribe|opt-?out)s?\b(?! me\b)",
)

# --- issue 17, fifth blind set: the wish about further mail, however it is worded ----------
# Each family is the intent, said with the verbs, objects and moods people use for it: the
# writer's address named as "this address" or "here"; a wish not to receive (rather not,
# not interested in receiving, no more of these); a removal said in the passive ("being
# excluded from future mailings"); ceasing with no object ("Please discontinue."); a
# subscription or consent withdrawn; a stop asked for before ("I've asked twice to be
# removed"); and the same in fi, cs and ru, which the earlier rounds did not cover.

_THIS_ADDRESS = r"(?:this|the present|my present) (?:e-?mail )?(?:address|inbox|mailbox|account)"
_MAIL_THING = (
    r"(?:these|those|them|this|that|your (?:\w+ )?(?:e-?mails?|mails?|messages?|stuff|spam"
    rf"|pitches|follow-?ups|newsletters?|mailings?|updates)|any ?more|more|further|{_MAIL_NOUN})"
)
_END = r"(?=\s*(?:[.!,;:)]|$|please\b|pls\b|thanks?\b|thank you\b|now\b|again\b|for good\b))"

STOP_CLAUSES += _c(
    # the address the writer writes from, or "here": "lose this address", "don't write here
    # again", "take this address out of your CRM"
    rf"\b(?:lose|forget|delete|erase|remove|drop|scrub|purge|wipe|bin|ditch|trash|burn|destroy"
    rf"|discard|shred|strike|suppress) {_THIS_ADDRESS}\b(?!(?: \w+){{0,3}} (?:from|in|on) (?:the"
    r" |this |that |our )?(?:proposal|quote|document|doc|contract|deck|slides?|invoice|agenda"
    r"|invite|invitation|form|field|signature|draft))",
    rf"\b{_REMOVAL} {_THIS_ADDRESS}\b(?: \w+){{0,2}}? (?:from|off|out of) {_LIST}",
    rf"\b{_NEG} (?:ever )?{_CONTACT} (?:to )?here\b(?! (?:about|re|regarding|with|for)\b)",
    # a purpose or a hope of not hearing again: "update your records so I don't hear from
    # you again", "I hope we never get another one"
    r"\b(?:so|so that|such that|to (?:make sure|ensure)|(?:i|we) (?:hope|trust)|hoping)"
    r" (?:i|we) (?:don'?t|do not|never|no longer|won'?t|will not|will never|stop)(?: ever)?"
    r" (?:hear(?:ing)? from (?:you|your \w+)|get(?:ting)?|receiv(?:e|ing)|see(?:ing)?)\b"
    r"[^.!?\n]{0,30}?\b(?:again|anymore|any ?more|further|in (?:the )?future|going forward"
    r"|another (?:one|e-?mail|message))\b",
    # a wish not to receive: "I'd rather not receive these", "not interested in getting
    # your newsletters", "no more of these please"
    r"\b(?:i'?d|i would|we'?d|we would) (?:rather|prefer(?: to)?) not (?:to )?(?:receive|get"
    rf"|be sent|keep getting|keep receiving) {_MAIL_THING}\b|\b(?:i'?d|i would|we'?d|we would)"
    r" (?:rather|prefer(?: to)?) not (?:to )?(?:receive|get) (?:them|these|this|any)?" + _END,
    rf"\b(?:not|no longer) interested in (?:receiving|getting) {_MAIL_THING}\b",
    r"\bno (?:more|further) of (?:these|those|this|them|that|it|your (?:\w+ )?(?:e-?mails?"
    rf"|mails?|messages?|stuff|nonsense|spam|pitches|follow-?ups|newsletters?)){_END}",
    # removal in the passive, the writer implied: "I'd appreciate being excluded from future
    # mailings", "could I get taken off the list"
    r"\b(?:being|be|get|getting|been|got) (?:(?:excluded|removed|unsubscribed|dropped|deleted"
    r"|erased|omitted|left out|unenrolled) (?:from|off)|(?:taken|struck) (?:off|out of)|opted out"
    r" of)"
    r" (?:all |any |your |the |these |this |those )?(?:future |further |upcoming |coming"
    r" |subsequent )?(?:[\w-]+ )?(?:mailings?|e-?mails?|mails?|communications?|correspondence"
    r"|newsletters?|messages?|outreach|marketing|campaigns?|sequences?|lists?|mailing lists?"
    r"|distribution(?: lists?)?|database|crm|records|sends|promotions?)\b",
    r"\b(?:don'?t|do not|no longer|never) (?:want|wish|care|like|need) to be (?:contacted|e-?mailed"
    r"|mailed|messaged|pitched|approached|solicited|chased|pinged|bothered|marketed to|targeted"
    r"|written to|followed up with)\b(?! (?:by|via|on|through|over) (?:the )?(?:phone|telephone"
    r"|mobile|cell|linkedin|text|sms|whatsapp|post|letter))",
    # ceasing, with no object or a pronoun: "Please discontinue.", "Kindly desist from any
    # further contact", "cease all of this now"
    r"^(?:(?:please|pls|kindly|just|now) )*(?:discontinue|cease|desist|cease and desist)"
    r"(?:[ ,]+(?:this|these|them|it|all (?:of )?(?:this|it|contact|communications?)|immediately|now"
    r"|please|at once|for good|permanently|forthwith|thanks|thank you))*[\s,.!]*$",
    rf"\b(?:refrain|desist|abstain|cease) from (?:(?:any|all|further|future|additional|sending"
    rf"|making|more|the|these|your) ){{1,3}}(?:{_CONTACT}|{_MAIL_NOUN})\b",
    # a subscription or a consent withdrawn: "cancel my subscription to these emails", "I
    # withdraw my consent", in each language
    r"\b(?:cancel|end|terminate|stop|revoke|withdraw)(?:l?ing|l?ed)? (?:my|our|the|this|any)"
    r" (?:\w+ )?subscriptions? (?:to|for|from) (?:these |this |your |the |all |any )?(?:[\w-]+ )?"
    r"(?:e-?mails?|mails?|messages?|newsletters?|mailings?|lists?|mailing lists?|marketing"
    r"|communications?|updates|outreach|sequences?)\b"
    r"|^(?:(?:please|pls|kindly) )?cancel (?:my|our) subscription" + _END,
    r"\b(?:i|we) (?:hereby )?(?:withdraw|revoke|retract) (?:my|our|any|all) (?:\w+ )?consent\b"
    r"|\b(?:widerrufe|widerrufen) (?:ich |wir )?(?:hiermit )?(?:meine|unsere|jede) (?:\w+ )?"
    r"(?:einwilligung|zustimmung)\b|\b(?:je retire|nous retirons) (?:mon|notre) consentement\b"
    r"|\b(?:retiro|revoco|retiramos|revocamos) (?:mi|nuestro|el) consentimiento\b"
    r"|\b(?:revoco|ritiro|revochiamo) (?:il )?(?:mio |nostro )?consenso\b"
    r"|\b(?:retiro|revogo|retiramos|revogamos) (?:o )?(?:meu |nosso )?consentimento\b"
    r"|\btrek(?:ken)? (?:ik |wij |we )?(?:mijn|onze) toestemming in\b",
    # out, muted: "I want out", "mute me on this for good"
    r"\b(?:i|we) (?:just |really )?(?:want|need|'d like|would like) out\b(?=\s*(?:[.!,;]|$"
    rf"|please\b|now\b|of {_LIST}))",
    r"\b(?:mute|silence|unlist|delist) (?:me|us)\b(?! (?:on|in|during|for) (?:the |this |our"
    r" |your )?(?:call|meeting|zoom|teams|webinar|chat|slack|recording|video))",
    # a stop asked for before: "I've asked twice to be removed", "um Austragung gebeten"
    r"\b(?:i|we|i'?ve|we'?ve|i have|we have|i had|we had)(?: (?:already|now|repeatedly|twice"
    r"|before|\w+ times|several times|multiple times))* (?:asked|requested|told you|begged"
    r"|demanded)(?: you)?(?: (?:already|twice|before|repeatedly|\w+ times))* (?:to (?:be )?"
    r"(?:removed|taken off|unsubscribed|deleted|excluded|dropped|left alone|opted out)\b|to"
    r" (?:remove|unsubscribe|take|delete|drop|exclude) (?:me|us|my|our|this)\b|to stop"
    r"(?: (?:e-?mailing|contacting|writing|messaging|sending (?:me|us|these|this|them|e-?mails?"
    r"|mails?|messages?)))?(?=\s*(?:[.!,;]|$| (?:e-?mailing|contacting|writing|messaging)))|not to"
    r" (?:be )?(?:contact|e-?mail|writ|messag)\w*|for (?:my |our )?(?:removal|deletion"
    r"|unsubscription|erasure)\b|that you stop\b)",
    r"\bum (?:die )?(?:austragung|abmeldung|streichung|herausnahme)\b"
    r"|\b(?:bereits|schon) (?:\w+ )?(?:abgemeldet|ausgetragen)\b(?! (?:bei|beim|von|vom)\b)",
    r"\b(?:j'ai|nous avons) (?:déjà )?(?:\w+ )?(?:demandé|exigé)(?: \w+){0,3}? (?:à être"
    r" (?:retiré|désinscrit|supprimé|radié)|ma désinscription|ma radiation|la suppression de (?:mes"
    r"|mon|nos|notre)|de ne plus)",
    r"\b(?:he|hemos) (?:\w+ )?(?:pedido|solicitado)(?: \w+){0,3}? (?:la baja|que (?:me|nos)"
    r" (?:den de baja|borren|eliminen|quiten|saquen)|no (?:recibir|ser contactad))",
    r"\b(?:ho|abbiamo) già (?:\w+ )?chiesto(?: \w+){0,2}? (?:la cancellazione|la disiscrizione"
    r"|di essere (?:rimoss|cancellat|tolt)|di non)",
    r"\bjá (?:pedi|pedimos|solicitei|solicitamos)(?: \w+){0,3}? (?:a remoção|o descadastro"
    r"|para (?:ser|me) (?:removid|descadastr|retir|tir)|para não)",
    r"\b(?:heb|hebben) (?:al|reeds) (?:\w+ ){0,2}(?:gevraagd|verzocht)(?: \w+){0,2}? (?:om )?"
    r"(?:uitschrijving|verwijdering|afmelding|te (?:worden )?(?:verwijderen|uitschrijven"
    r"|afmelden)|niet meer)",
    # de: refraining, said formally: "sehen Sie davon ab, mich weiter anzuschreiben"
    r"\b(?:sehen sie|seht|sieh) (?:\w+ ){0,3}?(?:davon )?ab\b[^.!?\n]{0,50}\b(?:kontaktier"
    r"|anzuschreib|anzuruf|zu schreib|zu mail|zu e-?mail|zu belästig|zuzusend|zuzuschick|zu send"
    r"|zu schick)\w*|\b(?:von|auf) (?:weiteren|jeglichen|künftigen|zukünftigen) (?:\w+ )?"
    r"(?:kontaktaufnahmen|kontakten|e-?mails|mails|nachrichten|zusendungen|anschreiben|anfragen"
    r"|werbe\w*) (?:\w+ ){0,3}?(?:abzusehen|absehen|zu verzichten|verzichten)\b"
    r"|\bunterlassen sie (?:\w+ ){0,3}(?:kontakt|zusend|anschreib|e-?mail|mail|werbung"
    r"|nachricht)\w*|\b(?:verbitte|verbitten) (?:ich |wir )?(?:mir|uns) (?:\w+ ){0,2}(?:kontakt"
    r"|e-?mail|mail|nachricht|zusendung|anruf|werbung|anschreiben)\w*",
    # fr: "stop aux relances", "oubliez mon adresse"
    r"\b(?:stop|halte|assez|fini|finies|terminé|terminées) (?:aux|à|avec les|les|vos|à vos|à ces"
    r"|de|des) (?:\w+ )?(?:mails|e-?mails|courriels|messages|relances|sollicitations|envois"
    r"|spams?|newsletters?|démarchages?|prospections?)\b",
    # the writer's address or data, forgotten, in each language
    r"\b(?:oubliez|oublie|perdez|jetez|effacez|supprimez|retirez)(?:-moi)? (?:mon|notre|cette"
    r"|mes|nos) (?:adresse|e-?mail|courriel|numéro|contact|coordonnées|données)\b"
    r"|\bvergessen sie (?:meine|unsere|diese) (?:[\w-]*)?(?:adresse|e-?mail\w*|daten"
    r"|kontaktdaten|nummer)\b|\bolv[ií]d(?:en|e|a|ad)(?:se)? (?:de )?(?:mi|mis|nuestra|nuestro"
    r"|este|esta) (?:dirección|correo|email|e-mail|datos|contacto)\b|\bdimentic(?:ate|a|hi)"
    r" (?:il mio|la mia|i miei|questo|questa) (?:indirizzo|email|e-mail|mail|dati|contatto"
    r"|recapito)\b|\besque[çc](?:am|a|e)(?:-se)? (?:d?o meu|d?a minha|d?os meus|d?este|d?esse)"
    r" (?:endereço|e-?mail|email|contacto|contato|dados)\b|\bvergeet (?:mijn|ons|dit)"
    r" (?:e-?mail)?(?:adres|gegevens|nummer)\b",
    # es: the first person of "darse de baja", a withdrawal asked for
    r"\b(?:me|nos) (?:doy|damos|di|dimos|dan|den|des) de baja\b(?! (?:del|de la|de mi|de su)"
    r" (?:contrato|plan|servicio|prueba|cuenta|gimnasio|seguro))"
    r"|\b(?:solicito|pido|quiero|solicitamos|pedimos|queremos|exijo|exigimos) (?:la |mi"
    r" |nuestra )?baja\b(?! (?:del|de la|de mi|de su) (?:contrato|plan|servicio|prueba|cuenta"
    r"|seguro))",
    # pt: any verb of removal with the writer's contact and a list
    r"\b(?:retir|tir|remov|exclu|apag|elimin)\w* (?:o |a |os |as )?(?:meu|minha|meus|minhas"
    r"|nosso|nossa|nossos) (?:contacto|contato|endereço|e-?mail|email|dados|nome|registo"
    r"|registro)\b(?! d[oa] (?:documento|contrato|relatório|ficheiro|arquivo|convite|proposta))",
    # nl: the passive, "ik wil niet meer gemaild worden"
    r"\b(?:niet|nooit) (?:meer|langer) (?:\w+ ){0,3}?(?:ge-?maild|gecontacteerd|benaderd|gebeld"
    r"|lastiggevallen|bestookt|gespamd|aangeschreven) (?:te )?(?:worden|word)\b",
    # the passive "be contacted" wished away, in es/it/pt/sv/da/no
    r"\bno (?:quiero|deseo|queremos|deseamos) (?:volver a )?ser (?:contactad|molestad|escrit)\w*"
    r"|\bnon (?:voglio|desidero|vogliamo) (?:più )?essere (?:contattat|disturbat)\w*"
    r"|\bnão (?:quero|desejo|queremos) (?:mais )?ser (?:contactad|contatad|incomodad)\w*"
    r"|\b(?:vill|vil|ønsker|önskar)(?: ikke| inte)(?: længere| lenger| längre)? (?:at |å |att )?"
    r"(?:bli|blive) (?:kontakt)\w*",
    # da / no / sv: "lad være med at skrive", "la være å sende", "låt bli att maila"
    r"\b(?:lad|la|låt) (?:være|vær|bli) (?:med )?(?:at |å |att )?(?:skrive|sende|kontakte|maile"
    r"|mejla|maila|ringe|skriva|skicka|kontakta|ringa|spamme)\b",
    # pl: "nie życzę sobie dalszych wiadomości"
    r"\bnie (?:życzę|życzymy|zycze) sobie\b[^.!?\n]{0,30}\b(?:dalsz|kolejn|więcej|żadn|kontakt"
    r"|wiadomo|mail|e-?mail|ofert|korespondenc|newslett)\w*"
    r"|\bnie (?:chcę|chcemy) (?:otrzymywać |dostawać )?(?:dalszych|kolejnych)\b",
    # fi: don't send, remove me, I don't want these any more, stop sending
    r"\b(?:älkää|älä) (?:enää )?(?:lähettäkö|lähetä|kirjoittako|kirjoita|ottako yhteyttä"
    r"|ota yhteyttä|soittako|soita|markkinoiko|spämmätkö)\b",
    r"\bpoista(?:kaa|isitteko|isitko|tkaa|isit)? (?:\w+ )?(?:minut|meidät|tietoni|tietomme"
    r"|osoitteeni|osoitteemme|sähköpostiosoitteeni|yhteystietoni|yhteystietomme|nimeni)\b",
    r"\b(?:en|emme) (?:enää )?(?:halua|toivo) (?:enää |enempää |lisää |yhtään )?(?:\w+ )?"
    r"(?:viest|sähköpost|posti|markkinoin|uutiskir|yhteydenot|mainos|tiedottei)\w*",
    r"\blopettakaa (?:\w+ )?(?:lähettäminen|lähettämästä|kirjoittaminen|kirjoittamasta|viestien"
    r"|sähköpostien|yhteydenotot|markkinointi)\w*|\b(?:peruutan|peru(?:kaa|utakaa)) (?:\w+ )?"
    r"(?:tilaus|tilauksen|uutiskirje)\w*",
    # cs: stop sending, don't write, remove / unsubscribe me
    r"\bpřesta(?:ňte|ň|neme|nou)? (?:mi |nám |mě |nás )?(?:posílat|psát|zasílat|kontaktovat"
    r"|volat|obtěžovat|spamovat)\b",
    r"\b(?:nepište|neposílejte|nezasílejte|nekontaktujte|neobtěžujte|nevolejte)\b",
    r"\b(?:odhlaste|vyřaďte|odstraňte|smažte|vymažte|vyškrtněte|odeberte|vyjměte)(?:,? ?prosím,?)?"
    r" (?:mě|mne|nás|můj|moji|mou|mé|naši|náš|moje)\b|\bodhl[aá]šení z (?:\w+ )?(?:odběru"
    r"|newsletteru|seznamu|zasílání)\b|\b(?:nechci|nechceme) (?:už |již |nadále |dále )?"
    r"(?:dostávat|přijímat|žádné (?:další )?(?:e-?maily|zprávy|nabídky))",
    # ru: delete me / my address, unsubscribe me, don't write any more, stop sending
    r"\b(?:удалите|уберите|исключите|отпишите) (?:\w+ )?(?:меня|нас|мой|мою|мои|наш|нашу|наши)\b",
    r"\bбольше (?:мне |нам )?не (?:пишите|присылайте|отправляйте|звоните|беспокойте)\b"
    r"|\bне (?:пишите|присылайте|отправляйте|беспокойте) (?:мне |нам )?(?:больше|ещё|еще)\b",
    r"\bпрекратите (?:\w+ )?(?:писать|присылать|отправлять|рассылку|спам|беспокоить)\b"
    r"|\b(?:хочу|прошу|хотим|просим) (?:вас )?(?:отписать|отписаться|удалить (?:меня|нас|мой))\b"
    r"|\bне (?:хочу|хотим) (?:больше )?получать\b",
)

VETOES += _c(
    # someone else's past request: "my colleague asked to be removed from your list"
    r"\b(?:(?:my|our|his|her|their) (?:former )?(?:colleague|co-?worker|boss|manager|assistant"
    r"|predecessor|team ?mate|partner|ceo|cfo|cto|cmo|director|wife|husband|friend)s?|he|she"
    r"|they)\b[^.!?\n]{0,20}\b(?:asked|wanted|wants|requested|asks|has asked|had asked|was|were"
    r"|got|has been|had been)\b[^.!?\n]{0,15}\b(?:to be |for )?(?:removed|taken off|unsubscribed"
    r"|excluded|removal|deleted|opted out)\b",
    # opting out of one's own contracts: "opt out of our current vendor's auto-renewal"
    r"\bopt(?:ing|ed|s)?[- ]?out of (?:our|their|his|her|my|the|a|an) (?:current |existing |old"
    r" |previous |annual )?(?:[\w-]+'s )?(?:vendor|provider|contract|auto-?renewal|renewal|plan"
    r"|trial|insurance|program(?:me)?|scheme|agreement|deal|pension|clause|tracking|cookies?"
    r"|data sharing|arbitration|benefits?)\b",
    # unsubscribes as a measure: "unsubscribe rates jumped"
    r"\b(?:unsubscribe|unsubscription|opt-?out) (?:rates?|counts?|numbers?|stats|statistics"
    r"|figures|metrics|trends?|volumes?|spikes?|ratios?)\b",
    # a report made by mistake, and the block that followed it
    r"\b(?:report|mark|flag|block|bin|trash|delet)\w*\b[^.!?\n]{0,60}\b(?:by (?:mistake|accident)"
    r"|accidentally|mistakenly|inadvertently|in error|wrongly)\b|\b(?:accidentally|mistakenly"
    r"|inadvertently|wrongly) (?:report|mark|flag|block|bin|trash|delet)\w*",
    # the same in the other languages: "per ongeluk als spam gemarkeerd", "versehentlich als
    # Spam markiert", "marqué comme spam par erreur", "lo marqué como spam por error". In one
    # clause with no negation: "nicht versehentlich", "je n'ai pas marqué ... par erreur", or
    # "you added me by mistake, so I marked it as spam" are no slip owned to.
    rf"^(?!.*{_NEGATED})[^.!?\n,;]*\b{_BY_MISTAKE}\b[^.!?\n,;]{{0,40}}\b{_SPAM_MARK}"
    rf"|^(?!.*{_NEGATED})[^.!?\n,;]*\b{_SPAM_MARK}[^.!?\n,;]{{0,30}}\b{_BY_MISTAKE}\b",
    r"\b(?:our|my) (?:it|security|firewall|filter|spam filter|admin|gateway)\b[^.!?\n]{0,20}"
    r"\bblock\w*",
    # the address on a document: "delete this address from the invoice"
    r"\b(?:remov|delet|tak|drop|strik|eras)\w* (?:this|the|my|our) (?:e-?mail )?address (?:\w+ )?"
    r"(?:from|off|on|in) (?:the|this|that|our|your) (?:invoice|proposal|quote|document|doc"
    r"|contract|deck|slides?|agenda|invite|invitation|form|signature|draft|footer|pdf|order|po)\b",
    # no need for a stop: "no need to remove me"
    r"\b(?:no need|there'?s no need|you don'?t need|you do not need|no reason) to (?:\w+ )?"
    r"(?:remove|unsubscribe|take|drop|delete|stop|exclude)\b",
)


# Vetoes that need the whole sentence, because the clause splitter parts what they join: a
# swap that keeps the writer ("remove me from the 'prospect' bucket and put me in
# 'customer'"), someone else removed so that mail comes to the writer instead ("entfernen Sie
# Herrn Müller aus dem Verteiler und schicken Sie es an mich"), mail redirected from an
# assistant to the writer ("stop sending this to my assistant and book a call with me").
SENTENCE_VETOES = _c(
    # a filter's deadline, not a wish to hear no more: "if you do not register within 7 days
    # your message will be deleted without being read" (a challenge-response notice)
    r"\bif you (?:do not|don't|fail to|haven't) (?:register|verify|confirm|complete|click"
    r"|answer the (?:challenge|verification))\b[^.!?\n]*\b(?:deleted|discarded|rejected"
    r"|removed|bounced)\b",
    # a question about opting out of a term of the deal, not of the mail ("Can we opt out of
    # the annual commitment and pay monthly instead?"): the clause splitter would part the
    # question mark from it. Not when the sentence names mail at all ("opt out of your
    # webinar emails?", "... the fees and all future emails?").
    r"^(?!.*\b(?:e-?mails?|mails?|mailings?|newsletters?|messages?|lists?|invit\w*|updates"
    r"|communications?|marketing|outreach|sequences?|follow-?ups?|campaigns?)\b)"
    r".*\bopt(?:ing|ed|s)?[- ]?out of (?:the|our|my|a|an|that|your|any) (?:[\w-]+ ){0,2}?"
    r"(?:commitment|fees?|terms?|minimum|add-?ons?|modules?|tiers?|seats?|licen[cs]es?"
    r"|upgrades?|onboarding|set-?up|sla|billing|invoic\w*|payments?|price increases?|discounts?"
    r"|bundles?|packages?|lock-?in|exclusivity|pilot|poc|minimum spend|overages?|true-?ups?"
    r"|escalator|auto-?renewal|renewal)\b[^.!\n]*\?",
    r"\b(?:remov|tak|mov)\w* (?:me|us) (?:from|out of|off) (?:(?!lists?\b|mailing|newsletter"
    r"|e-?mail|sequence|campaign|distribution|outreach|marketing)[\w'\"-]+ ){1,4}?(?:and|&)"
    r" (?:put|move|add|place|switch|transfer|list|tag|mark) (?:me|us) (?:in|into|to|on|under"
    r"|as)\b",
    # ... also out of one list and onto another of ours ("pull me out of the generic list
    # and put me on the enterprise track"), unless the other is a list of people not mailed.
    r"\b(?:pull|remov|tak|mov|get)\w* (?:me|us) (?:from|out of|off) [^.!?\n]{0,60}\b(?:and|&)"
    r" (?:put|move|add|place|switch|transfer) (?:me|us) (?:in|into|to|on|onto) the (?!do[- ]not"
    r"|suppression|unsubscribe|opt[- ]?out|black|block|no[- ]contact|never)",
    r"\b(?:remove|take|drop|delete|strike) (?!me\b|us\b|my (?:\w+ )?(?:address|e-?mail|data"
    r"|details)\b)[^.!?\n]{0,60}\b(?:and|&) (?:send|forward|address|direct|cc|copy|write)\w*"
    r" (?:it |this |them |these |that |everything )?(?:to |in )?(?:me|us)\b",
    r"\b(?:entfernen|streichen|löschen|nehmen) sie (?!mich\b|uns\b|mein\w*|unser\w*)[^.!?\n]{0,80}"
    r"\bund (?:\w+ )?(?:schicken|senden|richten|schreiben|adressieren|leiten) sie (?:\w+ )?(?:an"
    r" mich|an uns|mir|uns)\b",
    r"\b(?:retirez|supprimez|enlevez) (?!-?moi\b|-?nous\b|mes |nos |mon |notre )[^.!?\n]{0,60}"
    r"\bet (?:envoyez|adressez|écrivez)(?:-(?:le|la|les))?-(?:moi|nous)\b",
    r"\bstop (?:sending|cc'?ing|copying|forwarding|addressing|routing)\b[^.!?\n]{0,40}\bto"
    r" (?:my|our) (?:\w+ )?(?:assistant|ea|pa|secretary|colleague|deputy|team|office|reception"
    r"|receptionist|manager|info|support|sales|admin|generic|shared|old)\w*\b[^.!?\n]{0,60}"
    r"\b(?:(?:to|with|contact|e-?mail|write to|call|reach|book|meet|cc) me\b|me directly"
    r"|directly to me)",
)


# --- issue 17, seventh and eighth blind sets: the families their misses belonged to ---------
# Mail refused before it is sent: "the next one", "all future emails", "the rest of this
# sequence", each with a refusal ("don't want", "a standing no to", "pass on"); a question
# for the way to stop ("how do I stop getting these", "hoe kom ik van deze lijst af"); the
# writer's contact preferences set to nothing, or a do-not-contact mark asked for; a no-sales
# zone or policy, and an address that must not be used for promotion; nobody in a group to
# be mailed; a consequence said in the future ("every further email will go to the abuse
# desk"); and a request not to send said with "by not" or "please to not".

_FUTURE_MAIL = (
    r"(?:(?:all|any|every|each|your|the|these|those) )?(?:[\w-]+ )?(?:future|further|upcoming"
    r"|subsequent|coming|remaining) (?:[\w-]+ )?(?:e-?mails?|mails?|mailings?|mailers?|messages?"
    r"|outreach|communications?|follow-?ups?|newsletters?|pitches|sends)\b"
    r"|\bthe next (?:\w+ )?(?:one|ones|e-?mails?|mails?|messages?|follow-?ups?|pitch)\b"
    r"(?! (?:to|until|before|on|at|in|if|unless|for|will|should|is|could)\b)"
    r"|\bthe rest of (?:this|the|your|these) (?:sequence|series|campaign|cadence|e-?mails?"
    r"|mails?|messages?|drip|follow-?ups)\b|\banything (?:further|more|else) from you\b"
)
_SAYS_NOTHING = (
    r"'?(?:none|nothing|off|no contact|no e-?mails?|never(?: contact)?|do[- ]not[- ](?:contact"
    r"|e-?mail|mail)|opted[- ]out|unsubscribed?(?: from all)?)'?"
)
_STOP_VERB_PLAIN = (
    r"(?:send|sending|e-?mail(?:ing)?|mail(?:ing)?|writ(?:e|ing)|contact(?:ing)?|messag(?:e|ing)"
    r"|follow(?:ing)? up)"
)

STOP_CLAUSES += _c(
    # mail refused before it is sent: "I don't want the next one", "a standing no to every
    # future sales email", "I'll pass on all future emails", "make sure I don't get the rest
    # of this sequence", "I'd prefer not to receive anything further from you"
    rf"\b(?:don'?t|do not|dont|won'?t|will not) (?:want|need|wish to (?:get|receive)|get"
    rf"|receive) (?:{_FUTURE_MAIL})",
    rf"\bno to (?:{_FUTURE_MAIL})",
    r"\b(?:make sure|ensure|see to it)(?: that)? (?:i|we) (?:don'?t|do not|never|no longer)"
    rf" (?:receive|get) (?:any ?more|anything (?:more|further|else)){_END}",
    rf"\bpass(?:ing)? on (?:{_FUTURE_MAIL})(?! (?:to|with)\b)",
    rf"\b(?:prefer|rather) not (?:to )?(?:receive|get|be sent) (?:{_FUTURE_MAIL})",
    # one word per repeat, each ending in a space: "no thanks" is "no" then "thanks", never
    # either of two readings (which made this exponential in the number of words)
    r"^(?:(?:no|thx|thanks|please|pls|i|we|just) ?[,.]? )*(?:don'?t|do not|dont)"
    r" want (?:these|them|those|any of (?:these|this|it|them)|your e-?mails?|any more)(?:[ ,]+"
    r"(?:either|anymore|any ?more|thanks|thx|please|pls|ta|cheers))*[\s.!]*$",
    rf"\bmake (?:this|it|that) (?:one )?the (?:very )?(?:last|final)(?: one| e-?mail| message"
    rf"| mail| time)?{_END}",
    r"\b(?:could|can|may|let) (?:the|your) (?:next|\w+(?:th|rd|nd)) (?:one |e-?mail |message"
    r" |mail |follow-?up )?(?:simply |just |please )?(?:not|never) (?:happen|come|arrive|be sent"
    r"|exist)\b",
    # a question for the way to stop, the writer its subject: "who do I talk to about not
    # getting these anymore", "what do I do so these emails stop showing up"
    r"\b(?:how|what|who|where)\b(?: \S+){0,4}? (?:i|we)\b(?: \S+){0,4}? (?:stop|quit|avoid|not"
    r"|no longer|never) (?:get|getting|receiv(?:e|ing)) (?:these|those|them|this|that|your"
    r" (?:\w+ )?(?:e-?mails?|mails?|messages?)|any (?:more|further)|(?:e-?mails?|mails?"
    r"|messages?) from you)\b",
    r"\b(?:how|what|who|where)\b(?: \S+){0,6}? (?:so|so that|to make|to get|to have)"
    r" (?:these|those|your|the) (?:e-?mails?|mails?|messages?|mailers?) (?:stop|end|cease|go"
    r" away|no longer)\b",
    r"\b(?:kom|komen|raak|raken) (?:ik|we|wij) (?:\w+ )?(?:van|uit) (?:deze|jullie|uw|de|die"
    r"|dit|jouw) (?:\w+ )?(?:lijst|mailinglijst|verzendlijst|bestand|nieuwsbrief|mails"
    r"|e-?mails|berichten)\b",
    r"\bslipp(?:a|e|er) (?:jag |vi |jeg )?(?:de här|dessa|era|dina|alla|de her|disse|deres|dine|alle) (?:\w+ )?"
    r"(?:mejl\w*|mail\w*|e-?post\w*|utskick\w*|utsendelse\w*|meddelanden|beskeder|meldinger"
    r"|nyhetsbrev\w*)",
    r"\bparar de (?:me |nos )?(?:mandar|enviar|receber|escrever)(?:-?me)?(?: (?:isso|isto"
    r"|esses? \w+|estes? \w+|e-?mails?|mensagens))?(?=\s*(?:[.!?,;]|$|valeu|obrigad|por favor))",
    r"\b(?:dej(?:e|en|ad|ar|a)|paren|par(?:e|ar)) de (?:escribir|enviar|mandar|contactar|molestar)"
    r"(?:me|nos|le)?(?: (?:a|en) (?:esta|este|mi|nuestra|nuestro) (?:dirección|correo|cuenta"
    r"|buzón|email))?(?=\s*(?:[.!?,;]|$|por favor|gracias))",
    # the writer's contact preferences set to nothing, a do-not-contact mark asked for
    r"\b(?:contact|e-?mail|mail|marketing|communication|subscription)s? (?:preferences?|settings?"
    rf"|status) (?:\w+ ){{0,2}}?(?:to|at|as) {_SAYS_NOTHING}",
    r"\b(?:mark|flag|tag|set|list|code|record|label)(?:ed)? (?:me|us|this (?:address|e-?mail|id)"
    r"|my (?:address|e-?mail|record|contact)) (?:as |to )?'?(?:never (?:contact|e-?mail|mail)"
    r"|do[- ]not[- ](?:contact|e-?mail|mail|call)|dnc|no[- ]contact|opted[- ]out|unsubscribed"
    r"|not interested)\b",
    r"\btick (?:the|a|that) (?:box|option|setting)\b[^.!?\n]{0,25}\b(?:nothing|none|no e-?mails?"
    r"|no contact|never|unsubscribe|opt[- ]?out)\b",
    # a no-sales zone or policy; an address that must not be in a sequence or used to promote
    r"\b(?:my|our|this) (?:inbox|mailbox|address|e-?mail(?: address)?|domain|company|team|office)"
    r" (?:is |as )?(?:now |officially |henceforth )?(?:an? )?(?:strict )?no[- ](?:sales|marketing"
    r"|spam|pitch(?:es)?|vendors?|solicitations?|cold[- ]\w+|outreach|prospecting)[- ](?:zone"
    r"|area|policy)\b",
    r"\b(?:this|my|our) (?:e-?mail |mail )?(?:address|id|inbox|mailbox|e-?mail|domain)(?: \w+){0,2}?"
    r" (?:shouldn'?t|should not|must not|mustn'?t|is not to|isn'?t to|is not supposed to|may not)"
    r" be (?:in|on|part of|included in|added to|used for) (?:any|your|the|a|an)\b[^.!?\n]{0,30}"
    r"\b(?:sequences?|lists?|campaigns?|mailing|cadences?|database|crm|outreach|marketing"
    r"|promotional|promotions?|communications?|sales)\b(?! (?:twice|again)\b)",
    # nobody in a group to be mailed: "please ensure nobody at our firm receives further
    # emails from you"
    r"\b(?:ensure|make sure|see to it|asked|ask|request(?:ed)?|insist(?:ed)?)(?: that)? (?:neither"
    r"|nobody|no one|no-one|none of (?:us|them|our \w+))\b(?:[^.!?\n]|\.(?=\S)){0,60}?\b(?:gets?"
    r"|receives?"
    r"|is sent|are sent)\b[^.!?\n]{0,30}?\b(?:e-?mails?|mails?|messages?|outreach|marketing"
    r"|communications?|pitches|from you)\b",
    # the writer's address out of our systems: "I'd like it out of your CRM"
    r"\b(?:'d like|would like|want|need) (?:it|them|me|us|this (?:address|e-?mail)|my (?:\w+ )?"
    r"(?:address|e-?mail|data|details)) (?:out of|off|removed from|deleted from|gone from) (?:your"
    r"|all your|any of your) (?:\w+ )?(?:crm|lists?|database|system|records|files|sequences?"
    r"|mailing lists?)\b",
    # not sending, said with "by not" or "please to not": "respect my inbox by not sending
    # further messages", and a stop to receiving wished: "I want to stop to receive."
    rf"\b(?:by|please|pls|kindly)(?: to)? (?:not|no|never) {_STOP_VERB_PLAIN}(?: (?:me|us))?"
    r" (?:any ?more|more|further|again|other|additional)\b",
    r"\b(?:want|wish|like|need) to stop (?:to )?(?:receiv(?:e|ing)|get(?:ting)?)(?: (?:them|these"
    rf"|this|it|your \w+|e-?mails?|mails?|messages?))?{_END}",
    rf"\bput (?:a|an) (?:full |complete )?(?:stop|end) (?:on|to) (?:(?:this|that|it|them|these)"
    rf"(?: thread| nonsense| sequence)?{_END}|the (?:e-?mails?|mails?|messages?|sequence)\b"
    r"|your (?:e-?mails?|mails?|messages?|sequence)\b)",
)

# A bare refusal: "No more.", "Enough, pls", "Unsolicited." A parenthetical before it ("(sent
# from my phone)") is not part of the answer.
BARE_REFUSAL = re.compile(
    rf"^(?:{_POLITE}[ ,]*)*(?:no more|enough(?=[ ,]+{_POLITE}|\s*!)|enough already|enough is enough"
    rf"|unsolicited|unwanted)(?:[ ,]+{_POLITE})*[ .!]*$",
    re.IGNORECASE,
)
_LEADING_ASIDE = re.compile(r"^\([^()]{0,60}\)\s*")


def _abbreviations(text: str) -> str:
    # "Art. 17", "Abs. 2": an abbreviation, also when a sentence splitter already broke the
    # line after it ("art.\n17 gdpr"), so a legal citation stays one clause.
    return re.sub(
        r"\b(art|abs|nr|no|para|ziff|lit|e\.g|i\.e|z\.b|bzw|vs)\.(?: |\n(?=\d))",
        r"\1 ",
        text,
        flags=re.I,
    )


def clauses(text: str) -> list[str]:
    """Sentences, and their coordinated parts ("... and add my colleague", "; ...", " - ")."""
    parts = re.split(
        r"(?<=[.!?;])\s+|\n+|\s+[-–—]+\s+|,?\s+(?:and|but|und|et|y)\s+(?=\w)",
        _abbreviations(text),
    )
    return [p.strip() for p in parts if p and p.strip()]


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|\n+", _abbreviations(text))
    return [p.strip() for p in parts if p and p.strip()]


def _kept_clauses(low: str) -> tuple[list[str], bool]:
    """The clauses whose stop word may be about our mail, and whether any was left out: a
    vetoed clause, or every clause of a sentence that a sentence veto reads."""
    kept, dropped = [], False
    for sentence in _sentences(low):
        if _any(SENTENCE_VETOES, sentence):
            dropped = True
            continue
        own = own_stop(sentence)
        for part in clauses(sentence):
            if vetoed(part, own):
                dropped = True
            else:
                kept.append(part)
    return kept, dropped


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


_SUBSCRIBE_FORMS = ("subscribe", "subscribed", "subscribing", "subscription")


def misspelt_unsubscribe(text: str) -> bool:
    """A word within two edits of "unsubscribe" (or "unsubscribed"), starting with "u" so
    that "subscribe" and "resubscribe" never count; or "subscribe" with another negating
    prefix, spelt loosely ("desubscribe", "dis-subscribe", "unsuscribe"): the stem within one
    edit of "subscribe", so "describe" (three edits) never counts."""
    low = text.lower()
    for word in re.findall(r"\bu[a-z]{7,13}\b", low):
        if word.startswith("unsubscrib"):
            continue  # spelt right: the cues read it, vetoes and all
        if any(_osa(word, w) <= 2 for w in ("unsubscribe", "unsubscribed", "unsubscribing")):
            return True
    for prefix, stem in re.findall(r"\b(de|des|dis|di|un)-?(s[a-z]{6,11})\b", low):
        if prefix == "un" and stem.startswith("subscrib"):
            continue
        if any(_osa(stem, w) <= 1 for w in _SUBSCRIBE_FORMS):
            return True
    return False


# "How did you get my email? Delete it.": the erasure's object is the writer's data, named
# earlier in the reply.
_MENTIONED_DATA = re.compile(_MY_DATA, re.I)
_ERASE_IT = re.compile(
    r"\b(?:delete|erase|remove|purge|wipe|destroy|scrub|bin|trash|lose|forget|drop|expunge"
    r"|l[öo]schen sie"
    r"|supprimez|effacez|borren|eliminen|cancellate|apaguem|verwijder)\s+(?:it|them|everything"
    r"|all of (?:it|that)|sie|les|la|le|los|lo|li|la|os|o|het|ze)\b(?! \w+ (?:from the|of the)"
    r" (?:proposal|quote|deck|contract|doc))"
    r"|\b(?:take|get|strike|cross|scrub|pull) (?:it|them) (?:off|out of|from) (?:your|the|this"
    r"|that|any|every|all|whatever|whichever|each) (?:[\w-]+ ){0,2}?(?:lists?|database|records"
    r"|system|crm|files|mailing(?: list)?s?|distribution|sequences?|campaigns?)\b",
    re.I,
)


# The same, with the data named in another language ("Woher haben Sie meine Adresse?
# Löschen Sie sie."), and the pronoun after the verb or joined to it ("bórrenla").
_MENTIONED_DATA_ANY = re.compile(
    r"\b(?:meine|unsere|meiner|unserer) (?:e-?mail-?adresse|adresse|daten|kontaktdaten|e-?mail"
    r"|telefonnummer|nummer)\b|\b(?:mon|ma|mes|notre|nos) (?:adresse|e-?mail|données|coordonnées"
    r"|numéro|informations)\b|\b(?:mi|mis|nuestros?|nuestras?) (?:dirección|correo|email|e-mail"
    r"|datos|número|información)\b|\b(?:il mio|la mia|i miei|nostri|nostro) (?:indirizzo|email"
    r"|e-mail|mail|dati|numero|recapito)\b|\b(?:o meu|a minha|os meus|nossos?) (?:endereço"
    r"|e-?mail|email|dados|contacto|contato|número)\b|\b(?:mijn|onze) (?:e-?mailadres|adres"
    r"|e-?mail|gegevens|contactgegevens|nummer)\b",
    re.I,
)
_ERASE_IT_ANY = re.compile(
    r"\b(?:l[öo]schen sie|l[öo]scht|entfernen sie)\s+(?:sie|diese|die|das|es|alles)\b"
    r"|\b(?:supprimez|effacez|retirez)-(?:la|le|les)\b|\b(?:la|le|les) (?:supprimer|effacer)\b"
    r"|\b(?:b[oó]rr|elim[ií]n|elimin|suprim|supr[ií]m)\w{0,4}(?:lo|la|los|las)\b"
    r"|\b(?:cancell|elimin|rimuov)\w{0,4}(?:lo|la|li|le)\b"
    r"|\b(?:apag|elimin|remov|exclu)\w{0,4}-(?:o|a|os|as|lo|la|los|las|no|na)\b"
    r"|\b(?:verwijder|wis)\s+(?:het|ze|dat|die|alles)\b|\bgooi (?:het|ze) weg\b",
    re.I,
)

# Threats to go to a regulator, said as a consequence of further mail: an authority, with a
# word for "if you go on" or a first-person verb of reporting in the future, in one sentence
# (the clause splitter would part "one more email and this goes to the ICO").
_AUTHORITY_ANY = (
    r"(?:ico|cnil|garante(?: (?:della|per la) privacy)?|aepd|agencia española de protección"
    r"|autoriteit persoonsgegevens|datenschutzbeh[öo]rde|datenschutzaufsicht|landesdatenschutz\w*"
    r"|cnpd|anpd|ftc|fcc|spamcop|spamhaus|data protection (?:authority|commissioner|regulator)"
    r"|attorney general|trading standards|bundesnetzagentur|verbraucherzentrale|polizia postale"
    r"|agcom|procon|consumentenbond|bij de ap\b|datatilsynet|uodo)"
)
_GOING_ON = (
    r"(?:if you (?:continue|keep)\b(?=(?: on)?(?: to)? (?:e-?mail|mail|writ|contact|send|spam"
    r"|messag|bother|pester|harass|call|text|reach|ping|chas|bug|follow)|\s*[,.;!]| (?:doing"
    r" (?:this|that|so)|like this|this|that)\b)|if you (?:don'?t stop|do not stop)\b"
    r"|if you ever (?:e-?mail|mail|writ|contact|send|spam|messag|bother|call|text|reach|ping"
    r"|follow|do (?:this|that|it))|unless you (?:stop|remove|delete|take)"
    r"|(?:next time|if) you (?:e-?mail|write|contact|message|spam|mail)"
    r"|if (?:i|we) (?:get|receive|see) (?:another|one more|any more|any further)"
    r"|wenn (?:sie|ihr|du) (?:mir|mich|uns) (?:\w+ )?(?:weiter|nochmal|noch einmal|erneut|wieder)"
    r"|falls (?:sie|ihr|du) (?:mir|mich|uns) (?:\w+ )?(?:weiter|nochmal|noch einmal|erneut|wieder)"
    r"|wenn (?:sie|ihr|du) nicht aufhör|bei (?:weiter|erneut|nochmalig|wiederholt)\w*"
    r" (?:zusendung|kontakt|e-?mail|mail|nachricht|belästigung|werbung)"
    r"|si (?:vous|tu) (?:continuez|continues|persistez|recommencez) (?:à|de) (?:m'|me |nous )?"
    r"(?:écrire|envoyer|contacter|relancer|spammer)|si (?:vous|tu) (?:m'|me |nous )(?:écri|contact"
    r"|envoy|relanc)\w* (?:encore|à nouveau|de nouveau)|si je reçois (?:encore|un autre|une autre)"
    r"|la prochaine fois que (?:vous|tu) (?:m'|me |nous )"
    r"|si (?:me |nos )?(?:vuelven|vuelve) a (?:escribir|contactar|enviar|mandar)|si (?:siguen|sigue"
    r"|continúan|continúa) (?:escribiendo|enviando|mandando|contactando)|si recibo otro"
    r"|se (?:continuate|continua|insistete) (?:a|ad) (?:scriver|contattar|mandar|inviar)"
    r"|se mi (?:scrivete|riscrivete|contattate|inviate|mandate)|se ricevo (?:un'altra|altre|ancora)"
    r"|se (?:continuarem|voltarem|insistirem) a (?:me )?(?:escrever|enviar|mandar|contactar"
    r"|contatar)|se (?:me|nos) (?:enviarem|escreverem|contactarem|contatarem) (?:mais|de novo"
    r"|novamente)|se (?:eu )?receber (?:mais|outro)"
    r"|als (?:u|je|jullie) (?:mij|me|ons) (?:nog|weer|opnieuw)|als (?:u|je|jullie) (?:blijft"
    r"|blijven) (?:mailen|e-?mailen|sturen|spammen))"
)
_WILL_REPORT = (
    r"(?:(?:je|nous) (?:vais|allons) (?:saisir|signaler|porter plainte|déposer plainte"
    r"|alerter)|saisirai|saisirons|signalerai|signalerons|porterai plainte|porterons plainte"
    r"|déposerai plainte|wende ich mich|wenden wir uns|melde ich|melden wir|schalte ich|schalten"
    r" wir|erstatte ich|erstatten wir|(?:werde|werden) (?:ich|wir) (?:\w+ )?(?:melden|anzeigen"
    r"|einschalten|informieren|beschweren|wenden)|presentaré|presentaremos|denunciaré"
    r"|denunciaremos|acudiré|acudiremos|(?:voy|vamos) a (?:denunciar|presentar|acudir|reportar)"
    r"|segnalerò|segnaleremo|mi rivolgerò|ci rivolgeremo|presenterò|presenteremo|denuncerò"
    r"|denunceremo|(?:vou|vamos) (?:denunciar|apresentar|queixar|reportar|recorrer)|denunciarei"
    r"|apresentarei|recorrerei|(?:ik|wij|we) (?:zal|zullen|ga|gaan) (?:\w+ )?(?:melden"
    r"|aangeven|klagen|indienen|inschakelen)|dien ik|dienen wij|stap ik|meld ik|schakel ik)"
)
CONSEQUENCES = _c(
    rf"{_GOING_ON}\b[^.!?\n]{{0,60}}\b{_AUTHORITY_ANY}\b",
    rf"\b{_AUTHORITY_ANY}\b[^.!?\n]{{0,60}}{_GOING_ON}",
    rf"{_WILL_REPORT}\b[^.!?\n]{{0,60}}\b{_AUTHORITY_ANY}\b",
    rf"\b{_AUTHORITY_ANY}\b[^.!?\n]{{0,30}}{_WILL_REPORT}",
    # "noch eine Mail und ich melde Sie", "one more email and it goes to spam": a further
    # mail, joined by "and" to a consequence, in each language
    r"(?:\b(?:one more|another|any more|next) (?:e-?mail|mail|message)s?,? and\b"
    r"|\bnoch (?:eine|ein|so eine) (?:\w+ )?(?:mail|e-?mail|nachricht),? und\b"
    r"|\bencore (?:un|une) (?:seul |seule )?(?:mail|e-?mail|message|courriel|relance),? et\b"
    r"|\b(?:un|otro) (?:correo|mensaje|email|e-mail) más,? y\b"
    r"|\b(?:un'altra|ancora una) (?:email|mail|e-mail),? e\b"
    r"|\bmais (?:um|uma) (?:e-?mail|email|mensagem),? e\b"
    r"|\bnog (?:één|een) (?:mail|e-?mail|bericht),? en\b)"
    rf"[^.!?\n]{{0,50}}(?:{_AUTHORITY_ANY}|lawyer|attorney|report|spam|junk|block|complain"
    r"|police|court|anwalt|anzeige|melde|polizei|abmahnung|gericht|avocat|plainte|signal"
    r"|tribunal|abogado|denunci|polic[ií]a|bloque|avvocat|segnal|polizia|blocc|advogad|den[uú]nci"
    r"|pol[ií]cia|advocaat|aangifte|klacht|politie|blokkeer|\bmeld)",
)


# A further mail with a consequence said in the future: "every further email from you will
# go straight to the abuse desk of your provider". The present ("every email from you goes
# to spam") reports deliverability and is no threat.
CONSEQUENCES += _c(
    r"\b(?:every|any|each|the next|all) (?:further |more |other |future |subsequent )?(?:e-?mails?"
    r"|mails?|messages?)(?: from you)? (?:will|shall|is going to|are going to|'ll) (?:\w+ ){0,2}?"
    rf"(?:to|into|with) (?:the |my |your |our )?(?:[\w-]+ ){{0,3}}?(?:abuse|lawyers?|attorneys?"
    rf"|legal|regulators?|{_AUTHORITY_ANY})\b",
)


# --- issue 17, ninth blind set: the stop that is not about our mail to the writer ---------
# Each veto reads who or what the stop is about, from the grammar around it: staff or a
# third party as the subject; a quoted stop used as a noun ("log a 'stop emailing me'");
# a survey or programme opted out of; a contract's deletion clause; a user or seat removed
# from a subscription; the form of the mail (attachments, logo, format), not the mail; and
# a concession ("I can always unsubscribe later") before a buying question.
_STAFF = (
    r"(?:reps?|sdrs?|bdrs?|aes|sales ?(?:people|team|reps?|staff)|salespeople|agents?|staff"
    r"|recruiters?|marketers|colleagues|team ?mates|employees|users|account managers?)"
)
_PEOPLE = (
    r"(?:people|persons?|users?|customers?|clients?|recipients?|subscribers?|contacts|leads"
    r"|prospects|members|anyone|someone|somebody|everyone|those|folks)"
)
_FORMAT = (
    r"(?:pdfs?|attachments?|attached files?|files|images?|pictures?|photos?|gifs?|logos?|banners?"
    r"|tracking (?:pixels?|links?)|pixels?|html|rich text|inline images?|zip files?|signatures?)"
)
# These yield to the writer's own stop in the same sentence (stop_clauses.OWN_STOP): "like
# the customers who opted out, I want you to stop emailing me" is a request to stop.
YIELDING_VETOES = _c(
    # not wanting to stop: "I don't want to unsubscribe", "wir wollen nicht abbestellen",
    # "no queremos darnos de baja"; unless the sentence asks to stop in so many words ("I
    # don't want to unsubscribe from every list one by one, just stop emailing me")
    r"\b(?:don'?t|do not|doesn'?t|does not|didn'?t|not|never|no need to)(?: \w+)?"
    r" (?:want|wish|need|mean|plan|intend|trying|asking|going|looking)(?: you)? to"
    r" (?:unsubscribe|opt[- ]?out|be removed|be taken off|stop (?:receiving|getting|hearing)"
    r"|remove|take (?:me|us) off)\b",
    r"\b(?:nicht|keineswegs|keinesfalls) (?:\w+ )?(?:abbestellen|abmelden|austragen|kündigen"
    r"|gelöscht werden|entfernt werden)\b|\bne (?:veux|voulons|souhaite|souhaitons|cherche|cherchons)"
    r" pas (?:à )?(?:me |nous )?(?:désabonner|désinscrire|être retiré)|\bno (?:quiero|queremos"
    r"|deseo|deseamos|busco|buscamos) (?:darme|darnos|dar|que me den|que nos den) de baja\b"
    r"|\bnon (?:voglio|vogliamo|desidero) (?:disiscriver|cancellar|essere rimoss)\w*"
    r"|\bnão (?:quero|queremos|desejo) (?:me |nos )?(?:descadastrar|sair|ser removid)\w*"
    r"|\b(?:wil|willen) (?:me |ons )?niet (?:afmelden|uitschrijven)\b"
    r"|\bvill (?:inte|ej) (?:avregistrera|avsluta)\b|\bvil ikke (?:afmelde|framelde|avmelde)\b"
    r"|\bnie (?:chcę|chcemy) (?:się )?(?:wypisać|rezygnować)\b",
    # the writer's staff as the subject: "our reps never remember to stop the cadence"
    rf"\b(?:our|my|the|their|a|an|one of (?:our|my)) (?:[\w-]+ )?{_STAFF}\b(?: (?!you\b|your\b"
    r"|yours\b)[\w']+){0,4} (?:to )?(?:stop|remov|delet|unsubscrib|opt|exclud|pause|cancel)\w*",
    # a third party inside a relative clause: "contacts who have opted out", "leads that
    # asked to be removed"
    rf"\b{_PEOPLE} (?:who|that|which|whom)\b(?: [\w']+){{0,4}} (?:stop|remov|delet|unsubscrib"
    r"|opt|exclud|erase|take)\w*",
    # a quoted stop used as a noun: "can we log a 'stop emailing me' from a call"
    r"(?<!\bas )(?<!\bis )\b(?:a|an|the|their|his|her|any|each|every|such) (?:[\w-]+ )?[\"'‘“]"
    r"[^\"'’”]{0,60}\b(?:stop|remove|unsubscribe|opt[- ]?out|delete)\b[^\"'’”]{0,60}[\"'’”]",
    # a survey, panel or programme opted out of: "I opted out of the partner survey"
    # ("... of our carrier's standard fuel surcharge programme")
    r"\b(?:opt(?:ed|ing|s)?[- ]?out|unsubscrib\w*|withdr[ae]w\w*) (?:of|from) (?:the|a|an|that"
    r"|their|his|her|our) (?:(?!(?:mailing|mail|e-?mails?|lists?|newsletters?|updates?"
    r"|messages?|alerts?)\b)[\w'-]+ ){0,4}(?:survey|poll|study|panel|research|interviews?"
    r"|webinar|conference|event|beta|pilot|programme|program|loyalty \w+|rewards?)\b"
    r"(?! (?:series|invit|e-?mail|mail|messag|remind|update|notification|list|sequence"
    r"|newsletter))",
    # a contract's deletion clause: "our DPA obliges processors to erase data at contract end"
    r"\b(?:requires?|obliges?|mandates?|expects?|asks?|needs?|forces?) (?:all |any |our |the )?"
    r"(?:vendors?|suppliers?|processors?|sub-?processors?|providers?|partners?|third parties)"
    r" to (?:delete|erase|remove|purge|destroy|return)\b",
    r"\b(?:delet|eras|remov|purg|destroy)\w* (?:[\w-]+ ){0,4}(?:within|after|upon|on|at|following)"
    r" (?:\w+ ){0,4}(?:(?:contract|agreement|subscription) (?:end|expiry|ends|termination"
    r"|expires)|termination|offboarding)\b",
    # things the writer takes (or took) out of a system of their own, told, never bid:
    # "unsubscribing forty dead vendor accounts from our EDI portal", "we deleted old users
    # from my tenant"; not what that system mails ("from our website newsletter")
    r"\b(?:unsubscrib|remov|delet|deregister|deactivat|offboard|purg)(?:ing|ed) (?!(?:me|us"
    r"|myself|ourselves|my|our|this|these)\b)(?:[\w'-]+ ){1,5}(?:from|in|on|off) (?:our|my)"
    r" (?:own |old |new |internal )?(?:[\w-]+ )?(?:portal|system|platform|crm|erp|tool|app"
    r"|database|directory|tenant|workspace|instance|server|marketplace|network|website|shop"
    r"|store)s?\b(?!['’]s\b| (?:[\w-]+ )?(?:newsletters?|e-?mails?|mail\w*|lists?|alerts?"
    r"|notifications?|updates?|messages?|digests?|campaigns?)\b)",
    # a user, seat or licence removed from a subscription: "can we remove two seats mid-term",
    # "dar de baja a un usuario", "einen Nutzer abmelden"
    r"\b(?:remov|delet|deregister|deactivat|offboard|drop)\w* (?:a|an|one|two|three|some|extra"
    r"|unused|inactive|\d+) (?:[\w-]+ )?(?:users?|seats?|licen[cs]es?|members?|employees?"
    r"|accounts?)\b",
    r"\bdar de baja (?:a )?(?:un|una|unos|unas|los|las|el|la|\d+) (?:\w+ )?(?:usuari|licencia"
    r"|cuenta|emplead|miembr|asiento|puesto)\w*",
    r"\b(?:einen|eine|zwei|drei|\d+) (?:\w+ )?(?:nutzer|benutzer|lizenz|user|mitarbeiter|platz"
    r"|plätze)\w*(?: \w+){0,3} (?:abmelden|austragen|entfernen|löschen|kündigen)\b",
    r"\b(?:supprimer|retirer|désinscrire|désactiver) (?:un|une|des|deux|\d+) (?:\w+ )?"
    r"(?:utilisat|licence|compte|membre|siège)\w*",
    # the form of the mail: "stop sending the slides as attachments", "in HTML"
    rf"\b(?:stop|quit|no more|don'?t|do not) (?:sending|attaching|including|embedding|adding|using)?"
    rf" ?(?:the |these |those |your |any )?(?:[\w-]+ )?{_FORMAT}\b(?! (?:e-?mails?|mails?"
    r"|messages?|newsletters?|spam|junk)\b)",
    r"\b(?:stop|quit) (?:sending|e-?mailing|mailing) (?:\w+ ){0,3}(?:as|in) (?:an? )?(?:pdfs?"
    r"|attachments?|html|images?|files?|zip|plain text|rich text)\b",
    rf"\b(?:remov|delet|drop|tak)\w* (?:the |your |that |this )?(?:[\w-]+ )?{_FORMAT}"
    r"(?: \w+)? (?:from|in|off|out of) (?:the |your |these |those )?(?:e-?mails?|mails?|messages?"
    r"|newsletters?)\b",
    # a concession before a buying question: "I can always unsubscribe later", "abmelden kann
    # ich mich ja immer noch", "siempre puedo darme de baja"
    r"\b(?:i|we|you|one) (?:can|could)(?! not\b) (?:always|still)"
    r" (?:unsubscribe|opt[- ]?out|leave|cancel)\b",
    r"\b(?:i|we|you|one) (?:can|could)(?! not\b|n'?t\b) (?:unsubscribe|opt[- ]?out|leave|cancel)"
    r"\b(?: \w+){0,2} (?:later|any ?time|at any time|whenever)\b",
    r"\b(?:abmelden|austragen|abbestellen) (?:kann|könnte|können) (?:ich|man|wir) (?:mich |uns )?"
    r"(?:ja |doch )?(?:immer noch|jederzeit|später)\b",
    r"\b(?:kann|könnte|können) (?:ich|man|wir) (?:mich |uns )?(?:ja |doch )?(?:immer noch"
    r"|jederzeit|später) (?:\w+ )?(?:abmelden|austragen|abbestellen)\b",
    r"\b(?:je peux|on peut|nous pouvons) (?:toujours|encore) (?:me |nous )?(?:désinscrire"
    r"|désabonner)\b",
    r"\bsiempre (?:puedo|podemos|se puede) (?:darme|darnos|dar) de baja\b|\b(?:puedo|podemos)"
    r" (?:darme|darnos) de baja (?:cuando quiera|en cualquier momento|más tarde)\b",
)


# --- issue 17, tenth blind set: the families its misses belonged to -----------------------
# Requests to stop said with new verbs and objects: an end verb with our run of mail as its
# object ("stand down the follow-ups", "call off the sequence"); keeping away from the
# writer's inbox; "drop me" said alone; no mail of a kind sent "here" (a private or family
# address); a third person's wish not to be contacted, said on their behalf; their address
# removed from our systems (nl/de/fr/es/en); "aus dem Mailing nehmen"; "no vuelvan a
# escribirme". Sentence-level ones (SENTENCE_STOPS) join what the clause splitter parts: a
# refusal of "any future version of it", "no new ones", "my answer to every step: no", and a
# pronoun ("end it", "cancel them", "graduate from it", "join it") whose antecedent is our
# run of mail (a sequence, an automation, "more of these scheduled") or a list of people who
# do not want our mail, in the same or the previous sentence.
_OUR_RUN = (
    r"(?:follow-?ups?|e-?mails?|mails|messages|outreach|sequences?|cadences?|drips?"
    r"|newsletters?|mailings?|nurtures?|automations?|chasers?|touches)"
)
_NOT_FOR_THEM = (
    r"(?! (?:call|meeting|template|setting|feature|option|report|to (?:the|my|our|your)"
    r" (?:team|customers|clients|users|leads)|for (?:the|my|our|your) (?:team|customers|clients"
    r"|users|leads))\b)"
)

STOP_CLAUSES += _c(
    # an end verb with our run of mail as object: "please stand down the follow-ups"
    r"\b(?:stand down|call off|wind down|shut (?:off|down)|kill|suspend|shelve|retire|cancel"
    r"|hold off on|pull the plug on|nix|scrap|axe|abort)(?: (?:all|the|these|those|your|this"
    r"|any|of|remaining|automated|further|future|sales|marketing|rest))* "
    rf"{_OUR_RUN}\b{_NOT_FOR_THEM}",
    # keeping away from the writer's inbox, said to us: "please stay out of my inbox"
    r"(?:^|\b(?:please|pls|kindly|just|so|then|now|could you|can you|would you)\s+)(?:stay"
    r"|keep|go|circle|steer|back|get|move|fly|walk)(?: right| well| far| permanently)?"
    r" (?:away from|out of|clear of|off) (?:my|our) (?:inbox|mailbox|e-?mail)(?:es)?\b"
    r"|\bleave (?:my|our) (?:inbox|mailbox)(?:es)? alone\b",
    # "drop me", said alone (never "drop me a line", "drop me at the station")
    r"(?:^|\b(?:please|pls|kindly|just|so|then|now)\s+|[,;:]\s*)(?:drop|ditch|scratch|lose)"
    r" (?:me|us)(?=\s*(?:[.!;]|$|,? ?(?:please|pls|thanks|thank you|now|already|for good"
    r"|permanently|asap)\b|from (?:your|the|all|this|any)\b))",
    # no mail of a kind "here": "please don't send business mail here"
    r"\b(?:don'?t|do not|never|no more) (?:send|e-?mail|mail|write)(?:ing)? (?:(?:any|your|more"
    r"|further|such|these) )?(?:[\w-]+ )?(?:e-?mails?|mails?|messages?|newsletters?|offers?"
    r"|pitches|stuff|marketing|anything|things) ?(?:here|to this (?:address|inbox|mailbox|account"
    r"|e-?mail(?: address)?)|to (?:my|our) (?:personal|private|family|home|shared) (?:\w+ )?"
    r"(?:address|inbox|mailbox|e-?mail))\b",
    r"\bthis (?:is )?(?:an? |my |our )?(?:(?:shared|private|personal|family|home) ){1,2}(?:e-?mail )?"
    r"(?:address|inbox|mailbox|account)\b[^.!?\n]{0,30}\bnot (?:for|meant for|to be used for"
    r"|used for) (?:business|work|sales|marketing|commercial|vendors?|promotions?)\b",
    # "make sure there isn't another (one)"
    r"\b(?:make sure|ensure|see to it)(?: that)? there (?:isn'?t|is not|won'?t be|will not be"
    r"|is never|will never be|are no|is no) (?:another|a next|one more|any more|a second"
    r"|a follow-?up|more)(?: one| e-?mail| message| mail| follow-?up)?" + _END,
    # joining a list of people who do not want our mail: "I'd like to join your list of people
    # who don't want to hear from you", "add me to the list of those who opted out"
    r"\b(?:(?:add|put|place|include|count|sign|enter) (?:me|us)|(?:i|we)(?:'d| would)? (?:like"
    r"|want|wish|love|need)(?: to)? (?:join|be on|be added to|be put on|go on|get on))\b"
    r"[^.!?\n]{0,20}\blist (?:of|for) (?:the )?(?:people|persons|those|contacts|addresses|folks"
    r"|everyone|anyone|recipients)\b(?: \w+){0,2}? (?:who|that|which) (?:don'?t|do not|never"
    r"|no longer|would rather not|'d rather not|asked not|opted out|unsubscribed|want nothing)",
    # a third person's wish, said on their behalf: "er wünscht keine Kontaktaufnahme", "no
    # desea recibir más correos", "wenst geen e-mails meer", "ne souhaite plus être contacté"
    r"\b(?:wünsch|möcht|will|woll)\w* (?:\w+ )?(?:keine|keinen) (?:weiteren? |erneute )?"
    r"(?:kontaktaufnahme|kontakt|zusendungen|e-?mails|mails|nachrichten|werbung|newsletter"
    r"|werbe-?mails|anschreiben)\b(?! (?:per|via|über) (?:telefon|anruf|post|linkedin)\b)"
    r"(?![^.!?\n]{0,40}\b(?:lieber|sondern|stattdessen|nur noch)\b)",
    r"\bno (?:desea|quiere|desean|quieren) (?:seguir |volver a )?(?:recibir (?:más |ningún |otros? |otras )?"
    r"(?:correos?|mensajes|e-?mails?|comunicaciones|publicidad|newsletters?|boletines|ofertas"
    r"|propuestas|nada más)"
    r"|recibir(?:los|las)? más|ser contactad\w*|ser molestad\w*)\b|\bnon (?:desidera|vuole"
    r"|desiderano|vogliono) (?:più )?(?:ricevere (?:altre |altri |ulteriori |più )?(?:e-?mail"
    r"|mail|messaggi|comunicazioni|newsletter|pubblicità|proposte|offerte)|riceverne più|essere contattat\w*|essere disturbat\w*)"
    r"\b|\bnão (?:deseja|quer|desejam|querem) (?:mais )?(?:receber (?:mais |outras )?(?:e-?mails"
    r"|mensagens|comunicações|newsletters?|publicidade|ofertas|propostas)|ser contactad\w*|ser contatad\w*)\b"
    r"|\bne (?:souhaite|veut|souhaitent|veulent) (?:plus|pas) (?:être (?:contacté|sollicité"
    r"|relancé)\w*|recevoir (?:de |d'|vos |ces |les )?(?:e-?mails|mails|messages|courriels"
    r"|newsletters?|sollicitations|relances|offres|propositions))\b"
    r"|\b(?:wenst|wensen|wil|willen) (?:\w+ )?geen (?:verder |verdere )?(?:contact|e-?mails"
    r"|mails|berichten|nieuwsbrieven|reclame) (?:meer|ontvangen)\b",
    # a third person's address out of our systems, in each language: "verwijder zijn adres uit
    # uw systeem", "remove her address from your list" (suppression is per sender: the writer
    # is suppressed, the reply still reaches a person, who removes the colleague)
    r"\b(?:remove|delete|erase|drop|take|strike|scrub|purge) (?:his|her|their) (?:e-?mail )?"
    r"(?:address|details|data|contact(?: details)?|e-?mail)\b(?: \w+){0,2} (?:from|off|out of)"
    r" (?:your|the|all (?:of )?your|any of your) (?:[\w-]+ )?(?:mailing(?: list)?s?|lists?"
    r"|database|crm|system|systems|records|distribution(?: list)?|sequences?|campaigns?)\b",
    r"\b(?:verwijder|schrap|wis|haal)\w* (?:\w+ )?(?:zijn|haar|hun) (?:\w+ )?(?:adres"
    r"|e-?mailadres|gegevens|e-?mail)\b(?: \w+){0,2} (?:uit|van) (?:uw|jullie|het|de|je)"
    r" (?:\w+ )?(?:systeem|systemen|bestand|lijst|database|crm|mailinglijst|verzendlijst"
    r"|adressenbestand|administratie)\b",
    r"\b(?:lösch|entfern|streich|nehm)\w* (?:sie )?(?:bitte )?(?:seine|deren|dessen) (?:\w+ )?"
    r"(?:adresse|e-?mail-?adresse|e-?mail|daten|kontaktdaten)\b(?: \w+){0,2} (?:aus|von)"
    r" (?:ihrem|ihrer|dem|der|eurem|allen|ihren) (?:\w+ )?(?:system\w*|verteiler\w*|liste\w*"
    r"|datenbank|kartei|crm|newsletter\w*|mailing\w*)\b",
    r"\b(?:supprim|retir|effac|enlev|ray)\w* (?:son|leur|ses|leurs) (?:\w+ )?(?:adresse|e-?mail"
    r"|coordonnées|données|contact)\b(?: \w+){0,2} (?:de|des|du) (?:votre|vos|la|le|cette|ce)"
    r" (?:\w+ )?(?:liste|fichier|base|système|crm|envois|mailing)\w*",
    r"\b(?:elimin|borr|quit|sac|supri)\w* (?:su|sus) (?:\w+ )?(?:dirección|correo|email|e-mail"
    r"|datos|contacto)\b(?: \w+){0,2} de (?:su|sus|la|las|vuestra|vuestras|esta) (?:\w+ )?"
    r"(?:lista|base|sistema|registros?|crm|envíos|mailing)\w*",
    # de: "nehmen Sie mich aus dem Mailing", "mich bitte aus dem Verteiler nehmen"
    r"\bnehmen sie (?:mich|uns) (?:\w+ )?(?:aus|von) (?:ihrem|ihrer|dem|der|allen|ihren|den)"
    r" (?:\w+ )?(?:mailings?|aussendungen?|versand\w*|verteiler\w*|listen?|systemen?|crm"
    r"|newsletter\w*|kampagnen?)\b"
    r"|\b(?:mich|uns|meine (?:\w+ )?adresse)\b(?: \w+){0,3} (?:aus|von) (?:ihrem|ihrer|dem|der"
    r"|eurem|eurer|diesem|dieser|allen|ihren|den) (?:\w+ )?(?:mailings?|aussendungen?|versand\w*"
    r"|verteiler\w*|listen?|e-?mail-?listen?|systemen?|crm|adressbestand|newsletter\w*"
    r"|kampagnen?|sequenzen?)\b(?: \w+){0,2} (?:nehmen|herausnehmen|rausnehmen|streichen"
    r"|löschen|entfernen|austragen)\b",
    # es/it: "no vuelvan a escribirme", "non tornate a contattarci"
    r"\bno (?:me |nos )?(?:vuelva|vuelvan|vuelvas|volváis|volver) a (?:escribir|contactar|enviar"
    r"|mandar|llamar|molestar)(?:me|nos|le|les)?\b(?! (?:el|la|los|las|un|una|esto|eso)\b)"
    r"|\bnon (?:mi |ci )?(?:torni|tornate|tornare) a (?:scriver|contattar|mandar|inviar"
    r"|disturbar)\w*",
)

# A pronoun's antecedent: our run of mail, or a list of people who do not want it.
_RUN_ANTECEDENT = re.compile(
    r"\b(?:sequences?|cadences?|drips?|nurtures?|automations?|automated|workflows?|autopilot"
    r"|mail ?merges?|bots?)\b|\b(?:more|many) (?:of )?(?:these|those|your (?:e-?mails?|messages?"
    r"|follow-?ups?))\b[^.!?\n]{0,20}\b(?:scheduled|queued|planned|lined up|coming|in the queue"
    r"|in the pipeline|left|to come)\b",
    re.I,
)
_LIST_ANTECEDENT = re.compile(
    r"\blist (?:of|for) (?:the )?(?:people|persons|those|contacts|addresses|folks|everyone"
    r"|anyone|recipients)\b[^.!?\n]{0,30}\b(?:don'?t|do not|never|no longer|rather not|opted"
    r" out|unsubscribed|asked not)\b|\b(?:do[- ]not[- ](?:contact|e-?mail|mail|call)|suppression"
    r"|opt[- ]?out|unsubscribe|no[- ]contact|dnc|block|black)[- ]?list\b",
    re.I,
)
# The writer's own run of mail ("we want to exit our nurture sequence in Q3") is no antecedent.
_OWN_RUN = re.compile(
    r"\b(?:our|my|their) (?:own )?(?:[\w-]+ ){0,2}?(?:sequences?|cadences?|drips?|nurtures?"
    r"|automations?|workflows?|bots?|mail ?merges?)\b",
    re.I,
)
# Not our mail: the pronoun may stand for a meeting, an order, a plan.
_OTHER_THING = re.compile(
    r"\b(?:meetings?|calls?|demos?|appointments?|bookings?|invites?|invitations?|orders?"
    r"|subscriptions?|trials?|plans?|renewals?|payments?|invoices?|contracts?|accounts?|tickets?"
    r"|webinars?|events?|deliver(?:y|ies)|shipments?)\b",
    re.I,
)
_END_IT = re.compile(
    r"(?:^|[,;:]\s*|\b(?:please|pls|kindly|just|so|and|then|now)\s+)(?:end|stop|kill|cancel|halt"
    r"|terminate|switch off|turn off|shut (?:off|down)|pause|unschedule|call off|scrap|delete"
    r"|drop|abort|stand down) (?:it|them|those|all of them|the rest|it all|the lot)\b(?=\s*(?:[.!"
    r",;:]|$|please\b|now\b|already\b|for me\b|thanks?\b|thank you\b|too\b|permanently\b|for"
    r" good\b|today\b|all\b))"
    r"|(?:^|[,;:]\s*|\b(?:please|pls|kindly|just|so|and|then|now)\s+)(?:switch|turn|shut) (?:it"
    r"|them) off\b"
    r"|\b(?:i|we)(?:'d| would)? (?:like|want|wish|need|love|prefer)(?: to)? (?:graduate from|exit"
    r"|leave|get out of|drop out of|step out of|opt out of|unenrol+ from|be (?:released|removed"
    r"|taken off|let out|unenrolled|excused) (?:from|of)) (?:it|them|that|this one)\b",
    re.I | re.M,
)
_JOIN_IT = re.compile(
    r"\b(?:i|we)(?:'d| would)? (?:like|want|wish|love)(?: to)? (?:join|be (?:on|added to|put on"
    r"|part of)) (?:it|that|them|that list|this list)\b|\b(?:add|put|sign|count) (?:me|us)"
    r" (?:on|to|in|up for|onto) (?:it|that|that one|that list)\b",
    re.I,
)

SENTENCE_STOPS = _c(
    # any future version refused: "hard pass on this, and on any future version of it"
    r"\b(?:pass|no|no thanks) (?:on|to) (?:this|it|these|that)(?=\s*[,;]| and\b)[^.!?\n]{0,25}\b(?:any|all"
    r"|every|each) (?:future|further|later|subsequent|new) (?:versions?|iterations?|editions?"
    r"|rounds?|ones?|attempts?|variants?)\b",
    # no new ones: "if this thread ended here and no new ones started"
    r"\b(?:thread|e-?mails?|messages?|conversation|sequence|chain)\b[^.!?\n]{0,80}\bno (?:new"
    r"|more|further|other) (?:ones?|threads?) (?:(?:are|get|will be|were|be|being|to be|ever) )?"
    r"(?:started|start|begun|begin|opened|open|created|sent|arrive|appear|follow)\b",
    r"\b(?:if|that|wish|hope|rather|please|let|would like|'d like)\b[^.!?\n]{0,25}\bthis"
    r" (?:e-?mail )?(?:thread|conversation|exchange|chain|correspondence|sequence) (?:ended|ends"
    r"|end|stopped|stops|stop|died|dies|die|closed|finished|is over|were over|was over"
    r"|be over) (?:here|now|today|right here|with this (?:one|e-?mail|message|reply))\b"
    r"(?![^.!?\n]*\b(?:call|phone|meet|meeting|slack|teams|zoom|in person|continue|move|switch"
    r"|whatsapp|text|ring|demo|contract|sign)\b)",
    # "consider this my answer to every step of it: no"
    r"\bmy (?:answer|reply|response) to (?:every|each|all|any) (?:of (?:the|your) )?(?:future"
    r" |further |remaining )?(?:steps?|e-?mails?|messages?|follow-?ups?|touch(?:es)?|ones?)\b"
    r"[^.!?\n]{0,20}?(?::|\bis\b|\bwill be\b)\s*(?:a )?(?:no|no thanks|no thank you|not"
    r" interested)\b",
)


def _sentence_stop(low: str) -> bool:
    """A stop the clause splitter would part (SENTENCE_STOPS), or a pronoun of stopping whose
    antecedent, in this sentence or the one before, is our run of mail or a no-contact list."""
    prev = ""
    for sentence in _sentences(low):
        if not (_any(SENTENCE_VETOES, sentence) or vetoed(sentence)):
            if _any(SENTENCE_STOPS, sentence):
                return True
            context = f"{prev}\n{sentence}"
            if (
                _OTHER_THING.search(context) is None
                and _OWN_RUN.search(context) is None
                and (
                    (_END_IT.search(sentence) and _RUN_ANTECEDENT.search(context))
                    or (_JOIN_IT.search(sentence) and _LIST_ANTECEDENT.search(context))
                )
            ):
                return True
        prev = sentence
    return False


# The other sense, each yielding to the writer's own stop in the same sentence: a part of
# the writer's record corrected ("remove the 'Dr.' from my name"); a request disclaimed ("I'm
# not about to ask you to take me off anything"); "stop" as "wait" ("Stop, before you send
# the deck"); unsubscribes in the writer's own mailing ("Unsubscribe is the most-clicked link
# in our newsletter"); a third party's quoted stop ("my colleague's 'remove me'").
YIELDING_VETOES += _c(
    r"\b(?:remov|delet|drop|tak|strip|cut|eras)\w* (?!(?:me|us|my|our)\b)(?:the |that |this |a"
    r" |an )?(?:[\w'.‘’-]+ ){1,3}?(?:from|off|in|out of) (?:my|our) (?:\w+ )?(?:name|surname|title"
    r"|salutation|signature|profile|entry|record|contact (?:card|record)|display name)\b"
    r"|\b(?:entfern|lösch|streich)\w* (?:sie )?(?:bitte )?(?:das|den|die) (?:\S+ ){1,3}?(?:aus|in"
    r"|von) (?:meinem|unserem) (?:namen|titel|profil|eintrag|datensatz)\b"
    r"|\b(?:retir|supprim|enlev)\w* (?:le|la|les|l') ?(?:\S+ ){1,3}?(?:de|dans) (?:mon|notre)"
    r" (?:nom|titre|profil|fiche)\b"
    r"|\b(?:quit|elimin|borr)\w* (?:el|la|los|las) (?:\S+ ){1,3}?(?:de|en) (?:mi|nuestro)"
    r" (?:nombre|título|perfil|ficha)\b"
    r"|\b(?:verwijder|haal)\w* (?:de|het) (?:\S+ ){1,3}?(?:uit|van|in) (?:mijn|onze) (?:naam"
    r"|titel|profiel)\b",
    r"^(?:(?:oh|ah|hey|ok|okay|please),? )*(?:stop|wait|hold on|hang on)(?: right there)? *"
    r"[,:;—–-]+ *(?:before|until) (?:you|we)\b(?! (?:send|e-?mail|mail|write|contact)\w*"
    r"(?: (?:me|us))? (?:another|any more|more|again|the next)\b)",
    r"\b(?:unsubscrib\w*|opt-?outs?)\b[^.!?\n]{0,60}\b(?:in|on|from|of|for|across) (?:our|my)"
    r" (?:own )?(?:\w+ )?(?:newsletters?|mailings?|campaigns?|e-?mails?|lists?|audience|sends"
    r"|programs?|programmes?|sequences?|digests?|bulletins?|blog)\b"
    r"|^[\"'‘“]?(?:unsubscribe|opt-?out)[\"'’”]? (?:is|was|has been|remains|gets|got) (?:the"
    r"|our|a|an|by far)\b[^.!?\n]{0,40}\b(?:links?|buttons?|clicks?|clicked|metric|rates?"
    r"|numbers?|events?|features?)\b",
    # (?<![\w-]): one start per word, not one per hyphen in a long token (linear time).
    r"(?<![\w-])(?!(?:it|that|what|here|there|this|who|he|she|let)'s)[\w-]+(?:'s|s') (?:[\w-]+ )?"
    r"[\"'‘“][^\"'’”]{0,60}\b(?:stop|remove|unsubscribe|opt[- ]?out|delete|take (?:me|us) off)\b"
    r"[^\"'’”]{0,60}[\"'’”]",
)

# The writer as the one told to remove something of their own world ("the inspector told us
# to remove the old thermometers", "guests keep asking us to remove nuts from dishes"): the
# "us" is who removes, not what is removed. Never where what is removed, or where from, is
# people, an address, mail or a list ("my boss asked me to take the team off your list"),
# and it yields to an own stop in the same sentence.
_NOT_OWN_THINGS = (
    r"(?![^.!?\n]{0,200}\b(?:(?<!price )lists?|database|crm|records?|mailing|distribution"
    r"|e-?mails?|mails?|messages?|newsletters?|address(?:es)?|inbox|mailbox|domain|contacts?"
    r"|every(?:one|body)|team|staff|company|colleagues|employees|people|plug|data|details)\b"
    r"|[^.!?\n]{0,200}@)"
)
YIELDING_VETOES += _c(
    r"\b(?:told|tells?|telling|asked|asks?|asking|wants?|wanted|needs?|needed|requires?|required"
    r"|expects?|expected|forced|forces|made|makes) (?:me|us) to (?:remov|delet|eras|drop"
    r"|tak|strip|cut|purg|scrap)\w* (?!(?:me|us|my|our|myself|ourselves|this|your|you|all|him"
    r"|her|them)\b)" + _NOT_OWN_THINGS,
)

# A request disclaimed: "I'm not about to ask you to take me off anything", "this isn't a
# request to be removed". The disclaimer holds the stop words itself, so it yields only to an
# own stop outside it ("I'm not asking you to remove me, I'm telling you: remove me").
DISCLAIMED = re.compile(
    r"\b(?:not|never|isn'?t|won'?t|wouldn'?t)\b(?: (?:about|going|here|writing|trying|planning"
    r"|gonna|even|yet|to|a|an|another|my|this))* (?:ask|asking|request|requesting|beg|begging"
    r"|tell|telling)(?: (?:you|u|for))? (?:to )?(?:be )?(?:stop|remov|unsubscrib|tak|delet|drop"
    r"|opt|exclud)\w*[^.!?,;:\n]{0,40}",
    re.I,
)

# Vetoes on the whole sentence: a past opt-out set against this mail, wanted ("I opted out of
# your webinar emails, but this one I want"); an old address swapped for the one the writer
# writes from ("remove my old address from the CRM and use this one from now on").
_WANTED = r"(?![^.!?\n]{0,200}\b(?:stop|stopped|end|gone|removed|deleted|off|unsubscrib\w*)\b)"
# ... and after a thing of ours named, nothing of the writer's data or of contact at all
_WANTED_NAMED = (
    r"(?![^.!?\n]{0,200}\b(?:stop\w*|end|gone|remov\w*|delet\w*|eras\w*|purg\w*|wip\w*|block\w*"
    r"|off|unsubscrib\w*|never|again|contact\w*|e-?mail me|gdpr|data|address|article|breach"
    r"|cease|quit|halt\w*|discontinu\w*)\b)"
)
SENTENCE_VETOES += _c(
    r"\b(?:opt(?:ed|ing)?[- ]?out|unsubscribed|unsubscribe)\b[^.!?\n]{0,60}\bbut (?:(?:this"
    r"|that|these)(?: one| ones| \w+)? (?:i|we) (?:do |really )?(?:want|like|need)\b"
    r"|(?:i|we) (?:do |still |really )?(?:want|need|like) (?:this|that|these)(?: one| ones)?\b)"
    + _WANTED,
    # "..., but I do want the product info": what else of ours they want, named
    r"\b(?:opt(?:ed|ing)?[- ]?out|unsubscribed|unsubscribe)\b[^.!?\n]{0,60}\bbut (?:i|we) (?:do "
    r"|still |really )?(?:want|need|would like) (?:the|your) (?:\w+ )?(?:product|pricing"
    r"|price list|demo|deck|brochure|case stud(?:y|ies)|quote|offer|trial)\b" + _WANTED_NAMED,
    r"\b(?:abgemeldet|ausgetragen|abbestellt)\b[^.!?\n]{0,60}\baber (?:(?:diese|das|den|die)"
    r"(?: \w+)? (?:will|möchte|brauche|wollen|möchten) (?:ich|wir)|(?:ich|wir) (?:will|möchte"
    r"|brauche|wollen|möchten) (?:diese|das|den))\b"
    r"|\b(?:désabonn|désinscri)\w*\b[^.!?\n]{0,60}\bmais (?:celui-ci|celle-ci|ceux-ci|ça|cela"
    r"|(?:ce|cette|ces) \w+(?:-ci|-là)?)"
    r" (?:je|nous) (?:le |la |les )?(?:veux|voulons)\b"
    r"|\bde baja\b[^.!?\n]{0,60}\bpero (?:este|esta|estos|esto)(?: \w+)?(?: sí)? (?:lo |la |los )?"
    r"(?:quiero|queremos|me interesa)\b",
    r"\b(?:my|our|the) (?:old|previous|former|outdated) (?:work )?(?:e-?mail )?(?:address|e-?mail"
    r"|account)\b[^.!?\n]{0,80}\b(?:(?:and|then|please|,) (?:use|switch to|write to)|use (?:this"
    r"|the new|my new) (?:one|address|e-?mail))\b"
    r"|\b(?:mijn|ons|onze|het) (?:oude|vorige|voormalige) (?:e-?mail)?adres\b[^.!?\n]{0,80}"
    r"\b(?:(?:dit|mijn nieuwe|het nieuwe|deze) (?:\w+ )?(?:e-?mail)?adres\b[^.!?\n]{0,20}\bgebruik"
    r"|gebruik\w* (?:voortaan |vanaf nu )?(?:dit|mijn nieuwe|het nieuwe|deze)\b)"
    r"|\b(?:meine|unsere|die) (?:alte|frühere|bisherige) (?:e-?mail-?)?adresse\b[^.!?\n]{0,80}"
    r"\b(?:(?:verwenden|nutzen|benutzen) sie (?:\w+ )?(?:diese|meine neue|die neue)|(?:diese"
    r"|meine neue|die neue) (?:\w+ )?(?:adresse )?(?:verwenden|nutzen|benutzen)|neue adresse)"
    r"|\b(?:mon|notre) (?:ancienne|ancien) (?:adresse|e-?mail)\b[^.!?\n]{0,80}\b(?:utilisez"
    r" (?:désormais |plutôt )?(?:celle-ci|cette adresse|ma nouvelle)|nouvelle adresse)"
    r"|\b(?:mi|nuestra) (?:antigua|vieja|anterior) (?:dirección|correo)\b[^.!?\n]{0,80}\b(?:(?:usen"
    r"|utilicen) (?:esta|este|mi nueva|mi nuevo)|nueva dirección)",
)


def _misspelt(word: str, right: str, real: frozenset[str]) -> bool:
    return word not in real and not word.startswith(right[:5]) and _osa(word, right) <= 1


# Real words one edit from "remove"/"delete" that must never count as a typo of them.
_NEAR_REMOVE = frozenset({"remote", "revive", "remake", "resolve", "remold"})
_NEAR_DELETE = frozenset({"delate", "deplete", "relate", "delft", "deleted"})
_TYPO_OBJECT = re.compile(r"\b([a-z]{5,7}) (?:me|us|my|our|this (?:address|e-?mail))\b")


def misspelt_removal(text: str) -> bool:
    """ "remvoe me", "delte my address": one edit from remove/delete, with the writer as
    object (so "remote us" or "relate my" never count)."""
    for m in _TYPO_OBJECT.finditer(text.lower()):
        word = m.group(1)
        if _misspelt(word, "remove", _NEAR_REMOVE) or _misspelt(word, "delete", _NEAR_DELETE):
            return True
    return False


def _any(patterns: Iterable[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def vetoed(clause: str, own: bool | None = None) -> bool:
    """The clause's stop word is about something other than us writing to the writer. `own`:
    whether its sentence asks us to stop in so many words (read on the clause if None)."""
    if DISCLAIMED.search(clause):
        # the disclaimer read on its own: what is left decides ("..., I'm telling you: remove me")
        clause = DISCLAIMED.sub(" ", clause)
        if not own_stop(clause):
            return True
    if _any(VETOES, clause):
        return True
    if not _any(YIELDING_VETOES, clause):
        return False
    return not (own_stop(clause) if own is None else own)


def without_vetoed(low: str) -> str:
    """The text with the writer's words for staying on and the clauses whose removal or stop
    has another object blanked out."""
    low = without_kept(low)
    kept, dropped = _kept_clauses(low)
    return "\n".join(kept) if dropped else low


def _cue_stop(low: str) -> bool:
    """The broad layer behind the phrase rules: cue classes per kept clause, vetoes read on
    the clause and on its whole sentence."""
    for sentence in _sentences(low):
        # The sentence's vetoes once, not once per clause: a long run-on sentence of many
        # clauses must cost linear time, not quadratic.
        own = own_stop(sentence)
        if _any(SENTENCE_VETOES, sentence) or clause_vetoed(sentence, own):
            continue
        if any(not vetoed(part, own) and cue_stop(part, own) for part in clauses(sentence)):
            return True
    return False


def asks_to_stop(low: str) -> bool:
    """A request to stop in lower-cased text, clause by clause, vetoed clauses left out."""
    low = without_kept(low)
    if _MENTIONED_DATA.search(low) and _ERASE_IT.search(low):
        return True
    if _MENTIONED_DATA_ANY.search(low) and (_ERASE_IT.search(low) or _ERASE_IT_ANY.search(low)):
        return True
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", low):
        if not vetoed(sentence) and _any(CONSEQUENCES, sentence):
            return True
    if _cue_stop(low) or _sentence_stop(low):
        return True
    for clause in _kept_clauses(low)[0]:
        if _any(STOP_CLAUSES, clause) or misspelt_unsubscribe(clause) or misspelt_removal(clause):
            return True
        plain = _EMOJI_MODIFIERS.sub("", clause)
        if BARE_STOP.match(clause.strip()) or STOP_EMOJI.match(plain):
            return True
        if BARE_STOP_ANY.match(clause.strip()):
            return True
        answer = _LEADING_ASIDE.sub("", clause.strip())
        if BARE_REFUSAL.match(answer) or (answer != clause.strip() and BARE_STOP.match(answer)):
            return True
        if plain != (bare := _STOP_EMOJI_AROUND.sub("", plain)) and BARE_STOP.match(bare.strip()):
            return True
        if STOP_EMOJI_WITH_MAIL.search(clause):
            return True
    return False
