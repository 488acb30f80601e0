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
from tests.triage_checks import assert_not_raised, assert_raised

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


# Vignettes (age / sex / history prefix, clinical words), long messages whose red flag is one
# clause among many, and more lay wording: second round, written after the first passed.
MORE_PARAPHRASES: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.CHEST_PAIN: (
        'Patient de 58 ans, hypertendu, douleur rétrosternale en barre irradiant vers '
        "l'épaule gauche, pâle et moite.",
        "My neighbour, he's 70, says there's a pressure in the middle of his chest like a "
        'band and he feels sick and clammy.',
        "J'ai une douleur dans la poitrine qui serre très fort depuis vingt minutes et je "
        'transpire.',
        'A 48-year-old man complaining of chest heaviness radiating to the jaw, associated '
        'with diaphoresis.',
        "Mon père a mal à la poitrine et il dit qu'il a le bras gauche tout engourdi.",
        'Female, 54, central crushing chest pain at rest for 45 minutes with nausea.',
        "Homme de 50 ans, douleur thoracique typique, sueurs profuses, ATCD d'infarctus.",
        "Hi, so I'm calling because my husband, he's 58, he came back from walking the dog "
        "and sat down, and he's been complaining for half an hour that his chest feels "
        "really tight and heavy, and he's gone a bit grey and sweaty, he says it's "
        "indigestion but he's never had it like this.",
    ),
    RedFlag.BREATHING: (
        'A 6-year-old boy with croup, inspiratory stridor at rest and intercostal recession.',
        'Il respire très fort, on entend un sifflement, il est assis penché en avant et '
        "n'arrive pas à parler.",
        "My mum has emphysema, she's on home oxygen and tonight she's much worse, grey and "
        "can't get a sentence out.",
        "Elle a l'impression d'étouffer, elle n'arrive plus à reprendre son souffle depuis "
        "tout à l'heure.",
        'He started gasping and his lips are going purple.',
        'Child with audible wheeze, intercostal recession and saturations of 88 %.',
        'Adult asthmatic, peak flow 30 % of best, unable to complete sentences.',
    ),
    RedFlag.STROKE: (
        'Woman, 66, sudden onset of dysarthria and right facial droop 40 minutes ago.',
        'Mon mari ne peut plus lever le bras droit et sa bouche est de travers depuis ce matin.',
        "Elle parlait normalement puis d'un coup elle n'arrivait plus à sortir ses mots.",
        'I woke up and half my face was numb and my arm felt heavy and useless.',
        'Il a eu un mal de tête brutal, comme un coup de massue, puis il a vomi.',
        'A 67-year-old hypertensive woman with acute left hemiparesis and dysarthria, '
        'onset 1 hour ago.',
        'Patient with sudden onset aphasia and right arm weakness.',
        'Homme de 75 ans, hémiplégie droite et aphasie brutale au réveil.',
        "Bonjour, c'est pour ma mère, elle a 81 ans, on était en train de déjeuner "
        "tranquillement, on parlait des vacances, et tout d'un coup elle a laissé tomber "
        "sa fourchette, elle parle bizarrement et sa bouche tombe d'un côté, je ne sais "
        'pas quoi faire.',
    ),
    RedFlag.CONSCIOUSNESS: (
        'Patiente de 85 ans retrouvée au sol, ne répond pas aux ordres simples.',
        "My husband collapsed in the kitchen and he's not responding to me.",
        "Il est tombé d'un coup et depuis il ne réagit plus quand on lui parle.",
        'The carer says my dad has been very sleepy and hard to rouse since this morning.',
        'Ma mère est devenue complètement désorientée en quelques heures et elle somnole.',
        'Patient found with a GCS of 8 on the floor of his flat.',
        'Elderly man, acutely confused and drowsy since this afternoon, previously independent.',
        'So we came home from the shops and my father was sitting in his chair, the TV was '
        "on, and when I spoke to him he didn't answer me, his eyes were open but he was "
        'just staring and not responding at all.',
    ),
    RedFlag.BLEEDING: (
        "Il saigne du nez depuis une heure et demie, ça ne s'arrête pas malgré la "
        'compression, il est sous Xarelto.',
        "She's bringing up bright red blood and feels faint.",
        'Patient with large volume haematemesis this morning, tachycardic at 125.',
        'Je me suis coupé la main avec une scie, le sang gicle.',
        'Mes selles sont noires et collantes depuis deux jours et je suis très fatigué et pâle.',
        'A 62-year-old with melaena for two days, dizzy on standing, heart rate 118.',
        'Patient sous AVK, épistaxis abondante depuis deux heures qui ne cède pas.',
        'An alcoholic man with haematemesis, now pale and clammy.',
        'Bonjour je vous appelle parce que voilà mon mari a une cirrhose il est suivi à '
        "l'hôpital et ce matin il a vomi du sang plusieurs fois, beaucoup, et maintenant "
        'il est très pâle.',
    ),
    RedFlag.ANAPHYLAXIS: (
        'Ma fille a été piquée par une abeille, elle a le visage qui gonfle et elle '
        'respire mal.',
        "He ate a cake with nuts in it and now his lips and tongue are swelling and he's "
        'wheezy.',
        "Après la piqûre de guêpe j'ai des plaques partout et je me sens partir.",
        'A 35-year-old with angioedema of the lips and stridor after ibuprofen.',
        'A 10-year-old with known peanut allergy, lip swelling, hoarse voice and vomiting '
        'after lunch.',
        'Patiente avec urticaire généralisée, oedème des lèvres et hypotension après une '
        'injection.',
    ),
    RedFlag.INFANT_FEVER: (
        'Mon bébé de cinq semaines est chaud, le thermomètre affiche 38,3.',
        "My 8-week-old has a fever of 38.5 and isn't feeding well.",
        'Nourrisson de 6 semaines fébrile à 38,2 °C.',
        'A 4-week-old infant with a temperature of 38.1 and poor feeding.',
        'Nourrisson de 45 jours avec une fièvre à 38,6.',
    ),
    RedFlag.SUICIDAL: (
        "J'ai écrit une lettre à mes enfants et j'ai préparé mes médicaments pour ce soir.",
        "My son said he's going to jump off the bridge tonight.",
        "Elle s'est enfermée, elle dit qu'elle va se faire du mal avec un couteau.",
        "I've taken all my antidepressants because I don't want to be here anymore.",
        "Mon ami m'a envoyé un message disant qu'il voulait en finir ce soir.",
        'A 35-year-old man with active suicidal ideation and a plan to hang himself tonight.',
        'Patiente de 40 ans, idées suicidaires avec scénario, a acheté des médicaments.',
    ),
    RedFlag.SEIZURE: (
        'Ma fille fait une crise, elle tremble de partout depuis au moins 10 minutes.',
        "He's had three fits in the last hour and hasn't woken up in between.",
        'Elle convulse et ne se réveille pas entre les crises.',
        "My son has a temperature and started jerking all over, it's still going.",
        'Patient épileptique connu en crise depuis 7 minutes.',
        'Known epileptic with a generalised seizure lasting more than 5 minutes.',
        'Enfant de 3 ans, crise convulsive fébrile qui dure depuis 10 minutes.',
        "I'm calling for my neighbour's little boy, his mum is with him, he's had a fever "
        'since yesterday and just now he went stiff and started shaking all over and his '
        "eyes rolled back, it's still happening.",
    ),
    RedFlag.MENINGITIS: (
        'Adolescent de 16 ans, fièvre à 39,5, céphalées, raideur de nuque et photophobie.',
        "My daughter has a fever and a rash of tiny red pinprick spots that don't fade "
        'under a glass.',
        'Il a de la fièvre et des petites taches violettes sur les jambes.',
        "She's burning up, her neck is really stiff and the light hurts her eyes.",
        'Nourrisson de 8 mois, fièvre, purpura sur les jambes.',
        'A 20-year-old with fever, photophobia and a petechial rash on the trunk.',
        'Child with fever and purpura.',
        'Ma fille a 17 ans, elle est étudiante, elle est rentrée ce week-end avec de la '
        'fièvre, elle a très mal à la tête, elle ne supporte pas la lumière et elle a la '
        'nuque raide.',
    ),
    RedFlag.POISONING: (
        'Mon fils de 2 ans a croqué une capsule de lessive.',
        'My mother took about twenty of her sleeping tablets.',
        "Ma grand-mère s'est trompée et a pris trois fois sa dose de digoxine.",
        'He swallowed a button battery about an hour ago.',
        'Mon fils a bu du produit pour déboucher les canalisations.',
        'Adolescente de 16 ans, ingestion volontaire de 20 comprimés de paracétamol.',
        'A 45-year-old found with empty packets of amitriptyline beside him, drowsy.',
        'Sorry to bother you, my daughter is three and she got into my handbag while I was '
        'on the phone and I think she swallowed some of my blood pressure tablets, the '
        'packet is half empty.',
    ),
    RedFlag.OBSTETRIC: (
        "Je suis enceinte de 8 semaines, j'ai très mal d'un côté du ventre et je saigne.",
        "She's 30 weeks pregnant and the baby hasn't moved since yesterday.",
        'Ma femme est enceinte de 36 semaines, elle a un mal de tête terrible et voit des '
        'mouches.',
        "My period is three weeks late and I've got a sharp pain low on the left and I "
        'feel faint.',
        'Enceinte de 5 mois, elle perd du sang rouge en quantité.',
        'A 28-year-old woman, 6 weeks pregnant, with left iliac fossa pain and vaginal '
        'bleeding.',
        'Femme de 32 ans, aménorrhée de 7 semaines, douleur pelvienne et métrorragies.',
        'Primigravida at 35 weeks with headache, visual disturbance and BP 170/110.',
    ),
    RedFlag.TRAUMA: (
        'Un homme de 30 ans a été renversé par une voiture, il est conscient mais ne peut '
        'plus bouger les jambes.',
        'My son fell from the first-floor window onto the patio.',
        "Il s'est pris un coup de couteau dans le ventre.",
        'My grandmother fell, hit her head on the table and is now very drowsy.',
        "Elle est tombée dans l'escalier, elle s'est cogné la tête et elle vomit.",
        'A 25-year-old motorcyclist thrown from his bike at high speed, GCS 13.',
        "Chute d'un échafaudage de 4 mètres, douleur du dos, ne sent plus ses jambes.",
    ),
    RedFlag.SEPSIS: (
        'Il a une pneumonie, il est marbré, il respire vite et sa tension est basse.',
        "My mum has a kidney infection and now she's confused and her skin looks blotchy.",
        'Patient sous chimiothérapie avec 38,9 de fièvre.',
        "Il a de la fièvre depuis trois jours et il n'a pas fait pipi depuis hier, il est "
        'très mou.',
        'A 75-year-old woman with a UTI, rigors, new confusion and a respiratory rate of 28.',
        'A 59-year-old man with cellulitis of the leg, now febrile with rigors, '
        'tachypnoeic and mottled.',
        'Patient with a urinary catheter, temperature 38.9, heart rate 135 and new onset '
        'confusion.',
        'Patiente de 80 ans, pneumopathie, marbrures des genoux, FR à 30.',
        "Since her operation the wound is red and oozing, she's shivering uncontrollably "
        'and very drowsy.',
    ),
    RedFlag.ACUTE_ABDOMEN: (
        "Elle a mal au ventre depuis ce matin, c'est devenu insupportable, le ventre est dur.",
        "Sudden tearing pain in the tummy going through to the back, he's pale and sweaty.",
        'Mon fils de 12 ans a mal en bas à droite du ventre, il a de la fièvre et il vomit.',
        "He's been vomiting green stuff and hasn't passed wind since yesterday, his belly "
        'is swollen.',
        'A 70-year-old with severe abdominal pain out of proportion to examination and '
        'atrial fibrillation.',
        'A 40-year-old woman with right upper quadrant pain, guarding and rebound, '
        'temperature 38.5.',
        'Man, 65, sudden severe abdominal pain radiating to the back, hypotensive.',
        'Douleur abdominale brutale avec défense et contracture généralisée.',
        'A 12-year-old with periumbilical pain migrating to the right iliac fossa, fever '
        'and vomiting.',
    ),
    RedFlag.DIABETIC: (
        'Ma fille diabétique de type 1 vomit depuis ce matin et elle respire très fort.',
        "He's diabetic, his sugar is 28 and he keeps being sick.",
        "Mon père diabétique fait une hypo, on lui a donné du jus d'orange mais il est "
        'toujours à 0,4.',
        'My son with type 1 has ketones of 3.5 and is vomiting.',
        'Elle est diabétique, glycémie à 4 g et elle a mal au ventre et vomit.',
        'A 19-year-old type 1 diabetic with vomiting, abdominal pain and Kussmaul breathing.',
        'Patient diabétique insulinodépendant, glycémie 5 g/L, cétonémie positive, '
        'vomissements.',
        'Known diabetic with a blood glucose of 1.8, not responding to oral glucose.',
    ),
}

