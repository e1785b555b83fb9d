"""Who wrote it: the signs that a message came from software, not a person.

Learnt from the standards (RFC 3464 delivery reports, RFC 3834 automatic responses, RFC 8098
read receipts, RFC 5321's null reverse-path) and from how bounce parsers such as sisimai tell
mail servers apart: each server has its own sender, subject and first line of notice, but they
fall into a few families that generalise to servers never seen:

- a daemon sender: mailer-daemon/postmaster-like mailboxes, or a display name such as
  "Mail Delivery System", "Mail Router", "MAILER-DAEMON <>" (DragonFly sends no address);
- a bounce subject or a bounce notice's opening, in the languages servers are set up in
  (en, de, fr, es, it, pt, nl, ja);
- a mailing-list manager writing about a post (fml, Mailman, Majordomo, LISTSERV, Sympa,
  ezmlm): the manager itself, or the list's -owner/-admin/-request address with list headers
  or a list notice to back it (office-admin@ is a person's box as often as a list's).
  A person's post that merely came through a list (List-Id, Precedence: list) is NOT this;
- a calendar answer (RFC 5546 METHOD:REPLY) with no note typed by the attendee, and the
  notices newsletter software sends (double opt-in confirmations, its campaign headers);
- a no-reply sender, a read receipt, or a notice that says of itself that it was generated
  automatically ("this is an automated message", "please do not reply to this email."), not
  one that merely talks about automation ("is this automated?").

Pure: no database, no network. `parse` decides the kind; this module only answers questions.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

# Local parts of the mailboxes servers send notices from ("+tag" removed first).
_DAEMON_LOCAL = re.compile(
    r"^(?:mailer-?daemon|mail-?daemon|postmaster|post_master|mdaemon|mail\.?delivery|bounces?"
    r"|microsoftexchange[0-9a-f]{16,}|mailer|daemon|mailrouter|mail-?router)$",
    re.I,
)
# Display names servers give themselves.
_DAEMON_NAME = re.compile(
    r"\bmail(?:er)?[- ]?daemon\b|\bmail deliver(?:y)? (?:system|subsystem|service)\b"
    r"|\bmail delivery\b|\bpostmaster\b|\bmail router\b|\binternet mail delivery\b"
    r"|\bcourier mail server\b|\bcontent-filter at\b"
    r"|\binterscan\b|\bm-filter\b|\bmail system\b|\bmailsystem\b|\bzustellsystem\b"
    r"|\bmicrosoft outlook\b|\bmessage delivery\b",
    re.I,
)
# The box may carry a service's name before it: "flow-noreply", "billing.noreply".
_NOREPLY_LOCAL = re.compile(
    r"^(?:[a-z0-9]+[-_.])*(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply"
    r"|auto[-_.]?reply|autorespond(?:er)?|auto[-_.]?responder|auto[-_.]?confirm"
    r"|notifications?|mailer[-_.]?notify)(?:[-_.+].*)?$",
    re.I,
)
# The list manager programs' own mailboxes.
_LIST_MANAGER_LOCAL = re.compile(
    r"^(?:listserv|majordomo|sympa|mailman|ezmlm|listmanager|lyris|listproc|fml)$", re.I
)
# A list's role mailboxes; people have boxes named like these too (office-admin@), so they
# count only with list headers or a list notice.
_LIST_ROLE_LOCAL = re.compile(r"(?:-owner|-admin|-request|-bounces?|-ctl|-approval)$|^owner-", re.I)
# Headers list managers put on their mail (RFC 2369/2919 List-*, fml, Mailman, ezmlm, Sympa).
_LIST_HEADER = re.compile(
    r"^(?:list-[\w-]+|x-list-[\w-]+|x-mlserver|x-ml-[\w-]+|x-mailman-[\w-]+|x-mailing-list"
    r"|mailing-list|x-listserver|x-listprocessor|x-sympa-[\w-]+|x-ezmlm-[\w-]+)$",
    re.I,
)
# What a list manager's notice about a post says (held, rejected, not a member, commands).
LIST_NOTICE = re.compile(
    r"\b(?:mailing[- ]?list|list) (?:owner|administrator|moderator|manager|server)s?\b"
    r"|\bmoderat(?:or|ion)(?:'s)? (?:approval|review)\b|\bawait(?:s|ing)? (?:moderator|moderation"
    r"|approval)\b|\bheld for (?:moderation|approval|review)\b|\bnon-?member\b|\bmembers-only\b"
    r"|\bnot (?:a )?(?:member|subscribed|subscriber) (?:of|to|on) (?:this|the|our)(?: [\w.@-]+)?"
    r" (?:mailing )?list\b|\bnot (?:authori[sz]ed|allowed|permitted) to (?:send|post)\b"
    r"|\bcommand '[^'\n]*' not recognized\b|\bsubscription (?:request|confirmation)\b"
    r"|\bnot member\b",
    re.I,
)
_LIST_NAME = re.compile(
    r"\blist ?serv(?:er)?\b|\bl-soft\b|\bsympa\b|\bmajordomo\b|\bmailman\b", re.I
)
# A list manager introducing itself (ezmlm, mlmmj: "Hi! This is the ezmlm program. I'm
# managing the ... mailing list") or named in its own header ("Mailing-List: ... run by ezmlm").
_LIST_PROGRAM = re.compile(
    r"\bthis is the (?:ezmlm|mlmmj|ecartis|smartlist|listar|minimalist) program\b"
    r"|\bi(?:'m| am) managing the [\w.@+-]+ mailing list\b|\brun by (?:ezmlm|mlmmj)\b",
    re.I,
)
# A helpdesk's acknowledgement of a ticket it opened (ServiceNow, Salesforce cases, Zendesk,
# OTRS...), which often carries no Auto-Submitted: the ticket, said of itself, was opened,
# logged or received. A person writes about a ticket too, so it is one weak sign.
TICKET_NOTICE = re.compile(
    r"\b(?:opened|created|logged|raised|submitted) on your behalf\b"
    r"|\b(?:a|your) (?:new )?(?:support )?(?:case|ticket|incident) (?:has been|was) (?:created|opened"
    r"|logged|raised)\b(?! by me\b)"
    r"|\byour (?:new )?(?:incident|ticket|case|request|support request|service request|inquiry"
    r"|enquiry)(?: (?:number|no\.?|#|id|ref(?:erence)?))?\s*[#:]?\s*(?:[a-z]{0,5}[-#]?\d[\w-]*\s+)?"
    r"(?:has been|was|is) (?:opened|created|logged|received|raised|registered|submitted)\b"
    r"|\b(?:we|i) (?:have )?received your (?:request|case|ticket|inquiry|enquiry|e-?mail|message)"
    r"[^.\n]{0,80}\b(?:case|ticket|reference|incident|tracking) (?:number|no\.?|#|id)\b"
    r"|\b(?:case|ticket|incident|request) (?:number|no\.?|#|id)\s*[:#]?\s*[a-z]{0,5}[-#]?\d{3,}"
    r"[^.\n]{0,40}\b(?:has been|was) (?:opened|created|logged|assigned|received)\b",
    re.I,
)

# The case reference a helpdesk puts in its subject: "Case 00418273:", "[Ticket#2025030411]",
# "[#12]", "Request #4411", Salesforce Email-to-Case's "ref:_00D5J2BtL._5003W1a2b3:ref"; a
# bare number needs five digits, so "Use case 2025" is a year.
TICKET_SUBJECT = re.compile(
    r"\bref:_[\w.]+:ref\b"
    r"|\[(?:[^\]]{0,20}\b)?(?:ticket|case|request|incident|issue|sr)?\s*#\s*[\w-]*\d+[^\]]{0,20}\]"
    r"|\b(?:case|ticket|request|incident|service request|sr)\s*(?:(?:#|no\.|number|id)\s*:?\s*"
    r"[a-z]{0,5}-?\d{3,}|:?\s*[a-z]{0,5}-?\d{5,})\b",
    re.I,
)

# A challenge-response filter's notice (ChoiceMail, Spam Arrest, Boxbe, TMDA, Mailblocks):
# our message is held until we prove we are a sender it may let through. It says both: the
# mail held, and the senders it lets through or the check to pass.
_CHALLENGE_HELD = re.compile(
    r"\b(?:your (?:message|e-?mail|mail)|the (?:message|e-?mail) you sent)\b[^.\n]{0,60}?"
    r"\b(?:has been|was|is being|is|will be) (?:held|quarantined|queued|put on hold|parked"
    r"|not (?:yet )?(?:been )?delivered)\b",
    re.I,
)
_CHALLENGE_ASK = re.compile(
    r"\b(?:approved|accepted|verified|authori[sz]ed|allowed|trusted|whitelisted|permitted)"
    r" senders?\b|\bsenders? (?:list|whitelist|allow-?list)\b|\bverify (?:that )?you(?:'re| are)"
    r" (?:a )?(?:human|real person|not a (?:robot|spammer|machine))\b|\bcomplete (?:a |the )?"
    r"(?:short |one-time |quick |simple )?(?:registration|verification|challenge)\b",
    re.I,
)
_LINK = re.compile(r"\bhttps?://\S+", re.I)


def challenge_response(text: str) -> bool:
    """A challenge-response filter holding our message until we register or verify: the mail
    held, the check to pass, and the link to pass it at, asking nothing (a person telling us
    their IT let our mail through "and can we meet Tuesday?" asks)."""
    flat = " ".join(text.split())
    return (
        bool(_CHALLENGE_HELD.search(flat))
        and bool(_CHALLENGE_ASK.search(flat))
        and bool(_LINK.search(flat))
        and "?" not in _LINK.sub("", flat)
    )


def _local(addr: str) -> str:
    return addr.partition("@")[0].partition("+")[0]


def daemon_sender(addr: str, display: str) -> bool:
    """A mail server's own mailbox or name: what sends delivery notices."""
    return bool(_DAEMON_LOCAL.match(_local(addr))) or bool(_DAEMON_NAME.search(display))


