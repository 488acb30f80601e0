"""What the agent says, in French and English: every sentence in one place, keyed by purpose.

Red-flag yes/no questions are keyed by the category's string value (LABELS.md spelling), so a
category the classifier adds later (``sepsis``, ``acute_abdomen``, ``diabetic``) is asked as soon
as it exists in ``classifier.labels.RedFlag``, and an unknown one still gets a generic question.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]


def lang(language: str) -> Language:
    """French for ``fr``, English for anything else (the agent speaks one of the two)."""
    return "fr" if language == "fr" else "en"


CONFIRM_QUESTIONS: dict[str, dict[Language, str]] = {
    "chest_pain": {
        "fr": "Avez-vous une douleur ou une pression dans la poitrine en ce moment ?",
        "en": "Do you have chest pain or pressure right now?",
    },
    "breathing": {
        "fr": "Avez-vous du mal à respirer ?",
        "en": "Are you having trouble breathing?",
    },
    "stroke": {
        "fr": "Y a-t-il une faiblesse d'un côté, le visage qui tombe ou du mal à parler ?",
        "en": "Is there weakness on one side, a drooping face or trouble speaking?",
    },
    "consciousness": {
        "fr": "La personne est-elle inconsciente ou ne répond-elle plus ?",
        "en": "Is the person unconscious or not responding?",
    },
    "bleeding": {
        "fr": "Le saignement est-il abondant et ne s'arrête-t-il pas ?",
        "en": "Is the bleeding heavy and not stopping?",
    },
    "anaphylaxis": {
        "fr": "Le visage, les lèvres ou la gorge gonflent-ils ?",
        "en": "Are the face, lips or throat swelling?",
    },
    "infant_fever": {
        "fr": "Le bébé a-t-il moins de trois mois avec 38 degrés ou plus ?",
        "en": "Is the baby under three months old with a temperature of 38 or more?",
    },
    "suicidal": {
        "fr": "Pensez-vous à mettre fin à vos jours ?",
        "en": "Are you thinking of ending your life?",
    },
    "seizure": {
        "fr": "La convulsion dure-t-elle depuis plus de cinq minutes ?",
        "en": "Has the seizure lasted more than five minutes?",
    },
    "meningitis": {
        "fr": "Y a-t-il des taches violettes sur la peau ou une raideur de la nuque ?",
        "en": "Are there purple spots on the skin or a stiff neck?",
    },
    "poisoning": {
        "fr": "A-t-on avalé des médicaments ou un produit toxique ?",
        "en": "Were medicines or a toxic product swallowed?",
    },
    "obstetric": {
        "fr": "Êtes-vous enceinte avec des saignements ou de fortes douleurs au ventre ?",
        "en": "Are you pregnant with bleeding or severe belly pain?",
    },
    "trauma": {
        "fr": "Y a-t-il eu une perte de connaissance ou un accident grave ?",
        "en": "Was there a loss of consciousness or a serious accident?",
    },
    "sepsis": {
        "fr": "Avec la fièvre, la personne est-elle confuse, très somnolente, marbrée ou "
        "respire-t-elle très vite ?",
        "en": "With the fever, is the person confused, very drowsy, blotchy or breathing "
        "very fast?",
    },
    "acute_abdomen": {
        "fr": "La douleur au ventre est-elle violente, brutale, avec un ventre dur ou des "
        "vomissements qui ne s'arrêtent pas ?",
        "en": "Is the belly pain severe and sudden, with a hard belly or vomiting that will "
        "not stop?",
    },
    "diabetic": {
        "fr": "La personne diabétique a-t-elle un sucre très haut avec des vomissements, ou "
        "un sucre bas qui ne remonte pas ?",
        "en": "Does the person with diabetes have a very high sugar with vomiting, or a low "
        "sugar that will not come up?",
    },
}

GENERIC_CONFIRM_QUESTION: dict[Language, str] = {
    "fr": "Est-ce grave et soudain, en ce moment même ?",
    "en": "Is it severe and sudden, right now?",
}


def confirm_question(category: str, language: str) -> str:
    """The yes/no question for a red-flag category (its string value), any category."""
    return CONFIRM_QUESTIONS.get(category, GENERIC_CONFIRM_QUESTION)[lang(language)]


TEXTS: dict[str, dict[Language, str]] = {
    # What the hub says of the human side (issue 11): take-over, acknowledgment, last rung.
    "put_through": {
        "fr": "Je vous passe la personne qui prend votre appel. Restez en ligne.",
        "en": "I am putting you through to the person taking your call. Please hold.",
    },
    "doctor_has_call": {
        "fr": "Le médecin a pris connaissance de votre appel et va vous répondre. Restez en "
        "ligne.",
        "en": "The doctor has your call and will speak to you shortly. Please stay on the line.",
    },
    "last_rung": {
        "fr": "Personne n'a encore pu prendre votre appel. Raccrochez et composez le {number} "
        "maintenant, ou le 112.",
        "en": "Nobody has been able to take your call yet. Hang up and dial 112 now.",
    },
    "greeting": {
        "fr": "Bonjour, vous êtes bien au {practice}. En cas d'urgence vitale, raccrochez et "
        "composez le 15.",
        "en": "Hello, you have reached {practice}. If this is a life-threatening emergency, "
        "hang up and call 112.",
    },
    "ask_reason": {
        "fr": "Quel est le motif de votre appel ?",
        "en": "What is the reason for your call?",
    },
    "emergency": {
        "fr": "Je vous mets en relation avec le médecin tout de suite, restez en ligne.",
        "en": "I am putting you through to the doctor right now, please stay on the line.",
    },
    "emergency_call_15": {
        "fr": "Je vous mets en relation avec le médecin tout de suite. Si la situation "
        "s'aggrave, raccrochez et appelez le 15 ou le 112.",
        "en": "I am putting you through to the doctor right now. If it gets worse, hang up "
        "and call 112.",
    },
    "emergency_no_transfer": {
        "fr": "Appelez le 15 ou le 112 maintenant. Le médecin de garde est aussi alerté.",
        "en": "Call 112 now. The on-call doctor has also been alerted.",
    },
    "urgent": {
        "fr": "Un médecin vous rappellera aujourd'hui. Je transmets votre demande en priorité.",
        "en": "A clinician will call you back today. I am passing your request on as a "
        "priority.",
    },
    "ask_name": {
        "fr": "Quel est votre nom et votre prénom ?",
        "en": "What is your full name?",
    },
    "ask_dob": {
        "fr": "Quelle est votre date de naissance ?",
        "en": "What is your date of birth?",
    },
    "ask_callback": {
        "fr": "À quel numéro pouvons-nous vous rappeler ?",
        "en": "What number can we call you back on?",
    },
    "ask_callback_known": {
        "fr": "Pouvons-nous vous rappeler au {number} ?",
        "en": "Can we call you back on {number}?",
    },
    "reask_name": {
        "fr": "Pardon, je n'ai pas bien compris votre nom. Dites par exemple : Marie Durand.",
        "en": "Sorry, I did not catch your name. For example: Mary Smith.",
    },
    "reask_dob": {
        "fr": "Pardon, je n'ai pas compris la date. Dites par exemple : le 3 mars 1980.",
        "en": "Sorry, I did not catch the date. For example: the 3rd of March 1980.",
    },
    "reask_callback": {
        "fr": "Pardon, je n'ai pas compris le numéro. Dites-le chiffre par chiffre, par "
        "exemple : 06 12 34 56 78.",
        "en": "Sorry, I did not catch the number. Please say it digit by digit, for example: "
        "07 700 900 123.",
    },
    "confirm_form": {
        "fr": "Je récapitule : {name}, {born} le {dob}, rappel au {number}. Est-ce correct ?",
        "en": "Let me check: {name}, born on {dob}, call back on {number}. Is that right?",
    },
    "ask_correction": {
        "fr": "Qu'est-ce qui n'est pas correct ? Dites par exemple : mon nom est Durand.",
        "en": "What is not right? For example: my name is Smith.",
    },
    "closing_routine": {
        "fr": "Merci. Votre demande est transmise au secrétariat, qui vous rappellera pour "
        "vous proposer un rendez-vous. Au revoir.",
        "en": "Thank you. Your request goes to the practice team, who will call you back "
        "with an appointment. Goodbye.",
    },
    "closing_urgent": {
        "fr": "Merci. Le médecin vous rappellera aujourd'hui à ce numéro. Si cela s'aggrave, "
        "appelez le 15. Au revoir.",
        "en": "Thank you. The clinician will call you back today on this number. If it gets "
        "worse, call 112. Goodbye.",
    },
    "transfer_human": {
        "fr": "Je vous passe quelqu'un du cabinet, restez en ligne.",
        "en": "I am putting you through to a member of the team, please stay on the line.",
    },
    # Not "au secrétariat": after hours the fail-safe goes to the on-call physician, and the
    # caller heard "secrétariat" while being put through to the doctor.
    "transfer_fault": {
        "fr": "Je vous transfère à quelqu'un du cabinet, restez en ligne.",
        "en": "I am transferring you to the practice team, please stay on the line.",
    },
    "reprompt": {
        "fr": "Je ne vous entends pas. {question}",
        "en": "I cannot hear you. {question}",
    },
    "repeat_yes_no": {
        "fr": "Pardon, répondez simplement par oui ou par non. {question}",
        "en": "Sorry, please just answer yes or no. {question}",
    },
    "retry_form": {
        "fr": "D'accord, reprenons.",
        "en": "All right, let us start again.",
    },
    "unknown_value": {
        "fr": "à préciser",
        "en": "to be confirmed",
    },
}


def say(key: str, language: str, **fmt: str) -> str:
    """The agent's wording for ``key`` in ``language`` (English for anything but French)."""
    return TEXTS[key][lang(language)].format(**fmt)