# Partial evidence (one of two required concepts, or a category the words do not settle):
# the agent asks its yes/no question (issue 13 point 4), it is never routine.
PARTIAL: tuple[str, ...] = (
    'He has been a bit breathless since this morning.',
    'Mon père a le bras un peu engourdi depuis hier.',
    "She fainted in the bathroom but she's awake now.",
    "I'm bleeding a little from my back passage.",
    'Ma fille a les lèvres un peu gonflées.',
    'My baby has a temperature, what should I do?',
    "Il a fait une crise d'épilepsie ce matin.",
    "There's a purple rash on his legs.",
    'Elle a la nuque raide depuis ce matin.',
    "I'm 8 weeks pregnant and I've got tummy pain.",
    'He banged his head on the cupboard.',
    "I feel terrible, I have a fever and I feel like I'm dying.",
    "J'ai très mal au ventre.",
    "My son's testicle hurts.",
    'Il est diabétique et il vomit depuis ce matin.',
    "I'm having a hypo.",
    'Je me sens vraiment très très mal, venez vite.',
    "I've been thinking about ending it, I've got a plan.",
    "He swallowed something, I don't know what.",
    'My dad is acting strangely and seems confused.',
)

# Words the new concepts use, said in routine calls.
MORE_ROUTINE: tuple[str, ...] = (
    'Je voudrais un rendez-vous pour mon fils qui a un peu de fièvre depuis hier.',
    'My dad had a stroke in 2019 and needs his blood pressure tablets renewed.',
    'Ma mère est diabétique, elle voudrait renouveler ses bandelettes.',
    "Can I move my appointment, I had chest pain last month but it's all sorted now.",
    "J'ai des taches rouges sur les bras depuis une semaine, ça gratte, je voudrais un "
        'rendez-vous.',
    "I'm pregnant and I'd like to book my 12 week scan.",
    'Mon fils a la gastro, il vomit un peu mais il boit bien, est-ce que je peux avoir '
        'un rendez-vous demain ?',
    "I need a sick note, I've had the flu with a temperature all week.",
    'My asthma is fine, I just need a new inhaler prescription.',
    'Je voudrais un certificat, je me suis cogné la tête contre le placard hier, rien '
        'de grave.',
    'Ma fille a eu ses règles en retard ce mois-ci, elle voudrait un rendez-vous pour '
        'la pilule.',
    'She fainted once last year at a concert and wants a check-up.',
    "I've been feeling a bit low lately and would like to talk to someone, no thoughts "
        'of harming myself.',
    'My tummy is bloated after meals, could I book an appointment next week?',
    "J'ai eu une coupure au doigt hier, c'est cicatrisé, je voudrais faire mon rappel "
        'de tétanos.',
    "My son's eye keeps twitching, it won't stop, can I book an appointment?",
    'Il a des spasmes au ventre depuis hier, ça continue, je voudrais un rendez-vous.',
    "J'ai mal au dos, ma sciatique continue, je voudrais une ordonnance de kiné.",
    'I woke up with a headache, could I get an appointment this week?',
    'Ma mère prend tous ses médicaments le matin, elle voudrait un renouvellement.',
    'Mon fils a des petits bleus sur les jambes à cause du foot, il lui faut un certificat.',
    "I'm expecting a call back from the doctor about my results.",
    "J'ai eu un test positif au covid la semaine dernière, je voudrais un arrêt de travail.",
    'My hair has gone grey and my skin is dry, can I see the dermatologist?',
    'I want to end things with my physio, can I cancel my sessions?',
    "J'ai des secousses dans les jambes la nuit depuis des mois, je voudrais en parler.",
    "My eye has been twitching for ages, it's annoying, could I book something?",
    'She had some tablets for her cough from the cupboard, can we get more?',
    'Ma fille prépare mes médicaments pour ce soir, je voudrais un pilulier.',
    'I saved up for my glasses, when can I come in today?',
    "J'ai la tête qui tourne un peu quand je me lève, je voudrais un rendez-vous.",
    "J'ai le ventre gonflé après les repas et un peu mal, rendez-vous la semaine "
        'prochaine ?',
    'I woke up with a headache and a stiff shoulder, could I see someone this week?',
    'My blood sugar has been a bit high, can I book my diabetes review?',
    "I'm diabetic and want to renew my insulin and test strips.",
    'Mon mari est diabétique, il a eu une gastro, il va mieux, il voudrait un certificat.',
    'After dinner I sometimes have heartburn, can I get an appointment?',
    'Ma voix est enrouée depuis deux semaines, je voudrais voir un ORL.',
    "J'ai mal au dos, ça continue, je n'arrive pas à l'arrêter, je voudrais une ordonnance.",
    'I had a fall last week, no head injury, just a bruise, need a sick note.',
    'Ma fille a eu de la fièvre hier, elle va mieux, elle a un peu de plaques rouges '
        'qui grattent.',
    "My son's temperature was 38 yesterday, today he is fine, can I get a school note?",
    'I am two weeks late paying my bill, can I talk to the receptionist?',
    'My period is a few days late, I want to book a pregnancy test appointment.',
    'Les résultats de ma prise de sang sont arrivés, le médecin peut me rappeler ?',
    "Je voudrais décaler mon rendez-vous, j'ai une réunion au ministère de la défense.",
    'I got a rebound headache from painkillers, can I talk to the GP next week?',
    "He had a rash with little red spots last month, it's gone, I need a form for the "
        'nursery.',
    'My wife had a seizure in 2015 and wants to apply for her driving licence back.',
    "Ma mère a de l'asthme, sa ventoline marche bien, il faut la renouveler.",
    "J'ai une coupure au doigt, ça a saigné un peu puis ça s'est arrêté, vaccin "
        'tétanos à jour ?',
    'My baby is 10 weeks old and due her jabs, when can we come?',
    "Mon bébé de 6 semaines a 37,2, il va bien, c'est pour le rendez-vous du mois.",
    "I've been feeling a burden on my family since the divorce, I'd like counselling, "
        'no thoughts of suicide.',
    "She's fine now after the fit last year, just needs her repeat prescription for Keppra.",
    "Mon père a fait une hypo la semaine dernière, c'est réglé, il voudrait voir le "
        'diabétologue.',
)