def noreply_sender(addr: str) -> bool:
    """A mailbox nobody reads: no person writes a reply from it."""
    return bool(_NOREPLY_LOCAL.match(addr.partition("@")[0]))


def list_manager(addr: str, display: str, headers: dict[str, str], notice: str) -> bool:
    """A mailing-list manager writing about a post (held, rejected, not a member, loop).
    `headers`: lower-cased names to values; `notice`: its subject and opening text."""
    if headers.get("x-list-administrivia", "").strip().lower() == "yes":  # Mailman's mark
        return True
    local = _local(addr)
    if _LIST_MANAGER_LOCAL.match(local) or _LIST_NAME.search(display):
        return True
    if _LIST_PROGRAM.search(headers.get("mailing-list", "")) or _LIST_PROGRAM.search(notice):
        return True
    if not _LIST_ROLE_LOCAL.search(local):
        return False
    return any(_LIST_HEADER.match(name) for name in headers) or bool(LIST_NOTICE.search(notice))


def null_sender(return_path: str) -> bool:
    """RFC 5321: notices (DSNs, receipts, automatic replies) go out with an empty
    reverse-path so they never bounce back; people's mail never does."""
    return return_path.strip().replace(" ", "") == "<>"


BOUNCE_SUBJECT = re.compile(
    # en: the subjects sisimai sorts servers by, in general form
    r"undeliver(?:ed|able)|returned mail|return(?:ing)? (?:message )?to sender"
    r"|mail delivery (?:failed|failure|subsystem|system|status)|delivery (?:status notification"
    r"|failure|has failed|notification|problem)|failure notice|fail(?:ed|ure) delivery"
    r"|delayed mail|mail (?:failed|failure)|permanent delivery|non[- ]?delivery"
    r"|could not be delivered|message (?:not delivered|delayed|blocked|delivery has failed)"
    r"|message you sent (?:was )?blocked|mail could not be delivered|mail system error"
    r"|warning: (?:could not send|message .* delayed)|\[bounce\]|^\s*bounce\b"
    r"|your message could not be delivered|not delivered:|sorry, your message"
    # de fr es it pt nl
    r"|unzustellbar|nicht zustellbar|nicht zugestellt|zustellung fehlgeschlagen"
    r"|non remis|non distribu|impossible de (?:remettre|distribuer)|échec de (?:la )?remise"
    r"|no entregado|no se puede entregar|no se pudo entregar|error de entrega"
    r"|non recapitabile|non recapitato|mancato recapito|impossibile recapitare"
    r"|não (?:é possível|foi possível) entregar|não entregue|falha na entrega"
    r"|onbestelbaar|niet bezorgd|kan niet worden bezorgd"
    # ja
    r"|不達|配信エラー|配送エラー|送信エラー|配信に失敗|配送に失敗|送信に失敗|エラーメール"
    r"|届きませんでした|配信できません|配送できません|返送",
    re.I,
)
BOUNCE_BODY = re.compile(
    r"this message was created automatically by mail delivery software"
    r"|this (?:message|notice) was created automatically by"
    r"|this is the (?:qmail-send program|mail system at host|mail delivery agent at"
    r"|machine generated message|\w+ mail (?:agent|server) at|mailer-daemon)"
    r"|an automatically generated delivery status notification"
    r"|this (?:is an? )?(?:auto-?generated|automatically generated) (?:message|notification)"
    r" from \w+"
    r"|this nondelivery report|non-?delivery report"
    r"|i'm afraid i wasn't able to deliver|i'm sorry to have to (?:tell|inform) you"
    r"|(?:we were|i was|we are|i am) unable to deliver"
    r"|the following addresses had (?:permanent fatal errors|delivery problems|delivery errors)"
    r"|-{2,} ?(?:the following addresses had|transcript of session follows|failure reasons"
    r"|failed addresses follow|non-delivered information|server message)"
    r"|delivery to the following recipients? (?:failed|has been delayed)"
    r"|(?:your |the |this )?(?:e-?mail |mail )?message (?:wasn't|was not|could not be|couldn't be"
    r"|cannot be|has not been) (?:delivered|sent)|was not delivered to:?"
    r"|(?:did not|couldn't|could not) reach the following recipient"
    r"|delivery has failed to these recipients|could not be delivered to one or more"
    r"|message could not be delivered|cannot be delivered to the following"
    r"|unable to deliver (?:your |the )?message|^\s*final-recipient\s*:|^\s*status\s*:\s*[245]\.\d"
    r"|\bfailed addresses follow|has not been delivered|not (?:been )?delivered to"
    r"|this report relates to a message you sent|an error (?:occurred|has occurred) while"
    r" (?:trying|attempting) to deliver|there was an error delivering your mail"
    r"|your message to the following recipients cannot be delivered|undeliverable mail"
    r"|message was not accepted|was blocked by our|has not been delivered"
    r"|mailbox (?:is )?full|user unknown|no such user|permanent error|unknown user:"
    r"|su mensaje no pudo ser entregado|no se pudo entregar el mensaje"
    r"|ihre nachricht konnte[^.\n]{0,60}nicht zugestellt|konnte nicht zugestellt werden"
    r"|votre message n.a pas pu être (?:remis|distribué)|n'a pas pu être remis"
    r"|non è stato recapitato|non è stato possibile recapitare"
    r"|não pôde ser entregue|não foi possível entregar|kan niet worden bezorgd"
    r"|配信できませんでした|送信できませんでした|届きませんでした|配送できませんでした|宛先不明"
    r"|送信に失敗しました|配信に失敗しました",
    re.I | re.M,
)
# A mail server's own header on its notices (sisimai's per-server markers, generalised).
_BOUNCE_HEADERS = ("X-Failed-Recipients", "X-MX-Bounce", "X-MXL-NoteHash", "X-AHMAILID")
_BOUNCE_RECEIVED = re.compile(r"\(qmail \d+ invoked for bounce\)", re.I)


def bounce_header(headers: dict[str, str]) -> bool:
    """A header only delivery notices carry."""
    if any(headers.get(name.lower()) for name in _BOUNCE_HEADERS):
        return True
    return bool(_BOUNCE_RECEIVED.search(headers.get("received", "")))


