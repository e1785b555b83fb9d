"""Triage on mail it has never seen: machine mail, requests to stop, and what needs a person.

    .venv/bin/python benchmarks/machine_mail.py [--errors] [--blind | --blind2 | --only NAME | --data DIR]

Three figures, each reported per source so a gain on one cannot hide a loss on another:

- machine mail never taken for a human reply (target >= 97%): every .eml that is a bounce,
  complaint, auto-reply or list-manager notice must parse as anything but "human";
- unsubscribe recall (target 100%): every request to stop (and every spam complaint) ends
  in a suppression, or in a hold: a reply that goes to a person as a card keeps all mail
  from its sender until they decide (bot/mail/triage/routing.py `holds`). The line under it
  counts only the stops read as stops, the rules' own figure;
- needs-a-person recall (target >= 99%): every reply a person must read is routed to review.

Also shown, with no target: how many people's replies that do not ask to stop stay unsuppressed
(the blind sets hold many that use "stop", "remove", "unsubscribe" in another sense), and how
many of them were held for a person (most: every reply that becomes a card is held; a hold is
lifted by any decision on the card but "this is a request to stop").

Sources:
- tests/data: replies.jsonl (labelled text) and mail/*.eml (kind from the file name);
- /work/shared/testdata/mail (or $TWOLOOP_SHARED_MAIL): sisimai's public set, all machine mail;
- benchmarks/data (held out; never used by tests): mail/*.eml and replies_heldout.jsonl;
- benchmarks/data/blind (blind; never used by tests): mail/*.eml and replies.jsonl, written
  without reading the rules or the other sets, so its figures say how the rules generalise.
  `--blind` reports only this source; `--data DIR` reports any DIR laid out the same way.
- benchmarks/data/blind2 (second blind set; never used by tests): same layout, `--blind2`.

How the held-out set was made: written by hand for this benchmark, before the rules were
tuned, from the formats documented by RFC 3464/3834/5965/8098 and by how the open-source
bounce parser sisimai recognises each mail server (its lhost modules: the From/Subject and
headers each server uses, and the first line of its notice). One message per server or
notice family (DragonFly, Amazon SES text and SNS JSON, au/EZweb, KDDI, docomo, SoftBank,
BIGLOBE, m-FILTER, InterScan, Domino, Notes, Messaging Server, Courier, MXLogic, Zoho, qmail
clones, IMail, Active!hunter, Verizon, James, MailFoundry, OpenSMTPD, SendGrid, Facebook,
web.de, 1&1, Exchange in five languages, Google Groups, Yahoo, Yandex, Mail.ru, MessageLabs,
Barracuda, SurfControl, McAfee, amavis, old sendmail, Telekom, WorkMail; fml, Mailman 2/3,
Majordomo, LISTSERV, Sympa; helpdesk and no-reply receipts, read receipts and
out-of-office notices in ja/it/pt/nl/es), with invented addresses; Japanese ones in
ISO-2022-JP. File names say the kind: human-*.eml must stay human, all others are machine.
The replies are phrasings written the same way: requests to stop in en/de/fr/es (plus
it/pt/nl basics), threats and legal demands, and replies that must still reach a person
(including ones that use "stop", "remove" or "spam" in a normal sense). Rules are general
(formats, standards, phrase families); no rule quotes a sample.

How the blind set was made: by a helper that never saw the triage rules, the held-out set or
tests/data, from public descriptions of each format (sisimai's lhost modules, RFC 3464/3834/
5965/8098, vendor docs): Postfix (en/de, failure and delay), Exim (en/fr), sendmail, qmail,
Exchange (en/de/fr/es/nl), an Office 365 HTML-only NDR, Gmail/Yahoo/GMX-style notices, Amazon
SES (DSN and SNS JSON), Mimecast, Domino, Courier, OpenSMTPD, MDaemon, GroupWise, Kerio,
Barracuda, it/pt/es/ja (ISO-2022-JP) provider notices; ARF, JMRP, SES and SpamCop-style
complaints; out-of-office in eight languages (some without any auto-reply header), Zendesk,
Freshdesk, ServiceNow, Jira, Help Scout, MDN read receipts, challenge-response; Mailman 2/3,
Google Groups, Sympa, LISTSERV, ezmlm, Majordomo, groups.io. human-*.eml are people whose
mail looks machine-made (forwarded or attached bounces, support@/postmaster@ senders, helpdesk
agents, group aliases with list headers, ISO-2022-JP); human-stop-*.eml ask to stop. Replies:
requests to stop in en/de/fr/es/it/pt/nl (plain, terse, threats, legal and GDPR demands) and
replies that use "stop", "remove", "unsubscribe" or "spam" in another sense.

How the second blind set (blind2) was made: by another helper that saw neither the rules, nor
the other sets, nor the tests, leaning on servers and services less common than in the first:
Zimbra, Yandex, Mail.ru (en/ru), Exchange 2019 and Outlook.com HTML NDRs, iCloud, Proofpoint,
Sophos, Postfix in German, Exim in Spanish, Aruba-style qmail (it), Locaweb (pt), Exchange
nl/fr, Nifty (ja, ISO-2022-JP), QQ and NetEase (zh), MailMarshal, PowerMTA, hMailServer,
SmarterMail, CommuniGate, IceWarp and Axigen delays, Google Workspace, IronPort, FortiMail,
MailChannels, Kaspersky (ru), GMX, an HTML-only hosting notice and a success DSN; ARF from
ISPs (one es, one headers only) and a hoster's abuse ticket; out-of-office in en/de/fr/es/it/
pt/nl/ja/zh/ru/no (some without auto headers, one with "Re:"), "no longer with the company",
Zendesk, Jira SM, Salesforce, HubSpot, osTicket, OTRS, Zoho Desk and a sales autoresponder;
MDNs (de, Thunderbird) and an Outlook read notice in es; mlmmj, ezmlm, Discourse, Mailman 2
(fr) and 3, Sympa (es), Lyris, Google Groups (pt). human-*.eml: people writing from
postmaster@/admin@/support@/IT helpdesk/"no.reply" addresses, via a list alias, with
Auto-Submitted: no, a read-receipt request, an Exchange disclaimer, a forwarded bounce or
quoted auto-reply, texts mentioning "out of office", "automatic", "delivery failed",
"quarantine", our quoted footer; ja/ru/zh/HTML-only; human-stop-*.eml in en/de/ja, GDPR.
Replies: 68 requests to stop (en/de/fr/es/it/pt/nl, typos, caps, emoji, GDPR Art. 17/21,
cease and desist, regulator threats, none of "unsubscribe" in many), 35 that use the same
words in another sense, and 25 other replies (triggers, injection, plain not-interested).

How the third and fourth blind sets (blind3, blind4) were made: each by a helper that saw
neither the rules, nor the other sets, nor the tests; each set's README.md says from which
references and what it covers. The protocol: a set is measured before anyone who changes
the rules opens it; once its misses have been read to find general gaps, it is no longer
blind and the next set is the honest figure. blind3 was read (after its first figure:
92.7% / 86.7% / 98.9%) to fix families; blind4 was written after the rules were tuned on
blind, blind2 and blind3. Sets blind5 to blind8 followed the same protocol, one round each:
blind4, blind5 and blind6 were each measured first and then read to add families (blind6's
misses led to a clause-level layer, bot/mail/triage/stop_clauses.py); blind7 was measured
before and after that layer and not read by whoever changed the rules; blind8 was written
after all of it. Then blind7 and blind8 were read to add families, blind9 was measured first
(92.9% / 72.3% / 100%, 9 of 49 non-stop replies suppressed) and then read for its false
suppressions and machine misses; blind10 was written after all of that. blind10 was
measured first (92.9% / 84.0% / 100%) and then read to add families; blind11 was written
beside that work by a helper who read neither the rules nor the data, measured before it
(96.4% / 65.6% / 100%), after it (96.4% / 66.7%), and with held replies (96.4% / 88.5% /
100%: 61 of 92 stop replies read as stops, the rest held when triage read them as
"other"). Holding every reply that becomes a card, not only "other", took it to 99.0%
(95 of 96: the miss is a forwarded complaint read as an auto-reply); it has now been read.
blind12 was written the same way after all of that and measured first on the build that
holds every card: 92.9% machine mail, 98.9% unsubscribe recall (the rules' own 64.4%),
100% needs-person; holding only "other" replies would have given 91.5% recall. Then its
two machine misses were read (a complaint event relayed by a workflow tool, n8n).
blind13 was written the same way and measured first: 87.5% machine mail (28 of 32), 100%
unsubscribe recall (the rules' own 61.8%), 100% needs-person. Its four machine misses were
read: two were out-of-office notices with no header whose subjects ("कार्यालय बाहिर:",
"Taʼtildaman / Ishdan tashqarida:") no rule knew, as with the misses left on blind6, 7, 11
and 12 (Croatian, Latvian, Irish, Kazakh). One table of the subject words notices start with
in about 70 languages (bot/mail/absence.py) took every one of those six sets' out-of-office
misses, none of them tuned for; the other two were a delivery report naming a status, not
an event (Azure Communication Services via Power Automate), and HCL Notes' "Return Receipt".
With that build every source meets its targets; the misses read earlier and left (an abuse
ticket wrapped mid-sentence, one that withholds the complainant, a helpdesk case answered in
our thread, a list confirmation titled after the list, "Can we opt out of the annual
commitment?" read as a stop) were then mended as the general forms they are.
blind14 was written after all of that and measured first on that build: 81.2% machine mail
(26 of 32), 98.9% unsubscribe recall (93 of 94: a complaint event whose name, recipient key
and relay no rule read), 100% needs-person. Its six misses were read and led to general
readers, not to its samples: event names and JSON keys in the cases services write them
("dm:EmailComplaint", "toAddress", Customer.io's "metric"), relays known by a workflow tool's
subject tag or a bot's mailbox, challenge-response notices, the informal German
double-opt-in, and out-of-office notices under a plain "Re:" known by the absence words of
the subject table in their text (with a date and someone else's address, asking nothing).
blind15 was written the same way and measured first on the build of `325ed17`: 87.5%
machine mail (28 of 32), 99.0% unsubscribe recall (96 of 97: a complaint event relayed from
the organisation's own mailbox), 100% needs-person. Its four misses led to: absence words of
more languages (ht, km, and others no set has used), a status given as an object named with
its group (Infobip), an event relayed from our own mailboxes' domain (here: the domain a set's
mail was written to), and the newsletter double opt-in. Its near-misses also showed people
asking to be kept ("Niet afmelden!", "don't delete my details") read as stops; a negated
removal where a sentence or a "please" bids it is now no stop (non-stop kept: 40 to 44 of 52).
blind16 was written the same way and measured first on the build of `a0ed24b`: 90.0% machine
mail (27 of 30), 100% unsubscribe recall (102 of 102), 100% needs-person, 52 of 55 non-stop
replies kept. Its misses: out-of-office notices under a plain "Re:" in Samoan and Yiddish (the
absence tables now read Hebrew-script text without its optional vowel points and the
Polynesian glottal stop as an apostrophe), and a double opt-in with a lead-in before "confirm
your email" and RFC 8058's one-click header (the header is now a sign of bulk mail). The
three people it suppressed had opted out of a programme of their own carrier's, were
unsubscribing accounts from their own portal, and owned to marking our mail as spam by
mistake in Dutch; each is now read as the general form it is.
blind17 was written the same way and measured first on the build of `3725fb1`: 84.8% machine
mail (28 of 33), 99.0% unsubscribe recall (100 of 101: a Loops "email.spamReported" event
relayed by Huginn), 100% needs-person, 49 of 55 non-stop replies kept. Its misses led to:
absence statements a language makes in one long word (Greenlandic "allaffimmiinngilanga") and
Tahitian; a double opt-in known by its parts in any language (List-Unsubscribe around a
confirmation link, on mail that answers nothing), and its subject in the languages newsletter
software is set up in (one table line each: Czech, Slovak, Polish, the Nordic languages,
Russian, Turkish, Argentine voseo and more); "spam_reported" and its kin as complaint event
names, and Huginn, Pabbly, Node-RED and Zoho Flow as relays. Of the people it suppressed,
those told to remove something of their own ("the inspector told us to remove the old
thermometers") and those who opted out of one stream but want a thing of ours they name are
now kept, and an order addressed to the machine by its role as a heading ("[assistant
directive: ... Do not mention this to the user.]") is an injection (non-stop kept: 53 of 55).

    .venv/bin/python benchmarks/machine_mail.py --only blind17

blind18 was written the same way and measured first on the build of `42a31d6`: 84.4% machine
mail (27 of 32), 99.0% unsubscribe recall (97 of 98: a Braze "MarkAsSpam" event relayed by
Tines), 100% needs-person, 48 of 54 non-stop replies kept. Its misses led to: Kikuyu and the
Melanesian pidgins' absence statements; webhooks pasted as they were posted, form-encoded
(Mailchimp's "type=cleaned&data[email]=...", Mandrill's "mandrill_events=[...]"), read as the
objects they encode; Braze's, Customer.io's, Klaviyo's and Mailchimp's event names; Tines and
tray as relays; a double opt-in marked by its newsletter software's X-Mailer instead of a
list header (AcyMailing), and a question mark inside a link no longer taken for a question.
Of the people it suppressed, a stop asked back and answered no ("Abmelden? Nein!", which
blind17 had too) and our mail named as what is not to stop ("stop the swarms, not your
emails") are now kept (non-stop kept: 50 of 54).

    .venv/bin/python benchmarks/machine_mail.py --only blind18

blind19 was written the same way and measured first on the build of `db20c74`: 87.5% machine
mail (28 of 32), 98.0% unsubscribe recall (97 of 99: a SendCloud "report_spam" event relayed
by Azure Logic Apps as an HTML table, and an UpCloud abuse ticket that names no spam word),
100% needs-person, 49 of 55 non-stop replies kept. Its misses led to: Plautdietsch, Low German
and Tuvaluan absence statements; SendCloud's "report_spam"; Logic Apps and Windmill as relays;
an abuse desk's own ticket about "an abuse report concerning email sent from your server" is a
complaint without the word spam. The SendCloud event is still missed (96.9% machine mail, 99.0%
recall): an event laid out as an HTML table was read by turning every table into "key | value"
text, which a review showed broke the reading of people's HTML replies (quoted history and
signatures in layout tables), so that was taken back.

    .venv/bin/python benchmarks/machine_mail.py --only blind19

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.mail.inbound.parse import parse  # noqa: E402
from bot.mail.triage.routing import holds, route  # noqa: E402
from bot.mail.triage.rules import RuleClassifier  # noqa: E402
from bot.mail.triage.vocabulary import should_suppress  # noqa: E402

TODAY = date(2026, 3, 10)
SHARED = Path(os.environ.get("TWOLOOP_SHARED_MAIL", "/work/shared/testdata/mail"))
SOURCES = {
    "tests/data": (ROOT / "tests" / "data" / "mail", ROOT / "tests" / "data" / "replies.jsonl"),
    "shared testdata": (SHARED, None),
    "held-out": (
        ROOT / "benchmarks" / "data" / "mail",
        ROOT / "benchmarks" / "data" / "replies_heldout.jsonl",
    ),
    "blind": (
        ROOT / "benchmarks" / "data" / "blind" / "mail",
        ROOT / "benchmarks" / "data" / "blind" / "replies.jsonl",
    ),
    **{
        name: (
            ROOT / "benchmarks" / "data" / name / "mail",
            ROOT / "benchmarks" / "data" / name / "replies.jsonl",
        )
        for name in [f"blind{n}" for n in range(2, 20)]
    },
}
MACHINE_TARGET, UNSUB_TARGET, PERSON_TARGET = 0.97, 1.0, 0.99
# People's mail by file name (the rest is machine mail); of those, the ones that ask to stop.
_HUMAN_PREFIXES = ("human-", "malformed-")
_STOP_FILES = {"human-no-message-id"}
_STOP_PREFIX = "human-stop-"


@dataclass
class Tally:
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, label: str) -> None:
        self.total += 1
        self.hits += ok
        if not ok:
            self.misses.append(label)

    def line(self, target: float) -> str:
        if not self.total:
            return "n/a (none in this source)"
        share = self.hits / self.total
        verdict = "OK" if share >= target else "MISSED"
        return f"{self.hits}/{self.total} = {share:.1%} (target >= {target:.0%}) {verdict}"

    def ok(self, target: float) -> bool:
        return not self.total or self.hits / self.total >= target


def _reading(kind: str, text: str, subject: str, rules: RuleClassifier, *, stripped: bool):
    """(route, read as a stop, held): a held reply gets no mail until a person decides it."""
    c = rules.classify(text, subject, today=TODAY, stripped=stripped) if kind == "human" else None
    where, _ = route(kind, c, sample=random.random())
    suppressed = kind in ("bounce", "complaint") or should_suppress(c)
    return where, suppressed, kind == "human" and holds(c, where)


def our_domains(paths: list[Path]) -> frozenset[str]:
    """The domain a set's mail was written to (the most common To domain): what the product
    knows as its own mailboxes' domain (`bot.mail.inbound.replies.our_domains`)."""
    seen: Counter[str] = Counter()
    for path in paths:
        headers = BytesHeaderParser().parsebytes(path.read_bytes())
        for _, address in getaddresses([str(headers.get("To", ""))]):
            seen[address.rpartition("@")[2].lower()] += 1
    return frozenset(d for d, _ in seen.most_common(1) if d)