# Elderly, teenage, non-native and misspelt registers; negated and past-history traps.
REGISTERS: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.CHEST_PAIN: (
        "me chest is killing me innit, proper tight, like someone sat on it, can't breathe "
        'proper',
        'ma poitrine fait très mal, ça serre, moi pas bien, transpire beaucoup',
        "it's probably just indigestion but there's this crushing feeling behind my "
        'breastbone and my left arm aches',
        "j'ai une douleur thorassique depuis une heure qui serre",
    ),
    RedFlag.BREATHING: (
        'he no can breathe good, he make noise when breathe, lips blue',
        'elle respire plus bien, elle fait du bruit, elle devient toute bleue',
        "grand-mère elle a l'asthme, elle siffle et elle arrive plus à parler",
    ),
    RedFlag.STROKE: (
        "my nan's mouth has gone all funny on one side and she can't lift her arm",
        "papi il parle bizarre depuis tout à l'heure et il a le bras qui tombe",
        "her face went lopsided all of a sudden and she's slurring",
        "il a la bouche de travers et il n'arrive plus à parler depuis dix minutes",
    ),
    RedFlag.CONSCIOUSNESS: (
        'mon grand-père ne se réveille pas ce matin, il respire mais il ne répond pas',
        "she just collapsed at school and isn't responding, the teacher is with her",
        'he was found slumped in his car, not responding',
    ),
    RedFlag.BLEEDING: (
        "there's blood everywhere, he cut himself with the chainsaw",
        'ma femme elle crache du sang depuis ce matin',
        "he's throwing up blood, like proper red blood, loads of it",
    ),
    RedFlag.ANAPHYLAXIS: (
        "his lips went massive after the prawns and he's wheezing",
        'elle a mangé une cacahuète, elle gonfle de partout et elle a du mal à respirer',
        "I'm allergic to penicillin and I just took amoxicillin, my throat is tight",
    ),
    RedFlag.INFANT_FEVER: (
        'ma petite a trois semaines et elle est brûlante, 38,7',
        "our baby's 2 months and her temp is 38.4",
    ),
    RedFlag.SUICIDAL: (
        'i cant do this no more, i got all my nans pills here and im gonna take them',
        "je vais me jeter sous un train ce soir, j'en peux plus",
        "she's locked herself in her room and says she's going to kill herself",
        "my boyfriend sent me a message he's on the bridge and he's going to jump",
    ),
    RedFlag.SEIZURE: (
        "he's having a fit and he's gone blue",
        'mon fils fait des convulsions et ça fait plus de cinq minutes',
        "she's fitting and it won't stop",
        'elle est par terre, elle tremble de partout et elle bave, ça dure depuis dix minutes',
    ),
    RedFlag.MENINGITIS: (
        "baby's got a high temp and a rash that don't go away when i press a glass",
        'il a de la fièvre et des taches violacées qui ne partent pas quand on appuie',
    ),
    RedFlag.POISONING: (
        'my 2 year old swallowed one of those washing pods',
        'elle a avalé toute la boîte de Doliprane',
        "he took loads of tablets, he's very sleepy now",
        'my son drank some bleach',
    ),
    RedFlag.OBSTETRIC: (
        "i'm pregnant and i'm bleeding a lot with bad cramps",
        'je suis enceinte et je perds beaucoup de sang',
        'ma femme est enceinte de huit mois et elle a perdu les eaux, le cordon sort',
    ),
    RedFlag.TRAUMA: (
        'he fell off the ladder and landed on his head, he was knocked out',
        'il a eu un accident de voiture, il est coincé dans la voiture',
        'she got hit by a car and her leg is bent the wrong way',
    ),
    RedFlag.SEPSIS: (
        "he's got a fever, he's really confused and his skin is all blotchy",
        'elle a de la fièvre, elle est toute marbrée et elle respire très vite',
        "my mum has a water infection and now she's not making any sense and very drowsy",
    ),
    RedFlag.ACUTE_ABDOMEN: (
        "sudden agony in my stomach, worst pain ever, i'm doubled over",
        'il a mal au ventre, son ventre est dur comme du bois et il vomit',
        "my son's ball is really swollen and painful, it came on suddenly",
    ),
    RedFlag.DIABETIC: (
        "my son is diabetic and he's drowsy and breathing funny and being sick",
        'il est diabétique, son sucre est à 3 grammes, il vomit et il a mal au ventre',
        "my wife is diabetic, she's having a hypo and isn't getting better with sugar",
    ),
}