# A notice's sentence about itself: "this is an automated message", "this message was
# generated automatically", "this mailbox is not monitored", "please do not reply to this
# email." (the sentence ends there). Not a person's words about automation: "is this
# automated?", "this automatic outreach is annoying", "don't reply to this address, I'm leaving".
_AUTO_WORD = (
    r"(?:automated|automatic|auto-?generated|automatically[- ](?:generated|sent|created)"
    r"|(?:computer|system|machine)[- ]generated)"
)
_NOTICE_NOUN = (
    r"(?:message|e-?mail|mail|response|reply|notification|notice|confirmation|receipt"
    r"|acknowledge?ment)"
)
SELF_DECLARED = re.compile(
    rf"\bthis is an? {_AUTO_WORD} {_NOTICE_NOUN}\b"
    rf"|\bthis {_NOTICE_NOUN} (?:was|is|has been) (?:sent |generated |created )?"
    r"(?:automatically|auto-?generated|automated|computer[- ]generated|system[- ]generated)"
    r"(?: (?:generated|sent|created))?\b"
    r"|\b(?:this|the) (?:e-?mail |mail )?(?:address|mailbox|inbox|account) (?:you (?:have )?"
    r"(?:written|sent \w+|replied) to )?is (?:not|un)(?: being)? ?(?:monitored|attended)\b"
    r"|\breplies to this (?:e-?mail|message|address) (?:are|will) not (?:be )?(?:monitored|read)\b"
    r"|\b(?:please )?(?:do not|don't|dont) reply (?:directly )?to this (?:e-?mail|message"
    r"|notification|mail)(?=\s*(?:[.!;]|$|,? (?:as|because|since|it|this|the|replies)\b))"
    r"|\b(?:diese|dies ist eine) [\w -]{0,30}?(?:nachricht|e-?mail|mail|bestätigung)"
    r"[\w ]{0,20}?(?:wurde )?automatisch (?:generiert|erstellt|erzeugt|versandt|verschickt)"
    r"|\bautomatisch (?:generierte|erstellte|erzeugte) (?:nachricht|e-?mail|mail)"
    r"|\bbitte antworten sie nicht auf diese\b"
    r"|\b(?:ceci est un |ce )message (?:est )?(?:automatique|généré automatiquement)"
    r"|\bmerci de ne pas répondre à ce (?:message|mail|courriel)"
    r"|\b(?:este es un |este )(?:mensaje|correo) (?:es )?(?:automático|generado automáticamente)"
    r"|\bpor favor,? no responda a este (?:mensaje|correo)"
    r"|\bquesto (?:è un )?messaggio (?:è )?(?:automatico|generato automaticamente)"
    r"|\bsi prega di non rispondere a questo"
    r"|\besta (?:é uma )?mensagem (?:é )?(?:automática|gerada automaticamente)"
    r"|\bdit is een automatisch (?:gegenereerd|verzonden) bericht"
    r"|自動送信|自動応答|自動返信|自動配信|自動的に(?:生成|送信)",
    re.I,
)
AUTO_SUBJECT = re.compile(
    r"\bresposta autom[áa]tica\b|\bautomatische? (?:antwort|beantwortung)\b"
    r"|\beingangsbestätigung\b|\baccusé de réception\b|\bacuse de recibo\b"
    r"|\bconfirma[çc][ãa]o de recebimento\b|\bontvangstbevestiging\b"
    r"|^\s*read:|^\s*gelesen:|^\s*lu\s*:|^\s*le[ií]do:|^\s*letto:|^\s*gelezen:"
    # a receipt named as one at the subject's start (HCL Notes' "Return Receipt", the read
    # receipts of clients that do not send RFC 8098 reports)
    r"|^\s*(?:return|read|delivery) receipt\b|^\s*(?:lese|empfangs)bestätigung\b"
    r"|^\s*confirmation de lecture\b|^\s*confirmación de lectura\b|^\s*leesbevestiging\b"
    r"|^\s*ricevuta di (?:ritorno|lettura)\b|^\s*potwierdzenie przeczytania\b"
    r"|^\s*l(?:ä|æ|e)s(?:e)?kvitt(?:o|ering)\b|^\s*lukukuittaus\b"
    r"|自動応答|自動返信|不在(?:通知|のお知らせ)",
    re.I,
)


def read_receipt(top_type: str, report_type: str, part_types: list[str]) -> bool:
    """RFC 8098 message disposition notification: software says a message was read."""
    return (top_type == "multipart/report" and report_type == "disposition-notification") or (
        "message/disposition-notification" in part_types
    )


def ses_notification(headers: dict[str, str], body: str) -> dict[str, Any] | None:
    """An Amazon SES event delivered as an SNS e-mail (a JSON body): its notificationType,
    the affected addresses and, for a bounce, the status and diagnostic. None otherwise."""
    if not headers.get("x-amz-sns-message-id") and "notificationType" not in body[:4000]:
        return None
    start = body.find("{")
    if start < 0:
        return None
    try:
        outer, _ = json.JSONDecoder().raw_decode(body[start:])
    except (ValueError, RecursionError):
        return None
    inner: Any = outer
    if isinstance(outer, dict) and isinstance(outer.get("Message"), str):
        try:
            inner = json.loads(outer["Message"])
        except (ValueError, RecursionError):
            return None
    if not isinstance(inner, dict):
        return None
    kind = str(inner.get("notificationType") or inner.get("eventType") or "")
    if kind not in ("Bounce", "Complaint"):
        return None
    found = inner.get(kind.lower())
    event: dict[str, Any] = found if isinstance(found, dict) else {}
    field = "bouncedRecipients" if kind == "Bounce" else "complainedRecipients"
    people = [r for r in event.get(field, []) if isinstance(r, dict)]
    first = people[0] if people else {}
    sent = inner.get("mail")
    mail: dict[str, Any] = sent if isinstance(sent, dict) else {}
    return {
        "type": kind,
        "recipient": str(first.get("emailAddress", "")),
        "status": str(first.get("status", "")),
        "diagnostic": str(first.get("diagnosticCode", "")),
        "bounce_type": str(event.get("bounceType", "")),
        "feedback_type": str(event.get("complaintFeedbackType", "")),
        "message_id": str(mail.get("messageId", "")),
    }


# --- issue 17, third blind set --------------------------------------------------------------

# Complaints that are not ARF: an abuse desk's ticket in prose (a hoster, an ISP), and an
# ESP's complaint event forwarded as mail. The ticket comes from the abuse role mailbox or
# names an abuse ticket / spam complaint in its subject, says a complaint about unsolicited
# mail was received, and quotes the reported message (whose To: is the complainant).
_ABUSE_LOCAL = re.compile(
    r"^(?:abuse|abuse[-_.]?(?:desk|team|dept|department|noreply|no-reply|reports?|tickets?)"
    r"|noc[-_.]?abuse|spam[-_.]?(?:reports?|complaints?|abuse)|report[-_.]?spam)$",
    re.I,
)
ABUSE_SUBJECT = re.compile(
    r"\b(?:abuse|spam)[- ]?(?:complaint|report|ticket|case|notice|notification|beschwerde"
    r"|meldung|plainte|signalement|queja|denuncia|segnalazione|reclamação|klacht|melding)\b"
    r"|\b(?:complaint|beschwerde|plainte|queja|reclamo|denuncia|reclamação|klacht|segnalazione"
    r"|signalement)\b[^\n]{0,30}\b(?:abuse|abus|missbrauch|spam|unsolicited|unerwünscht"
    r"|unverlangt|non sollicit|no solicitad|non richiest|não solicitad|ongevraagd|ongewenst)"
    r"|\[(?:abuse|ticket)[^\]]{0,40}\][^\n]{0,60}\b(?:spam|abuse|complaint|beschwerde|plainte"
    r"|queja|klacht)",
    re.I,
)
_UNSOLICITED = (
    r"(?:spam|unsolicited|unrequested|unwanted|unerwünscht\w*|unverlangt\w*|non sollicit\w*"
    r"|indésirables?|no solicitad\w*|no deseado\w*|non richiest\w*|indesiderat\w*"
    r"|não solicitad\w*|ongevraagd\w*|ongewenst\w*)"
)
_COMPLAINT_WORD = (
    r"(?:complaint|complained|reported|report|beschwerde|beschwert|gemeldet|meldung|plainte"
    r"|signalement|signalé|queja|denuncia|reclamación|reclamo|segnalazione|reclamo|reclamação"
    r"|denúncia|klacht|melding)"
)
COMPLAINT_BODY = re.compile(
    rf"\b{_COMPLAINT_WORD}\b[^\n]{{0,120}}?\b{_UNSOLICITED}|\b{_UNSOLICITED}\b[^\n]{{0,80}}?"
    rf"\b{_COMPLAINT_WORD}\b",
    re.I,
)
ABUSE_ABOUT_MAIL = re.compile(
    r"\babuse (?:report|complaint)s? (?:concerning|regarding|about|for|on|against) (?:an? |the )?"
    r"(?:e-?mails?|mail|messages?|mailings?) (?:sent|originating|coming) (?:from|by|through)\b",
    re.I,
)
# A quoted copy of the reported message: its header lines, "> " quoted or not.
QUOTED_TO = re.compile(r"^[ \t>]*To:[ \t]*(.+)$", re.I | re.M)
QUOTED_FROM = re.compile(r"^[ \t>]*From:[ \t]*(.+)$", re.I | re.M)


