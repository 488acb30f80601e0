"""The complete picture, spread over several sentences, is the emergency the reference names
(issue 13, t-rules, session 6).

Aggregate evidence the way clinicians do: NEWS2 (RCP 2017) at 7 or more and qSOFA (Sepsis-3)
at 2 or more from the readings said; an urgent picture with the modifier its reference
escalates on (an anticoagulated head injury at 65 or older); two findings that together make
the emergency (headache with a stiff neck, right iliac fossa pain with guarding, blue lips).
Pertinent negatives do not cancel another clause's positive; a single mildly abnormal reading
or a stable chronic complaint stays below emergency. Written by hand, French and English,
clinical and lay; none copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.facts import news2, qsofa
from classifier.text import analyse
from tests.triage_checks import assert_not_raised, assert_raised

RAISED: tuple[tuple[RedFlag, str], ...] = (
    # qSOFA >= 2 with an infection: no single reading is red.
    (RedFlag.SEPSIS, "Patient with pneumonia. Respiratory rate 24, blood pressure 95/60. "
                     "He is confused."),
    (RedFlag.SEPSIS, "He has a cough and a fever. Respiratory rate 22, BP 98/60."),
    (RedFlag.SEPSIS, "Patiente de 78 ans, infection urinaire depuis deux jours. Fréquence "
                     "respiratoire à 23, tension à 9/6. Pas de douleur thoracique."),
    (RedFlag.SEPSIS, "Mon père a de la fièvre depuis hier. Il respire vite, l'infirmière a "
                     "compté 24 respirations par minute, et il dit n'importe quoi."),
    # NEWS2 >= 7 with an infection: RR 26 (3) + SpO2 93 (2) + pulse 115 (2) + T 38.9 (1).
    (RedFlag.SEPSIS, "A 60-year-old with a cough. RR 26, SpO2 93%, pulse 115, BP 105/70, "
                     "temperature 38.9."),
    (RedFlag.SEPSIS, "Homme de 66 ans, toux grasse et fièvre à 39,4. FR 24, SpO2 93 %, "
                     "pouls à 118, TA 104/70."),
    # A pertinent negative in another clause does not cancel the positive.
    (RedFlag.SEPSIS, "No chest pain. She has a fever and she is confused."),
    (RedFlag.SEPSIS, "Pas de douleur thoracique, pas de toux. Il a de la fièvre à 39 et il "
                     "est confus depuis ce matin."),
    # Headache with a stiff neck (meningitis or a subarachnoid haemorrhage).
    (RedFlag.MENINGITIS, "A 30-year-old woman presents with headache. On examination she "
                         "has neck stiffness."),
    (RedFlag.MENINGITIS, "Céphalées depuis hier. Raideur de nuque à l'examen."),
    (RedFlag.MENINGITIS, "I've had a headache since this morning and my neck is really stiff."),
    (RedFlag.MENINGITIS, "J'ai mal à la tête et j'ai la nuque raide."),
    # Right iliac fossa pain with guarding, in the examiner's words.
    (RedFlag.ACUTE_ABDOMEN, "Douleur de la fosse iliaque droite avec défense à la palpation."),
    (RedFlag.ACUTE_ABDOMEN, "A 19-year-old presents with right iliac fossa pain. On "
                            "examination there is guarding."),
    # Central cyanosis said plainly, or with the mood idiom's words.
    (RedFlag.BREATHING, "Her breathing has been getting worse over a few hours and her lips "
                        "look a bit blue."),
    (RedFlag.BREATHING, "His lips look blue."),
    (RedFlag.BREATHING, "Ses lèvres sont un peu bleues."),
    # An anticoagulated head injury at 65 or older, or with a headache after it.
    (RedFlag.TRAUMA, "A 72-year-old on warfarin presents with a headache after hitting his "
                     "head."),
    (RedFlag.TRAUMA, "Patiente de 80 ans sous anticoagulants, chute avec choc à la tête ce "
                     "matin."),
    # Severe abdominal pain in pregnancy (LABELS obstetric), an immunosuppressed fever.
    (RedFlag.OBSTETRIC, "A 24-year-old woman, 8 weeks pregnant, has severe left-sided lower "
                        "abdominal pain and felt faint."),
    (RedFlag.OBSTETRIC, "She is 8 weeks pregnant and has severe pain low in her tummy."),
    (RedFlag.SEPSIS, "Patient de 50 ans sous immunosuppresseurs, fièvre à 38,6 et frissons."),
)


@pytest.mark.parametrize(("flag", "text"), RAISED)
def test_the_complete_picture_is_an_emergency(rules: Classifier, flag: RedFlag,
                                              text: str) -> None:
    assert_raised(rules, flag, text)


STAYS_BELOW: tuple[str, ...] = (
    # One mildly abnormal reading.
    "Heart rate 105. He has a cough.",
    "Il tousse depuis trois jours, 37,9 ce soir, pouls à 95.",
    "She has a cold, her temperature is 38.2 and her blood pressure 118/76.",
    # Pertinent negatives only.
    "Headache, no neck stiffness, no fever.",
    "Mal de tête mais pas de raideur de la nuque.",
    # A neck stiff from a muscle, a slight headache, a chronic pattern.
    "I have a stiff neck from sleeping badly and a bit of a headache from the screen.",
    "J'ai un torticolis et un peu mal à la tête.",
    "Chronic tension headaches, neck stiffness after work as usual, I want a physio referral.",
    # A stable chronic condition.
    "He has well controlled asthma and needs a renewal.",
    "Il est sous anticoagulant pour sa fibrillation, tout va bien, c'est pour l'ordonnance.",
    # The mood, not the colour.
    "I am feeling a bit blue since my divorce, can I see the doctor?",
    # A mild pain in pregnancy, a severe pain denied.
    "Je suis enceinte de 12 semaines, j'ai un peu mal au ventre, pas très fort, rendez-vous "
    "possible ?",
    "Je suis enceinte, pas de douleur intense, juste des tiraillements, je voudrais un "
    "rendez-vous.",
    # A reading named after blood is no bleed.
    "Blood pressure 85/50, he is pale.",
)


@pytest.mark.parametrize("text", STAYS_BELOW)
def test_partial_or_mild_evidence_stays_below_emergency(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_a_reading_named_after_blood_is_asked_not_raised_as_a_bleed(rules: Classifier) -> None:
    c = rules.classify("Blood pressure 85/50, he is pale.")
    assert c.urgency is Urgency.URGENT
    assert RedFlag.BLEEDING not in {h.category for h in (*c.red_flags, *c.suspected)}


def test_news2_adds_the_points_of_every_reading_said() -> None:
    doc = analyse("RR 26, SpO2 93%, pulse 115, BP 105/70, temperature 38.9.")
    assert news2(doc, not_alert=False).score == 3 + 2 + 2 + 1 + 1
    assert news2(doc, not_alert=True).score == 12
    assert news2(analyse("Tout va bien."), not_alert=False).score == 0


def test_qsofa_counts_breathing_pressure_and_mentation() -> None:
    doc = analyse("Respiratory rate 22, BP 100/60.")
    assert qsofa(doc, altered_mentation=False).score == 2
    assert qsofa(analyse("Respiratory rate 21, BP 101/60."), altered_mentation=True).score == 1


def test_news2_high_without_a_category_is_asked(rules: Classifier) -> None:
    # Strong evidence whose category is unclear: the agent's question, not a guess.
    c = rules.classify("RR 24, SpO2 93%, pulse 125, BP 98/60.")
    assert c.urgency is Urgency.URGENT
    assert "consciousness.news2_high" in {h.source for h in c.suspected}
