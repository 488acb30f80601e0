"""What callers say, per label: core phrases (the clinical content) and the slots around them.

Each core phrase is one "situation"; the generator wraps it in openers, caller/patient
introductions, downplaying, fillers and closers, and writes it the way a recognizer hears it.
The dev split holds out whole situations, so dev metrics measure unseen phrasings.
`{s}` is the subject ("il", "elle", "je"... chosen with a matching third-party opener);
`{S}` its English form. Labels follow ../shared/LABELS.md exactly.
"""

from __future__ import annotations

# (urgency, red_flag, intent, [fr phrases], [en phrases])
Situation = tuple[str, str | None, str, list[str], list[str]]

EMERGENCIES: list[Situation] = [
    ("emergency", "chest_pain", "symptom_report", [
        "{s} a très mal à la poitrine ça serre fort",
        "{s} a une douleur dans la poitrine qui descend dans le bras gauche",
        "{s} a une douleur thoracique depuis une demi-heure et {s} transpire beaucoup",
        "{s} dit que ça lui écrase la poitrine comme un étau",
        "{s} a une oppression dans la poitrine et {s} est tout pâle",
        "{s} se tient la poitrine {s} a mal jusque dans la mâchoire",
        "je crois qu'{s} fait une crise cardiaque",
        "{s} a un poids sur le thorax depuis ce matin",
        "{s} a une grosse douleur au niveau du cœur et des sueurs",
        "{s} a mal dans la poitrine quand {s} respire et ça ne passe pas",
    ], [
        "{S} has really bad chest pain it feels tight",
        "{S} has pain in the chest going down the left arm",
        "{S} is having chest pain and sweating a lot",
        "{S} says there is a crushing pressure on the chest",
        "{S} is clutching the chest and the pain goes to the jaw",
        "I think {S} is having a heart attack",
        "{S} has a heavy feeling in the chest and looks grey",
        "{S} has chest tightness that won't go away",
    ]),
    ("emergency", "breathing", "symptom_report", [
        "{s} n'arrive plus à respirer",
        "{s} étouffe {s} a les lèvres bleues",
        "{s} fait une crise d'asthme et la ventoline ne fait rien",
        "{s} manque d'air {s} arrive pas à finir ses phrases",
        "{s} respire très mal et {s} devient bleu",
        "{s} a beaucoup de mal à respirer depuis une heure",
        "{s} suffoque {s} cherche son air",
        "{s} est très essoufflé même assis {s} peut plus parler tellement",
    ], [
        "{S} can't breathe",
        "{S} is struggling to breathe and the lips are blue",
        "{S} is having an asthma attack and the inhaler isn't working",
        "{S} is gasping for air and can't finish a sentence",
        "{S} has severe difficulty breathing",
        "{S} is turning blue and can't get air",
        "{S} is very short of breath even sitting still",
    ]),
    ("emergency", "stroke", "symptom_report", [
        "{s} a la bouche de travers et {s} parle bizarrement",
        "{s} peut plus lever le bras droit",
        "{s} a le visage qui tombe d'un côté",
        "{s} trouve plus ses mots depuis tout à l'heure",
        "{s} a un mal de tête brutal le pire de sa vie",
        "je crois qu'{s} fait un AVC",
        "{s} est paralysé d'un côté",
        "{s} voit plus rien d'un œil d'un coup",
        "{s} a la parole confuse et la jambe gauche toute molle",
    ], [
        "{S} has a drooping face and slurred speech",
        "{S} can't lift the right arm",
        "one side of the face is drooping",
        "{S} suddenly can't get the words out",
        "{S} has the worst headache ever it came on suddenly",
        "I think {S} is having a stroke",
        "{S} has weakness on one side",
        "{S} suddenly lost vision in one eye",
    ]),
    ("emergency", "consciousness", "symptom_report", [
        "{s} a perdu connaissance et {s} répond plus",
        "{s} s'est effondré par terre",
        "on arrive pas à le réveiller",
        "{s} est inconscient",
        "le bébé est tout mou {s} réagit pas",
        "{s} est diabétique et {s} est complètement confus",
        "{s} est tombé dans les pommes et {s} se réveille pas",
        "{s} ouvre plus les yeux",
    ], [
        "{S} collapsed and is not responding",
        "{S} is unconscious",
        "I can't wake him up",
        "the baby is floppy and very drowsy",
        "{S} is diabetic and very confused",
        "{S} passed out and won't wake up",
        "{S} is unresponsive",
    ]),
    ("emergency", "bleeding", "symptom_report", [
        "{s} saigne beaucoup ça s'arrête pas",
        "{s} vomit du sang",
        "{s} crache du sang depuis ce matin",
        "{s} s'est coupé et ça arrête pas de saigner il y a du sang partout",
        "{s} fait une hémorragie",
        "{s} perd beaucoup de sang par le nez depuis une heure ça s'arrête pas",
        "{s} a des selles noires et {s} est très pâle",
    ], [
        "{S} is bleeding heavily and it won't stop",
        "{S} is vomiting blood",
        "{S} is coughing up blood",
        "{S} cut the hand and there is blood everywhere",
        "the bleeding won't stop",
        "{S} is losing a lot of blood",
    ]),
    ("emergency", "anaphylaxis", "symptom_report", [
        "{s} a été piqué par une guêpe et {s} a les lèvres qui gonflent",
        "{s} a mangé des cacahuètes et {s} a la gorge qui gonfle",
        "{s} fait une allergie {s} a du mal à avaler",
        "{s} a le visage gonflé depuis l'antibiotique et {s} respire mal",
        "je crois que c'est un œdème de Quincke",
        "{s} a la langue gonflée après le repas {s} est allergique",
        "{s} fait un choc anaphylactique",
    ], [
        "{S} got stung by a bee and the lips are swelling",
        "{S} ate peanuts and the throat is closing",
        "{S} is having an allergic reaction and can't swallow",
        "the face is swelling after the antibiotic and breathing is hard",
        "{S} has a swollen tongue and is allergic to shellfish",
        "I think it's anaphylaxis",
    ]),
    ("emergency", "infant_fever", "symptom_report", [
        "mon bébé de six semaines a 38,5 de fièvre",
        "ma fille a deux mois et elle a trente-huit cinq",
        "mon nourrisson de trois semaines est brûlant il a 38 de température",
        "le bébé est né il y a dix jours et il a de la fièvre",
        "mon bébé de 1 mois a 39 de fièvre",
        "mon fils de cinq semaines a de la fièvre à trente-huit deux",
        "notre nouveau-né a de la température 38,3",
    ], [
        "my six week old baby has a temperature of 38.5",
        "my two month old has a fever of 38 degrees",
        "my newborn has a fever",
        "my baby is 3 weeks old and has a temperature of 38.4",
        "my 1 month old daughter is burning up 39 degrees",
        "our seven week old son has a fever of 38",
    ]),
    ("emergency", "suicidal", "symptom_report", [
        "j'ai envie d'en finir ce soir",
        "{s} dit qu'{s} veut se suicider",
        "je veux plus vivre j'ai préparé les cachets",
        "{s} s'est taillé les veines",
        "{s} a des idées noires et {s} parle de se tuer",
        "je pense à me tuer",
        "{s} menace de sauter par la fenêtre",
    ], [
        "I want to end my life tonight",
        "{S} says {S} wants to kill themselves",
        "I don't want to live anymore I have the pills ready",
        "{S} is cutting and says {S} wants to die",
        "I'm thinking about suicide",
        "{S} is talking about killing themselves",
    ]),
    ("emergency", "seizure", "symptom_report", [
        "{s} convulse depuis cinq minutes",
        "{s} a fait une crise d'épilepsie et {s} se réveille pas",
        "{s} fait une crise convulsive qui s'arrête pas",
        "{s} convulse toujours ça fait plus de dix minutes",
        "{s} a convulsé et depuis {s} répond pas",
        "{s} enchaîne les crises d'épilepsie",
    ], [
        "{S} has been seizing for five minutes",
        "{S} had a seizure and is not waking up",
        "{S} is having a fit that won't stop",
        "{S} is still fitting it's been over ten minutes",
        "{S} is having one seizure after another",
    ]),
    ("emergency", "meningitis", "symptom_report", [
        "{s} a de la fièvre et la nuque raide",
        "{s} a 40 de fièvre et des taches violettes qui s'effacent pas",
        "{s} a de la fièvre et {s} peut pas baisser la tête",
        "{s} a des petites taches rouges qui partent pas quand on appuie et {s} est brûlant",
        "j'ai peur que ce soit une méningite",
    ], [
        "{S} has a fever and a stiff neck",
        "{S} has a high temperature and a purple rash that doesn't fade",
        "{S} has fever and can't bend the neck",
        "{S} has a rash that doesn't fade with the glass test and a fever",
        "I'm worried it's meningitis",
    ]),
    ("emergency", "poisoning", "symptom_report", [
        "{s} a avalé toute la boîte de doliprane",
        "mon fils a avalé des médicaments de sa grand-mère",
        "{s} a bu de l'eau de javel",
        "{s} a pris trop de cachets exprès",
        "ma fille a avalé une pile bouton",
        "{s} a fait une overdose",
        "le petit a mangé des comprimés qui traînaient",
    ], [
        "{S} swallowed a whole bottle of paracetamol",
        "my son swallowed some pills from his grandmother",
        "{S} drank bleach",
        "{S} took an overdose",
        "my daughter swallowed a button battery",
        "{S} took too many sleeping pills",
    ]),
    ("emergency", "obstetric", "symptom_report", [
        "je suis enceinte de trente semaines et je saigne",
        "ma femme est enceinte et elle perd du sang",
        "je suis enceinte et j'ai très mal au ventre",
        "je sens plus le bébé bouger depuis ce matin je suis à huit mois de grossesse",
        "elle est enceinte de sept mois et elle a des pertes de sang",
        "je suis enceinte de 12 semaines et je saigne beaucoup",
    ], [
        "I'm thirty weeks pregnant and I'm bleeding",
        "my wife is pregnant and losing blood",
        "I'm pregnant and have severe stomach pain",
        "the baby has stopped moving I'm 35 weeks pregnant",
        "she is pregnant and bleeding heavily",
    ]),
    ("emergency", "trauma", "symptom_report", [
        "{s} est tombé sur la tête et {s} a vomi deux fois",
        "{s} a eu un accident de voiture",
        "{s} est tombé de l'échelle et {s} a perdu connaissance",
        "{s} s'est renversé de l'huile bouillante sur tout le bras",
        "{s} a été renversé par une voiture",
        "{s} s'est cogné la tête et depuis {s} est somnolent",
        "{s} a une fracture ouverte l'os sort",
    ], [
        "{S} fell and hit the head and has vomited twice",
        "{S} was in a car accident",
        "{S} fell off a ladder and was knocked out",
        "{S} was badly burned by boiling water all over",
        "{S} was hit by a car",
        "{S} banged the head and now is drowsy and confused",
    ]),
]