REGISTERS_ROUTINE: tuple[str, ...] = (
    'i was having chest pain last week but the doctor said it was muscular, can i get my '
    'results',
    'pas de fièvre, pas de raideur de nuque, juste un rhume, je voudrais un certificat',
    'no blood in his stool, no vomiting, just a mild tummy ache, can we come tomorrow',
    'je ne suis pas suicidaire, je voudrais juste parler à un psychologue',
    "She doesn't have any rash or fever, she needs her booster jab",
    "my father died of a heart attack, I'd like a cholesterol check",
    "mon fils a eu des convulsions fébriles quand il était bébé, il va bien, c'est pour un "
    'certificat de sport',
    "I'm not bleeding anymore, the cut healed, I need the stitches out",
    "Elle n'est pas enceinte, elle veut renouveler sa pilule",
    'He had an overdose years ago and is now stable, he needs his methadone script',
)

# Forum and testimony style: long first-person or relative's passages, the red flag one
# clause among many.
LONG_PASSAGES: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.CHEST_PAIN: (
        'Bonsoir à tous, je poste ici car je suis inquiète. Mon mari, 55 ans, a eu une '
        'grosse journée au travail, il est rentré, il a mangé normalement, et depuis une '
        'demi-heure il a une douleur qui lui serre la poitrine et qui monte dans la '
        "mâchoire, il est blanc et il transpire. Il ne veut pas appeler, il dit que c'est le "
        'stress.',
    ),
    RedFlag.BREATHING: (
        "Hello everyone, my little boy is 3 and he's had a cold for a few days, nothing "
        "major, but tonight he's breathing really fast, you can see his tummy sucking in "
        "under his ribs with each breath and he's making a grunting noise. Is this normal?",
    ),
    RedFlag.STROKE: (
        'So this morning my dad was making breakfast as usual, chatting away, and then he '
        "just stopped mid-sentence, couldn't get any words out and his right hand wouldn't "
        "grip the kettle. It lasted maybe ten minutes and now he seems fine again but I'm "
        'worried.',
    ),
    RedFlag.CONSCIOUSNESS: (
        "Je vous écris de l'hôpital... hier ma mère de 78 ans, qui vit seule, ne décrochait "
        'pas le téléphone. Quand je suis arrivée elle était dans son lit, je lui parlais et '
        'elle ne réagissait pas, elle ouvrait à peine les yeux.',
    ),
    RedFlag.BLEEDING: (
        "I had my wisdom tooth out this morning and it's been bleeding ever since, I've gone "
        "through loads of gauze, it's soaking through every few minutes and I feel really "
        'lightheaded.',
    ),
    RedFlag.ANAPHYLAXIS: (
        'We were at a birthday party and my daughter ate a piece of cake, within minutes her '
        'lips swelled up, she started coughing and said her throat felt funny, and she was '
        'covered in hives.',
    ),
    RedFlag.SEIZURE: (
        'Last night my 18-month-old had a high fever and then suddenly went stiff, her eyes '
        'rolled back and her arms and legs were jerking, it went on and on, at least five '
        "minutes before it stopped, and she's been very sleepy since.",
    ),
    RedFlag.MENINGITIS: (
        'Mon fils de 6 ans a de la fièvre depuis ce matin, je lui ai donné du Doliprane, '
        "mais ce soir j'ai vu des petites taches rouges foncées sur son ventre, j'ai fait le "
        "test du verre et elles ne s'effacent pas.",
    ),
    RedFlag.POISONING: (
        'I came home and found my teenage son barely awake on the sofa with an empty packet '
        "of his mum's sleeping tablets and a bottle of vodka next to him.",
    ),
    RedFlag.OBSTETRIC: (
        "I'm about 6 weeks pregnant (first pregnancy) and since this afternoon I've had a "
        'sharp stabbing pain on the left side low down, some brown bleeding and my shoulder '
        'tip hurts, I feel dizzy when I stand.',
    ),
    RedFlag.TRAUMA: (
        "Ce matin mon père de 82 ans est tombé dans la salle de bain, il s'est tapé la tête "
        'contre le lavabo. Il prend du Xarelto. Depuis il a vomi deux fois et il est un peu '
        'confus.',
    ),
    RedFlag.SEPSIS: (
        'My husband had his gallbladder out 5 days ago and came home yesterday. Since this '
        "morning he's been shivering uncontrollably, his temperature is 39.6, he's breathing "
        "really fast and he's just not with it, he keeps getting my name wrong.",
    ),
    RedFlag.ACUTE_ABDOMEN: (
        "Mon ado de 15 ans s'est réveillé à 3h du matin avec une douleur atroce dans les "
        "bourses, il a vomi et il pleure, il n'arrive pas à marcher.",
    ),
    RedFlag.DIABETIC: (
        "My 14-year-old has had type 1 for two years. She's had a stomach bug since "
        "yesterday and hasn't been taking all her insulin because she isn't eating. Now "
        "she's very drowsy, breathing deeply and her breath smells like pear drops.",
    ),
    RedFlag.SUICIDAL: (
        'Je ne sais pas à qui parler. Depuis des semaines je dors plus, je mange plus. Ce '
        "soir j'ai rassemblé toutes les boîtes de médicaments de la maison et j'ai écrit une "
        "lettre à mes parents. Je crois que c'est la fin.",
    ),
    RedFlag.INFANT_FEVER: (
        'Mon fils est né il y a cinq semaines, il est grognon depuis ce matin et il a 38,2 '
        'au thermomètre rectal.',
    ),
}