def abuse_mailbox(addr: str) -> bool:
    """The abuse role mailbox (RFC 2142) or one of its variants."""
    return bool(_ABUSE_LOCAL.match(_local(addr)))


def abuse_desk(addr: str, display: str, subject: str) -> bool:
    """An abuse desk writing: its role mailbox or name, or a subject naming an abuse
    ticket or a spam complaint."""
    return (
        abuse_mailbox(addr)
        or bool(re.search(r"\babuse\b", display, re.I))
        or bool(ABUSE_SUBJECT.search(subject))
    )


# ESP webhooks (Mailgun "complained", SendGrid "spamreport", Postmark "SpamComplaint",
# SparkPost "spam_complaint", Mailjet/Mandrill/Brevo/Mailtrap "spam", Resend "email.complained",
# MailerSend "activity.spam_complaint", Elastic Email "AbuseReport") relayed as mail: the event
# names a complaint, and its recipient is who complained.
_ESP_COMPLAINT = re.compile(
    r"[\"'](?:event|type|recordtype|record_type|eventtype|event_type|event-type|notificationtype)"
    r"[\"']\s*:\s*[\"'](?:complained|complaint|spamreport|spam_report|spam-report|spamcomplaint"
    r"|spam_complaint|spam|email\.complained|activity\.spam_complaint|abusereport"
    r"|abuse_report)[\"']",
    re.I,
)
# Where relayed ESP events come from: the sending services' own domains, or the mailbox a
# sender forwards its webhooks to.
_ESP_SENDER = re.compile(
    r"@(?:[\w-]+\.)*(?:mailgun|sendgrid|postmarkapp|sparkpost(?:mail)?|mailjet|mandrillapp"
    r"|brevo|sendinblue|amazonses|mailchimp|socketlabs|sparkpost|mailtrap|mailersend"
    r"|elasticemail|resend)\.\w+$",
    re.I,
)
# ... or a relay mailbox, named for what it carries ("deliverability-bot@", "revops-alerts@");
# read in the mailbox name only, never in the domain ("sarah@nova-events.example").
_RELAY_LOCAL = re.compile(
    r"(?:^|[-_.])(?:deliverability|bounces?|web-?hooks?|hooks?|events?|relay|esp|mta|tracking"
    r"|postmaster|mailer-daemon|abuse|fbl|feedback|alerts?|notifications?|monitoring"
    r"|automations?|integrations?|workflows?|zapier|n8n|bots?)(?:[-_.+]|$)",
    re.I,
)
# A relay that names the sending service it forwards for ("Postmark Hooks Relay"), or the
# workflow tool that forwards it (Zapier, n8n, Make, Pipedream, Workato, Huginn).
_ESP_NAME = re.compile(
    r"\b(?:mailgun|sendgrid|postmark|sparkpost|mailjet|mandrill|brevo|sendinblue|amazon ses"
    r"|mailchimp|socketlabs|mailtrap|mailersend|elastic email|webhooks?|zapier|n8n"
    r"|integromat|pipedream|workato|huginn|pabbly|node-red|zoho flow|tray\.io|alerts?|bot|robot"
    r"|notifier)\b",
    re.I,
)
# The tag a workflow tool puts before the subject of the mail a run sends ("[Make] ...",
# "[Pipedream] ...", "[Zapier] ...").
_RELAY_SUBJECT = re.compile(
    r"^\s*\[(?:make|zapier|n8n|pipedream|workato|integromat|power automate|ifttt|tray(?:\.io)?"
    r"|activepieces|relay\.app|huginn|pabbly|node-red|zoho flow|tines|logic[- ]?apps?|windmill)\]",
    re.I,
)
_ESP_RECIPIENT = re.compile(
    r"[\"'](?:recipient|email|rcpt_to|raw_rcpt_to|emailaddress|email_address|to|address"
    r"|recipientaddress|recipient_address)[\"']\s*:\s*"
    r"[\"']([^\"'\s]+@[^\"'\s]+)[\"']",
    re.I,
)
_ESP_MESSAGE_ID = re.compile(
    r"[\"'](?:message-id|message_id|messageid|smtp-id|smtp_id)[\"']\s*:\s*[\"']([^\"']+)[\"']",
    re.I,
)


def relayed_event(
    from_addr: str,
    display: str,
    *,
    automatic: bool,
    reply: bool,
    subject: str = "",
    ours: bool = False,
) -> bool:
    """Whether mail that carries an ESP event's JSON is the event relayed, not a person
    quoting one: marked Auto-Submitted (`automatic`), or from a machine sender (no-reply,
    mailer, an ESP's domain, a relay mailbox, a display name naming the service or a bot, a
    workflow tool's tag on the subject) or from our own mailboxes' domain (`ours`: our tools
    and colleagues, never a prospect), and not a reply in a thread. A relay never replies to our
    mail; a person who does, pasting what their webhook got, must not be read as a bounce
    or complaint and suppressed."""
    if automatic:
        return True
    if reply:
        return False
    local = from_addr.partition("@")[0]
    return (
        ours
        or bool(_NOREPLY_LOCAL.match(local))
        or bool(_RELAY_SUBJECT.match(subject))
        or bool(_ESP_SENDER.search(from_addr))
        or bool(_RELAY_LOCAL.search(local))
        or bool(_ESP_NAME.search(display))
    )


def esp_complaint(
    body: str,
    from_addr: str = "",
    *,
    display: str = "",
    automatic: bool = False,
    reply: bool = False,
    subject: str = "",
    ours: bool = False,
) -> tuple[str, str] | None:
    """(recipient, message id) of an ESP's complaint event in a mail body, or None. Only when
    `relayed_event`, and only with an event name that means a complaint."""
    relayed = relayed_event(
        from_addr, display, automatic=automatic, reply=reply, subject=subject, ours=ours
    )
    if from_addr and not relayed:
        return None
    found = _json_complaint(body)
    if found is not None:
        return found
    if not _ESP_COMPLAINT.search(body):
        return None
    recipient = _ESP_RECIPIENT.search(body)
    if recipient is None:
        return None
    mid = _ESP_MESSAGE_ID.search(body)
    return recipient.group(1), mid.group(1) if mid else ""


# The same events read as JSON, for payloads the patterns above cannot follow: an event
# name in a list (ZeptoMail's "event_name": ["feedback_loop"]), the recipient nested under
# "to" beside the sender's own address under "from".
def _keys(names: list[str]) -> frozenset[str]:
    """JSON keys as `_key` reads them: "toAddress", "to_address" and "to-address" alike."""
    return frozenset(_key(n) for n in names)


def _key(name: object) -> str:
    return re.sub(r"[-_]", "", str(name).lower())


_EVENT_KEYS = _keys(
    [
        "event",
        "type",
        "recordtype",
        "record_type",
        "eventtype",
        "event_type",
        "event-type",
        "notificationtype",
        "event_name",
        "eventname",
        "metric",  # Customer.io's reporting webhooks
    ]
)
_COMPLAINT_EVENTS = _keys(
    [
        "complained",
        "complaint",
        "spam_report",
        "spam_reported",  # Loops: "email.spamReported"
        "reported_as_spam",
        "marked_as_spam",
        "mark_as_spam",  # Braze: "users.messages.email.MarkAsSpam"
        "report_spam",  # SendCloud
        "spammed",  # Customer.io's metric
        "marked email as spam",  # Klaviyo's metric
        "spam_complaint",
        "spam",
        "abuse_report",
        "feedback_loop",
        "fbl",
    ]
)
_COMPLAINT_STATUSES = _keys(["complained", "complaint", "spam", "spam_report", "spam_complaint"])
_RECIPIENT_KEYS = _keys(
    [
        "recipient",
        "recipients",
        "email",
        "rcpt_to",
        "raw_rcpt_to",
        "emailaddress",
        "email_address",
        "to",
        "address",
        "recipientaddress",
        "recipient_address",
        "to_address",
        "recipient_email",
        "email_to",
        "rcpt",
        "destination",
    ]
)
_SENDER_KEYS = _keys(
    [
        "from",
        "sender",
        "source",
        "from_email",
        "from_address",
        "friendly_from",
        "envelope_from",
        "msg_from",
        "mail_from",
        "reply_to",
        "reply-to",
        "replyto",
        "return_path",
        "return-path",
    ]
)
# A delivery report that names no event but a message's state: Azure Communication
# Services' "status": "Bounced" under an "EmailDeliveryReportReceived" event.
_STATUS_KEYS = _keys(["status", "deliverystatus", "delivery_status", "state"])
_BOUNCE_EVENTS = _keys(
    [
        "bounce",
        "bounced",
        "hard_bounce",
        "soft_bounce",
        "dropped",
        "failed",
        "permanent_fail",
        "permanent_failure",
        "out_of_band",
        "blocked",
        "rejected",
        "undeliverable",
        "undelivered",
        "delivery_failed",
        "delivery_failure",
        "cleaned",  # Mailchimp: an address cleaned off the list after hard bounces
        "bounced email",  # Klaviyo's metrics
        "dropped email",
    ]
)
_BOUNCE_STATUSES = _keys(
    ["bounced", "bounce", "failed", "undeliverable", "undelivered", "rejected", "dropped"]
    + ["hard_bounce", "soft_bounce", "delivery_failed"]
)
_REASON_KEYS = _keys(
    [
        "reason",
        "diagnostic",
        "diagnostic_code",
        "diagnosticcode",
        "description",
        "error",
        "bounce_reason",
        "raw_reason",
        "details",
        "statusmessage",
        "status_message",
        "smtp_response",
        "response",
        "message",
        "failure_message",
        "failure_reason",
        "error_message",
        "bounce_message",
        "smtp_message",
    ]
)
_ENHANCED_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_MESSAGE_ID_KEYS = _keys(["message-id", "message_id", "messageid", "smtp-id", "smtp_id"])
_ADDRESS = re.compile(r"[^\s@\"'<>:]+@[^\s@\"'<>:]+\.[^\s@\"'<>:]+")  # no "mailto:"


