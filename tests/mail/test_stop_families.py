"""Requests to stop by wording family (issue 17, second blind set): every wording here is our
own, none is a benchmark sentence. Each family holds several wordings in several languages,
and the counter-examples use the same words in another sense and must not suppress."""

from __future__ import annotations

from datetime import date

import pytest

from bot.mail.triage.rules import RuleClassifier
from bot.mail.triage.stop_requests import misspelt_removal
from bot.mail.triage.vocabulary import should_suppress

TODAY = date(2026, 3, 10)


def _suppressed(text: str) -> bool:
    return should_suppress(RuleClassifier().classify(text, "Re: Invoice approvals", today=TODAY))


FAMILIES = {
    # a legal citation ("Art. 17") that a sentence splitter breaks, and erasure of "all the
    # personal data you hold about me", with no possessive
    "legal citation and erasure without a possessive": [
        "Pursuant to Art. 17 GDPR, erase my data.",
        "I request deletion of all personal data you hold about me.",
        "Please erase any information you hold on us.",
        "Wir widersprechen nach Art. 21 DSGVO der Nutzung unserer Daten.",
        "Ich verlange die Löschung.",
        "Je demande l'effacement de mes données.",
        "Chiedo la cancellazione dei miei dati.",
        "Solicito a eliminação dos meus dados.",
        "Ik verzoek om verwijdering van mijn gegevens.",
        "Ik maak bezwaar tegen de verwerking van mijn gegevens.",
    ],
    # "how did you get my address? delete it", the data named in any language
    "where did you get my data, erase it": [
        "How did you even get my email? Delete it now.",
        "Wer hat Ihnen meine E-Mail-Adresse gegeben? Löschen Sie diese.",
        "Comment avez-vous eu mon adresse ? Supprimez-la.",
        "¿De dónde sacaron mi correo? Bórrenlo.",
        "Dove avete preso il mio indirizzo? Cancellatelo.",
        "Onde arranjaram o meu e-mail? Apaguem-no.",
        "Hoe komen jullie aan mijn e-mailadres? Verwijder het.",
    ],
    # politeness around an infinitive or imperative whose clitic is the writer
    "removal with the writer as a clitic": [
        "Potreste disiscrivermi?",
        "Per cortesia, potete rimuoverci dal vostro elenco?",
        "Toglietemi dalla vostra mailing list, grazie.",
        "Quítenme de su base de datos.",
        "Sáquenme de la lista por favor.",
        "¿Podrían borrarme, por favor?",
        "Tirem-me da vossa lista de contactos.",
        "Podem remover-me da lista?",
        "Sortez-moi de votre fichier.",
        "Haal me er alsjeblieft af.",
    ],
    # a request to stop next to words an out-of-office notice uses
    "a stop beside out-of-office words": [
        "Not an auto-reply: I'm out of office in spirit. Remove me from your list.",
        "I am not on vacation, just not interested. Please stop emailing me.",
        "Ich bin nicht im Urlaub. Bitte keine Mails mehr.",
        "I'm not out of the office, I read every one of these. Unsubscribe me.",
    ],
    # a regulator, with "if you go on" or a first-person verb of reporting in the future
    "regulator threat as a consequence": [
        "One more email and this goes to the ICO.",
        "If you keep writing to me I will be talking to the FTC.",
        "Je vais saisir la CNIL si vous continuez à m'écrire.",
        "Si vous m'écrivez encore, je saisirai la CNIL.",
        "Bei weiterer Zusendung wende ich mich an die Datenschutzbehörde.",
        "Noch eine Mail und ich melde das der Datenschutzaufsicht.",
        "Si me vuelven a escribir, presentaré una reclamación ante la AEPD.",
        "Se mi scrivete di nuovo mi rivolgerò al Garante della privacy.",
        "Se voltarem a escrever-me, vou apresentar queixa à CNPD.",
        "Als je me nog een keer mailt, meld ik het bij de Autoriteit Persoonsgegevens.",
    ],
    # consent denied for our mail
    "never signed up": [
        "I never signed up for this.",
        "We never opted in to any of this.",
        "I didn't sign up for your newsletter.",
        "You added me without my consent.",
        "Ich habe mich nie angemeldet.",
        "Je ne me suis jamais inscrit à votre liste.",
        "Nunca me suscribí a nada.",
        "Non mi sono mai iscritto.",
        "Nunca me inscrevi.",
        "Ik heb me nooit aangemeld.",
    ],
    # the mail is unwanted by the writer or everyone around them
    "nobody here wants these": [
        "Nobody here wants these.",
        "Nobody at our company wants your emails.",
        "No one here reads these.",
        "We really don't want any more of your newsletters.",
        "Niemand hier will diese Werbemails.",
        "Personne ici ne veut de vos mails.",
        "Nadie aquí quiere sus correos.",
        "Nessuno qui vuole le vostre email.",
    ],
    # telling somebody off, in each language's words for it
    "telling us to cease": [
        "Knock it off.",
        "Enough with the follow-ups.",
        "Take the hint.",
        "Smettetela di scrivermi.",
        "Deixem de me enviar emails.",
        "Hou op met mailen alstublieft.",
        "Kap met die mails.",
        "Lassen Sie mich in Ruhe.",
        "Schluss mit den Mails.",
        "Laissez-moi tranquille.",
        "Déjenme en paz.",
        "Chega de e-mails.",
    ],
    # anti-spam law, said of our mail
    "breaking an anti-spam law": [
        "Your emails violate CAN-SPAM.",
        "This is in breach of CASL.",
        "These messages are illegal under PECR.",
        "You are in violation of the TCPA.",
    ],
    # typos, caps and emoji with modifiers
    "typos and emoji": [
        "remvoe me",
        "Please reomve me from your list",
        "delte my address",
        "take me of your list",
        "🙅‍♂️📧",
        "✋ stop",
        "🛑 unsubscribe 🛑",
        "STOP SPAMMING US",
    ],
}