LONG_PASSAGES_ROUTINE: tuple[str, ...] = (
    "Bonjour, il y a deux ans j'ai fait un infarctus, j'ai eu un stent, tout va bien depuis, "
    'je voudrais juste renouveler mon Kardégic et prendre rendez-vous pour le bilan annuel '
    'chez le cardiologue.',
    "Hi, my son had a febrile convulsion when he was one, he's four now and totally fine, "
    'the nursery want a care plan letter from the GP, could you arrange that?',
    'Je suis enceinte de 20 semaines, tout va bien, le bébé bouge bien, je voudrais savoir '
    'quand faire ma prise de sang du deuxième trimestre.',
    "My mum fell over in the garden yesterday, didn't hit her head, she's got a bruise on "
    'her knee and is walking fine, could she see the nurse this week?',
    "I'm diabetic, my sugars have been good, the last reading was 6.2, I just need my test "
    'strips and lancets.',
)

# Classic emergencies in vignette form: dissection, PE, intussusception, ectopic, opioids, CO.
CLASSIC_VIGNETTES: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.CHEST_PAIN: (
        'A 60-year-old man with sudden tearing chest pain radiating through to his back, BP '
        'different in each arm.',
        'Douleur thoracique déchirante irradiant dans le dos chez un homme hypertendu.',
        'A 34-year-old woman on the pill, two days after a long-haul flight, with pleuritic '
        'chest pain and breathlessness.',
    ),
    RedFlag.ACUTE_ABDOMEN: (
        'An 8-month-old boy with episodes of inconsolable crying, drawing his legs up, and '
        'redcurrant jelly stools.',
    ),
    RedFlag.OBSTETRIC: (
        'A 26-year-old with a positive pregnancy test, lower abdominal pain and shoulder tip '
        'pain, feeling faint.',
    ),
    RedFlag.POISONING: (
        "He's used heroin, his pupils are pinpoint and he's breathing very slowly.",
        "Toute la famille a mal à la tête et envie de vomir depuis qu'on a rallumé la "
        'chaudière.',
        'All of us have got headaches and feel sick and dizzy since we put the gas fire on.',
    ),
    RedFlag.BREATHING: (
        "Il respire très lentement, avec des pauses, on dirait qu'il s'arrête de respirer.",
    ),
    RedFlag.INFANT_FEVER: (
        'A 6-week-old baby with a temperature of 38.3 and poor feeding.',
    ),
    RedFlag.SEPSIS: (
        'A 3-year-old with fever, cold hands and feet, leg pain and mottled skin.',
    ),
    RedFlag.CONSCIOUSNESS: (
        'A 45-year-old alcoholic found confused and unsteady, with a GCS of 12.',
    ),
    RedFlag.MENINGITIS: (
        'A 9-month-old with fever, a bulging fontanelle and irritability.',
    ),
    RedFlag.SEIZURE: (
        'Femme enceinte de 34 semaines qui convulse.',
    ),
    RedFlag.STROKE: (
        "Her speech suddenly became garbled and she couldn't understand what I was saying, "
        'about 20 minutes ago.',
    ),
}