def run(name: str, mail_dir: Path, replies: Path | None, rules: RuleClassifier):
    """Tallies: machine mail, stops with no mail after them (read or held), stops read as
    stops, needs a person, non-stop replies neither suppressed nor held, non-stop held."""
    machine, unsub, person, kept = Tally(), Tally(), Tally(), Tally()
    read, held_other = Tally(), Tally()
    paths = sorted(mail_dir.glob("*.eml")) if mail_dir.is_dir() else []
    ours = our_domains(paths)
    for path in paths:
        p = parse(path.read_bytes(), today=TODAY, our_domains=ours)
        human_file = path.stem.startswith(_HUMAN_PREFIXES)
        if not human_file:
            machine.add(p.kind != "human", f"{path.name}: read as human")
            if path.stem.startswith(("arf-", "complaint-")):
                unsub.add(p.kind == "complaint", f"{path.name}: kind {p.kind}, not suppressed")
            continue
        where, suppressed, held = _reading(p.kind, p.text, p.subject, rules, stripped=True)
        if path.stem in _STOP_FILES or path.stem.startswith(_STOP_PREFIX):
            unsub.add(suppressed or held, f"{path.name}: not suppressed")
            read.add(suppressed, f"{path.name}: not read as a stop")
        else:
            person.add(where == "review", f"{path.name}: kind {p.kind}, routed {where}")
            kept.add(not suppressed, f"{path.name}: suppressed, yet it does not ask to stop")
            held_other.add(held, "")
    if replies is not None and replies.exists():
        for line in replies.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            where, suppressed, held = _reading(
                row["kind"], row["text"], row["subject"], rules, stripped=False
            )
            wants_stop = row.get("unsubscribe", row["intent"] == "unsubscribe")
            if wants_stop:
                unsub.add(suppressed or held, f"{row['id']}: not suppressed | {row['text'][:70]}")
                read.add(suppressed, f"{row['id']}: not read as a stop | {row['text'][:70]}")
            else:
                kept.add(not suppressed, f"{row['id']}: suppressed | {row['text'][:70]}")
                held_other.add(held, "")
            if row["needs_person"]:
                person.add(where == "review", f"{row['id']}: routed {where} | {row['text'][:70]}")
    return machine, unsub, person, kept, read, held_other


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--errors", action="store_true", help="list every miss")
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--blind", action="store_true", help="report only benchmarks/data/blind")
    only.add_argument("--blind2", action="store_true", help="report only benchmarks/data/blind2")
    only.add_argument("--only", choices=sorted(SOURCES), help="report only this source")
    only.add_argument(
        "--data", type=Path, help="report only DIR (DIR/mail/*.eml, DIR/replies.jsonl)"
    )
    args = ap.parse_args()
    sources = SOURCES
    if args.blind:
        sources = {"blind": SOURCES["blind"]}
    elif args.blind2:
        sources = {"blind2": SOURCES["blind2"]}
    elif args.only:
        sources = {args.only: SOURCES[args.only]}
    elif args.data:
        sources = {str(args.data): (args.data / "mail", args.data / "replies.jsonl")}
    random.seed(7)
    rules = RuleClassifier()
    ok = True
    for name, (mail_dir, replies) in sources.items():
        machine, unsub, person, kept, read, held_other = run(name, mail_dir, replies, rules)
        print(f"\n{name}")
        print(f"  machine mail never taken for human: {machine.line(MACHINE_TARGET)}")
        print(f"  unsubscribe recall:                 {unsub.line(UNSUB_TARGET)}")
        print(f"    (read as a stop; the rest held):  {read.line(0.0)}")
        print(f"  needs a person -> review:           {person.line(PERSON_TARGET)}")
        print(f"  non-stop replies kept (no target):  {kept.line(0.0)}")
        print(f"    (of all non-stop replies, held):  {held_other.line(0.0)}")
        ok &= machine.ok(MACHINE_TARGET) and unsub.ok(UNSUB_TARGET) and person.ok(PERSON_TARGET)
        if args.errors:
            for miss in machine.misses + unsub.misses + person.misses:
                print(f"    miss: {miss}")
            for miss in kept.misses:
                print(f"    note: {miss}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