def _json_complaint(body: str) -> tuple[str, str] | None:
    """(recipient, message id) of the first complaint event in JSON in `body`: the object
    naming the event, and the recipient and message id within it (never under a sender's
    key). None when there is none."""
    event = _json_event(body, _COMPLAINT_EVENTS, _COMPLAINT_STATUSES)
    if event is None:
        return None
    recipient, found = event
    return recipient, next(iter(_strings(found, _MESSAGE_ID_KEYS)), "")


def _json_event(
    body: str, events: frozenset[str], statuses: frozenset[str]
) -> tuple[str, dict] | None:
    """(recipient, the event's object) of the first event in JSON in `body` whose name is
    one of `events` ("email.bounced" counts as "bounced") or whose delivery status is one of
    `statuses`, with a recipient address within it. None when there is none."""
    for payload in _payloads(body):
        for event in _objects(payload):
            named = any(
                _names(v, events) for k, v in event.items() if _key(k) in _EVENT_KEYS
            ) or any(_names(v, statuses) for k, v in event.items() if _key(k) in _STATUS_KEYS)
            if named:
                people = (p.strip() for p in _strings(event, _RECIPIENT_KEYS))
                recipient = next((p for p in people if _ADDRESS.fullmatch(p)), "")
                if recipient:
                    return recipient, event
    return None


def _payloads(body: str) -> Iterator[Any]:
    """The JSON value at the first "{" and at the first "[" of `body` (a batch of events is
    an array), where one parses; then each line that is a form-encoded payload."""
    for start in sorted({body.find("{"), body.find("[")} - {-1}):
        try:
            yield json.JSONDecoder().raw_decode(body[start:])[0]
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's limit
            continue
    for line in _FORM_LINE.findall(body):
        yield _form(line)


# A webhook posted as application/x-www-form-urlencoded and pasted as it came (Mailchimp's
# "type=cleaned&data[email]=..."; Mandrill's "mandrill_events=[...]"): two pairs at least.
_FORM_LINE = re.compile(r"^[ \t]*([\w.%\[\]-]+=[^\s&]*(?:&[\w.%\[\]-]+=[^\s&]*)+)[ \t]*\r?$", re.M)


def _form(line: str) -> dict:
    """A form-encoded payload as the object it encodes: PHP-style keys nest ("data[email]"
    under "data"; a later "a[b]" makes a plain "a" an object), "a[]" collects a list, and a
    value that is JSON is read as JSON."""
    out: dict = {}
    for key, value in urllib.parse.parse_qsl(line, keep_blank_values=True):
        name, bracket, rest = key.partition("[")
        path = [name, *re.findall(r"([^\[\]]*)\]", rest)] if bracket else [key]
        listed = len(path) > 1 and path[-1] == ""
        *parents, last = path[:-1] if listed else path
        node = out
        for k in parents:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        if not listed:
            node[last] = _json_or_text(value)
            continue
        if not isinstance(node.get(last), list):
            node[last] = []
        node[last].append(_json_or_text(value))
    return out


def _json_or_text(value: str) -> Any:
    if value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            pass
    return value


def _objects(node: Any, depth: int = 0) -> Iterator[dict]:
    """Every JSON object in `node`, outer ones first, in document order."""
    if depth > 20:
        return
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _objects(v, depth + 1)
    elif isinstance(node, list):
        for v in node:
            yield from _objects(v, depth + 1)


def _names(value: Any, names: frozenset[str]) -> bool:
    """Whether an event name is one of `names` (as `_keys` reads them), read as services
    write them: "bounced", "email.bounced", "dm:EmailComplaint" (its last part,
    "complaint"), "HardBounce", "hard-bounce"; or a status given as an object of its own
    (see `_named`)."""
    values = value if isinstance(value, list) else [value]
    return any(bool(_spellings(v) & names) for v in values)


_NAME_KEYS = _keys(["name", "code"])
_GROUP_KEYS = _keys(["group_name", "group"])


def _spellings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {_key(f) for f in _forms(value)}
    if isinstance(value, dict):
        return {_key(f) for name in _named(value) for f in _forms(name)}
    return set()


def _named(status: dict) -> set[str]:
    """The names a status object gives: its name and code, and the name without its group
    before it (Infobip's {"groupName": "REJECTED", "name": "REJECTED_SPAM_COMPLAINT"} names
    "SPAM_COMPLAINT" too). Never the group alone: "REJECTED" with "REJECTED_NOT_ENOUGH_CREDITS"
    is our account's trouble, not the recipient's."""
    names = {v for k, v in status.items() if _key(k) in _NAME_KEYS and isinstance(v, str)}
    groups = [v for k, v in status.items() if _key(k) in _GROUP_KEYS and isinstance(v, str)]
    for group in groups:
        prefix = f"{group}_".lower()
        names |= {n[len(prefix) :] for n in names if n.lower().startswith(prefix)}
    return names


def _forms(name: str) -> set[str]:
    """The name, its last part after a namespace ("email.bounced" -> "bounced"), that part in
    snake case ("HardBounce" -> "hard_bounce"), and without the subject a service names
    first ("EmailComplaint" -> "complaint"); never any other last word, so "FilteredSpam",
    "not_spam" and "payment_failed" stay what they are."""
    last = re.split(r"[.:/]", name)[-1]
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).lower()
    bare = re.sub(r"^(?:e_?mail|message|mail|delivery)_", "", snake)
    return {name.lower(), last.lower(), snake, snake.replace("_", ""), bare}


def _strings(node: Any, keys: frozenset[str], under: bool = False, depth: int = 0) -> Iterator[str]:
    """Strings under one of `keys` in `node` (at any depth below it), skipping what a
    sender's key holds."""
    if depth > 20:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            k = _key(k)
            if k not in _SENDER_KEYS:
                yield from _strings(v, keys, under or k in keys, depth + 1)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, keys, under, depth + 1)
    elif isinstance(node, str) and under:
        yield node


