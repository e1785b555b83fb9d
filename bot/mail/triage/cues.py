"""The rule classifier's tables: the phrases and patterns behind each escalation trigger, each
intent (with its weight: strong, medium or weak cue), injection, greetings and closings, and
the words around a referral's name. Data only; `rules` reads them."""

from __future__ import annotations

import re

from bot.mail.text import MONTHS, WEEKDAYS

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _c(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- escalation triggers (the locked list) --------------------------------------------------

TRIGGER_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "pricing": _c(
        r"\bpric(?:e|es|ed|ing|y)\b",
        r"\bcosts?\b",
        r"\bcosting\b",
        r"\bhow much\b",
        r"\bquot(?:e|es|ation)\b",
        r"\bfees?\b",
        r"\brates\b",
        r"\b(?:day|hourly|monthly|annual|daily) rate\b",
        r"\bper (?:seat|user|licen[cs]e|month|year|head|employee)\b",
        r"\bdiscounts?\b",
        r"\b(?:cheaper|expensive|affordable)\b",
        r"\b(?:free|paid|a) (?:trial|tier|version|plan)\b|\bthe trial\b|\btrial (?:period|version|"
        r"account|licen[cs]e)\b",
        r"\b(?:which|what|pricing|paid|enterprise) (?:plan|tier|edition)s?\b",
        r"\bplans? start\b",
        r"\b(?:you|do you|would you|they) charge\b",
        r"[$€£]\s?\d",
        r"\b\d+(?:[.,]\d+)?\s?(?:€|eur|usd|gbp|dollars|euros)\b",
        r"\bwhat's the damage\b|\b(?:the|what's the|what is the) investment\b|\bballpark\b",
        r"\bpreis",
        r"\bkosten\b",
        r"\bkostet\b",
        r"\bprix\b",
        r"\btarifs?\b",
        r"\bco[uû]te?\b",
        r"\bprecios?\b",
        r"\bcuesta\b",
        r"\bcoste\b",
    ),
    "executive_request": _c(
        r"\b(?:ceo|cfo|cto|coo|cio|cro|cmo|ciso|cpo|cdo)s?\b",
        r"\bc-(?:level|suite)\b",
        r"\bchief [a-z]+ officer\b",
        r"\b(?:co-?)?founders?\b",
        r"(?<!vice )\bpresident\b",
        r"\bmanaging (?:director|partner)\b",
        r"\b(?:svp|evp)\b",
        r"\b(?:executive|exec|leadership|management) (?:team|committee|sponsor|board)\b",
        r"\b(?:the|our) board\b(?! meeting)",
        r"\bboard (?:of directors|approval|sign-?off|members?)\b",
        r"\bowner of (?:the|this|our) (?:company|business)\b",
        r"\b(?:i|we) (?:run|own) (?:the|this) (?:company|business|place|firm)\b",
        r"\bgeschäftsführ",
        r"\bvorstand",
        r"\bpdg\b",
        r"\bdirect(?:eur|rice) général",
        r"\bdirector(?:a)? general\b",
    ),
    "contract_legal": _c(
        r"\bcontracts?\b",
        r"\bcontractual",
        r"\bagreements?\b",
        r"\b(?:msa|nda|ndas|sla|slas|sow)\b",
        r"\bterms (?:and|&) conditions\b",
        r"\bt ?& ?cs?\b",
        r"\b(?:contract|standard|legal|service|commercial|payment|licen[cs]e|subscription) terms\b",
        r"\blegal(?:ly)?\b",
        r"\blawyers?\b",
        r"\bcounsel\b",
        r"\battorneys?\b",
        r"\bliabilit",
        r"\bindemn",
        r"\bredlin",
        r"\blaw ?suits?\b",
        r"\bsu(?:e|ing) (?:you|us|them|your|the)\b|\bwill sue\b",
        r"\bcourt\b",
        r"\bcease and desist\b",
        r"\brefunds?\b|\bcancell?ation\b|\bnotice period\b|\bauto-?renew",
        r"(?<!in )\bterms\b(?! of)",
        r"\bcancel (?:after|anytime|any time|at any time|the (?:contract|subscription)|our "
        r"(?:contract|subscription|plan))\b",
        r"\blitigat",
        r"\bvertr[aä]g",
        r"\banwalt|\brechtsabteilung|\bjurist",
        r"\bcontrat",
        r"\bavocat",
        r"\bjuridique",
        r"\bcontrato",
        r"\babogad",
    ),
    "compliance_data_request": _c(
        r"\b(?:gdpr|dsgvo|rgpd|ccpa|cpra|hipaa|lgpd|pipeda)\b",
        r"\bsoc ?(?:2|ii)\b",
        r"\biso ?27001\b",
        r"\bdata (?:protection|privacy|processing|residency|retention|subject|controller|processor)",
        r"\bprivacy (?:policy|notice|law|laws|team|officer|regulation)",
        r"\bpersonal (?:data|information|details)\b",
        r"\b(?:dpa|dpo|dsar|sar)\b",
        r"\bsubject access\b",
        r"\bright to (?:be forgotten|erasure|access|object)\b",
        r"\berase\b|\berasure\b",
        r"\b(?:delete|remove|erase|purge|wipe) (?:all )?(?:of )?(?:my|our) (?:personal )?"
        r"(?:contact )?(?:data|details|information|info|records?)\b",
        r"\b(?:delete|remove|erase|purge|wipe) (?:all )?(?:the |any )?(?:data|information|records?)"
        r" (?:you|about|on|held)",
        r"\bwhat (?:personal )?(?:data|information|info|details) (?:do )?you (?:hold|have|store|keep)",
        r"\b(?:where|how) did you (?:get|find|obtain|source|buy|scrape) (?:my|our|this|these)"
        r" (?:e-?mail|address|details|data|info|information|contact|number|name|phone)",
        r"\bwho gave you (?:my|our|this)\b",
        r"\bsecurity (?:questionnaire|review|assessment|audit)\b",
        r"\bpen ?test",
        r"\b(?:where|how) is (?:your|the|our) data (?:hosted|stored|processed)\b",
        r"\bdata (?:is |be |are )?(?:hosted|stored)\b",
        r"\beu (?:data )?residency\b",
        r"\b(?:ico|cnil|regulator|data protection authority)\b",
        r"\bdatenschutz",
        r"\bwoher haben sie\b",
        r"\bmeine daten\b",
        r"\bdonnées (?:personnelles|à caractère personnel)\b",
        r"\bdatos personales\b",
        r"\bprotección de datos\b",
        # issue 17: erasure and objection demands, and the regulators they name, in each language
        r"\b(?:garante (?:della|per la) privacy|aepd|autoriteit persoonsgegevens|datenschutzbeh"
        r"|aufsichtsbehörde|cnpd|anpd)\w*",
        r"\bart(?:icle|ikel|icolo|igo|ículo|\.)? ?(?:15|17|21)\b[^.!?\n]{0,30}\b(?:gdpr|dsgvo|rgpd"
        r"|avg)\b",
        r"\bl[öo]schung\b|\bl[öo]schen sie\b|\bwiderspr(?:eche|echen|uch)\b|\bdroit (?:à l'effacement"
        r"|à l'oubli|d'opposition)\b|\bsupprim\w* (?:mes|nos) données\b|\bderecho (?:de supresión"
        r"|al olvido|de oposición)\b|\bsupresión de mis datos\b|\bdiritto all'oblio\b|\b(?:i|miei)"
        r" dati\b|\b(?:meus|minhas?) dados\b|\bmijn gegevens\b",
        r"\b(?:i|we) (?:hereby )?object to (?:the |any |your )?(?:processing|use of my)\b|\bje"
        r" m'oppose au traitement\b|\b(?:me opongo|mi oppongo|me oponho)\b",
        r"\bwho (?:sold|rented) you\b|\blist broker\b",
    ),
    "anger_complaint": _c(
        r"\bspam(?:ming|med|my|mer|mers)?\b(?! folder| filter)",
        r"\bharass",
        r"\bannoy",
        r"\b(?:ridiculous|unacceptable|unprofessional|sloppy|pathetic|outrageous|insulting|absurd|"
        r"terrible|awful|appalling|shameful|obnoxious|intrusive|aggressive|insane|worst)\b",
        r"\bdo better\b|\b(?:getting|this is) (?:old|silly|tiresome|out of hand)\b",
        r"^\s*enough\b|\bi've had enough\b|\bugh+\b|\bsigh\b|\bseriously[?!]|\bcome on\b",
        r"\b(?:this|these|you) again\b",
        r"\bwhy (?:are|do|did) you (?:keep )?(?:e-?mailing|contacting|writing to|messaging|calling)"
        r" (?:me|us)\b",
        r"\bstill (?:getting|receiving) (?:these|this|your|emails)\b|\bwhy am i still\b",
        r"\bunsubscribed (?:already|before|twice|\w+ times)\b|\balready unsubscribed\b",
        r"\bdisgust",
        r"\b(?:idiots?|stupid|morons?|clowns)\b",
        r"\bf\*+k?|\bfuck|\bshit\b|\bwtf\b|\bscrew you\b|\bpiss(?:ed)?\b|\bbloody\b|\bdamn\b",
        r"\bhow dare\b",
        r"\bcomplain(?:t|ts|ing|ed)?\b",
        r"\breport(?:ing)? (?:you|this|your)\b",
        r"\b(?:talking|talk|speak|speaking|going) to (?:my|a|our) (?:lawyer|attorney|solicitor)\b",
        r"\bscam",
        r"\bcreepy\b",
        r"\billegal\b",
        r"\bunsolicited\b",
        r"\bnever (?:signed up|opted in|subscribed|agreed|gave (?:you )?(?:my )?(?:permission|consent))",
        r"\b(?:stop|quit) (?:harass|spamm|bother|pester)",
        r"\bkeep (?:on )?(?:e-?mailing|sending|contacting|spamming|bugging|writing|messaging)\b",
        r"\b(?:asked|told) you (?:\w+ )?(?:before|already|to stop|\w+ times)",
        r"\balready (?:asked|told) you\b",
        r"\b(?:i've|i have|i|we've|we have)(?: already)? (?:asked|told|requested)(?: you| this)?"
        r"(?: (?:\w+ ){0,2}(?:times|before)| already)\b",
        r"\b(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th)) (?:time|email|e-mail|message|"
        r"follow-?up)s?\b",
        r"\bhow many times\b",
        r"\bwaste of (?:my |our )?time\b",
        r"\bbelästig",
        r"\bunverschämt",
        r"\bharc[eè]l",
        r"\bacos(?:o|ar|arme|an|a)\b",
        r"\b(?:spamhaus|ftc|abuse (?:team|desk|department)|blacklist|blocklist)\b",
        r"\b(?:final|last) warning\b|\b(?:melde|melden) (?:ich|wir) sie\b|\bdenunci",
        r"\bcease and desist\b|\bunterlassen sie\b|\bsignal(?:er|e|erai)[^.!?\n]{0,30}comme spam",
        r"\b(?:spamcop|knujon)\b|\babmahnung\b|\bsegnal(?:erò|eremo)\b|\breclamación\b|\bklacht\b"
        r"|\bunverlangte\b|\b(?:report(?:ing)?|going) (?:you )?to the (?:ico|cnil|garante|aepd|ftc)\b",
        # issue 17: our mail reported as fraud (not as mere spam) is an accusation a person sees
        r"\b(?:report|flag|mark)\w*(?: (?:you|this|it|these|them|that|your \w+))? (?:as|for)"
        r" (?:a )?(?:phishing|scam|fraud|fraudulent)\b",
    ),
}

