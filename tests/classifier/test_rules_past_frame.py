"""A long first-person story that dates an episode in the past is history; the same red flag
said in the present, in the same story, still raises (issue 13, t-rules, session 6).

A date frames its whole clause ("Il y a longtemps, j'ai fait un choc anaphylactique aux
cacahuètes", "Last summer he had a DVT in the leg", "She had meningitis at twenty"), however
many words the clause takes, and never reaches past what starts today's picture: a sentence
or clause end, "depuis ce matin", "but now", "again", a verb in the present about the
patient. Written by hand from how people tell their history on the phone or in a message;
none was copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag
from tests.triage_checks import assert_not_raised, assert_raised

HISTORY: tuple[str, ...] = (
    # Years ago, more than four words before the evidence.
    "Bonjour, il y a longtemps j'ai fait un choc anaphylactique aux cacahuètes. J'ai repris "
    "une vie normale, je voudrais juste un rendez-vous pour un certificat de sport.",
    "Il y a bien longtemps, ma mère a fait un gros choc anaphylactique après une piqûre. "
    "Elle voudrait renouveler son traitement pour la tension.",
    "Ça fait des années, mon mari a eu une méningite bactérienne, il a été hospitalisé trois "
    "semaines. Je voudrais un rendez-vous pour son vaccin contre la grippe.",
    "Hello, years ago my wife had a really bad anaphylactic reaction to peanuts. I'm calling "
    "to book her annual review, nothing urgent.",
    # A named year, a season, last year.
    "Last summer he had a DVT in the leg. Not a thing in two years. He has COPD, gets puffed "
    "on the stairs like always, nothing different. I'd like a routine follow-up.",
    "L'été dernier mon père a eu une phlébite dans la jambe gauche, depuis il prend un "
    "anticoagulant. Il faudrait renouveler l'ordonnance.",
    "In 2019 I had a bleed on the brain after a fall, I'm calling to get a copy of my notes.",
    "En 2018 j'ai fait une crise d'épilepsie au travail, je voudrais le certificat pour le "
    "permis de conduire.",
    # An age at the time of the episode.
    "C'est pour ma femme. Elle a eu une méningite à vingt ans, trois semaines d'hôpital. "
    "Depuis ça va, elle est suivie tous les six mois.",
    "He had meningitis at twenty, three weeks in hospital. I need his epilepsy tablets renewed.",
    "I took an overdose once at seventeen, that's a long time ago. I'd like my "
    "antidepressants renewed.",
    "I was diagnosed with type 1 diabetes at twelve, in DKA at the time. I need to book the "
    "annual review.",
    # Childhood: the child in "as a child" is the patient then, not a child now.
    "As a child she had fits with high temperatures. She has Crohn's, quiet since last year. "
    "I'd like her tablets renewed.",
    "Quand j'étais petit, je faisais des convulsions avec la fièvre. Aujourd'hui je voudrais "
    "juste un rendez-vous pour un vaccin.",
    # A pen carried, not a pen used.
    "Il a une allergie aux guêpes connue, le stylo d'adrénaline est toujours dans le sac. Il "
    "faudrait refaire l'ordonnance d'insuline.",
    "She carries an adrenaline pen, she's allergic to nuts. I need a repeat prescription for "
    "her inhaler.",
)


@pytest.mark.parametrize("text", HISTORY)
def test_an_episode_dated_in_the_past_is_history(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


CURRENT: tuple[tuple[RedFlag, str], ...] = (
    # The same story, then today's picture in the present.
    (RedFlag.ANAPHYLAXIS,
     "Bonjour, il y a longtemps j'ai fait un choc anaphylactique aux cacahuètes. Là j'ai "
     "mangé un gâteau et j'ai les lèvres qui gonflent et je respire mal."),
    (RedFlag.ANAPHYLAXIS,
     "Il y a longtemps, j'ai fait un choc anaphylactique. Là je refais un choc "
     "anaphylactique, j'ai la gorge qui gonfle."),
    (RedFlag.ANAPHYLAXIS,
     "Years ago my wife had an anaphylactic reaction to peanuts, and now she's having an "
     "anaphylactic reaction again, her throat is swelling."),
    (RedFlag.BREATHING,
     "Last summer he had a DVT in the leg and now he's short of breath with pain in his chest."),
    (RedFlag.BREATHING,
     "L'été dernier il a eu une phlébite, et là il est essoufflé au moindre effort depuis "
     "ce matin."),
    (RedFlag.CHEST_PAIN,
     "Il y a deux ans j'ai fait un infarctus, et depuis ce matin j'ai une douleur dans la "
     "poitrine qui serre."),
    (RedFlag.CHEST_PAIN,
     "L'an dernier j'ai eu une embolie pulmonaire je suis essoufflé et j'ai mal dans la "
     "poitrine"),
    (RedFlag.MENINGITIS,
     "Elle a eu une méningite à vingt ans. Depuis hier elle a de la fièvre, la nuque raide "
     "et des taches qui ne s'effacent pas."),
    # "il a vingt ans" is his age now, not the age at an old episode.
    (RedFlag.MENINGITIS, "Il a eu une méningite il a vingt ans il est à l'hôpital"),
    (RedFlag.POISONING, "I took an overdose once at seventeen, and I've just taken an "
                        "overdose again tonight."),
    (RedFlag.POISONING, "I took an overdose an hour ago."),
    (RedFlag.SEIZURE, "My child is having a fit with a high temperature."),
    (RedFlag.STROKE,
     "En 2019 j'ai fait un AVC, et depuis une heure je n'arrive plus à parler et ma bouche "
     "est de travers."),
    (RedFlag.ANAPHYLAXIS, "He was stung by a wasp, I gave him his epipen five minutes ago."),
    # A pen at hand during a reaction is not a pen carried every day.
    (RedFlag.ANAPHYLAXIS, "Il a goûté un gâteau aux noix et la gorge se serre, il a son stylo "
                          "d'adrénaline mais il hésite."),
    # Words that look like a frame but date nothing: "il y a eu un accident" (not "il y a
    # un an"), "mon petit il a" (a child now), "at the time he collapsed", "in the past hour".
    (RedFlag.TRAUMA, "Il y a eu un accident de voiture devant chez moi, le conducteur est "
                     "coincé et il saigne."),
    (RedFlag.CONSCIOUSNESS, "Mon petit il a 39 de fièvre et il est tout mou."),
    (RedFlag.CONSCIOUSNESS, "At the time he collapsed he was grey and sweating and not "
                            "breathing properly."),
    (RedFlag.CHEST_PAIN, "In the past hour he has had crushing chest pain."),
    (RedFlag.ANAPHYLAXIS,
     "Il s'est fait piquer par une guêpe, je lui ai fait le stylo d'adrénaline."),
)


@pytest.mark.parametrize(("flag", "text"), CURRENT)
def test_the_same_red_flag_in_the_present_still_raises(rules: Classifier, flag: RedFlag,
                                                       text: str) -> None:
    assert_raised(rules, flag, text)


def test_a_clock_time_or_a_reading_is_no_age_at_the_time(rules: Classifier) -> None:
    # "at ten" is a time, "fever at 39" a reading: neither dates the seizure in the past.
    assert_raised(rules, RedFlag.SEIZURE,
                  "He had a fit at ten this morning and he is still fitting now, it has lasted "
                  "ten minutes.")
    c = rules.classify("He had a seizure at ten.")
    assert c.suspected or c.red_flags, "a seizure at a clock time is asked, not history"


# -- a history cue said without punctuation stops at the next clause's subject ---------------

@pytest.mark.parametrize(("text", "flag"), [
    ("a 20-year-old woman with no past history she has drunk bleach", RedFlag.POISONING),
    ("mon fils aux antécédents d'asthme il tremble de tout son corps ça ne s'arrête pas",
     RedFlag.SEIZURE),
])
def test_a_history_cue_does_not_reach_past_a_new_subject(rules: Classifier, text: str,
                                                         flag: RedFlag) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", [
    "il a des antécédents d'infarctus il va bien il veut renouveler son traitement",
    "antécédents d'AVC il y a deux ans je voudrais un rendez-vous",
    "she has a history of seizures she needs her prescription renewed",
])
def test_the_history_itself_stays_history(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)