# Bounce wording in languages the first sets did not reach (zh, ko, ru, cs, pl, sv, da/no,
# tr): the subject a provider puts on its notice and the sentence that opens it.
BOUNCE_SUBJECT_MORE = re.compile(
    r"退信|退回|投递失败|无法投递|發送失敗|发送失败|未能送达|邮件被退回|系統退信|반송|전송 ?실패"
    r"|배달 ?실패|전달 ?실패|недоставлен|не доставлен|ошибка доставки|nedoručiteln|nelze doručit"
    r"|nedoručen|niedostarcz|nie dostarczon|nie można dostarczyć|kan inte levereras|olevererbar"
    r"|kunne ikke leveres|ikke leveret|kunne ikke leveres|ikke levert|teslim edilemedi"
    r"|iletilemedi",
    re.I,
)
BOUNCE_BODY_MORE = re.compile(
    r"邮件被退回|無法投遞|无法投递|投递失败|退信原因|收件人地址不存在|发送失败|반송되었습니다"
    r"|전달되지 않았|전송되지 못했|не может быть доставлено|не было доставлено|не удалось доставить"
    r"|nemohla být doručena|nelze doručit|nie mogła zostać dostarczona|nie została dostarczona"
    r"|kunde inte levereras|kunne ikke leveres|kunne ikke leveres|ikke kunne leveres"
    r"|mailbox (?:not found|unavailable|does not exist)|recipient (?:address )?does not exist",
    re.I,
)
SELF_DECLARED_MORE = re.compile(
    r"系统自动发送|系統自動發送|自动发送|自动回复|请勿直接回复|请勿回复|자동으로 발송|자동 발송"
    r"|회신하지 마십시오|회신하지 마세요|автоматически (?:сгенерирован|отправлен|создан)"
    r"|не отвечайте на (?:это|данное) (?:письмо|сообщение)|automaticky (?:generovan|odeslan)"
    r"|neodpovídejte na tuto|wiadomość (?:została )?wygenerowana automatycznie|nie odpowiadaj"
    r"|automatiskt (?:genererat|skickat)|svara inte på detta|automatisk (?:genereret|sendt|generert)"
    r"|besvar ikke denne|svar ikke på denne"
    # a notice signing itself: "- Hartwell Partnerships (automatic reply)", "[auto-response]"
    r"|[(\[]\s*(?:automatic|automated|auto)[- ]?(?:reply|response|responder|message|notice)\s*[)\]]",
    re.I,
)
# Out-of-office subjects in more languages (Outlook's "Automatic reply:" and the absence
# word people set as their own subject): cs, sk, pl, sv, da, no, fi, hu, ro, tr, ru, ko, zh.
AUTO_SUBJECT_MORE = re.compile(
    r"^\s*(?:automatick[áé] odpově[dď]|automatická odpoveď|nepřítomnost|neprítomnosť"
    r"|odpowiedź automatyczna|automatyczna odpowiedź|nieobecność|poza biurem|automatiskt svar"
    r"|frånvaro|frånvarande|automatisk svar|autosvar|fravær|fraværende|ikke på kontoret"
    r"|automaattinen vastaus|poissa|poissaolo|automatikus válasz|házon kívül|răspuns automat"
    r"|otomatik yanıt|otomatik cevap|ofis dışında|автоматический ответ|автоответ|нет на месте"
    r"|자동 회신|자동 응답|부재중|自动回复|自動回覆|自动答复|不在办公室)"
    # the absence word with its place ("Nieobecność w biurze:", "Frånvarande från kontoret:")
    r"(?: [^\W\d_]+){0,3}\s*:",
    re.I,
)

# An out-of-office notice by its parts, for one sent with no header and a "Re:" subject:
# an absence bounded in time, and either no reading of mail or someone else to write to.
_ABSENCE = re.compile(
    r"\b(?:i am|i'm|i will be|i'll be|i'm currently|i am currently)(?: currently)? (?:away|out"
    r"|off|on (?:\w+ ){0,2}(?:leave|vacation|holidays?|sabbatical|trip|travel)|travell?ing"
    r"|abroad|offline)\b[^.\n]{0,60}?\b(?:until|till|through|returning|back on|back in|from"
    r"|between|and will return|and will be back)\b",
    re.I,
)
_NOT_READING = re.compile(
    r"\b(?:won't|will not|will be unable to|unable to|not able to|cannot|can't|won't be able to"
    r"|will not be able to)(?: be)? (?:check(?:ing)?|read(?:ing)?|respond(?:ing)?|repl(?:y|ying)"
    r"|access(?:ing)?|monitor(?:ing)?)\b[^.\n]{0,20}\b(?:e-?mails?|messages?|mail|inbox)\b"
    r"|\b(?:limited|no|intermittent) access to (?:my )?e-?mails?\b",
    re.I,
)
_REDIRECT = re.compile(
    r"\b(?:for (?:anything|urgent|immediate|all|any)\b[^.\n]{0,40}|in (?:the meantime|my absence"
    r"|case of (?:urgency|emergency))|if (?:it'?s|this is|your (?:matter|request|message) is)"
    r" urgent|for urgent)[^.\n]{0,40}\b(?:please )?(?:contact|e-?mail|reach|write to|call"
    r"|get in touch with)\b",
    re.I,
)


# The same parts in the languages out-of-office notices are set up in: "jestem na urlopie do
# 12 marca ... w pilnych sprawach proszę o kontakt", "ich bin bis ... nicht im Büro ... in
# dringenden Fällen wenden Sie sich an", "je suis absente jusqu'au ... en cas d'urgence".
_ABSENCE_ANY = re.compile(
    r"\b(?:bin|sind) (?:[\w.]+ ){0,4}?(?:bis|vom) (?:[\w.]+ ){0,4}?(?:nicht (?:im büro|erreichbar"
    r"|im haus"
    r"|da)|abwesend|im urlaub|außer haus)|\b(?:bin|sind) (?:\w+ ){0,3}?(?:abwesend|im urlaub"
    r"|nicht im büro|außer haus) (?:\w+ ){0,2}?bis\b"
    r"|\b(?:je suis|nous sommes) (?:actuellement )?(?:absente?s?|en (?:congés?|vacances"
    r"|déplacement))"
    r"\b[^.\n]{0,40}?\b(?:jusqu|au|du|retour)"
    r"|\b(?:estoy|estaré|estamos) (?:\w+ )?(?:fuera de la oficina|ausente|de vacaciones|de viaje)"
    r"\b[^.\n]{0,40}?\b(?:hasta|del|regreso|vuelvo)"
    r"|\b(?:sono|sarò|siamo) (?:\w+ )?(?:fuori ufficio|assente|in ferie|in vacanza)\b[^.\n]{0,40}?"
    r"\b(?:fino|al|dal|rientro)|\b(?:estou|estarei) (?:\w+ )?(?:fora do escritório|ausente"
    r"|de férias)"
    r"\b[^.\n]{0,40}?\b(?:até|de|regresso|retorno)"
    r"|\b(?:ik ben|ben ik) (?:\w+ )?(?:afwezig|met vakantie|niet op kantoor|op vakantie|vrij)\b"
    r"[^.\n]{0,40}?\b(?:tot|t/m|vanaf|terug)"
    r"|\b(?:jag är|jeg er|jeg har) (?:\w+ )?(?:ledig|på semester|tjänstledig|bortrest|på ferie"
    r"|fraværende|ikke på kontoret|fri)\b[^.\n]{0,40}?\b(?:till|tills|t\.o\.m|indtil|til|frem til)"
    r"|\b(?:jestem|będę) (?:\w+ )?(?:na urlopie|nieobecn[ya]|poza biurem|na zwolnieniu|w podróży)"
    r"\b[^.\n]{0,40}?\b(?:do|od|wracam)"
    r"|\b(?:ek is|ons is) (?:\w+ )?(?:met verlof|op vakansie|afwesig|buite kantoor|nie op kantoor"
    r" nie|uit die kantoor)\b[^.\n]{0,40}?\b(?:tot|vanaf|terug)"
    # gl ("estou fóra da oficina ata o luns") and ca ("sóc fora de l'oficina fins al dilluns")
    r"|\b(?:estou|estarei|estamos) (?:\w+ )?(?:fóra da oficina|fóra do despacho|ausente"
    r"|de vacacións|de viaxe|de permiso)\b[^.\n]{0,40}?\b(?:ata|dende|desde|volvo|regreso)"
    r"|\b(?:sóc|estic|seré|estaré|som|estem) (?:\w+ )?(?:fora de l'oficina|fora de l’oficina"
    r"|absent|de vacances|de viatge)\b[^.\n]{0,40}?\b(?:fins|a partir|del|tornaré|torno)",
    re.I,
)
_REDIRECT_ANY = re.compile(
    r"\bin dringenden (?:fällen|angelegenheiten)|\bbei dringenden|\ben cas d'urgence"
    r"|\bpour toute (?:demande )?urgen|\b(?:para|en) (?:asuntos|casos) urgentes"
    r"|\ben caso de urgencia"
    r"|\bper (?:urgenze|questioni urgenti|casi urgenti)|\b(?:para|em) (?:assuntos|casos) urgentes"
    r"|\bvoor dringende (?:zaken|vragen)|\bin dringende gevallen|\bvid brådskande\b"
    r"|\bi (?:hastende|akutte) (?:tilfælde|sager|saker)|\bw (?:pilnych|nagłych) (?:sprawach"
    r"|przypadkach)|\bnie (?:mam|będę miał[a]?) dostępu do (?:poczty|e-?maila)"
    r"|\b(?:keinen|keinen regelmäßigen|nur eingeschränkt) zugriff auf (?:meine )?e-?mails?"
    r"|\bsans accès (?:à mes|aux) (?:e-?mails|courriels|messages)"
    r"|\bvir dringende (?:sake|navrae|gevalle)|\bsal (?:\w+ )?nie (?:my )?e-?pos (?:lees|nagaan"
    r"|beantwoord)"
    r"|\b(?:para|en) (?:asuntos|casos) urxentes|\ben caso de urxencia|\bsen acceso ao correo"
    r"|\bper a (?:assumptes|casos|qüestions) urgents|\ben cas d'urgència|\bsense accés al correu",
    re.I,
)