# Injection, strong forms: looked for everywhere, quoted history and subject included.
INJECTION_STRONG = _c(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,30}\b(?:instructions?|prompts?"
    r"|rules|directions|guidelines|guardrails|context|programming|guidance|orders|training|"
    r"everything)\b",
    r"\bfrom now on,? you\b|\byou (?:now )?work for me\b|\byour new (?:task|role|job|goal)\b",
    r"\b(?:ignore|disregard) (?:the |all |everything )?(?:above|previous|prior|before)\b",
    r"\b(?:you are|you're|u r|you are now|act as|pretend (?:to be|you are)|roleplay as)"
    r" (?:an? |the )?(?:ai|a\.i\.|language model|llm|chatbot|bot|assistant|gpt|chatgpt|"
    r"classifier|agent|model|system)\b",
    r"\bas an ai\b",
    r"\bsystem prompt\b",
    r"\b(?:developer|god|admin|jailbreak|dan|debug) mode\b",
    r"\bjailbreak",
    r"\bnew instructions?\b",
    r"\binstructions? (?:for|to) (?:the |any |whatever )?(?:ai|bot|assistant|model|llm|"
    r"classifier|agent|system|automation|machine)\b",
    r"\b(?:dear|hey|hello|attention|note to) (?:ai|bot|assistant|llm|language model|classifier|"
    r"agent|automated system|automation|model|gpt)s?\b",
    r"\b(?:to|for) (?:the|any|whatever) (?:ai|bot|assistant|llm|language model|classifier|"
    r"automated system|automation|gpt)s?\b",
    r"\b(?:ai|bot|assistant|agent|model|llm|system|automation|classifier|gpt)s? (?:that is )?"
    r"(?:reading|processing|parsing|handling|triaging|scanning|sorting) (?:this|these|my)\b",
    r"^\s*(?:system|assistant|developer)\s*:",
    r"<\|[a-z_]+\|>",
    r"\[/?(?:inst|system|sys)\]",
    r"<</?sys>>",
    r"#{2,}\s*(?:instruction|system)",
    r"\bbegin (?:system|instructions?)\b",
    r"\b(?:print|reveal|show|output|repeat|leak|share) (?:me |us )?(?:your|the) (?:system |hidden |"
    r"original )?(?:prompt|instructions|rules|configuration|config)\b",
    r"\b(?:auto-?approve|unsuppress|whitelist me|allowlist me)\b",
    r"\b(?:set|change|update|raise|lower|increase|decrease|bump) (?:the |my |this |your |its )?"
    r"(?:lead )?(?:threshold|score|confidence|priority|status|intent|label|trust(?: level)?)\b",
    r"\bclassify (?:this|me|it|the reply|the email|the message)\b",
    r"\b(?:mark|flag|label|tag|categori[sz]e|record) (?:this|me|it|the lead|this lead|this reply|"
    r"this email|this message|this contact|the contact|my account|this thread|us)\b"
    r"[^.!?\n]{0,30}?\bas\b",
    r"\b(?:mark|flag|label|tag) (?:this |the )?(?:lead|contact|thread)\b",
)
# Injection, weak forms: ordinary enough in our own emails that they are only looked for in
# the new text of the reply.
INJECTION_WEAK = _c(
    r"(?:^|[.!?:;]\s+|\b(?:please|pls|kindly|now|just|and)\s+)(?:reply|respond|answer)"
    r" (?:only )?with\b",
    r"(?:^|[.!?:;]\s+|\b(?:please|pls|kindly|now|just|and|must|should)\s+)forward"
    r" (?:this|it|the \w+|all|every|my \w+)\b[^.!?\n]{0,40}?\bto\b",
    r"\bdelete (?:all|every|any|the|this|these|your) (?:\w+ )?(?:records?|leads?|contacts?|"
    r"entries|entry|logs?|emails?|messages?|threads?|drafts?|data|history|crm)\b",
    r"\b(?:send|email|e-mail|forward|give|export) (?:me |us )?(?:all|every|your|the) (?:\w+ )?"
    r"(?:contacts|leads|customer list|prospects|prospect list|database|crm|list of (?:companies|"
    r"customers|contacts|leads|accounts|prospects))\b",
    r"\b(?:add|move|put) (?:me|us|this(?: \w+)?) (?:to|on|into?) (?:your|the) [\w -]{0,20}?"
    r"(?:list|segment|stage|queue|pipeline|sequence|campaign|tier)\b",
    r"\b(?:cancel|pause|stop|disable|turn off|shut down) (?:all|every|the whole|your) (?:\w+ )?"
    r"(?:campaigns?|sequences?|agents?|bots?|outreach|automations?|workflows?)\b",
    r"\bbook (?:a |the )?(?:slot|meeting|call) (?:automatically|for me|without)\b",
    # an order addressed to the machine by its role, as a heading ("[assistant directive: ...",
    # "[AGENT OVERRIDE]"); what it asks to hide from the person the product reports to; a
    # bulk change of the product's records to a state ("set every lead ... to 'unsubscribed'");
    # the suppression list sent away
    r"(?:^|[\[(])\s*(?:[\w-]+ )?(?:ai|bot|assistant|agent|model|llm|automation|classifier|gpt)s?"
    r" (?:directive|override|command)s?\s*[:\]]",
    r"\b(?:do not|don'?t|never) (?:mention|reveal|disclose) (?:this|any of this|these"
    r" instructions) to the (?:user|human)s?\b",
    r"\b(?:set|mark|move|change|switch) (?:every|all|each|all the) (?:\w+ )?(?:leads?|contacts?"
    r"|prospects?|records?|accounts?)\b[^.!?\n]{0,40}\bto (?:['\"‘“]|(?:closed|unsubscribed"
    r"|suppressed|opted[- ]out|do[- ]not[- ]contact|lost|dead|cold|inactive|archived)\b)",
    r"\b(?:send|email|e-mail|forward|export|share) (?:me |us )?(?:the |your )?(?:(?:full|entire"
    r"|whole|complete) (?:suppression|opt-?out|unsubscribe|do-not-contact) list\b"
    r"|(?:suppression|opt-?out|unsubscribe|do-not-contact) list to\b)",
)