URGENT: list[Situation] = [
    ("urgent", None, "symptom_report", [
        "{s} a 39 de fièvre depuis hier",
        "{s} vomit depuis ce matin {s} garde rien",
        "{s} a très mal à l'oreille et de la fièvre",
        "{s} a une infection urinaire ça brûle quand {s} fait pipi",
        "{s} s'est tordu la cheville elle est toute gonflée",
        "{s} a une grosse angine avec de la fièvre",
        "{s} s'est coupé le doigt ça saigne un peu",
        "mon fils de quatre ans a 39,5 de fièvre",
        "ma fille de huit mois a de la fièvre depuis deux jours",
        "{s} a mal au cœur et vomit depuis hier soir",
        "{s} a une diarrhée importante depuis deux jours",
        "{s} a une crise d'asthme légère la ventoline a fait effet",
        "{s} a fait une petite convulsion avec la fièvre ça a duré une minute {s} va bien",
        "{s} s'est cogné la tête sans perdre connaissance {s} a une bosse",
        "{s} a des palpitations depuis ce matin",
        "{s} a une douleur au ventre depuis hier soir",
        "{s} a un œil tout rouge qui fait mal",
        "{s} a mal aux dents avec la joue qui gonfle",
        "{s} tousse beaucoup et {s} a de la fièvre depuis trois jours",
        "{s} a une plaque rouge chaude sur la jambe",
    ], [
        "{S} has had a fever of 39 since yesterday",
        "{S} has been vomiting since this morning",
        "{S} has a bad earache and a fever",
        "{S} has a urine infection it burns when peeing",
        "{S} sprained the ankle and it's swollen",
        "my four year old has a temperature of 39.5",
        "{S} cut a finger it's bleeding a little",
        "{S} has had diarrhoea for two days",
        "{S} had a short seizure with the fever it lasted a minute and {S} is fine now",
        "{S} bumped the head but didn't lose consciousness",
        "{S} has palpitations since this morning",
        "{S} has stomach pain since last night",
        "{S} has a red painful eye",
        "{S} has a bad cough and fever for three days",
        "{S} has toothache and the cheek is swelling",
    ]),
]