def absence_notice(text: str) -> bool:
    """An out-of-office by its parts: an absence with an end, and no reading of mail or a
    colleague to write to instead, in any language it is set up in."""
    head = text[:1500]
    if _ABSENCE.search(head) and (_NOT_READING.search(head) or _REDIRECT.search(head)):
        return True
    return bool(_ABSENCE_ANY.search(head)) and bool(_REDIRECT_ANY.search(head))


# --- issue 17, fourth blind set -------------------------------------------------------------

# An abuse desk's ticket that withholds the complainant, as many do: the recipient field is
# there, its value redacted.
REDACTED_RECIPIENT = re.compile(
    r"^[ \t>]*(?:recipient|original recipient|complainant|ontvanger|empfänger|destinataire"
    r"|destinatario|destinatário|odbiorca|mottagare|modtager)s?[ \t]*:[ \t]*[\[(<]?[ \t]*"
    r"(?:redacted|anonymi[sz]ed|anonymous|geanonimiseerd|anoniem|anonymisiert|anonymisé|anonyme"
    r"|anonimizzato|anonimo|anonimizado|anónimo|hidden|removed|withheld|verborgen"
    r"|masqué|oculto|nascosto|\*{3,}|x{3,})"
    # A copy of the reported message that keeps its trace headers and leaves out its To:
    # (the caller reads a quoted To: first): the desk withholds the complainant by omission.
    r"|^[ \t>]*Received:[ \t]*from[ \t]+\S+",
    re.I | re.M,
)

# RFC 5546: an attendee's answer to an invitation is an iCalendar object with METHOD:REPLY,
# which calendar software sends on a click. A COMMENT property carries a note the attendee
# typed, which a person should read, so an answer with one is not counted.
_ICAL_REPLY = re.compile(r"^METHOD:REPLY\s*$", re.I | re.M)
_ICAL_COMMENT = re.compile(r"^COMMENT[;:]", re.I | re.M)
CALENDAR_TYPES = ("text/calendar", "application/ics", "application/icalendar")


def calendar_reply(calendars: list[str]) -> bool:
    """An iCalendar REPLY (accepted, declined, tentative) with no note from the attendee."""
    return any(_ICAL_REPLY.search(c) for c in calendars) and not any(
        _ICAL_COMMENT.search(c) for c in calendars
    )


# The subject calendar software puts on an attendee's answer ("Declined: Intro call @ Thu").
CALENDAR_SUBJECT = re.compile(
    r"^\s*(?:accepted|declined|tentative(?:ly accepted)?|new time proposed|abgelehnt|angenommen"
    r"|zugesagt|abgesagt|mit vorbehalt angenommen|vorläufig angenommen|accepté|refusé"
    r"|provisoire|accepté provisoirement|aceptado|aceptada|rechazado|rechazada|provisional"
    r"|aceptado provisionalmente|accettato|rifiutato|provvisorio|aceite|aceito|recusado"
    r"|provisório|geaccepteerd|geweigerd|voorlopig|onder voorbehoud geaccepteerd|accepterad"
    r"|avböjd|preliminär|accepteret|afslået|foreløbig|godtatt|avslått|zaakceptowano"
    r"|odrzucono|wstępnie zaakceptowano)\s*:",
    re.I,
)

# The notices list and newsletter software sends about a subscription (double opt-in
# confirmations, "you are unsubscribed"), with the subject the software writes.
SUBSCRIPTION_SUBJECT = re.compile(
    r"^\s*(?:please )?confirm (?:your )?(?:subscription|sign-?up|e-?mail(?: address)?"
    r"|registration|opt-?in)\b|^\s*(?:subscription|sign-?up|opt-?in) (?:confirm(?:ation|ed)?"
    r"|request|successful|cancell?ed)\b|^\s*(?:you(?:'re| are|'ve been| have been) (?:now )?"
    r"(?:subscribed|unsubscribed))\b|^\s*unsubscribe (?:successful|confirmation|confirmed)\b"
    r"|^\s*(?:bitte )?(?:bestätigen sie (?:ihre|ihr) (?:newsletter-?)?(?:anmeldung|e-?mail-?adresse"
    r"|abonnement)|bestätige (?:deine|dein) (?:newsletter-?)?(?:anmeldung|e-?mail-?adresse|abonnement)"
    r"|anmeldung bestätigen|newsletter-?anmeldung bestätigen|abmeldung bestätigt)"
    r"|^\s*(?:confirmez|veuillez confirmer) votre (?:inscription|abonnement|adresse)"
    r"|^\s*confirme ton (?:inscription|abonnement|adresse)"
    r"|^\s*confirma (?:tu|su) (?:suscripción|correo|registro)"
    r"|^\s*conferma (?:la tua )?iscrizione"
    r"|^\s*confirme (?:a sua |sua )?(?:inscrição|subscrição|assinatura)"
    r"|^\s*bevestig (?:je|uw) (?:inschrijving|aanmelding|abonnement)"
    # the notice's name after the list's ("Orchid Society List Mailing List Subscription
    # Confirmation", as Dada Mail and others title it)
    r"|\b(?:subscription|sign-?up|opt-?in) (?:confirmation|confirmed|successful)\s*$",
    re.I,
)
# The same after a short lead-in the software puts first ("One more step: confirm your email",
# "Action required - please confirm your subscription", "Almost there! Confirm ..."). Weaker:
# a person's subject can look like it ("Quick question: confirm your email address?"), so it
# is read only on mail that answers nothing, and never where the lead-in is a reply prefix
# or a gateway's [tag] or the subject asks something.
SUBSCRIPTION_LEAD_IN = re.compile(
    r"^\s*(?!(?:re|aw|sv|vs|odp|antw|antwort|vá|ynt|r|rif|res|enc|fwd?|wg|tr)\s*[:：])"
    r"[^:!\-–—\[\]?]{1,30}[:!\-–—]\s*(?:please )?confirm (?:your )?(?:subscription"
    r"|sign-?up|e-?mail(?: address)?|registration|opt-?in)\b[^?]*$",
    re.I,
)


# A double opt-in's subject in more of the languages newsletter software is set up in, one
# line per language, each naming a subscription (never an address, an order or a meeting,
# which people ask to confirm too). Read as SUBSCRIPTION_LEAD_IN is.
_CONFIRM_SUBSCRIPTION = {
    "es-AR es-UY": r"confirmá tu suscripción",  # voseo
    "cs": r"potvr(?:ďte|ď|dte) (?:prosím )?(?:(?:svůj|své|váš|vaše) )?(?:přihlášení k odběru"
    r"|odběr (?:novinek|newsletteru))|potvrzení (?:přihlášení k odběru|odběru (?:novinek"
    r"|newsletteru))",
    "sk": r"potvr(?:ďte|ď|dte) (?:prosím )?(?:prihlásenie na odber|odber (?:noviniek"
    r"|newslettera))|potvrdenie (?:prihlásenia na odber|odberu (?:noviniek|newslettera))",
    "pl": r"potwierdź (?:swoją )?(?:subskrypcję|zapis (?:do|na) newslett?er)"
    r"|potwierdzenie subskrypcji",
    "hu": r"erősítsd? meg (?:a )?feliratkozás\w*|erősítse meg (?:a )?feliratkozás\w*"
    r"|feliratkozás megerősítése",
    "ro": r"confirm[aă](?:-ți)? abonarea|confirmați abonarea",
    "sv": r"bekräfta (?:din )?prenumeration på (?:vårt )?nyhetsbrev",
    "da": r"bekræft (?:dit abonnement på|din tilmelding til) (?:vores )?nyhedsbrev",
    "nb": r"bekreft (?:ditt abonnement på|din påmelding til) (?:vårt )?nyhetsbrev",
    "fi": r"vahvista (?:tilauksesi|uutiskirjeen tilaus|uutiskirjetilauksesi)",
    "tr": r"(?:aboneliğinizi|aboneliğini|bülten aboneliğinizi) onayla(?:yın|yin)?",
    "ru": r"подтвердите (?:вашу |свою )?подписку|подтверждение подписки",
    "uk": r"підтвердіть (?:свою |вашу )?підписку|підтвердження підписки",
    "el": r"επιβεβαιώστε (?:τη |την )?(?:συνδρομή|εγγραφή)"
    r"|επιβεβαίωση (?:της )?(?:συνδρομής|εγγραφής)",
    "ja zh": r"購読確認|メルマガ登録の確認|确认订阅|確認訂閱|确认您的订阅",
}
SUBSCRIPTION_SUBJECT_MORE = re.compile(
    rf"^\s*(?:{'|'.join(_CONFIRM_SUBSCRIPTION.values())})(?![^\W\d_])[^?]*$", re.I
)