COUNTER = [
    # the brief's own
    "We had to stop the rollout last week.",
    "Can you remove the blocker on the integration?",
    "Our spam filter caught your mail, sorry for the late reply.",
    "Don't stop, send the deck.",
    # the same words, another object or sense
    "If you send the contract, our lawyers will review it.",
    "Next time we talk, can you explain how you handle CNIL requirements?",
    "Si vous continuez le pilote, la CNIL demandera un registre de traitement ?",
    "Wenn Sie noch einmal Fragen haben, wenden Sie sich an unseren Datenschutzbeauftragten.",
    "We report our spam rate to Spamhaus monthly, is that normal?",
    "The FTC guidance says you need an unsubscribe link, do you have one?",
    "I never signed up for the webinar, can you register me?",
    "Ich habe mich nie für das Webinar angemeldet, können Sie mich eintragen?",
    "Nunca me suscribí al webinar, ¿me pueden inscribir?",
    "Nobody here wants to do manual invoice matching anymore.",
    "We don't want these invoices piling up again.",
    "Nobody at our company reads PDFs, can you send XML?",
    "Enough with the theory, show me a demo.",
    "Take a hint from Stripe's onboarding.",
    "Potete rimuovere il vecchio allegato?",
    "Potete cancellarmi dal webinar di giovedì e iscrivermi a quello di venerdì?",
    "Quítenme la duda: ¿funciona con SAP?",
    "Dejen de enviar la factura en PDF, mándenla en XML.",
    "Hoe komen jullie aan deze cijfers? Verwijder het oude rapport.",
    "Haal me om 3 uur op van het station.",
    "Lassen Sie mich wissen, wann die Demo ist.",
    "Chega de papel, queremos tudo digital!",
    "Basta con i fogli Excel, vogliamo automatizzare.",
    "Assez de paperasse, on veut automatiser.",
    "Lasciatemi il numero, vi richiamo.",
    "Deixem de lado a proposta antiga.",
    "The remote team will review it.",
    "Please delete the duplicate invoice from the portal.",
    "I'm out of office until Monday, back on the 16th.",
]


@pytest.mark.parametrize(
    "family,text", [(family, text) for family, texts in FAMILIES.items() for text in texts]
)
def test_family_is_a_stop(family: str, text: str) -> None:
    assert _suppressed(text), f"{family}: {text}"


@pytest.mark.parametrize("text", COUNTER)
def test_same_words_in_another_sense_do_not_suppress(text: str) -> None:
    assert not _suppressed(text), text


def test_every_family_has_several_wordings() -> None:
    assert all(len(texts) >= 4 for texts in FAMILIES.values())


def test_removal_typos_need_the_writer_as_object() -> None:
    assert misspelt_removal("pls remvoe me")
    assert misspelt_removal("delte my email")
    assert not misspelt_removal("the remote team")
    assert not misspelt_removal("remote us into the session")
    assert not misspelt_removal("remove me")  # spelt right: the rules read it, vetoes and all


def test_stop_beside_out_of_office_words_still_reads_as_out_of_office_without_one() -> None:
    c = RuleClassifier().classify(
        "I am out of the office until 16 March with limited access to email.",
        "Automatic reply",
        today=TODAY,
    )
    assert not should_suppress(c)
