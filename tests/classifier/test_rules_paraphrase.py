"""Paraphrases the rules never name, written here by hand for issue 13 (t-rules).

Each sentence was written for this test from the published pictures (SFMU FRENCH motifs and
tri criteria, NHS 111 / NHS Pathways red flags, Manchester Triage discriminators, SAMU
guidance, NICE NG51 / NG143 / CG176), in the ways real callers and clinicians speak: first
person past tense, a relative or neighbour narrating, a clinical vignette with an age / sex /
history prefix, downplaying, a red flag buried in one clause of a long message, elderly,
teenage and non-native registers. None was copied from an evaluation set. Rules alone (no
model) must raise each one in its category.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency

PARAPHRASES: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.CHEST_PAIN: (
        "Un homme de 62 ans, fumeur, présente depuis 1 h une douleur constrictive dans la "
        "poitrine avec des sueurs.",
        "Mon mari se tient la poitrine, il dit que ça serre comme un étau et il est tout gris.",
        "I was carrying the shopping and this heavy tightness came over my chest and went "
        "down into my left arm.",
        "A 55-year-old diabetic man has had central chest discomfort for 30 minutes with "
        "nausea and clamminess.",
        "J'ai comme un poids sur le thorax depuis ce matin, ça descend dans la mâchoire.",
        "my dad says it feels like an elephant is sitting on his chest and he's sweating buckets",
    ),
    RedFlag.BREATHING: (
        "My wife has COPD and over the last two days she's been getting more and more out of "
        "breath, now she can hardly say a word.",
        "Il est asthmatique et sa ventoline ne lui fait plus rien, il respire de plus en plus "
        "mal.",
        "A 40-year-old asthmatic woman, tachypnoeic, speaking in single words despite "
        "nebulised salbutamol.",
        "mon père il a la BPCO, depuis hier il est de plus en plus essoufflé, même assis il "
        "arrive pas à reprendre son souffle",
        "She's wheezing and her lips have gone a bit blue, the blue inhaler isn't doing "
        "anything.",
        "Ma fille de 4 ans fait un drôle de bruit en respirant et on voit ses côtes se creuser.",
    ),
    RedFlag.STROKE: (
        "Hier soir ma mère a soudain eu la bouche tordue et son bras droit ne répondait plus.",
        "A 70-year-old woman with atrial fibrillation woke with left-sided weakness and her "
        "words came out all wrong.",
        "My husband suddenly couldn't see out of his left eye for about ten minutes, then it "
        "came back.",
        "Depuis une heure mon père a la moitié du visage qui ne bouge plus et il mélange ses "
        "mots.",
        "I got the worst headache of my life, it came on like a bang while I was at the gym.",
        "Elle a perdu la vue d'un oeil d'un coup ce matin, puis c'est revenu au bout de "
        "quelques minutes.",
        "sorry it's probably nothing but grandad's face looks droopy on one side and his "
        "speech is slurred",
    ),
    RedFlag.CONSCIOUSNESS: (
        "Elle ne répondait plus quand je l'ai appelée, elle avait les yeux ouverts mais rien.",
        "She went all floppy in my arms and I can't get her to respond.",
        "Mon grand-père est de plus en plus confus et endormi depuis quelques heures, il ne "
        "sait plus où il est.",
        "An 80-year-old man, previously well, has become drowsy and confused over the last "
        "few hours.",
        "I found my flatmate on the bathroom floor and he won't wake up properly.",
        "Mon mari est diabétique, il transpire, il dit des choses sans queue ni tête et il "
        "est tout mou.",
    ),
    RedFlag.BLEEDING: (
        "Ce matin il a vomi du sang rouge, beaucoup, et il est tout pâle.",
        "My husband cut his leg on a broken window and the blood is pumping out, we can't "
        "stop it.",
        "A 50-year-old man with known cirrhosis presents with haematemesis and melaena.",
        "Depuis hier ses selles sont noires comme du goudron et il a la tête qui tourne.",
        "He's on warfarin and his nose has been pouring blood for over an hour.",
        "I've been passing loads of blood from my back end and I nearly fainted on the loo.",
    ),
    RedFlag.ANAPHYLAXIS: (
        "Après avoir mangé des crevettes, ses lèvres ont enflé et sa voix a changé.",
        "My son got stung by a wasp, his face is puffing up and he says his throat feels "
        "tight.",
        "A 25-year-old woman with a known peanut allergy has widespread urticaria and "
        "wheeze after a meal.",
        "Je viens de prendre de l'amoxicilline et j'ai des plaques partout et du mal à avaler.",
        "after the antibiotics her tongue got really big and she's struggling to breathe",
    ),
    RedFlag.INFANT_FEVER: (
        "Mon bébé a 6 semaines et il a 38,4 de fièvre depuis ce soir.",
        "My daughter is 10 weeks old and she feels very hot, the thermometer says 38.2.",
        "Nourrisson de 2 mois, fébrile à 38,5, qui boit moins bien.",
        "Our newborn is only twelve days old and has a temperature.",
    ),
    RedFlag.SUICIDAL: (
        "Je suis en train de me taillader les bras et je n'arrive pas à m'arrêter.",
        "My brother texted me saying goodbye and that he has saved up all his pills to take "
        "tonight.",
        "J'ai envie d'en finir, j'ai tous mes cachets devant moi.",
        "I don't see the point anymore, I've got the rope ready in the garage.",
        "Ma fille de 15 ans m'a dit qu'elle voulait se tuer et elle s'est enfermée dans la "
        "salle de bain.",
    ),
    RedFlag.SEIZURE: (
        "Mon fils s'est mis à trembler de partout, il a les yeux révulsés et ça ne s'arrête "
        "pas.",
        "My flatmate is on the floor jerking and foaming at the mouth, it's been going on for "
        "ages.",
        "Le voisin est tombé, il est raide et il a des secousses depuis plusieurs minutes.",
        "A 30-year-old man with no history of epilepsy had a generalised tonic-clonic seizure "
        "and has not come round.",
        "my little girl has a high temperature and she started fitting, she's still doing it",
        "Il convulse depuis plus de cinq minutes.",
    ),
    RedFlag.MENINGITIS: (
        "J'ai beaucoup de fièvre, un mal de tête énorme et je n'arrive pas à baisser le "
        "menton vers la poitrine.",
        "My son has a high temperature and little purple spots that don't go when I press "
        "a glass on them.",
        "A 19-year-old student with fever, headache, photophobia and neck stiffness.",
        "Ma fille a 39 et son cou est tout bloqué, elle crie quand on bouge sa tête.",
        "Feverish toddler with a petechial rash on his legs.",
    ),
    RedFlag.POISONING: (
        "Mon fils de 3 ans a avalé des comprimés de sa grand-mère.",
        "My wife has taken a whole box of sleeping pills, she's very sleepy.",
        "Ma femme a pris toute une boîte de somnifères.",
        "A 17-year-old girl ingested about 30 paracetamol tablets four hours ago.",
        "The toddler drank some bleach from under the sink.",
        "J'ai retrouvé mon frère à côté de plaquettes vides de médicaments.",
    ),
    RedFlag.OBSTETRIC: (
        "A 30-year-old woman, 7 weeks since her last period, has lower abdominal pain and "
        "spotting.",
        "J'ai du retard de règles et depuis ce matin j'ai mal au bas du ventre avec des "
        "saignements.",
        "Je suis enceinte de 7 mois et je ne sens plus le bébé bouger depuis hier.",
        "I'm 34 weeks pregnant and I've got a terrible headache and flashing lights.",
        "Ma femme a accouché il y a trois jours et elle saigne énormément.",
    ),
    RedFlag.TRAUMA: (
        "Mon fils est tombé du trampoline sur la tête, il a perdu connaissance et il a vomi "
        "deux fois.",
        "A 78-year-old woman on apixaban fell and hit her head and is now vomiting.",
        "He came off his motorbike at speed on the motorway.",
        "Ma fille s'est renversé de l'eau bouillante sur tout le bras et le ventre.",
    ),
    RedFlag.SEPSIS: (
        "Mon père a une infection urinaire, depuis ce matin il est confus et il a la peau "
        "marbrée.",
        "She's had a chest infection all week and now she's breathing really fast and is "
        "mottled.",
        "A 68-year-old man with pneumonia is hypotensive and has new confusion.",
        "Il a de la fièvre, il grelotte, il n'a pas uriné depuis hier et il dit qu'il va mourir.",
        "Patiente de 72 ans, fébrile, désorientée depuis ce matin, avec une infection "
        "urinaire.",
    ),
    RedFlag.ACUTE_ABDOMEN: (
        "I've been vomiting nonstop since yesterday with bad stomach pain, I can't keep even "
        "water down.",
        "D'un coup une douleur atroce dans le ventre, j'en suis pliée en deux et le ventre "
        "est dur.",
        "A 45-year-old man with sudden severe epigastric pain, guarding and rebound "
        "tenderness.",
        "My 14-year-old son woke up with a really painful swollen testicle and he's been sick.",
        "Il a très mal au ventre, il vomit vert et il n'a pas fait de selles depuis trois jours.",
    ),
    RedFlag.DIABETIC: (
        "mon fils il a le diabète, il boit il boit, il arrête pas d'uriner et là il vomit et "
        "il a une haleine bizarre",
        "My daughter has type 1 diabetes, she's been vomiting since last night and is "
        "desperately thirsty.",
        "Ma mère est diabétique sous insuline, elle est en hypo, on lui a donné du sucre mais "
        "ça ne remonte pas.",
        "A 22-year-old type 1 diabetic with abdominal pain, vomiting and deep sighing "
        "respirations.",
        "His glucose meter says HI and he's throwing up and very drowsy.",
    ),
}

ROUTINE_TRAPS: tuple[str, ...] = (
    # Negation, history, idiom, third-party and request traps: same words, no emergency now.
    "Je n'ai pas de douleur thoracique, c'est juste pour renouveler mon ordonnance.",
    "Il a fait un AVC il y a cinq ans, je voudrais un rendez-vous de suivi.",
    "J'ai mal au coeur depuis ce matin, sûrement une gastro, je peux passer demain ?",
    "Ma fille a fait une crise d'épilepsie l'an dernier, il faut renouveler son traitement.",
    "I had a seizure years ago and need a letter for the DVLA.",
    "No fever, no stiff neck, he just needs a sick note for school.",
    "Can I book my annual asthma review, my inhaler is running out.",
    "Je voudrais décaler mon rendez-vous pour le suivi de grossesse.",
    "My mum is diabetic and needs her insulin prescription renewed.",
    "Mon fils s'est cogné la tête hier en jouant, il va très bien, c'est pour un certificat.",
    "J'ai mon test de grossesse positif, je voudrais un rendez-vous pour la première "
    "échographie.",
    "My blood test results came back, can the doctor call me about my cholesterol?",
)


def _cases() -> list[tuple[RedFlag, str]]:
    return [(flag, text) for flag, texts in PARAPHRASES.items() for text in texts]


def test_every_category_has_paraphrases() -> None:
    assert set(PARAPHRASES) == set(RedFlag)


@pytest.mark.parametrize(("flag", "text"), _cases())
def test_paraphrase_is_raised_in_its_category(rules: Classifier, flag: RedFlag,
                                              text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (text, [h.source for h in c.suspected])
    assert flag in {h.category for h in c.red_flags}, (text, c.red_flags)


@pytest.mark.parametrize("text", ROUTINE_TRAPS)
def test_routine_trap_is_not_an_emergency(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is not Urgency.EMERGENCY, (text, c.red_flags)