# What bulk and newsletter software marks its mail with: a campaign header of its own, or
# its name as the X-Mailer. A person's reply carries neither.
_BULK_HEADER = re.compile(
    r"^x-(?:listmonk-[\w-]+|mc-user|mailchimp-[\w-]+|campaign|campaign-?id|campaignid"
    r"|mailerlite-[\w-]+|sendy-[\w-]+|mailpoet-[\w-]+|mautic-[\w-]+|phplist-[\w-]+"
    r"|mj-campaign[\w-]*|mailjet-campaign|sib-id|rpcampaign|newsletter-id|acumbamail-[\w-]+)$",
    re.I,
)
_BULK_MAILER = re.compile(
    r"\b(?:mailchimp|listmonk|sendy|phplist|mailpoet|mautic|mailerlite|sendinblue|brevo"
    r"|campaign monitor|constant contact|getresponse|aweber|klaviyo|convertkit|substack"
    r"|acumbamail|cleverreach|rapidmail|newsletter2go|inxmail|evalanche|mailingwork|emarsys"
    r"|sarbacane|dotdigital|omnisend|moosend|sendpulse|mailup|flodesk|beehiiv|acymailing"
    r"|mailster|mailwizz|interspire|emailoctopus|sendfox|icontact|verticalresponse|mailigen"
    r"|newsman|smartemailing|ecomail)\b",
    re.I,
)


# A double opt-in in any language, by its parts: list software's mark on the mail (its
# List-Unsubscribe header, or its own campaign header or X-Mailer) around a link that confirms
# the subscription ("https://news.example/confirm/8c1f", "...?task=confirm"), whatever
# language its subject is in.
_CONFIRM_LINK = re.compile(
    r"https?://[^\s<>\"']{1,200}?[/?&=._-](?:confirm(?:ation|ed)?|opt-?in|doi(?!\.org\b)"
    r"|double-?opt-?in|verify)(?=[/?#&=._-]|[\s<>\"']|$)",
    re.I,
)


def subscription_confirmation(headers: dict[str, str], text: str, *, threaded: bool) -> bool:
    """Outside a thread the software's own header or X-Mailer marks it too; in a thread that
    would be a second sign from the header `bulk_sender` already counts."""
    marked = "list-unsubscribe" in headers or (not threaded and bulk_sender(headers))
    return marked and bool(_CONFIRM_LINK.search(text))


def bulk_sender(headers: dict[str, str]) -> bool:
    """Mail that newsletter software sent: its campaign header or its X-Mailer."""
    return any(_BULK_HEADER.match(name) for name in headers) or bool(
        _BULK_MAILER.search(headers.get("x-mailer", ""))
    )


# --- issue 17, fifth blind set --------------------------------------------------------------

# ESP bounce events relayed as mail (SendGrid "bounce"/"dropped", Mailgun "failed", Postmark
# "Bounce", Mandrill "hard_bounce", SparkPost "bounce"/"out_of_band", Mailjet "bounce"): the
# same relay as a complaint event, with an event name that means the mail did not arrive.
_ESP_BOUNCE = re.compile(
    r"[\"'](?:event|type|recordtype|record_type|eventtype|event_type|event-type|notificationtype)"
    r"[\"']\s*:\s*[\"'](?:bounce|bounced|hard_?bounce|soft_?bounce|hard-bounce|soft-bounce"
    r"|dropped|failed|permanent_?fail(?:ure)?|out_of_band|blocked|rejected)[\"']",
    re.I,
)
_ESP_STATUS = re.compile(
    r"[\"'](?:status|enhanced_?code|bounce_?code)[\"']\s*:\s*[\"'](\d\.\d{1,3}\.\d{1,3})"
)
_ESP_REASON = re.compile(
    r"[\"'](?:reason|diagnostic|description|error|bounce_?reason|raw_reason|details?)[\"']\s*:\s*"
    r"[\"']([^\"'\n]{1,300})[\"']",
    re.I,
)


def esp_bounce(
    body: str,
    from_addr: str = "",
    *,
    display: str = "",
    automatic: bool = False,
    reply: bool = False,
    subject: str = "",
    ours: bool = False,
) -> dict[str, str] | None:
    """The recipient, message id, status and reason of an ESP's bounce event in a mail body,
    or None. The same guard as `esp_complaint` (`relayed_event`)."""
    relayed = relayed_event(
        from_addr, display, automatic=automatic, reply=reply, subject=subject, ours=ours
    )
    if not from_addr or not relayed:
        return None
    found = _json_event(body, _BOUNCE_EVENTS, _BOUNCE_STATUSES)
    if found is not None:
        address, event = found
        reasons = [r for r in _strings(event, _REASON_KEYS) if r.strip()]
        status = next((m.group(1) for r in reasons if (m := _ENHANCED_STATUS.search(r))), "")
        return {
            "recipient": address,
            "message_id": next(iter(_strings(event, _MESSAGE_ID_KEYS)), ""),
            "status": status,
            "reason": reasons[0] if reasons else "",
        }
    if not _ESP_BOUNCE.search(body):
        return None
    recipient = _ESP_RECIPIENT.search(body)
    if recipient is None:
        return None
    mid = _ESP_MESSAGE_ID.search(body)
    status = _ESP_STATUS.search(body)
    reason = _ESP_REASON.search(body)
    return {
        "recipient": recipient.group(1),
        "message_id": mid.group(1) if mid else "",
        "status": status.group(1) if status else "",
        "reason": reason.group(1) if reason else "",
    }


# Spam-reporting services that send a report in prose, not ARF (sisimai's ARF module knows
# SpamCop's by its sender and its "[SpamCop (" subject): the report itself is the complaint.
_REPORT_SERVICE_DOMAIN = re.compile(r"@(?:[\w-]+\.)*(?:spamcop\.net|abuse\.net)$", re.I)
_REPORT_SERVICE_SUBJECT = re.compile(r"^\s*\[spamcop \(", re.I)


def report_service(from_addr: str, subject: str) -> bool:
    """A spam-reporting service's report about our mail."""
    return bool(_REPORT_SERVICE_DOMAIN.search(from_addr)) or bool(
        _REPORT_SERVICE_SUBJECT.search(subject)
    )


# A list's digest (RFC 1153, RFC 2046 multipart/digest; Mailman "Digest, Vol 12, Issue 3",
# LISTSERV "Digest - 12 Mar 2025", Google Groups "Digest for ... - 3 updates in 2 topics",
# groups.io "Digest #123"): the list software compiled it, with the list's headers on it.
DIGEST_SUBJECT = re.compile(
    r"\bdigest\b[^\n]{0,60}?(?:\bvol(?:ume)?\.?\s*\d+|\bissue\s*#?\s*\d+|\bnumber\s*\d+|#\s*\d+"
    r"|\b\d+ (?:updates?|messages?|topics?|posts?)\b)|\bdigest (?:for|of)\b|\b(?:daily|weekly"
    r"|monthly) digest\b|\babridged summary of\b|\bdigest\s*-\s*\d",
    re.I,
)
DIGEST_BODY = re.compile(
    r"\byou (?:received|are receiving|receive) this digest\b|\btopic digest\b|\bdigest (?:mode"
    r"|subscribers?|version)\b|\bto stop receiving (?:the |this )?digests?\b"
    r"|\btoday'?s topics\s*(?:\(\d+ messages?\)|:)",
    re.I,
)


def list_digest(headers: dict[str, str], part_types: list[str], subject: str, text: str) -> bool:
    """A digest the list software compiled: a multipart/digest part, or list headers with a
    digest subject or a digest's own words."""
    if "multipart/digest" in part_types:
        return True
    if not any(_LIST_HEADER.match(name) for name in headers):
        return False
    return bool(DIGEST_SUBJECT.search(subject)) or bool(DIGEST_BODY.search(text[:3000]))