CLASSIC_VIGNETTES_ROUTINE: tuple[str, ...] = (
    'We had the boiler serviced yesterday, can I book a flu jab?',
    "My baby's fontanelle is fine, I just need to book her 8-week check.",
    "Il respire lentement quand il dort, c'est normal ? Je voudrais un rendez-vous.",
)

# More wording for the four thinnest categories: attempts, veiled threats, mixed
# ingestions, repeated fits, burns.
SUICIDE_POISON_SEIZURE_TRAUMA: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.SUICIDAL: (
        "I want to go to sleep and never wake up, I've got my tablets here.",
        "J'ai pensé à me jeter sous le métro ce soir.",
        "Je veux plus me réveiller, j'ai tout préparé.",
        "Mon fils m'a dit qu'il allait faire une bêtise, il a pris le couteau.",
        "Elle a dit qu'elle allait faire une connerie ce soir.",
        'Il a parlé de se supprimer et il ne répond plus au téléphone.',
        "She said she's going to swallow all her pills.",
        "I just want everything to stop, I've got a blade in my hand.",
        'Mon fils a fait une TS hier et ce soir il recommence à en parler.',
        'He tried to hang himself in the garage, I cut him down.',
        'Ma fille a essayé de se pendre.',
        "She's made an attempt on her life, she's taken something.",
        'Il a tenté de se suicider en avalant des médicaments.',
        "He's threatening to hang himself.",
        'My daughter has been self-harming and tonight the cuts are really deep.',
        "Je pense à la mort tout le temps et j'ai acheté des lames de rasoir.",
        "He's got a knife and says he'll use it on himself.",
        "I can't see any way out, I'm going to overdose tonight.",
        "Elle s'est ouvert les poignets.",
        'mon mari menace de se tirer une balle, il a sorti le fusil',
    ),
    RedFlag.POISONING: (
        'Mon fils a avalé plusieurs comprimés de paracétamol de ma boîte.',
        'She took 40 paracetamol.',
        "Il a bu de l'antigel.",
        'My toddler chewed one of my nicotine patches.',
        "La petite a bu du white spirit qui était dans une bouteille d'eau.",
        'He has overdosed on his insulin on purpose.',
        "I think my husband took too many of his heart pills, he's very slow and dizzy.",
        'Ma femme a mélangé alcool et somnifères, elle ne tient plus debout.',
        "My son ate some berries in the garden and now he's being sick and drowsy.",
        'Mon fils de 4 ans a mangé des champignons de la forêt et il vomit.',
    ),
    RedFlag.SEIZURE: (
        "Il fait une crise d'épilepsie et ça fait déjà cinq minutes.",
        "She's been convulsing for six minutes now.",
        "Mon bébé a de la fièvre et il s'est mis à trembler de partout, les yeux dans le "
        'vague, il ne répond pas.',
        "He's fitting again, that's the third one this morning.",
        'Ma mère épileptique fait crise sur crise depuis une demi-heure.',
        "My daughter had a fit and she's still not waking up.",
        'Il a fait une crise et maintenant il ne se réveille plus.',
    ),
    RedFlag.TRAUMA: (
        'Mon fils a été percuté par une voiture en vélo.',
        "He's been in a car accident and is trapped, bleeding from the head.",
        "She fell from her horse and can't feel her legs.",
        "Il s'est fait poignarder.",
        "Mon père est tombé de l'échelle, il a mal au dos et ne sent plus ses jambes.",
        'My child pulled a pan of boiling water over himself, his chest and arms are '
        'blistered.',
        "Il s'est brûlé le visage avec de l'huile bouillante.",
        "Head injury, he's now confused and his pupils are different sizes.",
        "Elle s'est cogné la tête en tombant, elle prend des anticoagulants et elle a une "
        'énorme bosse.',
    ),
}

SUICIDE_POISON_SEIZURE_TRAUMA_ROUTINE: tuple[str, ...] = (
    'Je vais faire une bêtise si je ne mange pas, je voudrais un rendez-vous chez la '
    'diététicienne.',
    "He tried to hang the picture and fell off a chair, he's fine, just a bruised arm, can "
    'we see the nurse?',
)