ROUTINE_SYMPTOMS: list[Situation] = [
    ("routine", None, "symptom_report", [
        "{s} a mal au dos depuis quelques semaines",
        "{s} a un rhume le nez qui coule",
        "{s} a des boutons sur les bras qui grattent un peu",
        "{s} est fatigué depuis un moment je voulais un conseil",
        "{s} dort mal ces temps-ci",
        "{s} a une verrue sous le pied",
        "{s} a un peu mal à la gorge sans fièvre",
        "{s} a des douleurs aux genoux quand {s} monte les escaliers",
        "je voulais demander conseil pour des pellicules",
        "{s} a les ongles qui cassent",
    ], [
        "{S} has had back pain for a few weeks",
        "{S} has a cold and a runny nose",
        "{S} has an itchy rash on the arms",
        "{S} has been tired for a while I wanted some advice",
        "{S} has a verruca on the foot",
        "{S} has a slightly sore throat no fever",
        "{S} has knee pain going up stairs",
    ]),
]

ADMIN_INTENTS: list[Situation] = [
    ("routine", None, "appointment_booking", [
        "je voudrais prendre rendez-vous avec le docteur {doc}",
        "est-ce que je peux avoir un rendez-vous la semaine prochaine",
        "je voudrais une téléconsultation",
        "c'est pour prendre un rendez-vous pour un bilan",
        "vous auriez un créneau jeudi après-midi",
        "je suis un nouveau patient je voudrais un premier rendez-vous",
        "je voudrais faire vacciner ma fille",
        "je voudrais un rendez-vous pour un certificat de sport",
    ], [
        "I'd like to book an appointment with doctor {doc}",
        "can I get an appointment next week",
        "I'd like a video consultation",
        "do you have a slot on Thursday afternoon",
        "I'm a new patient and would like to register and book",
        "I need to book my daughter's vaccination",
    ]),
    ("routine", None, "appointment_change", [
        "je voudrais annuler mon rendez-vous de demain",
        "je dois décaler mon rendez-vous de jeudi",
        "je pourrai pas venir à mon rendez-vous cet après-midi",
        "je voulais confirmer mon rendez-vous de lundi",
        "est-ce qu'on peut avancer le rendez-vous de ma mère",
        "je vais être en retard à mon rendez-vous",
        "je voudrais reporter la consultation à la semaine prochaine",
    ], [
        "I need to cancel my appointment tomorrow",
        "can I move my appointment to another day",
        "I can't make it to my appointment this afternoon",
        "I'm calling to confirm my appointment on Monday",
        "I'm going to be late for my appointment",
        "I'd like to reschedule my mother's appointment",
    ]),
    ("routine", None, "prescription_renewal", [
        "je voudrais renouveler mon ordonnance pour la tension",
        "j'ai plus de médicaments pour le cholestérol il me faut une ordonnance",
        "c'est pour le renouvellement de la pilule",
        "la pharmacie dit qu'il manque le dosage sur l'ordonnance",
        "je voudrais une ordonnance pour mon traitement de fond",
        "il me faut une nouvelle ordonnance pour l'insuline",
        "j'ai fait un infarctus il y a cinq ans et je voudrais renouveler mon traitement",
    ], [
        "I need a repeat prescription for my blood pressure tablets",
        "I've run out of my cholesterol medication",
        "I'm calling to renew my contraceptive pill",
        "the pharmacy says the dose is missing on the prescription",
        "I need a refill of my inhaler",
        "I had a heart attack years ago and need my prescription renewed",
    ]),
    ("routine", None, "test_results", [
        "je voudrais avoir les résultats de ma prise de sang",
        "est-ce que le docteur a reçu les résultats de la radio",
        "j'appelle pour les résultats du scanner",
        "le labo m'a dit que les analyses étaient envoyées",
        "je voulais savoir si l'échographie était normale",
        "c'est pour le compte rendu de l'IRM",
    ], [
        "I'm calling for my blood test results",
        "has the doctor received my x-ray results",
        "I'd like the results of my scan",
        "the lab said my results were sent to you",
        "I wanted to know if my ultrasound was normal",
    ]),
    ("routine", None, "administrative", [
        "je voudrais un certificat médical pour le sport",
        "j'ai besoin d'un arrêt de travail",
        "quels sont vos horaires d'ouverture",
        "vous êtes à quelle adresse",
        "j'ai un problème avec la feuille de soins pour la mutuelle",
        "je voudrais récupérer mon dossier médical",
        "est-ce que vous prenez la carte vitale",
        "je voudrais déclarer le docteur comme médecin traitant",
    ], [
        "I need a medical certificate for sport",
        "I need a sick note for work",
        "what are your opening hours",
        "what is your address",
        "I have a question about my bill",
        "I'd like a copy of my medical records",
        "is there parking at the practice",
    ]),
    ("routine", None, "other", [
        "bonjour c'est le laboratoire d'analyses pour un message au docteur",
        "je suis infirmière je voudrais parler au docteur d'un patient commun",
        "je vous appelle pour vous proposer nos services de nettoyage",
        "excusez-moi je me suis trompé de numéro",
        "c'est la pharmacie du centre pour une question sur une ordonnance d'un patient",
        "c'est pour une livraison de matériel",
        "je fais un sondage sur les cabinets médicaux",
    ], [
        "hello this is the lab with a message for the doctor",
        "I'm a nurse calling about a shared patient",
        "I'm calling to offer our cleaning services",
        "sorry I think I have the wrong number",
        "this is the pharmacy about a patient's prescription",
        "I'm calling about a delivery of supplies",
    ]),
]