_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def spoken_date(iso: str, language: str) -> str:
    """2026-03-03 -> '3 mars 1980' / '3 March 1980' (what the read-back says)."""
    try:
        year, month, day = (int(x) for x in iso.split("-"))
        months = _MONTHS_FR if lang(language) == "fr" else _MONTHS_EN
        first = "1er" if day == 1 and lang(language) == "fr" else str(day)
        return f"{first} {months[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def spoken_number(e164: str) -> str:
    """+33612345678 -> '06 12 34 56 78' so the voice reads it in pairs as callers expect."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return " ".join(e164.lstrip("+"))


# First names that end in -e but are men's: the read-back says "né" for them, "née" for other
# -e/-a endings (a guess the caller corrects by ear; it changes nothing in the form).
_MASCULINE_E = frozenset({
    "pierre", "philippe", "jerome", "guillaume", "stephane", "maxime", "baptiste", "alexandre",
    "georges", "jacques", "christophe", "antoine", "theophile", "andre", "rene", "serge",
    "hervé", "herve", "jean-pierre", "jean-baptiste", "emile", "jule", "jules", "marc-andre",
    "lucas", "thomas", "nicolas", "mathias", "elie", "gregoire", "aime", "achille", "hugue",
    "luca", "joshua", "noa", "ilya", "sacha", "mattia", "andrea", "yannick", "dominique",
    "claude", "camille",
})


def born_word(name: str, language: str) -> str:
    if lang(language) != "fr":
        return "born"
    first = name.split()[0].lower() if name.split() else ""
    plain = first.replace("é", "e").replace("è", "e")
    if plain in _MASCULINE_E or first in _MASCULINE_E:
        return "né"
    return "née" if plain.endswith(("e", "a", "ine", "ette")) else "né"
