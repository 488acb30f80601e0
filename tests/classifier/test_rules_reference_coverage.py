"""A coverage audit from the references: one case per emergency criterion, in three
registers (a clinical vignette with its findings spread over sentences; the patient in the
first person; a bystander), French and English, and traps per criterion that stay below
`emergency` (a stable chronic condition, one mild finding, an episode over) (issue 13,
t-rules, session 7).

Criteria, in our words: SFMU FRENCH (2018) tri 1-2 criteria by motif; NHS 111 "call 999 now"
questions; Manchester Triage life-threat and very-urgent discriminators; LABELS.md for each
category. Written by hand from those references and from how people speak; none copied from
or aimed at an evaluation set. Rules alone (the written protocol is what must know them).
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from tests.triage_checks import assert_not_raised

F = RedFlag
# (criterion, accepted categories, text). Accepted categories: where LABELS.md has no
# category of its own for a picture (liver failure, malaria, septic arthritis), the one its
# danger belongs to, as protocol.yaml says.
CASES: tuple[tuple[str, frozenset[RedFlag], str], ...] = tuple(
    (crit, frozenset(flags), text) for crit, flags, text in (
    # -- chest pain (FRENCH douleur thoracique tri 1-2; NHS111 heart attack; MTS cardiac pain)
    ("chest.radiating_sweating", {F.CHEST_PAIN},
     "A 58-year-old man presents with central chest tightness for forty minutes. It spreads to "
     "his left arm. He is pale and sweaty."),
    ("chest.radiating_sweating", {F.CHEST_PAIN},
     "J'ai comme un poids sur la poitrine depuis une demi-heure, ça part dans le bras gauche et "
     "je transpire."),
    ("chest.radiating_sweating", {F.CHEST_PAIN},
     "my dad says his chest feels like it's being squeezed and he's all sweaty, it's going "
     "down his arm"),
    ("chest.tearing", {F.CHEST_PAIN},
     "Patient de 66 ans, hypertendu. Douleur thoracique brutale, déchirante. Elle irradie "
     "entre les omoplates."),
    ("chest.tearing", {F.CHEST_PAIN},
     "I've got a sudden ripping pain in my chest going right through to my back."),
    ("chest.tearing", {F.CHEST_PAIN},
     "mon mari a une douleur qui lui déchire la poitrine et le dos, c'est venu d'un coup"),
    # -- breathing (FRENCH dyspnée tri 1-2; NHS111 999; MTS unable to talk in sentences)
    ("breathing.cannot_speak", {F.BREATHING},
     "A 30-year-old woman presents with shortness of breath. She cannot complete a sentence. "
     "Respiratory rate 32."),
    ("breathing.cannot_speak", {F.BREATHING},
     "j'arrive plus à respirer, je peux pas finir mes phrases"),
    ("breathing.cannot_speak", {F.BREATHING},
     "my husband is so out of breath he can't get more than two words out"),
    ("breathing.asthma_not_relieved", {F.BREATHING},
     "Patiente de 19 ans, asthmatique. Crise depuis deux heures. Pas d'amélioration après "
     "dix bouffées de Ventoline."),
    ("breathing.asthma_not_relieved", {F.BREATHING},
     "I'm having an asthma attack and my blue inhaler isn't helping at all."),
    ("breathing.asthma_not_relieved", {F.BREATHING},
     "mon fils fait une crise d'asthme, la ventoline ne fait rien, il est trop essoufflé "
     "pour parler"),
    ("breathing.asthma_not_relieved", {F.BREATHING},
     "he's asthmatic and he's been having an attack since lunchtime, we've given him the blue "
     "inhaler six or seven times now and honestly it's not doing anything"),
    ("breathing.copd_worse", {F.BREATHING},
     "A 72-year-old man with COPD presents with increasing breathlessness over two days. "
     "His usual inhalers are not helping. He is breathless at rest."),
    ("breathing.copd_worse", {F.BREATHING},
     "j'ai une BPCO et là je suis essoufflé même assis sans rien faire, mes inhalateurs ne "
     "me soulagent plus"),
    ("breathing.copd_worse", {F.BREATHING},
     "my mum has COPD and she's getting more and more breathless, she can barely talk"),
    ("breathing.pulmonary_oedema", {F.BREATHING},
     "Patient de 80 ans, insuffisant cardiaque. Dyspnée brutale cette nuit. Ne peut pas "
     "rester allongé. Crache une mousse rosée."),
    ("breathing.pulmonary_oedema", {F.BREATHING},
     "I can't breathe when I lie down, I have to sit up all night and I'm coughing up pink "
     "frothy stuff."),
    ("breathing.pulmonary_oedema", {F.BREATHING},
     "mon père étouffe dès qu'il s'allonge et il crache de la mousse rose"),
    ("breathing.blue_lips", {F.BREATHING},
     "A 4-year-old boy presents with a cough and difficulty breathing. His lips look blue."),
    ("breathing.blue_lips", {F.BREATHING},
     "j'ai du mal à respirer et mes lèvres sont toutes bleues"),
    ("breathing.blue_lips", {F.BREATHING},
     "her lips have gone blue and she's struggling to breathe"),
    ("breathing.child_stridor", {F.BREATHING},
     "Enfant de 3 ans. Toux aboyante. Bruit aigu à l'inspiration, même au repos. Tirage."),
    ("breathing.child_stridor", {F.BREATHING},
     "my little boy is making a high-pitched noise every time he breathes in and he's "
     "struggling"),
    ("breathing.child_stridor", {F.BREATHING},
     "ma fille fait un bruit bizarre en inspirant, un sifflement aigu, elle respire mal"),
    ("breathing.child_drooling", {F.BREATHING},
     "A 5-year-old girl presents with a high fever. She is drooling, cannot swallow and sits "
     "leaning forward."),
    ("breathing.child_drooling", {F.BREATHING},
     "mon fils a de la fièvre, il bave, il n'arrive plus à avaler sa salive et il respire "
     "bruyamment"),
    ("breathing.child_drooling", {F.BREATHING},
     "our daughter has a fever, she's drooling and can't swallow, her breathing sounds noisy"),
    # -- stroke (NHS111 FAST; FRENCH déficit neurologique brutal tri 2)
    # One eye gone dark all at once: the eye named beside the loss (vision_combo's near
    # forms; a concept written between its lists and its `near:` once took them).
    ("stroke.vision_one_eye", {F.STROKE},
     "brutalement elle a l'oeil gauche tout noir"),
    ("stroke.face_arm", {F.STROKE},
     "Patient de 70 ans. Depuis une heure, bouche déviée à droite. Le bras droit ne tient "
     "pas."),
    ("stroke.face_arm", {F.STROKE},
     "my face feels droopy on one side and my arm has gone weak"),
    ("stroke.face_arm", {F.STROKE},
     "ma mère a la bouche de travers et elle n'arrive plus à lever le bras"),
    ("stroke.speech_sudden", {F.STROKE},
     "A 64-year-old woman presents with sudden difficulty speaking. Her words are jumbled. "
     "It started an hour ago."),
    ("stroke.speech_sudden", {F.STROKE},
     "d'un coup je n'arrive plus à trouver mes mots, je dis n'importe quoi"),
    ("stroke.speech_sudden", {F.STROKE},
     "my grandad suddenly started slurring his words at dinner"),
    ("stroke.thunderclap", {F.STROKE},
     "Patiente de 45 ans. Céphalée brutale en coup de tonnerre il y a deux heures. Vomit."),
    ("stroke.thunderclap", {F.STROKE},
     "I've suddenly got the worst headache of my life, it came on like a bang"),
    ("stroke.thunderclap", {F.STROKE},
     "ma femme a un mal de tête terrible qui est venu d'un coup, elle n'a jamais eu ça"),
    ("stroke.vision_transient", {F.STROKE},
     "A 68-year-old man had sudden loss of vision in the left eye this morning. It came back "
     "after ten minutes."),
    ("stroke.vision_transient", {F.STROKE},
     "ce matin j'ai perdu la vue d'un œil d'un coup, c'est revenu au bout de quelques minutes"),
    ("stroke.vision_transient", {F.STROKE},
     "my wife suddenly couldn't see out of one eye for a few minutes, it's come back now"),
    ("stroke.cauda_equina", {F.STROKE},
     "Patient de 42 ans, lombalgie depuis trois jours. Ce soir, engourdissement du périnée. "
     "N'arrive plus à uriner."),
    ("stroke.cauda_equina", {F.STROKE},
     "I've got bad back pain and now I'm numb between my legs and I've wet myself without "
     "feeling it"),
    ("stroke.cauda_equina", {F.STROKE},
     "mon mari a mal au dos et il ne sent plus rien entre les jambes, il n'arrive plus à "
     "retenir ses urines"),
    # -- consciousness (FRENCH coma / confusion aiguë tri 2; NHS Pathways)
    ("consciousness.unresponsive", {F.CONSCIOUSNESS},
     "A 50-year-old man was found collapsed. He does not respond to voice or pain."),
    ("consciousness.unresponsive", {F.CONSCIOUSNESS},
     "mon voisin est par terre, il ne répond pas quand je lui parle"),
    ("consciousness.unresponsive", {F.CONSCIOUSNESS},
     "my wife has collapsed and she won't wake up"),
    ("consciousness.acute_confusion", {F.CONSCIOUSNESS, F.SEPSIS},
     "Patiente de 85 ans. Depuis ce matin, confuse, ne reconnaît plus sa fille. Somnolente."),
    ("consciousness.acute_confusion", {F.CONSCIOUSNESS},
     "my mum has become confused and drowsy over the last few hours, she's not making sense"),
    ("consciousness.acute_confusion", {F.CONSCIOUSNESS},
     "mon père est devenu brutalement confus, il ne sait plus où il est"),
    ("consciousness.liver_failure", {F.CONSCIOUSNESS, F.BLEEDING},
     "A 55-year-old man with alcoholic liver disease presents with yellow skin and eyes. "
     "He has become confused today."),
    ("consciousness.liver_failure", {F.CONSCIOUSNESS, F.BLEEDING},
     "mon mari a la peau toute jaune et depuis hier il est confus, il dit n'importe quoi"),
    ("consciousness.liver_failure", {F.CONSCIOUSNESS, F.BLEEDING},
     "my brother's gone yellow, his eyes too, and now his gums keep bleeding and he's "
     "vomiting blood"),
    ("consciousness.floppy_infant", {F.CONSCIOUSNESS, F.INFANT_FEVER},
     "Nourrisson de 4 mois. Hypotonique, difficile à réveiller depuis ce matin."),
    ("consciousness.floppy_infant", {F.CONSCIOUSNESS},
     "my baby is all floppy and really hard to wake"),
    ("consciousness.floppy_infant", {F.CONSCIOUSNESS},
     "mon bébé est tout mou et on a du mal à le réveiller"),
    # -- bleeding (MTS major haemorrhage; NHS111 vomiting blood; FRENCH hématémèse tri 2)
    ("bleeding.vomiting_blood", {F.BLEEDING},
     "Patient de 60 ans. Ce soir, a vomi du sang rouge à deux reprises. Pâle."),
    ("bleeding.vomiting_blood", {F.BLEEDING},
     "I've just been sick and it was full of blood"),
    ("bleeding.vomiting_blood", {F.BLEEDING},
     "mon père vomit du sang"),
    ("bleeding.not_stopping", {F.BLEEDING},
     "A 35-year-old man cut his forearm on glass. The wound is bleeding heavily despite "
     "pressure for twenty minutes."),
    ("bleeding.not_stopping", {F.BLEEDING},
     "je me suis coupé la main avec un couteau, ça saigne énormément et ça ne s'arrête pas"),
    ("bleeding.not_stopping", {F.BLEEDING},
     "she's cut her leg and the blood won't stop, it's soaking through the towel"),
    ("bleeding.melaena_faint", {F.BLEEDING},
     "Patient de 72 ans sous anticoagulant. Selles noires depuis hier. Malaise ce matin."),
    ("bleeding.melaena_faint", {F.BLEEDING},
     "my poo has been black and tarry since yesterday and I feel like I'm going to faint"),
    ("bleeding.melaena_faint", {F.BLEEDING},
     "ma mère a des selles toutes noires et elle a fait un malaise"),
    # -- anaphylaxis (NHS111 anaphylaxis; FRENCH anaphylaxie tri 1-2)
    ("anaphylaxis.swelling_after_trigger", {F.ANAPHYLAXIS},
     "A 22-year-old woman ate a cake containing peanuts. Her lips and tongue are swelling. "
     "She says her throat feels tight."),
    ("anaphylaxis.swelling_after_trigger", {F.ANAPHYLAXIS},
     "j'ai été piqué par une guêpe, j'ai les lèvres qui gonflent et du mal à avaler"),
    ("anaphylaxis.swelling_after_trigger", {F.ANAPHYLAXIS},
     "my son ate a nut and now his face is swelling up and he's wheezing"),
    # -- infant fever (NICE NG143: under 3 months, 38 °C)
    ("infant_fever.under_three_months", {F.INFANT_FEVER},
     "Nourrisson de 6 semaines. Température rectale 38,4. Boit moins bien."),
    ("infant_fever.under_three_months", {F.INFANT_FEVER},
     "my baby is seven weeks old and she has a temperature of 38.3"),
    ("infant_fever.under_three_months", {F.INFANT_FEVER},
     "mon bébé de deux mois a 38,5 de fièvre"),
    ("infant_fever.under_three_months", {F.INFANT_FEVER},
     "I'm worried, our day old baby feels hot and the thermometer says 38.4"),
    # -- suicidal (FRENCH idées suicidaires tri 2; SAMU RUD)
    ("suicidal.plan_means", {F.SUICIDAL},
     "A 28-year-old man says he has saved up his tablets and plans to take them all tonight."),
    ("suicidal.plan_means", {F.SUICIDAL},
     "je n'en peux plus, j'ai préparé tous mes médicaments, je vais en finir ce soir"),
    ("suicidal.plan_means", {F.SUICIDAL},
     "my sister sent me a goodbye message and says she's going to kill herself"),
    # HAS crise suicidaire: preparations (a farewell written, belongings given away).
    ("suicidal.preparations", {F.SUICIDAL},
     "Homme de 52 ans, isolé depuis son divorce. Sa voisine dit qu'il a rédigé une lettre "
     "d'adieu. Il a donné toutes ses affaires cette semaine."),
    ("suicidal.preparations", {F.SUICIDAL},
     "my dad left a note for us and he's been giving away his things all week"),
    ("suicidal.preparations", {F.SUICIDAL},
     "ma fille a mis ses papiers en ordre et elle a laissé une lettre pour nous"),
    # -- seizure (NHS111: 5 minutes or more, not waking after it)
    ("seizure.five_minutes", {F.SEIZURE},
     "Patient de 30 ans. Convulsions généralisées depuis plus de cinq minutes. Ne répond pas."),
    ("seizure.five_minutes", {F.SEIZURE},
     "my son is having a fit and it's been going on for more than five minutes"),
    ("seizure.five_minutes", {F.SEIZURE},
     "ma femme convulse depuis dix minutes, ça ne s'arrête pas"),
    ("seizure.not_waking", {F.SEIZURE},
     "A 40-year-old man had a tonic-clonic seizure an hour ago. He has not regained "
     "consciousness."),
    ("seizure.not_waking", {F.SEIZURE},
     "il a fait une crise d'épilepsie et depuis il ne se réveille pas"),
    ("seizure.not_waking", {F.SEIZURE},
     "he had a fit at ten tonight and he still isn't waking up"),
    # -- meningitis (NICE NG143 red; FRENCH purpura fébrile tri 1)
    ("meningitis.fever_stiff_neck", {F.MENINGITIS},
     "Patient de 19 ans. Fièvre à 39,5. Céphalées. Raideur de nuque."),
    ("meningitis.fever_stiff_neck", {F.MENINGITIS},
     "I've got a high temperature and my neck is so stiff I can't put my chin on my chest"),
    ("meningitis.fever_stiff_neck", {F.MENINGITIS},
     "ma fille a de la fièvre et elle ne peut plus pencher la tête en avant"),
    ("meningitis.non_blanching_rash", {F.MENINGITIS},
     "A 2-year-old boy presents with fever. He has a rash of small purple spots that do not "
     "fade under a glass."),
    ("meningitis.non_blanching_rash", {F.MENINGITIS},
     "j'ai de la fièvre et des petites taches violettes qui ne s'effacent pas quand j'appuie"),
    ("meningitis.non_blanching_rash", {F.MENINGITIS},
     "my daughter's got a temperature and little red-purple spots that don't go away when "
     "you press a glass on them"),
    ("meningitis.tick_bite_rash", {F.MENINGITIS, F.SEPSIS},
     "Patient de 50 ans. Morsure de tique il y a une semaine. Fièvre à 39 et éruption de "
     "taches sur les jambes et le tronc."),
    ("meningitis.tick_bite_rash", {F.MENINGITIS, F.SEPSIS},
     "I was bitten by a tick last week and now I've got a fever and a spotty rash all over"),
    ("meningitis.tick_bite_rash", {F.MENINGITIS, F.SEPSIS},
     "mon fils s'est fait piquer par une tique, il a de la fièvre et des boutons partout"),
    # -- poisoning (FRENCH intoxication tri 2; SAMU ingestion accidentelle)
    ("poisoning.child_tablets", {F.POISONING},
     "Enfant de 2 ans. A avalé des comprimés de la grand-mère il y a une demi-heure."),
    ("poisoning.child_tablets", {F.POISONING},
     "my toddler has swallowed some of my blood pressure tablets"),
    ("poisoning.child_tablets", {F.POISONING},
     "ma fille a mangé les cachets de son grand-père"),
    ("poisoning.child_amount_unknown", {F.POISONING},
     "c'est mon neveu, il a quatre ans, il était chez nous pour le week-end et pendant qu'on "
     "mangeait il a trouvé le pilulier de mon père dans la cuisine, il en a avalé, on ne sait "
     "pas combien"),
    ("poisoning.whole_box", {F.POISONING, F.SUICIDAL},
     "A 45-year-old woman took a whole box of sleeping pills two hours ago. She is drowsy."),
    ("poisoning.whole_box", {F.POISONING, F.SUICIDAL},
     "j'ai pris toute la boîte de somnifères"),
    ("poisoning.whole_box", {F.POISONING, F.SUICIDAL},
     "my husband has taken a whole box of sleeping pills"),
    # -- obstetric (FRENCH tri 2; NHS111 ectopic, pre-eclampsia, baby moving less)
    ("obstetric.late_period_pain_bleeding", {F.OBSTETRIC},
     "A 27-year-old woman presents with lower abdominal pain. Her period is three weeks late. "
     "She has some vaginal bleeding."),
    ("obstetric.late_period_pain_bleeding", {F.OBSTETRIC},
     "j'ai du retard de règles, j'ai mal au bas du ventre et je saigne un peu"),
    ("obstetric.late_period_pain_bleeding", {F.OBSTETRIC},
     "my girlfriend's period is late and she has bad pain low in her belly and she's "
     "bleeding"),
    ("obstetric.pre_eclampsia", {F.OBSTETRIC},
     "Patiente de 32 ans, enceinte de 34 semaines. Céphalées intenses depuis ce matin. "
     "Voit des mouches devant les yeux."),
    ("obstetric.pre_eclampsia", {F.OBSTETRIC},
     "I'm 33 weeks pregnant and I've got a terrible headache and my vision's gone blurry"),
    ("obstetric.pre_eclampsia", {F.OBSTETRIC},
     "ma femme est enceinte de huit mois, elle a un gros mal de tête et elle voit flou"),
    ("obstetric.no_fetal_movement", {F.OBSTETRIC},
     "A 30-year-old woman, 36 weeks pregnant, reports that the baby has not moved since "
     "yesterday."),
    ("obstetric.no_fetal_movement", {F.OBSTETRIC},
     "je suis enceinte de huit mois et je ne sens plus le bébé bouger depuis ce matin"),
    ("obstetric.no_fetal_movement", {F.OBSTETRIC},
     "my wife is 35 weeks pregnant and she hasn't felt the baby move all day"),
    # -- trauma (NICE CG176; FRENCH traumatisme crânien, brûlure tri 2)
    ("trauma.head_injury_vomiting", {F.TRAUMA},
     "Patient de 8 ans. Chute de vélo, choc à la tête. A vomi trois fois depuis."),
    ("trauma.head_injury_vomiting", {F.TRAUMA},
     "I banged my head badly and I've been sick twice since"),
    ("trauma.head_injury_vomiting", {F.TRAUMA},
     "mon fils est tombé sur la tête et depuis il vomit"),
    ("trauma.head_injury_drowsy", {F.TRAUMA, F.CONSCIOUSNESS},
     "A 70-year-old woman fell and hit her head. Since then she has been increasingly drowsy."),
    ("trauma.head_injury_drowsy", {F.TRAUMA, F.CONSCIOUSNESS},
     "ma fille s'est cognée la tête et depuis elle est somnolente, elle s'endort tout le temps"),
    ("trauma.head_injury_drowsy", {F.TRAUMA, F.CONSCIOUSNESS},
     "my dad hit his head on the shelf and now he's really drowsy and confused"),
    ("trauma.burn_face_airway", {F.TRAUMA, F.BREATHING},
     "Patient de 40 ans, brûlé au visage par un retour de flamme. Voix rauque. Poils du nez "
     "brûlés."),
    ("trauma.burn_face_airway", {F.TRAUMA, F.BREATHING},
     "I've burnt my face with boiling fat from the pan"),
    ("trauma.burn_face_airway", {F.TRAUMA, F.BREATHING},
     "mon mari s'est brûlé le visage avec le barbecue, il a la voix cassée"),
    # -- sepsis (NICE NG51 high risk; NHS111 sepsis; LABELS)
    ("sepsis.fever_confusion", {F.SEPSIS},
     "A 79-year-old woman has a urinary infection. Today she is confused. Temperature 38.9."),
    ("sepsis.fever_confusion", {F.SEPSIS},
     "mon père a de la fièvre depuis deux jours et ce soir il est confus, il dit n'importe "
     "quoi"),
    ("sepsis.fever_confusion", {F.SEPSIS, F.CONSCIOUSNESS},
     "my nan has a chest infection and now she's really drowsy and not making sense"),
    ("sepsis.mottled", {F.SEPSIS},
     "Patient de 60 ans. Fièvre à 39. Marbrures sur les genoux. Extrémités froides."),
    ("sepsis.mottled", {F.SEPSIS},
     "I've had a fever since yesterday and my skin has gone all blotchy and mottled"),
    ("sepsis.mottled", {F.SEPSIS},
     "mon fils a de la fièvre et sa peau est toute marbrée"),
    ("sepsis.no_urine", {F.SEPSIS},
     "A 66-year-old man with a fever and a cough has not passed urine since yesterday."),
    ("sepsis.no_urine", {F.SEPSIS},
     "j'ai de la fièvre et je n'ai pas fait pipi depuis hier matin"),
    ("sepsis.no_urine", {F.SEPSIS},
     "my wife has had a high temperature for two days and she hasn't weed all day"),
    ("sepsis.rigors_dying", {F.SEPSIS},
     "Patiente de 58 ans. Fièvre, frissons intenses. Dit qu'elle va mourir."),
    ("sepsis.rigors_dying", {F.SEPSIS},
     "I've got a fever, I'm shaking uncontrollably and I feel like I'm going to die"),
    ("sepsis.rigors_dying", {F.SEPSIS},
     "ma mère a de la fièvre, elle grelotte sans arrêt et dit qu'elle se sent mourir"),
    ("sepsis.septic_joint", {F.SEPSIS},
     "A 60-year-old man presents with a hot, red, swollen knee since yesterday. He has a "
     "temperature of 38.7 and cannot bear weight."),
    ("sepsis.septic_joint", {F.SEPSIS},
     "j'ai le genou tout rouge, chaud et gonflé, et j'ai de la fièvre"),
    ("sepsis.septic_joint", {F.SEPSIS},
     "my son's ankle is hot and swollen, he can't put weight on it and he's got a fever"),
    ("sepsis.malaria_travel", {F.SEPSIS},
     "Patient de 35 ans, retour du Mali il y a dix jours. Fièvre à 39,5 et frissons."),
    ("sepsis.malaria_travel", {F.SEPSIS},
     "I came back from Nigeria last week and now I've got a high fever and I'm shivering"),
    ("sepsis.malaria_travel", {F.SEPSIS},
     "mon mari est rentré d'Afrique il y a une semaine et il a une forte fièvre"),
    ("sepsis.bloody_diarrhoea_child", {F.SEPSIS, F.BLEEDING},
     "Enfant de 3 ans. Diarrhée sanglante depuis trois jours. N'a presque pas uriné depuis "
     "hier."),
    ("sepsis.bloody_diarrhoea_child", {F.SEPSIS, F.BLEEDING},
     "my little girl has had diarrhoea with blood in it and she's hardly weed since "
     "yesterday"),
    ("sepsis.bloody_diarrhoea_child", {F.SEPSIS, F.BLEEDING},
     "mon fils a la diarrhée avec du sang et il ne fait presque plus pipi"),
    # -- acute abdomen (NHS111 sudden severe tummy pain; MTS peritonism; FRENCH tri 2)
    ("acute_abdomen.sudden_severe", {F.ACUTE_ABDOMEN},
     "A 48-year-old man presents with sudden severe abdominal pain. The abdomen is rigid."),
    ("acute_abdomen.sudden_severe", {F.ACUTE_ABDOMEN},
     "j'ai une douleur au ventre terrible qui est venue d'un coup"),
    ("acute_abdomen.sudden_severe", {F.ACUTE_ABDOMEN},
     "my husband has terrible pain in his stomach and his belly is hard as a board"),
    ("acute_abdomen.vomiting_nonstop", {F.ACUTE_ABDOMEN},
     "Patiente de 50 ans. Douleurs abdominales depuis ce matin. Vomissements incessants. "
     "Pas de selles ni de gaz depuis hier."),
    ("acute_abdomen.vomiting_nonstop", {F.ACUTE_ABDOMEN},
     "I've got bad stomach pain and I can't stop being sick"),
    ("acute_abdomen.vomiting_nonstop", {F.ACUTE_ABDOMEN},
     "mon fils a mal au ventre et il vomit sans arrêt"),
    ("acute_abdomen.testicle_sudden", {F.ACUTE_ABDOMEN},
     "A 15-year-old boy woke with sudden severe pain in the left testicle. He has vomited."),
    ("acute_abdomen.testicle_sudden", {F.ACUTE_ABDOMEN},
     "j'ai une douleur brutale dans un testicule, c'est insupportable"),
    ("acute_abdomen.testicle_sudden", {F.ACUTE_ABDOMEN},
     "my son has sudden really bad pain in his testicle"),
    # -- diabetic (NHS111 DKA; hypo not corrected; FRENCH hyperglycémie avec cétose tri 2)
    ("diabetic.dka", {F.DIABETIC},
     "A 17-year-old girl with type 1 diabetes presents with vomiting and abdominal pain. She "
     "is very thirsty. Her breathing is deep and fast."),
    ("diabetic.dka", {F.DIABETIC},
     "je suis diabétique de type 1, je vomis depuis ce matin et j'ai tout le temps soif"),
    ("diabetic.dka", {F.DIABETIC},
     "my son is type 1 diabetic, he keeps being sick, he's drinking loads and he's very "
     "drowsy"),
    ("diabetic.hypo_not_corrected", {F.DIABETIC, F.CONSCIOUSNESS},
     "Patient de 65 ans, diabétique sous insuline. Glycémie à 0,40 g/L. Ne remonte pas "
     "malgré le resucrage."),
    ("diabetic.hypo_not_corrected", {F.DIABETIC, F.CONSCIOUSNESS},
     "I'm diabetic, my sugar is 2.5 and it's not coming up even after juice and sweets"),
    ("diabetic.hypo_not_corrected", {F.DIABETIC, F.CONSCIOUSNESS},
     "ma mère est diabétique, elle fait une hypo, on lui a donné du sucre et ça ne remonte "
     "pas"),
    # -- found in the audit's second pass (FRENCH hypothermie, électrisation; SAMU
    # accouchement inopiné)
    ("consciousness.hypothermia", {F.CONSCIOUSNESS, F.SEPSIS},
     "Patient de 82 ans retrouvé au sol ce matin, froid, température 34."),
    ("consciousness.hypothermia", {F.CONSCIOUSNESS, F.SEPSIS},
     "My dad is 88, we found him on the floor, his temperature is 33.5 and he's very drowsy."),
    ("consciousness.hypothermia", {F.CONSCIOUSNESS, F.SEPSIS},
     "Ma mère, 90 ans, a 34,8 de température, elle est un peu confuse."),
    ("trauma.electrical_burn", {F.TRAUMA},
     "il s'est pris une grosse décharge électrique et il a des brûlures aux mains"),
    ("trauma.electrical_burn", {F.TRAUMA},
     "A 35-year-old electrician touched a live wire. There are burns on both hands."),
    ("trauma.electrical_burn", {F.TRAUMA},
     "I got an electric shock from the cooker and my hand is burnt black"),
    ("obstetric.birth_imminent", {F.OBSTETRIC},
     "she's 38 weeks pregnant and the waters broke and she says she wants to push"),
    ("obstetric.birth_imminent", {F.OBSTETRIC},
     "je suis enceinte de neuf mois, j'ai perdu les eaux et j'ai envie de pousser"),
    ("obstetric.birth_imminent", {F.OBSTETRIC},
     "Parturiente de 29 ans, troisième enfant. Contractions toutes les deux minutes. "
     "Veut pousser."),
))

TRAPS: tuple[tuple[str, str], ...] = (
    ("chest", "I had chest pain last year, the tests were normal, I need my repeat "
              "prescription."),
    ("chest", "J'ai un peu mal aux côtes quand je tousse depuis mon rhume."),
    ("breathing", "I'm asthmatic, my asthma is well controlled, I just need a new inhaler."),
    ("breathing", "J'ai une BPCO stable, je voudrais renouveler mes inhalateurs."),
    ("breathing", "mon fils a le nez bouché et il ronfle un peu la nuit"),
    ("breathing", "I get a bit out of breath on the stairs, as usual for years."),
    ("stroke", "Mon père a fait un AVC il y a trois ans, il faut renouveler son Kardégic."),
    ("stroke", "I get migraines with flashing lights every few months, like my usual ones."),
    ("stroke", "j'ai un peu mal au dos depuis que j'ai porté des cartons"),
    ("consciousness", "Ma mère a la maladie d'Alzheimer, elle est confuse depuis des années, "
                      "je voudrais un rendez-vous de suivi."),
    ("consciousness", "I fainted once at a concert years ago, I'm fine."),
    ("consciousness", "I have Gilbert's syndrome, my eyes go a bit yellow when I'm tired."),
    ("bleeding", "J'ai saigné du nez un peu ce matin, ça s'est arrêté tout seul."),
    ("bleeding", "I take iron tablets and my stools are dark, is that normal?"),
    ("anaphylaxis", "J'ai une allergie aux arachides, je voudrais renouveler mon stylo "
                    "d'adrénaline."),
    ("infant_fever", "My 2-year-old has a temperature of 38 but she's playing and eating."),
    ("suicidal", "I've been feeling a bit down since I lost my job, can I see the doctor?"),
    ("seizure", "Je suis épileptique, stabilisé sous traitement, il me faut mon "
                "ordonnance."),
    ("meningitis", "J'ai un torticolis depuis que j'ai mal dormi, pas de fièvre."),
    ("meningitis", "I was bitten by a tick yesterday, I took it out, no rash, no fever."),
    ("meningitis", "mon fils a des boutons de varicelle qui grattent, il va bien"),
    ("poisoning", "J'ai oublié de prendre mon comprimé hier soir, je le prends ce matin ?"),
    ("obstetric", "Je suis enceinte de trois mois, j'ai un peu mal au cœur le matin."),
    ("obstetric", "I'm 20 weeks pregnant and I'd like to book my scan."),
    ("trauma", "My son bumped his head at school, he didn't lose consciousness, no vomiting, "
               "he's playing normally."),
    ("trauma", "Je me suis brûlé le doigt avec la casserole, c'est une petite cloque."),
    ("sepsis", "J'ai un rhume avec 38 de fièvre depuis hier, je voudrais un arrêt de "
               "travail."),
    ("sepsis", "I'm back from Spain and I'd like a check-up, I feel fine."),
    ("sepsis", "J'ai de l'arthrose du genou, il est un peu gonflé après la marche, comme "
               "d'habitude."),
    ("sepsis", "My daughter has had diarrhoea since yesterday but she's drinking and weeing "
               "normally."),
    ("acute_abdomen", "J'ai un peu mal au ventre après les repas depuis des mois."),
    ("acute_abdomen", "I've had a mild tummy ache since lunch, no vomiting."),
    ("diabetic", "Je suis diabétique de type 2, il me faut le renouvellement de ma "
                 "metformine."),
    ("diabetic", "I had a hypo this morning, I took sugar and I'm fine now."),
    # The pictures this audit added: the same words without the combination.
    ("suicidal", "Ma mère a donné ses affaires à sa soeur avant de partir en maison de "
                 "retraite."),
    ("suicidal", "I've made a will and I'd like a copy of my medical records."),
    ("infant_fever", "my week old baby is feeding well, I'd like her first check-up."),
    ("hypothermia", "Elle a 34 ans, température normale, je voudrais un rendez-vous."),
    ("hypothermia", "Il fait 34 degrés dehors, mon père a chaud, il boit bien."),
    ("electrical", "I had an electric shock from a plug yesterday, just a tingle, I'm fine."),
    ("electrical", "Je me suis électrisé en changeant une ampoule, rien de grave."),
    ("malaria", "Je pars au Mali le mois prochain, quels vaccins me faut-il ?"),
    ("malaria", "I got back from Kenya two months ago and I'd like my blood test results."),
    ("malaria", "Je suis rentrée d'Espagne hier et j'ai un peu de fièvre avec le nez qui "
                "coule."),
    ("tick", "I had a tick bite last week and there's a red ring around it, no fever."),
    ("tick", "J'ai enlevé une tique à mon fils hier, il n'a pas de fièvre, que faire ?"),
    ("septic_joint", "J'ai le genou rouge et gonflé depuis ma chute, pas de fièvre."),
    ("septic_joint", "My knee is a bit swollen after football, I have a cold with a slight "
                     "temperature."),
    ("stridor", "Mon mari ronfle et fait un bruit bizarre quand il respire la nuit."),
    ("stridor", "I hear a high-pitched noise in my ear all the time."),
    ("pre_eclampsia", "Je suis enceinte de cinq mois, j'ai eu un petit mal de tête hier, "
                      "ça va mieux."),
    ("bloody_diarrhoea", "J'ai un peu de sang dans les selles à cause de mes hémorroïdes, "
                         "rien d'autre."),
    ("bloody_diarrhoea", "My son had diarrhoea yesterday, no blood, he's weeing normally."),
)


@pytest.mark.parametrize(("criterion", "flags", "text"), CASES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_each_reference_criterion_is_an_emergency(rules: Classifier, criterion: str,
                                                  flags: frozenset[RedFlag], text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (criterion, text, [h.source for h in c.suspected])
    assert flags & {h.category for h in c.red_flags}, (
        criterion, text, [h.source for h in c.red_flags])


@pytest.mark.parametrize(("criterion", "text"), TRAPS,
                         ids=[f"{c}-{i}" for i, (c, _) in enumerate(TRAPS)])
def test_each_criterions_trap_stays_below_emergency(rules: Classifier, criterion: str,
                                                    text: str) -> None:
    assert_not_raised(rules, text)


def test_every_category_is_audited() -> None:
    assert {f for _, flags, _ in CASES for f in flags} >= set(RedFlag)