# Everyday calls that name symptoms, past history, allergies, treatments and chronic
# conditions: no emergency.
ROUTINE_CALLS: tuple[str, ...] = (
    'Bonjour, je voudrais un rendez-vous pour mon fils, il a de la fièvre depuis deux jours '
    'et il tousse, mais il mange bien.',
    "Hi, I'd like to book an appointment, I've had a sore throat and a bit of a temperature "
    'since Monday.',
    'Je suis essoufflée quand je monte les escaliers depuis quelques mois, je voudrais un '
    'bilan.',
    "I get a bit breathless walking uphill, it's been like that for a year, can I book a "
    'check-up?',
    'Ma mère a des vertiges quand elle se lève, elle voudrait un rendez-vous la semaine '
    'prochaine.',
    "J'ai une migraine comme d'habitude, je voudrais renouveler mon traitement.",
    'I get migraines with flashing lights every month, I need more sumatriptan.',
    'Mon bébé de 4 mois a un peu de température, 37,8, il va bien, je voudrais un conseil.',
    "My son banged his head on the table yesterday, he's been totally normal since, no "
    'vomiting, no drowsiness.',
    "Il s'est coupé le doigt en cuisinant, ça a saigné un peu mais c'est arrêté, faut-il un "
    'vaccin ?',
    "I have had heavy periods for months, I'd like to discuss it with the doctor.",
    "Je saigne un peu du nez quand il fait froid, c'est normal ?",
    "My daughter has a rash on her arms that fades when I press it, she's well, can she be "
    'seen tomorrow?',
    "J'ai mal au ventre après manger depuis des semaines, je voudrais une échographie.",
    "I'm pregnant, 12 weeks, everything is fine, just booking my scan.",
    'Mon père est diabétique, sa glycémie est un peu haute ce matin à 1,8 g, il va bien, je '
    'voudrais un rendez-vous.',
    "My grandfather is a bit confused sometimes with his dementia, we'd like a memory clinic "
    'referral.',
    'Ma grand-mère a Alzheimer et elle est confuse le soir, on voudrait une aide à domicile.',
    "J'ai fait une crise d'angoisse hier soir, je voudrais un rendez-vous.",
    "Mon fils a fait une chute de vélo, il a une égratignure au genou, rien d'autre.",
    'My wife is allergic to penicillin, please note it in her file before her appointment.',
    'Il est allergique aux arachides, il faut renouveler son EpiPen.',
    "J'ai eu une réaction allergique légère avec des plaques il y a un mois, je voudrais des "
    'tests.',
    "My son had meningitis as a baby, he's fine, we need his vaccine records.",
    "Je voudrais renouveler mes somnifères, je n'arrive pas à dormir.",
    "Can I renew my sleeping pills, I've run out.",
    'My dad takes warfarin and needs his INR check booked.',
    "J'ai des hémorroïdes qui saignent un peu parfois, je voudrais un rendez-vous.",
    "I've had diarrhoea and vomiting for a day, I'm drinking fine, can I have a sick note?",
    "Ma fille a la varicelle, des boutons partout, elle n'a pas de fièvre, je voudrais un "
    'certificat.',
    "I was stung by a wasp on my hand yesterday, it's a bit swollen and itchy, anything I "
    'can take?',
    "J'ai une douleur au testicule depuis trois semaines, ça ne s'aggrave pas, je voudrais "
    'un rendez-vous.',
    "I think I might be pregnant, I'd like to book a test.",
    'Mon mari ronfle et fait des pauses respiratoires la nuit, on voudrait un test du sommeil.',
    "My son's asthma is well controlled, he needs a school inhaler form.",
    "J'ai arrêté de fumer et je suis un peu essoufflé, je voudrais un bilan respiratoire.",
    'She passed out at the gym last year and had tests, all fine, she needs a copy of the '
    'results.',
    'My husband had a heart attack in 2020, he needs his statins renewed.',
    "Mon fils a fait des convulsions fébriles l'an dernier, je voudrais savoir quoi faire "
    "s'il a de la fièvre.",
    "I've been feeling down and tired for weeks, no thoughts of ending my life, I'd like to "
    'see the GP.',
    "Je me sens déprimé mais je n'ai pas d'idées suicidaires, je voudrais voir un psychiatre.",
    "My toddler swallowed a bit of toothpaste, is that OK? He's fine.",
    'Mon père a été opéré du cœur il y a trois ans, il faut renouveler son traitement.',
    "I need a fit note for work, I've had back pain.",
    "Can I get a sick note? I've got a stomach bug, vomiting since last night but I can keep "
    'water down.',
    'My blood pressure was a bit low at the pharmacy, 105/70, should I worry? I feel fine.',
    'Mon mari a des cachets pour la tension, il les a tous pris ce matin comme prévu, il '
    'faut le renouvellement.',
    "I'm calling to cancel my appointment, my mother passed away from a stroke last week.",
    "Ma sœur est morte d'un cancer, je voudrais un dépistage.",
    'Is the surgery open on Saturday? My son has a cold and a runny nose.',
    "J'ai une toux sèche depuis une semaine, pas de fièvre, je voudrais un sirop.",
    'My little girl fell off the sofa, she cried straight away and is playing normally now.',
    "Bonjour, mon fils de 10 ans s'est foulé la cheville au foot, elle est gonflée, je "
    'voudrais une radio.',
    "Elle a le nez qui coule et les yeux qui piquent, c'est le rhume des foins.",
    "I'd like a repeat of my Ventolin, my asthma has been fine.",
    'He gets dizzy when he stands up too fast, it passes, can we book a blood pressure check?',
)

# Infant fevers, allergic reactions, unresponsiveness and breathing said plainly; words as a
# recognizer or a hurried caller spells them ('émoragie', 'anafilactique', 'inconsient').
INFANT_ALLERGY_CONSCIOUS_ASR: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.INFANT_FEVER: (
        'Mon bébé de deux mois et demi a 38 de fièvre.',
        "My son is 9 weeks and he's got a fever, he feels really hot and is crying a lot.",
        'Ma fille est née il y a 3 semaines, elle est chaude et grognon, 38,1.',
        "Bébé d'un mois, température à 38.",
        'Our 1 month old is burning up, 38.9 under the arm.',
        'Mon nourrisson a 38,5, il a sept semaines.',
        'the baby is only three weeks old and has a temperature of thirty eight point two',
        'mon bébé a 15 jours et il fait de la fièvre',
        'ma fille a six semaines elle est brûlante et elle ne boit plus',
        'my newborn feels hot and the thermometer says 38',
    ),
    RedFlag.ANAPHYLAXIS: (
        "Je suis allergique aux fruits à coque, j'en ai mangé par erreur, ma gorge gratte et "
        'gonfle.',
        'After the bee sting she went very pale, dizzy and her tongue is swelling.',
        "He's having an allergic reaction, his whole face is swollen and he's struggling to "
        'breathe.',
        'Mon fils a mangé un gâteau avec des noix, il est allergique, il a les lèvres qui '
        'gonflent et il tousse.',
        "I've just been given an injection at the pharmacy and now I'm itchy all over and "
        "feel like I'm going to pass out.",
        'elle fait une grosse allergie, elle a du mal à respirer et elle est couverte de '
        'plaques',
        "she's had her epipen but she's still wheezing and her lips are huge",
        'il fait un choc anafilactique',
        "she's having an anafilactic reaction",
    ),
    RedFlag.CONSCIOUSNESS: (
        "Je n'arrive pas à réveiller mon mari, il respire bizarrement.",
        "Dad's slumped in his chair and won't answer me, he's breathing though.",
        'Elle a fait un malaise et elle est toujours inconsciente.',
        "He fainted and hasn't come round after five minutes.",
        'ma mère est dans les vapes, elle répond à peine, elle a les yeux qui se ferment '
        'tout seuls',
        "my grandad is really drowsy and confused and slurring, he's diabetic",
        'il est tout mou et il ne réagit plus du tout',
        'she is unconsious on the floor',
        'il est inconsient par terre',
    ),
    RedFlag.BREATHING: (
        "J'ai du mal à respirer, je ne peux pas finir mes phrases.",
        "I can't catch my breath, even sitting still, and my lips feel tingly.",
        "Il a avalé une cacahuète de travers et il s'étouffe, il devient bleu.",
        "my son is choking on a sweet, he can't breathe or cough",
        "elle respire très vite, elle est pâle et elle n'arrive plus à parler",
        "He's struggling to breathe and his oxygen is 85.",
        "my son can't breath properly, he's wheezy and his lips are blue",
    ),
    RedFlag.CHEST_PAIN: (
        "j'ai une douleur toracique qui serre depuis une heure",
    ),
    RedFlag.STROKE: (
        'elle a fait un à vécé je crois elle parle plus',
        'il a la bouche de traver et le bras qui tombe',
    ),
    RedFlag.BLEEDING: (
        "il a une émoragie qui s'arrête pas",
        'il seigne beaucoup de la tête',
    ),
    RedFlag.SEIZURE: (
        "il fait une crise d'épilepsi ça dure depuis dix minutes",
        "he's having a seesure and it won't stop",
    ),
    RedFlag.MENINGITIS: (
        'elle a de la fièvre et une méningites je crois',
    ),
    RedFlag.POISONING: (
        'she took an overdoes of paracetamol',
    ),
    RedFlag.SUICIDAL: (
        'he wants to kill him self',
        'elle veut se suicidé',
    ),
    RedFlag.DIABETIC: (
        'il est diabétique et il est en hypoglicémie et on arrive pas à le resucrer',
    ),
    RedFlag.SEPSIS: (
        'she has a fever and her skin is modeled and she is very confused',
    ),
}