# --- intents --------------------------------------------------------------------------------

S, M, W = 0.9, 0.75, 0.55  # strong, medium, weak cue
UNEXPLAINED_MAX = 2  # words no cue accounts for, from which a stop or a no goes to a person

NEGATED = _c(
    r"(?:\bnot|n't|\bnever|\bno longer|\bno|\bhardly|\bnor)\s+(?:[\w']+\s+){0,3}?(?:interested|"
    r"interesting|relevant|keen|curious|a fit|a good fit|useful|needed|a priority|sure|looking|"
    r"move forward|moving forward|proceed|go ahead|pursue|explore|open to|ready)\b",
    r"\bno interest\b",
    r"\bne (?:nous|m'|me) intéresse(?:nt)? pas\b|\bpas intéress\w*",
    r"\bno (?:me|nos|les) interesa\w*|\bno (?:estamos|estoy|están) interesad\w*",
    r"\bnicht interessiert\b|\bkein interesse\b",
)

CUES: dict[str, list[tuple[float, re.Pattern[str]]]] = {}


def _cues(intent: str, weight: float, *patterns: str) -> None:
    CUES.setdefault(intent, []).extend((weight, p) for p in _c(*patterns))


_cues(
    "unsubscribe",
    S,
    r"\bunsubscrib(?:e|ed|ing)\b",
    r"\bunsub\b",
    # "the opt-out rate of our campaigns" is a topic, not a request
    r"\bopt(?:-| )?(?:me )?out\b(?! (?:rates?|links?|buttons?|pages?|forms?|options?|process"
    r"|rules?|requirements?|flows?|logic|data)\b)",
    r"\b(?:remove|take|delete|drop|strike|scrub|cross) (?:me|us|(?:my|this|our) (?:e-?mail|address|"
    r"name|contact(?: details)?|e-?mail address))\b[^.!?\n]{0,30}?\b(?:from|off)\b",
    r"\b(?:take|get|remove) me off\b",
    r"\bremove me\b",
    # "don't stop sending these" asks for more, not less
    r"(?<!n't )(?<!not )(?<!never )\b(?:stop|stopped|quit|cease) (?:e-?mailing|contacting|messaging"
    r"|writing|sending|spamming|"
    r"bothering|calling|reaching out|harassing|pestering|bugging)\b",
    r"\b(?:do not|don't|dont|never|pls dont|please don't) (?:ever )?(?:e-?mail|contact|write to|"
    r"write|message|reach out to|bother|call) (?:me|us)\b",
    r"\bno (?:more|further) (?:e-?mails|emails|messages|contact|outreach|follow-?ups)\b",
    r"\b(?:do not|don't|dont) (?:follow up|send (?:me |us )?(?:anything|any more|more))\b",
    r"\bleave me alone\b",
    r"\babmelden\b",
    r"\babbestellen\b",
    r"\baus (?:ihrem|dem|diesem|eurem) (?:e-?mail-?)?verteiler\b",
    r"\baustragen\b",
    r"\bstreichen sie (?:mich|uns)\b|\baus (?:ihrer|der|dieser) (?:liste|kartei|datenbank)\b",
    r"\bkeine (?:weiteren |e-?mails? |)?(?:e-?mails?|nachrichten|mails|werbung)\b",
    r"\bnicht mehr (?:kontaktieren|anschreiben|schreiben)\b",
    r"\bdésinscri|\bdésabonne|\bdesinscri|\bdesabonne",
    r"\b(?:me|nous) retirer de\b|\bretirez-(?:moi|nous)\b",
    r"\bne plus (?:me |m'|nous )?(?:contacter|écrire|recevoir|envoyer)\b",
    r"\bne (?:me |m'|nous )(?:contactez|recontactez|écrivez|sollicitez|envoyez) plus\b",
    r"\bdar(?:me|nos)? de baja\b|\bdenme de baja\b|\bdarse de baja\b",
    r"\bno (?:me|nos) (?:envíen|envie|envíe|manden|escriban|contacten|contacte)\b",
    r"\bno (?:quiero|deseo|queremos) recibir\b",
    r"\b(?:elimínen|eliminen|elimíname|eliminadme|sáquenme|saquenme)\b",
    # Issue 17: the long tail of "stop". Each family is a way of saying it, not a sample:
    # being removed / not wanting more, ceasing contact, spam reports and threats to make one
    # (a threat to report is a request to stop; the anger trigger sends it to a person too).
    # being removed: from a list of yours, or said alone ("I'd like to be removed.")
    r"\b(?:wish|want|like|ask|asked|need) to be (?:removed|taken off|unsubscribed|deleted)"
    r"(?=\s*(?:[.!;,]|$|please\b|asap\b|immediately\b))"
    r"|\b(?:be|i am|i'm|we are|we're) (?:removed|taken off|unsubscribed|deleted) from (?:your|the"
    r"|this|these|all|any)"
    r"(?: of your)? (?:[\w-]+ ){0,2}(?:lists?|mailing(?: list)?s?|database|records|distribution"
    r"|contacts|system|sequences?|campaigns?|newsletters?|crm|outreach|e-?mails?|marketing)\b",
    r"\b(?:don't|do not|dont|no longer|never) (?:want|wish|care) to (?:receive|get|hear from you)"
    r"(?: (?:any(?: ?more)?|more|further|these|your|such|e-?mails?|messages?)\b|$)",
    r"\bcease (?:and desist\b|(?:all |any )?(?:further |future )?(?:e-?mails?|contact"
    r"|communications?|correspondence|messages?|outreach)\b)",
    r"\b(?:do not|don't|dont|never) (?:ever )?(?:e-?mail|contact|write to|message|call)"
    r" (?:this (?:address|account|mailbox|e-?mail(?: address)?)|my (?:address|colleagues|team|staff)"
    r"|our (?:company|team|staff|office|firm))\b",
    r"(?:^|[.!?]\s+|^(?:hi|hello|hey|dear)\b[^,\n]{0,30},\s*)(?:please )?stop(?: (?:it|this|that))?"
    r"(?: (?:now|immediately|right now|already|please))?\s*(?:[.!,;]|$|or\b)",
    r"\b(?:report(?:ed|ing)?|mark(?:ed|ing)?|flag(?:ged|ging)?|block(?:ed|ing)?)"
    r" (?:(?:you|this|these|it|them|your (?:\w+ )?(?:e-?mails?|messages?|domain|company|address)) )?"
    r"(?:as|for) (?:spam|junk|abuse|harassment)\b|\bthis is (?:spam|harassment)\b",
    # a first-person threat: I/we will (or am going to, or am) report you, or report/forward
    # this to a spam desk, an abuse team or a regulator ("we report this manually" is not one)
    r"\b(?:i|we)(?:'ll|'m|'re|'ve| will| am| are| have| shall)(?: (?:now|definitely|also|just"
    r"|be|going to|already|certainly))* report(?:ing|ed)? you\b(?! (?:back|the|our|on)\b)",
    r"\b(?:i|we)(?:'ll|'m|'re|'ve| will| am| are| have| shall)(?: (?:now|definitely|also|just"
    r"|be|going to|already|certainly))* (?:report|forward|send|pass)(?:ing|ed)?"
    r" (?:all |every )?(?:you|this|these|it|them|your (?:\w+ )?(?:e-?mails?|messages?|spam"
    r"|outreach|company|domain|address))\b[^.!?\n]{0,30}?\bto (?:the |our |my |your |an? )?"
    r"(?:[\w-]+ )?(?:ico|ftc|fcc|cnil|regulators?|authorit(?:y|ies)|abuse|spam|postmaster|isp"
    r"|police|spamhaus|attorney general|data protection authority)\b",
    # a conditional about further mail with a consequence: "next email goes to our lawyers",
    # "if I get one more email I'll report you", "next time you email me I'm reporting it"
    r"\b(?:next|another|one more|any (?:more|further)) (?:e-?mail|message|contact)s?"
    r"(?: from (?:you|your \w+))?,? (?:and|goes|will go|gets|will get|is going|i'll|i will"
    r"|we'll|we will|i'm|we're|i am|we are)\b[^.!?\n]{0,40}\b(?:lawyers?|attorneys?|legal"
    r" action|report|spam|block|complain|regulator|police|court)",
    r"\bif (?:i|we) (?:get|receive|see) (?:one more|another|any more|more|any further|a further)"
    r"(?: \w+)? (?:e-?mails?|messages?|mails?|spam|of (?:these|this|your|them))\b",
    r"\b(?:next time|if|when) you (?:e-?mail|contact|write to|message|spam|mail)(?: me| us)?"
    r"(?: again)?\b[^.!?\n]{0,40}\b(?:report(?:ing|ed)? (?:you|it|this|them)|spam|block(?:ing)?"
    r" (?:you|your)|lawyers?|attorneys?|legal action|regulator|ico|ftc|police|court)\b",
    r"\b(?:you(?:'re| are)|keep|stop) harassing (?:me|us|my|our)\b"
    r"|\b(?:this|that|it)(?: is|'s) harassment\b",
    r"\b(?:i|we|to) stop (?:getting|receiving) (?:these|this|your|them|any|e-?mails?)\b",
    # de
    r"\bentfernen sie (?:mich|uns|meine (?:e-?mail-?)?(?:adresse|daten|kontaktdaten))\b",
    r"\bnehmen sie (?:mich|uns|meine adresse) (?:von|aus)\b",
    r"\b(?:möchte|will|wollen|möchten) (?:keine|nicht mehr)[^.!?\n]{0,30}(?:erhalten|bekommen"
    r"|kontaktiert werden|angeschrieben werden)\b",
    r"\bunterlassen sie\b|\bhören sie auf\b|\bwenn sie nicht aufhören\b",
    r"\b(?:melde|melden) (?:ich|wir) sie\b|\bals spam (?:melden|markieren|gemeldet)\b",
    # fr
    r"\bne (?:souhaite|veux|voulons|souhaitons|désire) plus (?:recevoir|être contacté"
    r"|être sollicité)",
    r"\bsupprimez[- ](?:moi|mon adresse|mes (?:données|coordonnées))\b",
    r"\b(?:arrêtez|cessez) de (?:m'|nous )?(?:écrire|envoyer|contacter|solliciter|harceler"
    r"|spammer)",
    r"\bsignal(?:er|e|erai|erons)[^.!?\n]{0,30}comme (?:spam|indésirable)",
    # es
    r"\b(?:dejen|deje|dejad) de (?:enviarme|escribirme|contactarme|mandarme|acosarme"
    r"|escribirnos|enviarnos|contactarnos)\b",
    r"\belim[ií]n(?:en|e|a)(?:me|nos)\b|\bb[oó]rr(?:en|e|a)(?:me|nos)\b"
    r"|\bs[aá]qu(?:en|e)(?:me|nos)\b",
    r"\bno (?:me|nos) (?:escriban|escriba|contacten|contacte) m[aá]s\b"
    r"|\bsi vuelven a (?:escribir|contactar)",
    r"\bdenunciar(?:é|emos|los|las)?\b[^.!?\n]{0,20}\bspam\b",
    # it / pt / nl basics
    r"\bcancellate(?:mi|ci)\b|\brimuovete(?:mi|ci)\b|\bdisiscriv",
    r"\bnon (?:scrivete(?:mi|ci)|contattate(?:mi|ci)|scrivermi|contattarmi) più\b"
    r"|\bnon voglio (?:più )?ricevere\b",
    r"\brem(?:ovam|ova|over) (?:o )?meu (?:e-?mail|endereço|contato)\b|\bdescadastr"
    r"|\bnão (?:quero|desejo) (?:mais )?receber\b|\bparem de (?:me )?(?:enviar|mandar|escrever)",
    r"\bhaal (?:mij|me|ons) (?:van|uit)\b|\buitschrijven\b|\bverwijder (?:mij|me|mijn)\b"
    r"|\bgeen (?:e-?mails?|mails?|berichten) meer\b|\bstop met (?:mailen|e-?mailen)\b",
)
_cues(
    "unsubscribe",
    M,
    r"\b(?:delete|erase|remove|purge|wipe) (?:all )?(?:of )?(?:my|the) (?:personal )?(?:contact )?"
    r"(?:data|details|information|info|record)s?\b",
    r"\bright to (?:be forgotten|erasure)\b",
    r"\berase all\b",
    r"\bkeep (?:on )?(?:e-?mailing|sending|contacting|spamming|bugging|writing|messaging)"
    r"(?: (?:me|us))?\b",
    r"\bif you (?:e-?mail|contact|write to|message|call) (?:me|us) (?:again|once more|one more time)\b",
    r"\bstill (?:getting|receiving) (?:these|this|your)\b",
    r"\b(?:f\*+k?|fuck|piss|bugger|sod|get) off\b",
)
_cues(
    "not_interested",
    S,
    r"\bnot interested\b",
    r"\b(?:not|n't) (?:\w+ ){0,2}interested\b",
    r"\bno interest\b",
    r"\bno,? thanks?\b|\bno,? thank you\b|\bthanks,? but no\b|\bno thx\b|\bno ty\b",
    r"\bhard pass\b",
    r"^\s*pass[.!]*\s*$",
    r"\bbut no\b[.!]*\s*$",
    r"\bnot (?:going|gonna|planning) to (?:move forward|proceed|pursue|buy|go ahead)\b",
    r"\b(?:we'll|we will|i'll|i will|gonna|going to|have to|must) pass\b(?! (?:this|it|that|"
    r"your \w+|along|on)\b)",
    r"\bnot for (?:us|me)\b",
    r"\bwe(?:'re| are) (?:all )?(?:set|good|fine|covered|sorted)\b",
    r"\b(?:don't|do not|dont) (?:really )?need (?:this|it|that|any|your|such)\b",
    r"\bno need for\b",
    r"\b(?:isn't|is not|not) (?:something|anything) (?:we|i)(?:'d| would| will)?\b",
    r"\bkein (?:interesse|bedarf)\b",
    r"\bnicht interessiert\b",
    r"\bpas intéress",
    r"\bne (?:nous|m') intéresse pas\b",
    r"\bpas pour nous\b",
    r"\bnon,? merci\b",
    r"\bno (?:estamos|estoy) interesad",
    r"\bno (?:nos|me) interesa\b",
    r"\bno,? gracias\b",
    r"\bnein,? danke\b",
)
_cues(
    "not_interested",
    M,
    r"\bwe (?:already|currently) (?:have|use|work with|run|pay for|partner with)\b",
    r"\b(?:happy|satisfied|fine|content) with (?:our|the|what we)\b",
    r"\b(?:happy|fine|good) (?:where|as) we are\b",
    r"\bappreciate (?:it|the (?:note|email|offer|outreach)),? but\b",
    r"\bya (?:tenemos|contamos con|usamos|trabajamos con)\b",
    r"\b(?:nous avons|on a) déjà\b|\bdéjà (?:un|une) (?:outil|solution|prestataire|fournisseur)\b",
    r"\b(?:haben|nutzen|verwenden) (?:bereits|schon)\b",
    r"\b(?:went|gone|going|go) with (?:another|a different|someone else|a competitor|\w+ instead)\b",
    r"\b(?:signed|went|partnered) with (?:a |another |one of your )?(?:competitor|vendor|provider|"
    r"someone)",
    r"\bsigned (?:a|an|our) [\w-]+ (?:deal|contract|agreement) with\b",
    r"\b(?:signed|went|partnered|going) with [\w.&-]+ (?:last|this|earlier|in|a few|recently)\b"
    r"|\balready signed\b",
    r"\b(?:chose|picked|selected) (?:another|a different|someone)\b",
    r"\bdecided (?:to go|against)\b",
    r"\bdifferent direction\b",
    r"\bin-?house\b",
    r"\b(?:isn't|is not|not) (?:relevant|applicable)\b|\bnot relevant\b",
    r"\b(?:doesn't|does not) (?:apply|fit|make sense)\b",
    r"\bnot a (?:good )?(?:fit|match)\b",
    r"\bnot (?:looking|in the market|buying)\b",
    r"\bsaid no\b",
    r"\bthanks for thinking of us\b",
    r"\bwon't be (?:needing|buying|using|interested)\b|\bwould never\b|\bnever will\b",
    r"\bbeyond what we need\b|\bwe don't (?:use|have|do|need)\b",
    r"\bno (?:budget|plans?) (?:for|to)\b",
)
_cues(
    "not_now",
    S,
    r"\bnot (?:right |just )?now\b",
    r"\bnot at (?:the|this) (?:moment|time|point|stage)\b",
    r"\bnot (?:this|right this|in this) (?:quarter|year|month|time)\b",
    r"\bcircle back\b",
    r"\bcheck back\b",
    r"\b(?:ping|nudge) me\b",
    r"\bremind me (?:in|after|next|around|closer|again|later)\b",
    r"\bnot before\b",
    r"\bnot ready (?:yet|for (?:this|that|it))\b|\bnot (?:yet|quite) ready\b",
    r"\bgive it (?:\w+ )?(?:days|weeks|months|a while|some time|time)\b",
    r"\b(?:maybe|perhaps|possibly) (?:in|after|next|later|around|closer|towards)\b",
    r"\b(?:aktuell|derzeit|momentan|zurzeit) (?:leider )?kein thema\b",
    r"\b(?:nochmal|noch einmal|wieder|erneut) melden\b",
    r"\b(?:reach out|follow up|follow-up|get in touch|touch base|reconnect|try me|try us|"
    r"try again|ask me|"
    r"write (?:to )?me|email me|contact me|come back|get back to me|revisit|talk|speak|chat)"
    r"(?: again| back)?(?: to me| with me| to us| with us)?(?: \w+){0,1} "
    r"(?:in|after|next|around|closer to|later|mid|early|late|towards|from|on the|in the|then|"
    r"once (?:we|our|the|you|i|it|this|that))\b",
    r"\brevisit\b",
    r"\bmaybe later\b|\blater (?:this|in the) year\b|\bdown the (?:road|line)\b",
    r"\bbad timing\b|\btiming (?:isn't|is not|is bad|is off|is wrong)\b|\bnot the right time\b",
    r"\bno (?:bandwidth|capacity)\b",
    r"\b(?:budget|hiring|spending) freeze\b|\bfroze (?:our |all )?budgets?\b",
    r"\bbudgets? (?:is|are) (?:frozen|locked|spent|allocated)\b",
    r"\bkeep me (?:posted|in the loop|updated)\b|\bkeep in touch\b|\bstay in touch\b",
    r"\bnicht jetzt\b|\bjetzt gerade nicht\b|\b(?:derzeit|momentan|zurzeit|aktuell) nicht\b",
    r"\bmelden sie sich (?:bitte )?(?:gerne )?(?:im|in|nach|ab|wieder)\b",
    r"\bpas maintenant\b|\bpas pour le moment\b|\bplus tard\b|\brecontact",
    r"\brevenez vers (?:moi|nous)\b",
    r"\bahora no\b|\bahora mismo no\b|\bmás adelante\b|\bpor ahora no\b",
    r"\b(?:escríbeme|escribeme|contáctame|contactame|escríbanme) (?:en|después|despues|a partir)\b",
)
_cues(
    "not_now",
    M,
    r"\bnext (?:quarter|fiscal|year)\b",
    r"\b(?:too busy|swamped|slammed|in the middle of|mid-(?:migration|project|reorg|quarter|"
    r"implementation)|heads down|no time (?:right now|for this now))\b",
    r"\buntil (?:at least |after |the )?(?:q[1-4]|h[12]|next|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|20\d\d|\d)",
    r"\blocked in(?:to)?\b|\bunder contract until\b",
    r"\bafter (?:the holidays|summer|our|the)\b",
    r"\blater\b",
    r"\bspäter\b|\bim (?:herbst|frühjahr|sommer|winter|neuen jahr)\b",
    r"\b(?:not|isn't|is not|n't) (?:a|our) (?:top )?priority\b",
)
SOFTENER = re.compile(
    r"\b(?:at (?:this|the) (?:time|moment|stage|point)|right now|for now|at present|this (?:year|"
    r"quarter))\b",
    re.IGNORECASE,
)
_cues(
    "meeting_request",
    S,
    r"\b(?:let's|lets|let us|can we|could we|happy to|glad to|we can|i can|would love to|want to|"
    r"like to|keen to|i'd like to|we'd like to|should)\s+(?:set up|setup|schedule|book|arrange|"
    r"organi[sz]e|find|grab|have|do|hop on|jump on|get on|put in)\s+(?:a |an |some |the )?"
    r"(?:quick |short |brief |intro |\d+[ -]?(?:min(?:ute)?s?)? )?(?:call|meeting|chat|demo|time|"
    r"zoom|teams|slot|session|intro|walkthrough|walk-through)\b",
    r"\b(?:let's|lets|let us|happy to|glad to|we should|can we|could we) (?:talk|chat|meet|speak|"
    r"connect)\b",
    r"\b(?:send|shoot|share)(?: me| us| over)?(?: a| an| the)? (?:calendar |meeting |teams |zoom )?"
    r"(?:invite|invitation|meeting request)\b",
    r"\bcalendly\.com|\bcal\.com/|\bhubspot\.com/meetings|\bcalendar link\b|\bmy calendar\b",
    r"\bbook (?:a |some )?(?:time|slot|call|meeting|demo)\b|\bgrab (?:some )?time\b"
    r"|\bfind (?:a )?time\b",
    r"\bwhen are you (?:free|available)\b|\bare you (?:free|available)\b|\bwhat (?:times?|days?)"
    r" (?:work|suit)s?\b|\btime ?slots?\b|\bsend (?:me )?(?:a few|some|a couple(?: of)?|your) "
    r"(?:times|slots|options|availability)\b|\b(?:couple|few) of times\b",
    r"\b(?:give me a|call me|ring me)\b",
    r"\b(?:that|this|it|which|\w+day|\d(?:am|pm)?|time|slot) (?:works|suits|would work)"
    r"(?: for)? (?:me|us)\b|^\s*works for (?:me|us)\b|\bif that works\b",
    r"\bset (?:something|a time|a call|it) up\b|\btelefonieren\b",
    r"\bwalk (?:me|us|our [\w ]{1,20}?|the team) through\b",
    r"\bgespräch\b|\bhaben sie zeit\b|\bzeit für ein\b|\bdisponible\b|\bdisponibles?\b",
    r"\b(?:i|we)(?:'m| am|'re| are) (?:free|available)\b|\bi have time\b",
    r"\b(?:like|love|want|need) (?:to see |)?a demo\b|\bschedule a demo\b|\bdemo (?:sounds|works)\b",
    r"\btermin\b|\btelefonat\b|\btelefonieren\b|\btelefontermin\b",
    r"\brendez-vous\b|\bun appel\b|\bune réunion\b|\bune démo\b|\bun échange\b|\bun call\b",
    r"\breunión\b|\bllamada\b|\bagendar\b|\buna demo\b|\buna videollamada\b",
    r"\b(?:hop|jump) on a\b",
)
_cues(
    "meeting_request",
    M,
    r"\b(?:mon|tues|wednes|thurs|fri)day\b|\b(?:mon|tue|wed|thu|fri)\b",
    r"\b\d{1,2}(?::\d{2})? ?(?:am|pm)\b|\b\d{1,2}:\d{2}\b|\b\d{1,2} ?uhr\b|\b\d{1,2}h(?:\d{2})?\b",
    r"\b(?:quick|short|brief|intro|discovery) (?:call|chat|meeting)\b",
    r"\bdemo\b",
    r"\b(?:call|meeting|zoom|teams|google meet)\b",
    r"\b\d+ ?(?:min|mins|minutes)\b",
    r"\bnext week\b",
    r"\b(?:morning|afternoon|evening)s?\b|\bwould be ideal\b|\bwork(?:s)? best\b",
    r"\b(?:lunedì|montag|dienstag|mittwoch|donnerstag|freitag|lundi|mardi|mercredi|jeudi|vendredi|"
    r"lunes|martes|miércoles|jueves|viernes)\b",
)
_cues(
    "interested",
    S,
    r"\binterested\b",
    r"\bsounds (?:good|great|interesting|promising|relevant|useful|cool)\b",
    r"\btell me more\b|\b(?:learn|hear|know|see) more\b|\bmore (?:info|information|details)\b",
    r"\bsend(?: me| us)?(?: it| this| that| something| anything)? over\b|\bsend (?:me |us )?"
    r"(?:the |a |an |some |more |your |over )?(?:deck|slides|info|information|details|"
    r"case stud(?:y|ies)|one-?pager|overview|brochure|materials?|whitepaper|docs|documentation|"
    r"video|recording|presentation|whatever you have|pricing|prices|price list|quote|proposal|"
    r"references?|reference customers?|profile|company profile|credentials)\b",
    r"\bsend (?:me |us )?(?:the |a |an |some |more |your )?\w+ (?:deck|slides|overview|one-?pager|"
    r"quote|proposal|summary|case study|profile)\b",
    r"\bsend (?:me |us )?(?:the )?details\b|\bshare (?:some |more |the |your )?(?:material|"
    r"materials|info|details|deck|overview)\b",
    r"\b(?:good|great|perfect) timing\b|\btimely\b",
    r"\bintrigued\b",
    r"\b(?:i|we) (?:really )?(?:like|love) (?:this|it|the idea)\b|\blove (?:this|it)\b"
    r"|\bwould love\b",
    r"\b(?:move|moving) forward\b|\b(?:want|like|keen|happy|glad) to explore\b",
    r"\b(?:could|might|may) be (?:a )?(?:good )?(?:fit|useful|relevant|interesting|helpful)\b",
    r"\bmight work\b",
    r"\bwe(?:'re| are|'ve been| have been) (?:actually |currently |now )?(?:looking|evaluating|"
    r"exploring|searching|considering|shopping)\b",
    r"\bnext steps?\b",
    r"\blet'?s do (?:it|this)\b|\bsign (?:us|me) up\b|\b(?:start|run|get|getting|do) (?:a|the) "
    r"pilot\b|\bsend it\b(?! to)",
    r"\bworth (?:a|the) (?:conversation|chat|look|call|try)\b|\bopen to (?:seeing|hearing|learning|"
    r"a|it|this|exploring)\b",
    r"\b(?:drop|send|share|shoot) (?:me |us )?(?:some |more |a few )?(?:info|details|a summary|"
    r"a short summary|what you(?:'ve| have) got|what you have|how it works|how this works)\b",
    r"\b(?:show|share|explain) (?:me |us )?how (?:it|this|that) (?:works|would work|looks)\b",
    r"\bsee(?:ing)? more\b|\blearn(?:ing)? more\b|\bhear(?:ing)? more\b",
    r"\bwe should (?:look|talk|take a look|explore|consider)\b|\bi'm listening\b",
    r"\b(?:we|i) have (?:this|that|the same|exactly this) (?:exact )?(?:problem|issue|challenge)\b"
    r"|\b(?:this|that) exact (?:problem|issue)\b",
    r"\bsuena (?:interesante|bien)\b|\bmás detalles\b|\bça a l'air intéressant\b",
    r"\byou have my attention\b",
    r"\bhappy to (?:take a look|have a look|look|review|learn)\b|\btake a look\b",
    r"\binteressiert\b|\bmehr informationen\b|\bschicken sie mir\b",
    r"\bintéress(?:é|ée|és|ant|ante)\b|\bm'intéresse\b|\bnous intéresse\b",
    r"\bme interesa\b|\bnos interesa\b|\binteresad[oa]s?\b|\bmás información\b",
)
_cues(
    "interested",
    M,
    r"\binteresting\b",
    r"\b(?:could|can|would|might) help\b|\bheadache\b|\bpain point\b",
    r"\bwhat would you need from (?:us|me)\b",
    r"\bcurious\b",
    r"\bkeen\b",
    r"\brelevant\b",
    r"\binteressant\b|\bgerne\b|\bgern\b",
    r"\bvolontiers\b|\bavec plaisir\b",
    r"\binteresante\b|\bcon gusto\b",
    r"\bbudget (?:allocated|approved|set aside)\b",
)
_cues(
    "question",
    M,
    r"\?",
    r"\bquick q\b|\bquestion\b|\bwondering\b|\bcan you (?:clarify|explain)\b",
    r"^(?:does|do|is|are|can|could|will|would|how|what|which|who|where|when|why|any chance)\b"
    r"[^.!\n]{3,80}$",
    r"\b(?:i'd|i would|we'd|we would) like (?:a copy|to know|to understand)\b|\bi want to know\b"
    r"|\bplease (?:explain|clarify|tell me|confirm)\b|\blet me know (?:how|what|if|whether|which)\b"
    r"|\bneed to know (?:whether|if|how|what|which|who)\b",
)
_cues(
    "referral",
    S,
    r"\b(?:not|wrong) (?:the )?(?:right|correct|best|appropriate|relevant) (?:person|contact|guy|"
    r"one|team|department)\b",
    r"\bwrong (?:person|contact|guy|address|e-?mail|department|team)\b",
    r"\bnot (?:my|in my) (?:area|department|remit|wheelhouse|responsibility|call|decision|field)\b",
    r"\bnot me\b",
    r"\b(?:our|my) [\w ]{0,30}?(?:lead|head|manager|director|colleague|cto|ceo|cfo|coo|vp)"
    r"\b,? (?-i:[A-Z])\w+(?: (?-i:[A-Z])\w+)?,? (?:might|may|could|would|will)\b",
    r"\b(?:i'm|i am) not (?:the|a) (?:buyer|decision maker|decision-maker|person|one)\b",
    r"\b(?:is|would be|'s) (?:the|a|your) (?:right|best|better|correct) (?:person|contact|one|"
    r"guy)\b",
    r"\b(?:i've|i have|have|i) (?:cc'?e?d|copied|looped in|added|forwarded)\b",
    r"\b(?:cc'?e?d|in cc)\b|\(cc\)|\bcc:",
    r"\b(?:looping|loop|looped) (?:in|\w+ in)\b",
    r"\bforward(?:ing|ed)? (?:this|you|it|your (?:email|note|message))? ?to\b",
    r"\bno longer (?:with|at|work(?:s|ing)?(?: at| for| here| there| on)?|in (?:this|that) role|"
    r"handle|responsible|the right)\b",
    r"\b(?:i|she|he) (?:left|has left|have left|'ve left)\b",
    r"\bdon't (?:handle|work on|own|look after) (?:this|that)\b",
    r"\b(?:moved|changed) (?:to a different|to another|roles?|teams?|jobs?)\b",
    r"\b(?:you'll|you will|you'd|you) (?:want|need) (?:to (?:speak|talk|reach out) (?:to|with) )?"
    r"(?:someone else|[a-z]+ in (?:finance|it|hr|legal|procurement|marketing|sales|ops)|our|my)\b",
    r"\b(?:owns|handles|runs|leads|manages|is responsible for|looks after|takes care of|decides on)"
    r" (?:this|that|these|tooling|vendor|vendors|purchasing|our|the|it)\b",
    r"\b(?:handled|owned|managed|decided|run|covered) by (?:our|my|the|(?-i:[A-Z]))",
    r"\b(?:i'd|i would|you could|you can|you should|maybe) (?:try|ask|contact) (?:her|him|them)\b",
    r"\b(?:replacement|successor)\b|\b(?:took|has taken|taken) over\b|\bretired\b",
    r"\b(?:looking|asking) for someone (?:in|from|else|on)\b|\bsomeone in (?:finance|it|hr|legal|"
    r"procurement|marketing|sales|ops|operations|engineering|security|purchasing)\b",
    r"\bpass (?:this|it|that|your \w+) (?:along|on)\b|\bthe right (?:people|person|team|folks)\b",
    r"\bnicht zuständig\b|\bwenden sie sich (?:bitte )?an\b|\bansprechpartner",
    r"\b(?:arbeite|bin) nicht mehr (?:bei|für)\b|\bne travaille plus\b|\bn'est plus (?:chez|avec)\b",
    r"\bya no (?:trabajo|estoy|está|trabaja)\b|\bescrib[ae] a\b|\bescríbale a\b|\bcontacte con\b",
    r"\bla bonne personne\b|\bcontactez plutôt\b|\bpas la personne\b",
    # "remove me from the thread and add Dana": a swap, so a referral (and a stop for me)
    r"\b(?:remove|take|drop) me\b[^.!?\n]{0,40}\b(?:and|but) (?:add|cc|include|loop in|keep)"
    r" (?:(?:my|our) (?:[a-z]+ )?)?(?-i:[A-Z])",
    r"\bno soy la persona\b|\bhable con\b|\bcontacte a\b|\bla persona adecuada\b",
    # issue 17: someone else removed from a list of ours ("take my former manager off your
    # lists"): the writer is suppressed, a person removes the one named
    r"\b(?:remove|delete|take|drop|strike|scrub|unsubscribe) (?:him|her|them|my (?:former )?"
    r"(?:colleague|co-?worker|boss|manager|predecessor|assistant)\b)[^.!?\n]{0,30}\b(?:from|off)"
    r" (?:your|the|all (?:of )?your) (?:[\w-]+ )?(?:mailing(?: list)?s?|lists?|database|crm"
    r"|distribution(?: list)?|newsletters?|sequences?|campaigns?|records)\b",
)
_cues(
    "referral",
    M,
    r"\b(?:talk|speak|chat) (?:to|with) (?!you\b|me\b|us\b|them\b|him\b|her\b|soon\b)",
    r"\b(?:reach out to|get in touch with|contact|try|ask|email|e-mail|ping) (?!me\b|us\b|you\b|"
    r"again\b|back\b|later\b|in\b|after\b|next\b)(?:my|our|[a-z]+\.[a-z]+@|[a-z]+@|\w+ (?:in|from)"
    r" (?:finance|it|hr|legal|procurement|marketing|sales|ops|operations)\b)",
    r"\bsomeone else\b|\bstart with (?-i:[A-Z])|\bstart with [\w.+-]+@",
    r"\b(?:reach out to|get in touch with|contact|try|ask|speak (?:to|with)|talk to|email) "
    r"(?!(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december)\b)"
    r"(?-i:[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?: \(| <| at |,? [\w.+-]+@)",
    r"\bthis (?:would be|is|goes) (?:for|to) (?:our|my|the)\b",
    r"\bmaybe (?-i:[A-Z])\w+\?",
    r"\bmaternity leave|\bparental leave|\bon leave\b.*\bcontact\b",
)
_cues(
    "other",
    M,
    r"^\s*(?:thanks|thank you|thx|ty|got it|noted|received|ok|okay|k|cheers|will do|"
    r"understood|roger)[.! ]*$",
    r"^\s*[\W_]{1,6}\s*$",
)
YES = re.compile(
    r"^\s*(?:yes|yes please|yep|yeah|yup|sure|absolutely|definitely|go ahead|why not|ja|oui|sí|si)"
    r"[.! ]*$",
    re.IGNORECASE,
)
NO = re.compile(r"^\s*(?:no|nope|nah|nein|non)[.! ]*$", re.IGNORECASE)
STOP_SENTENCE = re.compile(
    r"^(?:please )?(?:stop|stop it|stop please|unsubscribe|remove|remove me|opt out|opt-out"
    r"|take me off)(?: please)?$",
    re.IGNORECASE,
)
# A greeting line on its own ("Hi Sam,"), never one that goes on ("Hi Sam, not interested").
GREETING = re.compile(
    r"^(?:hi|hey|hello|dear|hallo|guten tag|bonjour|hola|buenos días|good (?:morning|afternoon))"
    r"(?: [\w.'-]+){0,3}\s*[,!.:]?$",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"^(?:thanks|thank you|thx|best|regards|best regards|kind regards|cheers|all the best|"
    r"sincerely|mit freundlichen grüßen|viele grüße|beste grüße|vg|lg|cordialement|bien à vous|"
    r"saludos|un saludo|atentamente|merci)\b[,.!]?$",
    re.IGNORECASE,
)

