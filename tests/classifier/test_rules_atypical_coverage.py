"""A second coverage audit: atypical presentations of the emergencies emergency medicine
teaches as "can't miss" (issue 13, t-atypical, session 8), in three registers (a clinical
vignette with findings spread over sentences; the patient in the first person; a bystander),
French and English, and traps that stay below `emergency` (the same complaint mild, stable,
chronic or over).

Written by hand from textbook knowledge and the references (SFMU FRENCH tri 1-2, NHS 111 /
NHS Pathways, NICE CKS red flags, Manchester Triage, HAS/SAMU regulation guidance); none
copied from or aimed at an evaluation set. Rules alone: the written protocol must know them.
Cases the rules still miss are marked ``GAP`` (strict xfail): each is a concept or
combination the protocol lacks, left for a later session rather than patched by phrase.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from tests.triage_checks import assert_not_raised

F = RedFlag
CASES: tuple[tuple[str, frozenset[RedFlag], str], ...] = tuple(
    (crit, frozenset(flags), text) for crit, flags, text in (
    # -- MI without chest pain (woman, diabetic, elderly): NICE CKS, FRENCH douleur épigastrique
    ("mi.epigastric_woman", {F.CHEST_PAIN, F.ACUTE_ABDOMEN},
     "A 67-year-old woman presents with epigastric discomfort and nausea for an hour. She is "
     "pale and sweating. Blood pressure 95/60."),
    ("mi.epigastric_woman", {F.CHEST_PAIN, F.ACUTE_ABDOMEN},
     "j'ai mal en haut du ventre avec des nausées, je transpire à grosses gouttes et je me "
     "sens très mal"),
    ("mi.jaw", {F.CHEST_PAIN},
     "ma mère a mal à la mâchoire et dans le bras gauche, elle est toute pâle et elle "
     "transpire"),
    ("mi.jaw", {F.CHEST_PAIN},
     "I've got a pain in my jaw going down my left arm and I'm all clammy"),
    ("mi.diabetic_breathless", {F.CHEST_PAIN, F.BREATHING},
     "Patient de 74 ans, diabétique. Essoufflement brutal depuis une heure. Sueurs. Pas de "
     "douleur thoracique."),
    ("mi.diabetic_breathless", {F.CHEST_PAIN, F.BREATHING},
     "my grandad is diabetic, he suddenly got really breathless and sweaty, he says he "
     "feels awful"),
    # -- pulmonary embolism (NICE CKS PE; FRENCH dyspnée)
    ("pe.post_op", {F.BREATHING, F.CHEST_PAIN},
     "A 42-year-old woman, ten days after a knee operation, presents with sudden "
     "breathlessness. Pain on breathing in. Heart rate 118."),
    ("pe.calf_pill", {F.BREATHING, F.CHEST_PAIN},
     "je prends la pilule, j'ai le mollet gonflé depuis trois jours et là d'un coup je "
     "suis essoufflée avec une douleur dans la poitrine quand je respire"),
    ("pe.flight", {F.BREATHING, F.CHEST_PAIN},
     "my wife came back from a long flight and now she's suddenly short of breath and "
     "coughing up blood"),
    # -- aortic dissection / ruptured AAA (FRENCH douleur abdominale tri 1; MTS)
    ("aaa.back_faint", {F.ACUTE_ABDOMEN, F.CHEST_PAIN, F.CONSCIOUSNESS},
     "Patient de 72 ans. Douleur lombaire brutale, atroce. Malaise avec perte de "
     "connaissance. TA 80/50."),
    ("aaa.back_faint", {F.ACUTE_ABDOMEN, F.CHEST_PAIN, F.CONSCIOUSNESS},
     "my dad has a sudden terrible pain in his belly and back and he just fainted"),
    ("aaa.tearing", {F.ACUTE_ABDOMEN, F.CHEST_PAIN},
     "j'ai une douleur qui me déchire le dos, c'est venu d'un coup, je n'ai jamais eu aussi "
     "mal"),
    # -- ectopic pregnancy (NICE CKS; LABELS obstetric)
    ("ectopic.one_sided", {F.OBSTETRIC},
     "A 28-year-old woman with a missed period presents with right-sided lower abdominal "
     "pain. She has light bleeding. She felt faint."),
    ("ectopic.one_sided", {F.OBSTETRIC},
     "j'ai du retard de règles, j'ai très mal d'un côté du bas-ventre et je saigne un peu"),
    ("ectopic.shoulder_faint", {F.OBSTETRIC, F.CONSCIOUSNESS},
     "my girlfriend is pregnant, she has tummy pain and pain in her shoulder and she just "
     "fainted"),
    # -- DKA (NICE; LABELS diabetic)
    ("dka.young_t1", {F.DIABETIC},
     "Adolescent de 15 ans, diabétique de type 1. Vomissements depuis ce matin. Respiration "
     "rapide et profonde. Somnolent."),
    ("dka.young_t1", {F.DIABETIC},
     "I'm type 1 diabetic, I keep vomiting, I'm so thirsty and my sugar reads high"),
    ("dka.young_t1", {F.DIABETIC, F.CONSCIOUSNESS},
     "ma fille est diabétique, elle vomit, elle respire très vite et elle est toute "
     "endormie"),
    # -- hypoglycaemia (LABELS consciousness: confused diabetic)
    ("hypo.confused", {F.CONSCIOUSNESS, F.DIABETIC},
     "A 70-year-old man on insulin is confused and sweating. He is behaving strangely. "
     "Capillary glucose 2.1 mmol/l."),
    ("hypo.confused", {F.CONSCIOUSNESS, F.DIABETIC},
     "mon mari est diabétique sous insuline, il est tout confus, il transpire et il dit "
     "n'importe quoi"),
    ("hypo.confused", {F.CONSCIOUSNESS, F.DIABETIC},
     "my mum's diabetic and she's acting really odd, sweaty and confused, she won't eat "
     "anything"),
    # -- sepsis / meningitis in the elderly (NICE NG51)
    ("sepsis.elderly_confused", {F.SEPSIS, F.CONSCIOUSNESS, F.MENINGITIS},
     "Patiente de 86 ans. Fièvre à 38,9. Confuse depuis ce matin, ne reconnaît plus sa "
     "fille."),
    ("sepsis.elderly_confused", {F.SEPSIS, F.CONSCIOUSNESS},
     "my nan has a urine infection and since this morning she's suddenly confused and "
     "not making sense"),
    ("sepsis.no_fever", {F.SEPSIS, F.CONSCIOUSNESS},
     "mon père de 90 ans a une infection pulmonaire, il n'a pas de fièvre mais il est "
     "très somnolent et il respire vite"),
    # -- subarachnoid haemorrhage, posterior stroke (FRENCH céphalée; NICE CKS)
    ("sah.thunderclap", {F.STROKE},
     "I was at the gym and suddenly got a blinding headache at the back of my head, like "
     "being hit with a hammer"),
    ("sah.thunderclap", {F.STROKE},
     "Patient de 50 ans. Céphalée occipitale brutale à l'effort, maximale d'emblée. Raideur "
     "de nuque."),
    ("stroke.posterior", {F.STROKE},
     "A 69-year-old man presents with sudden vertigo. He cannot walk straight. He has "
     "double vision."),
    ("stroke.posterior", {F.STROKE},
     "d'un coup la tête me tourne, je vois double et je tiens plus debout"),
    ("stroke.posterior", {F.STROKE},
     "my husband suddenly got dizzy, he's seeing double and he can't stand up without "
     "falling"),
    # -- testicular torsion (NICE CKS; LABELS acute_abdomen)
    ("torsion", {F.ACUTE_ABDOMEN},
     "Garçon de 13 ans. Douleur testiculaire brutale depuis une heure. Vomit."),
    ("torsion", {F.ACUTE_ABDOMEN},
     "my son has suddenly got a really bad pain in his testicle and he's being sick"),
    ("torsion", {F.ACUTE_ABDOMEN},
     "j'ai une douleur horrible à un testicule d'un coup, je peux pas marcher"),
    # -- mesenteric ischaemia (pain out of proportion, AF)
    ("mesenteric", {F.ACUTE_ABDOMEN},
     "Patiente de 78 ans, en fibrillation auriculaire. Douleur abdominale brutale et "
     "intense. Ventre souple."),
    ("mesenteric", {F.ACUTE_ABDOMEN},
     "my mum has atrial fibrillation and she suddenly has the worst tummy pain, she's "
     "screaming"),
    # -- epiglottitis (adult) (MTS drooling)
    ("epiglottitis", {F.BREATHING},
     "A 45-year-old man presents with a severe sore throat. He cannot swallow his saliva. "
     "His voice is muffled."),
    ("epiglottitis", {F.BREATHING},
     "j'ai tellement mal à la gorge que je n'arrive plus à avaler ma salive, je bave et "
     "j'ai du mal à respirer"),
    # -- anaphylaxis without rash (Resus Council UK)
    ("anaphylaxis.no_rash", {F.ANAPHYLAXIS, F.BREATHING},
     "I ate a peanut by mistake and my throat feels tight, I'm struggling to swallow"),
    ("anaphylaxis.no_rash", {F.ANAPHYLAXIS, F.BREATHING, F.CONSCIOUSNESS},
     "mon fils a été piqué par une guêpe, il n'a pas de boutons mais il a la voix rauque et "
     "il respire mal"),
    ("anaphylaxis.no_rash", {F.ANAPHYLAXIS, F.BREATHING},
     "Patiente de 30 ans, allergique aux crustacés. Après un repas de crevettes, gêne à "
     "avaler et sensation de gorge serrée."),
    # -- CO poisoning (NHS; HAS)
    ("co.household", {F.POISONING},
     "toute la famille a mal à la tête et des nausées depuis qu'on a allumé la chaudière, le "
     "détecteur de monoxyde sonne"),
    ("co.household", {F.POISONING},
     "we all have headaches and feel sick and the carbon monoxide alarm is going off"),
    # -- intussusception (NICE CKS)
    ("intussusception", {F.ACUTE_ABDOMEN},
     "A 9-month-old boy has episodes of inconsolable crying, drawing his legs up. He is "
     "vomiting. Redcurrant jelly stool."),
    ("intussusception", {F.ACUTE_ABDOMEN, F.BLEEDING},
     "mon bébé de 8 mois hurle par crises en repliant ses jambes, il vomit et il y a du "
     "sang dans sa couche"),
    # -- cauda equina (NICE CKS red flags)
    ("cauda_equina", {F.STROKE, F.TRAUMA, F.ACUTE_ABDOMEN},
     "I've got bad back pain and now I can't feel my bum and I can't pee"),
    ("cauda_equina", {F.STROKE, F.TRAUMA, F.ACUTE_ABDOMEN},
     "Patient de 45 ans, lombalgie. Depuis ce matin, anesthésie en selle et rétention "
     "urinaire."),
    # -- acute limb ischaemia (6 P); raised as sepsis, where protocol.yaml puts it (LABELS.md
    # has no vascular category and "mottled" is its sepsis criterion)
    ("limb_ischaemia", {F.SEPSIS, F.STROKE, F.TRAUMA, F.ACUTE_ABDOMEN, F.CHEST_PAIN},
     "ma jambe est devenue froide et blanche d'un coup, très douloureuse, je ne la sens "
     "plus"),
    ("limb_ischaemia", {F.SEPSIS, F.STROKE, F.TRAUMA, F.ACUTE_ABDOMEN, F.CHEST_PAIN},
     "my dad's leg suddenly went cold and pale and really painful, he can't move his foot"),
    # -- GI bleed as melaena with faintness (NICE CKS)
    ("gi_bleed.melaena", {F.BLEEDING},
     "A 66-year-old man on aspirin reports black tarry stools since yesterday. He felt "
     "faint on standing. Pulse 112."),
    ("gi_bleed.melaena", {F.BLEEDING},
     "j'ai des selles toutes noires depuis hier et j'ai failli tomber dans les pommes"),
    ("gi_bleed.melaena", {F.BLEEDING, F.CONSCIOUSNESS},
     "my mum's poo has gone black like tar and she keeps nearly passing out"),
    # -- pre-eclampsia (NICE NG133)
    ("pre_eclampsia", {F.OBSTETRIC},
     "A 32-year-old woman, 34 weeks pregnant, has a severe headache and flashing lights. "
     "Her face and hands are swollen."),
    ("pre_eclampsia", {F.OBSTETRIC},
     "je suis enceinte de huit mois, j'ai un mal de tête terrible, je vois des mouches "
     "devant les yeux et je suis toute gonflée"),
    ("pre_eclampsia", {F.OBSTETRIC},
     "my wife's 35 weeks pregnant, she's got a bad headache, blurred vision and pain under "
     "her ribs"),
    # -- posterior stroke with no word for sudden (NICE CKS vertigo, central signs)
    ("stroke.posterior", {F.STROKE},
     "ma mère dit que la tête lui tourne, elle voit double depuis ce matin et elle ne tient "
     "plus debout"),
    ("stroke.posterior", {F.STROKE},
     "the room is spinning, I'm seeing double and I keep falling over"),
    )
)

# Traps: the same complaint mild, stable, chronic or over.
TRAPS: tuple[tuple[str, str], ...] = (
    ("mi", "J'ai des brûlures d'estomac après les repas depuis des semaines, je voudrais un "
           "rendez-vous."),
    ("mi", "My jaw aches when I chew since the dentist pulled a tooth."),
    ("mi", "Je suis diabétique, un peu essoufflé en montant les escaliers depuis des mois."),
    ("pe", "I had a knee operation last month and my calf is a bit sore after physio."),
    ("pe", "Je prends la pilule, je voudrais renouveler mon ordonnance."),
    ("aaa", "J'ai mal au dos depuis des années, c'est mon arthrose."),
    ("aaa", "My dad has a small aneurysm they are watching, he'd like his scan results."),
    ("ectopic", "J'ai trois jours de retard de règles, je voudrais faire une prise de sang."),
    ("ectopic", "I'm pregnant and I'd like to book my first scan."),
    ("dka", "Je suis diabétique de type 1, ma glycémie était un peu haute hier, ça va."),
    ("dka", "My son is type 1, he had a tummy bug, he's eating and drinking fine now."),
    ("hypo", "I had a hypo last night, I had some juice and I'm fine now."),
    ("sepsis", "Ma mère a 85 ans, elle a un petit rhume, elle mange bien."),
    ("sepsis", "My grandad has a urine infection, he's on antibiotics and he's his usual "
               "self."),
    ("sah", "J'ai des migraines comme d'habitude, il me faut mon traitement."),
    ("sah", "I get a tension headache at the end of the day at work."),
    ("posterior", "J'ai des vertiges quand je tourne la tête au lit depuis un mois."),
    ("posterior", "I felt a bit dizzy this morning when I stood up too quickly, it's gone."),
    ("torsion", "My son has a small lump on his testicle, no pain, can we book a check?"),
    ("mesenteric", "J'ai de la fibrillation auriculaire, je voudrais renouveler mon "
                   "anticoagulant."),
    ("epiglottitis", "I've had a sore throat for two days, I can eat and drink."),
    ("anaphylaxis", "Je suis allergique aux arachides, il me faut un nouveau stylo "
                    "d'adrénaline."),
    ("co", "Can someone come and check our boiler, it's making a noise?"),
    ("intussusception", "Mon bébé pleure le soir, il a des coliques, il mange bien."),
    ("cauda_equina", "I've had lower back pain for a week after gardening, no other "
                     "problems."),
    ("limb", "J'ai souvent les pieds froids en hiver."),
    ("gi_bleed", "Mes selles sont noires depuis que je prends du fer, je vais bien."),
    ("pre_eclampsia", "Je suis enceinte de six mois, j'ai les chevilles un peu gonflées le "
                      "soir."),
    ("pre_eclampsia", "I'm 30 weeks pregnant and I'd like my blood pressure checked at my "
                      "routine appointment."),
    ("posterior", "J'ai des vertiges quand je me lève trop vite, ça passe tout seul."),
    ("posterior", "Depuis mes nouvelles lunettes je vois un peu flou de loin, ça me donne le "
                  "tournis."),
)

# Cases the rules miss today (strict xfail: each must fail until its concept is added).
GAP: frozenset[int] = frozenset({
    11,      # a tearing back pain, sudden, worst ever: no chest or belly named
})
# Traps the rules raise today (strict xfail: over-triage, never fixed by lowering a rule).
TRAP_GAP: frozenset[int] = frozenset({
    26,  # black stools explained by iron, well: the melaena rule ignores the cause
    28,  # a routine blood-pressure check at 30 weeks read as pre-eclampsia
})


def _params() -> list[object]:
    out: list[object] = []
    for i, (crit, flags, text) in enumerate(CASES):
        marks = ([pytest.mark.xfail(strict=True, reason="GAP: not yet in the protocol")]
                 if i in GAP else [])
        out.append(pytest.param(crit, flags, text, id=f"{crit}-{i}", marks=marks))
    return out


@pytest.mark.parametrize(("criterion", "flags", "text"), _params())
def test_each_atypical_presentation_is_an_emergency(rules: Classifier, criterion: str,
                                                    flags: frozenset[RedFlag],
                                                    text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (criterion, text, [h.source for h in c.suspected])
    assert flags & {h.category for h in c.red_flags}, (
        criterion, text, [h.source for h in c.red_flags])


@pytest.mark.parametrize(("criterion", "text"), [
    pytest.param(c, t, id=f"{c}-{i}",
                 marks=[pytest.mark.xfail(strict=True, reason="over-triage, known")]
                 if i in TRAP_GAP else [])
    for i, (c, t) in enumerate(TRAPS)])
def test_each_atypical_trap_stays_below_emergency(rules: Classifier, criterion: str,
                                                  text: str) -> None:
    assert_not_raised(rules, text)