# Traps: they look like red flags and are not emergencies (label as written).
TRAPS: list[Situation] = [
    ("urgent", None, "symptom_report", [
        "{s} a pas de douleur thoracique mais {s} tousse beaucoup avec de la fièvre",
        "{s} a de la fièvre mais pas la nuque raide",
        "{s} a mal au cœur depuis ce matin et {s} a vomi",
        "j'ai mal au cœur et la tête qui tourne",
        "{s} a pas de fièvre mais {s} vomit depuis hier",
        "{s} saigne pas beaucoup c'est juste une petite coupure mais ça fait mal",
    ], [
        "{S} has no chest pain but a bad cough and a fever",
        "{S} has a fever but no stiff neck",
        "{S} has no trouble breathing but has been vomiting all night",
        "{S} is not bleeding much just a small cut that hurts",
    ]),
    ("routine", None, "symptom_report", [
        "{s} a pas de douleur dans la poitrine c'est juste le dos",
        "{s} respire bien c'est juste un petit rhume",
        "{s} a fait un AVC il y a trois ans et {s} voudrait un conseil pour la kiné",
        "mon père est mort d'un infarctus et je voulais faire un bilan de prévention",
        "{s} a eu une méningite quand {s} était petit est-ce que c'est un problème pour le vaccin",
        "j'ai des antécédents d'infarctus et je voulais savoir si je peux faire du sport",
        "{s} n'a pas de fièvre et {s} mange bien c'est juste un bouton",
    ], [
        "{S} has no chest pain it's just the back",
        "{S} is breathing fine it's just a small cold",
        "{S} had a stroke three years ago and wants advice about physio",
        "my father died of a heart attack and I want a check up",
        "I have a history of heart attack and want to know if I can exercise",
        "{S} has no fever and is eating well it's just a spot",
    ]),
    ("routine", None, "appointment_booking", [
        "c'est pour mon mari il voudrait un rendez-vous pour son genou",
        "j'appelle pour ma mère elle voudrait voir le docteur la semaine prochaine",
        "{s} a eu une crise cardiaque l'année dernière et {s} voudrait un rendez-vous de suivi",
    ], [
        "I'm calling for my husband he'd like an appointment about his knee",
        "it's for my mother she'd like to see the doctor next week",
        "{S} had a heart attack last year and needs a follow up appointment",
    ]),
]