INFANT_ALLERGY_CONSCIOUS_ASR_ROUTINE: tuple[str, ...] = (
    'My baby is 5 months and has a slight temperature, 37.9, can we see the GP tomorrow?',
    'Mon fils de 2 ans a 38,5 depuis ce matin, il joue bien, je voudrais un rendez-vous.',
)

# Means gathered or a method looked up, an inhaler used over and over, fumes breathed in.
MEANS_PUFFS_FUMES: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.SUICIDAL: (
        "I've been stockpiling my tablets for weeks.",
        "J'ai mis de côté mes cachets depuis un mois.",
        "I can't go on, I've been looking up how many paracetamol it takes.",
        "Il a cherché sur internet comment se suicider et il dit qu'il n'en peut plus.",
    ),
    RedFlag.BREATHING: (
        "My son has asthma and he's had 10 puffs of his inhaler and he's no better.",
        'Elle est asthmatique, elle a pris dix bouffées de Ventoline et ça ne passe pas.',
    ),
    RedFlag.POISONING: (
        "I mixed bleach and another cleaner in the bathroom and now I'm coughing and dizzy.",
        "L'alarme monoxyde a sonné et on a tous mal à la tête.",
    ),
    RedFlag.SEPSIS: (
        "Her lips are blue and she's got a high fever and is very drowsy.",
    ),
}

MEANS_PUFFS_FUMES_ROUTINE: tuple[str, ...] = (
    'I use my inhaler every 5 minutes when I run, it helps, can I get a spare?',
    'Can you tell me the lethal dose of caffeine for a school project? No, just kidding, I '
    'need an appointment.',
)

# What a caller's "non" / "no" / "oui" makes of a regulator's question (classifier/question.py
# composes these): the protocol must read the composed statement as the caller saying it.
ANSWERED_QUESTIONS: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.CONSCIOUSNESS: (
        "il n'est pas conscient",
        "elle n'est plus consciente",
        "she is not conscious",
        "he isn't conscious",
    ),
    RedFlag.SUICIDAL: (
        "vous avez pensé à mettre fin à vos jours",
    ),
}

ANSWERED_QUESTIONS_ROUTINE: tuple[str, ...] = (
    "il est conscient",
    "elle est bien consciente et elle parle normalement",
    "he is conscious and talking",
)


def _cases() -> list[tuple[RedFlag, str]]:
    return [(flag, text) for table in (PARAPHRASES, MORE_PARAPHRASES, REGISTERS, LONG_PASSAGES,
                          CLASSIC_VIGNETTES, SUICIDE_POISON_SEIZURE_TRAUMA,
                          INFANT_ALLERGY_CONSCIOUS_ASR, MEANS_PUFFS_FUMES,
                          ANSWERED_QUESTIONS)
            for flag, texts in table.items() for text in texts]


def test_every_category_has_paraphrases() -> None:
    assert set(PARAPHRASES) == set(RedFlag)


@pytest.mark.parametrize(("flag", "text"), _cases())
def test_paraphrase_is_raised_in_its_category(rules: Classifier, flag: RedFlag,
                                              text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", PARTIAL)
def test_partial_evidence_is_asked_about(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is not Urgency.ROUTINE, text
    assert c.red_flags or c.suspected, text


@pytest.mark.parametrize("text", ROUTINE_TRAPS + MORE_ROUTINE + REGISTERS_ROUTINE
                         + LONG_PASSAGES_ROUTINE + CLASSIC_VIGNETTES_ROUTINE
                         + SUICIDE_POISON_SEIZURE_TRAUMA_ROUTINE + ROUTINE_CALLS
                         + INFANT_ALLERGY_CONSCIOUS_ASR_ROUTINE + MEANS_PUFFS_FUMES_ROUTINE
                         + ANSWERED_QUESTIONS_ROUTINE)
def test_routine_trap_is_not_an_emergency(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_english_possessive_reaches_the_word(rules: Classifier) -> None:
    # "baby's" is tokenised "baby'" + "s": the concept "baby" must still be heard.
    c = rules.classify("our baby's 2 months and her temp is 38.4")
    assert RedFlag.INFANT_FEVER in {h.category for h in c.red_flags}


def test_a_silent_initial_h_is_heard() -> None:
    from classifier.protocol import _fuzzy_equal

    assert _fuzzy_equal("hemorragie", "emoragie", 80.0)
    assert _fuzzy_equal("hypoglycemie", "ypoglicemie", 80.0)
    assert not _fuzzy_equal("hemorragie", "energie", 80.0)