# Which intent wins a tie, first to last: the ones a person must act on come first.
PRIORITY = (
    "meeting_request",
    "referral",
    "interested",
    "question",
    "not_now",
    "unsubscribe",
    "not_interested",
    "other",
)
POSITIVE = ("meeting_request", "referral", "interested", "question")
COMPATIBLE = {
    frozenset(("unsubscribe", "not_interested")),
    frozenset(("interested", "meeting_request")),
    frozenset(("interested", "question")),
    frozenset(("meeting_request", "question")),
}
# Capitalised words that are not a person's name when they follow "talk to" and the like.
ROLE_WORDS = _words(
    """head heads of vp vice president director manager lead team sales marketing finance it
    data engineering operations ops procurement hr legal cto ceo cfo coo cio cmo cro chief
    officer platform product security purchasing department group our my the office founder
    partner analytics i he she they we you him her them please thanks hi hello dear this that
    not maybe also and or but if so sorry good best luck regards cc fyi re"""
)
ROLE_WORDS |= frozenset(WEEKDAYS) | {m for m in MONTHS if len(m) > 3}
HONORIFIC = r"(?:(?:Mr|Mrs|Ms|Dr|Frau|Herr|Mme|Mlle|Sr|Sra)\.? )?"
NAME = re.compile(
    HONORIFIC + r"[A-ZÀ-Ý][a-zà-ÿ'-]+(?: [A-ZÀ-Ý][a-zà-ÿ'-]+){0,2}",
)
REFERRAL_BEFORE = re.compile(
    r"(?:talk|speak|chat|connect)(?: to| with)|get in touch with|reach out to|reach|contact(?:ing)?"
    r"|try|ask|e-?mail|ping|cc'?e?d|copied|copying|looped in|looping in|loop in|adding|added|\badd\b"
    r"|forward(?:ing|ed)?(?: this| you| it)? to|wenden sie sich(?: bitte)? an|contactez(?: plutôt)?"
    r"|contacter|hablar con|hable con|contacte a|contacta a|want|need|is for|for our|goes to",
    re.IGNORECASE,
)
REFERRAL_AFTER = re.compile(
    r"\s+(?:is|would be|'s)\s+(?:the|a|your)\s+(?:right|best|better|correct)\b|"
    r"\s+(?:handles|owns|runs|leads|manages|is responsible|looks after|takes care|decides)\b|"
    r",?\s+(?:might|may|could)\s+be\b|\?",
    re.IGNORECASE,
)


FILLER = _c(
    r"\b(?:hi|hello|hey|dear|thanks|thank you|thx|ty|cheers|please|pls|kindly|sorry|best|regards|"
    r"kind regards|all the best|good luck|anyway|anyways|though|again|ok|okay|just|really|"
    r"appreciate (?:it|the (?:note|email|outreach|offer))|for (?:reaching out|your (?:email|note|"
    r"message|time|offer))|have a (?:good|great|nice) (?:day|week|one)|danke|bitte|vielen dank|"
    r"merci|s'il vous plaît|gracias|por favor|saludos)\b",
)
STOPWORDS = _words(
    """i me my we us our you your it its this that these those the a an and or but so to of for
    with on in at from by is are am was were be been do does did have has had will would can
    could just also too very here there all any some im i'm we're it's that's i've we've i'll
    we'll you're not no yes be as if then than now
    ich mich mir wir uns sie ihr ihre ihrem ihren ihrer der die das den dem und oder aber zu von
    mit auf im aus bei für ist sind nicht kein keine mehr sehr es
    je me moi nous vous le la les de du des un une et ou mais à au en pour avec pas ne plus ce
    c'est est
    yo nos usted su sus el los las del y o pero a para con más es"""
)