# Downplaying must not lower urgency: these prefixes go in front of emergencies too.
DOWNPLAY = {
    "fr": ["c'est sûrement rien mais", "je veux pas vous déranger mais",
           "c'est peut-être pas grave mais", "je sais pas si c'est grave mais",
           "bon c'est sans doute rien mais", "je voulais juste vérifier mais"],
    "en": ["it's probably nothing but", "sorry to bother you but", "it's probably not serious but",
           "I don't know if it's serious but", "I'm sure it's fine but"],
}
OPENERS = {
    "fr": ["", "", "bonjour", "allô bonjour", "oui bonjour", "bonjour madame", "bonjour docteur",
           "allô", "oui allô bonjour euh"],
    "en": ["", "", "hello", "hi", "hello there", "good morning", "hi yes hello"],
}
INTROS = {
    "fr": ["", "", "", "je m'appelle {name}", "c'est {name}", "c'est madame {last}",
           "ici {name}"],
    "en": ["", "", "", "my name is {name}", "this is {name}", "it's {name} speaking"],
}
# (phrase, subject, relation) — third-party callers.
THIRD_PARTY = {
    "fr": [("", "il", "self_m"), ("", "elle", "self_f"),
           ("c'est pour mon mari", "il", "spouse"), ("c'est pour ma femme", "elle", "spouse"),
           ("j'appelle pour ma mère", "elle", "parent"),
           ("j'appelle pour mon père", "il", "parent"),
           ("c'est pour mon fils", "il", "child"), ("c'est pour ma fille", "elle", "child"),
           ("j'appelle pour mon voisin", "il", "other"), ("c'est ma grand-mère", "elle", "other")],
    "en": [("", "he", "self_m"), ("", "she", "self_f"),
           ("it's about my husband", "he", "spouse"), ("it's for my wife", "she", "spouse"),
           ("I'm calling about my mother", "she", "parent"),
           ("I'm calling for my dad", "he", "parent"), ("it's my son", "he", "child"),
           ("it's about my daughter", "she", "child"), ("it's my neighbour", "he", "other")],
}
CLOSERS = {
    "fr": ["", "", "", "qu'est-ce que je dois faire", "vous pouvez me rappeler", "merci",
           "je fais quoi", "c'est urgent ou pas", "mon numéro c'est le 06 12 34 56 78",
           "merci beaucoup", "est-ce que le docteur peut me rappeler"],
    "en": ["", "", "", "what should I do", "can you call me back", "thanks", "is it urgent",
           "my number is 07700 900123", "thank you"],
}
NAMES = ["Marie Dupont", "Jean Martin", "Sophie Bernard", "Pierre Durand", "Fatima Benali",
         "Lucas Petit", "Camille Moreau", "Nadia Haddad", "Thomas Leroy", "Julie Roux",
         "John Smith", "Emma Brown", "Oliver Jones", "Amelia Taylor"]
DOCTORS = ["Martin", "Lefebvre", "Nguyen", "Garcia", "Moreau", "Smith", "Okafor"]
FILLERS = {"fr": ["euh", "euh", "bah", "ben", "hein", "voilà", "en fait", "du coup"],
           "en": ["um", "uh", "er", "like", "you know", "so"]}
# ASR-style mishearings of key terms (what a recognizer writes for the word).
MISHEARINGS = {
    "poitrine": ["poitin", "poitrinne", "poitrines"], "respirer": ["respiré", "respirez"],
    "thoracique": ["thorasique", "toracique"], "connaissance": ["connaissances", "conaissance"],
    "convulse": ["convulsent", "con vulse"], "saigne": ["saignent", "signe"],
    "fièvre": ["fièvres", "fievre"], "enceinte": ["en ceinte", "enceintes"],
    "chest": ["chests", "chess"], "breathe": ["breed", "breath"], "seizure": ["seizures", "caesar"],
    "bleeding": ["bleed in", "bleedin"], "stroke": ["strokes", "stoke"],
    "unconscious": ["unconcious", "in conscious"],
}

# Call openings with no request yet (what a streaming partial looks like before the caller
# gets to the point): not an emergency, not anything yet.
FRAGMENTS: list[Situation] = [
    ("routine", None, "other", [
        "bonjour", "allô oui bonjour", "bonjour madame euh", "oui allô c'est pour",
        "c'est pour mon mari", "j'appelle pour ma mère", "bonjour je vous appelle parce que",
        "euh oui bonjour docteur", "allô c'est madame", "c'est pour ma fille elle",
        "bonjour ma femme", "oui c'est pour mon fils il",
    ], [
        "hello", "hi yes hello", "good morning um", "it's about my husband",
        "I'm calling about my mother", "hello I'm calling because", "hi it's for my daughter she",
        "hello my wife", "yes hello doctor",
    ]),
]
