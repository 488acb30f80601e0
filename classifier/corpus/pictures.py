"""More clinical pictures, registers and traps for the compositional generator (issue 13).

Written for this project from general clinical knowledge of the LABELS.md red flags (SFMU
FRENCH motifs, NHS 111 red flags, Manchester Triage discriminators); nothing here comes from
../shared/external/ or from any evaluation set. Same slot syntax and person tokens as
`concepts.py`. Added here: a second and third picture per category (other wordings of the
same meaning: the asthmatic or COPD patient worsening, the type-1 diabetic vomiting and
thirsty, the vision loss that came back, the late period with pain and bleeding, confusion
over a few hours with an infection), the clinical vignette register, carers, rambling calls
where the red flag is one clause, per-category traps (negated, past, someone else's story,
the mild form) and the short answers and garbled fragments of routine calls.
"""

from __future__ import annotations

from classifier.corpus.concepts import Picture

EXTRA_PICTURES: dict[str, dict[str, list[Picture]]] = {
    "chest_pain": {
        "fr": [
            (
                (
                    "{a} une douleur qui serre derrière le sternum",
                    "{a} comme un étau sur le cœur",
                    "{a} une brûlure au milieu du thorax qui ne passe pas",
                    "ça {me} pèse sur la poitrine comme une enclume",
                    "{a} une douleur au thorax qui {me} coupe le souffle",
                ),
                (
                    "?",
                    "{est} en sueur",
                    "{est} tout pâle et moite",
                    "ça part dans l'épaule gauche",
                    "ça prend jusque dans la mâchoire",
                    "{a} des nausées avec",
                ),
                (
                    "?",
                    "depuis une heure",
                    "c'est venu en montant l'escalier",
                    "ça ne se calme pas au repos",
                    "{a} déjà eu des stents",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{has} a squeezing pain behind {his} breastbone",
                    "{S} {feels} a tightness across {his} chest that won't go",
                    "{has} a heavy pressure in the middle of {his} chest",
                    "{his} chest feels like it's in a vice",
                ),
                (
                    "?",
                    "and {is} pale and sweaty",
                    "going into {his} left shoulder",
                    "right up into {his} jaw",
                    "and {feels} sick with it",
                ),
                (
                    "?",
                    "for the last hour",
                    "it came on climbing the stairs",
                    "it won't settle at rest",
                    "{has} had stents before",
                ),
            ),
        ],
    },
    "breathing": {
        "fr": [
            (
                (
                    "{est} BPCO et {s} est de plus en plus essoufflé",
                    "{est} asthmatique et {s} respire de plus en plus mal",
                    "{s} respire très vite et très court",
                    "{a} le souffle coupé au moindre mot",
                    "{s} tire sur le cou pour respirer",
                ),
                (
                    "?",
                    "même sans bouger",
                    "les pompes ne font plus effet",
                    "{a} les lèvres grises",
                    "{s} ne tient plus allongé",
                    "{s} ne {peut} dire que deux mots à la fois",
                ),
                (
                    "?",
                    "depuis ce matin ça empire",
                    "ça fait deux jours que ça se dégrade",
                    "la saturation est à 86",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{has} COPD and {is} getting more and more breathless",
                    "{is} asthmatic and {his} breathing keeps getting worse",
                    "{is} breathing very fast and shallow",
                    "{is} puffing after every word",
                    "{is} using {his} neck muscles to breathe",
                ),
                (
                    "?",
                    "even sitting down",
                    "the inhalers aren't touching it",
                    "{his} lips look grey",
                    "{S} can't lie flat any more",
                    "{S} can only get two words out",
                ),
                (
                    "?",
                    "it's been getting worse all morning",
                    "worse over two days",
                    "the oxygen reading is 86",
                ),
            ),
        ],
    },
    "stroke": {
        "fr": [
            (
                (
                    "{s} parle d'un coup avec une voix pâteuse",
                    "{a} un côté du visage qui ne bouge plus",
                    "{s} ne voit plus rien d'un œil d'un coup",
                    "{a} perdu la vue quelques minutes puis c'est revenu",
                    "{a} le bras qui est tombé tout seul, {s} ne le sent plus",
                    "{s} dit des mots qui ne veulent rien dire",
                ),
                (
                    "?",
                    "c'est arrivé il y a une demi-heure",
                    "ça a commencé au petit déjeuner",
                    "c'est venu brutalement",
                    "et la bouche part sur le côté",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{his} speech went slurred all of a sudden",
                    "one side of {his} face has stopped moving",
                    "{S} suddenly can't see out of one eye",
                    "{S} lost the sight in one eye for a few minutes and it came back",
                    "{his} arm just dropped and {S} can't feel it",
                    "{is} talking gibberish",
                ),
                (
                    "?",
                    "it happened half an hour ago",
                    "it started at breakfast",
                    "it came on out of nowhere",
                    "and {his} mouth is pulled to one side",
                ),
            ),
        ],
    },
    "consciousness": {
        "fr": [
            (
                (
                    "{s} ne répond plus quand on {me} parle",
                    "{est} par terre et ne bouge plus",
                    "{s} ne se réveille pas, on {me} secoue et rien",
                    "{est} tout mou et les yeux dans le vague",
                    "{est} de plus en plus confus et endormi depuis quelques heures",
                ),
                (
                    "?",
                    "{s} respire mais c'est tout",
                    "{est} tout blanc",
                    "depuis cinq minutes",
                    "on n'arrive pas à {me} faire parler",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{S} won't respond when we talk to {him}",
                    "{is} on the floor and not moving",
                    "{S} won't wake up even when we shake {him}",
                    "{is} floppy and staring into space",
                    "{is} getting more and more confused and sleepy over a few hours",
                ),
                (
                    "?",
                    "{is} breathing but that's all",
                    "{is} white as a sheet",
                    "for five minutes now",
                    "we can't get a word out of {him}",
                ),
            ),
        ],
    },
    "bleeding": {
        "fr": [
            (
                (
                    "{a} vomi du sang",
                    "{a} craché du sang rouge",
                    "{s} saigne sans arrêt du nez",
                    "{a} du sang plein les selles",
                    "{a} les selles toutes noires comme du goudron",
                    "{sest} coupé et ça pisse le sang",
                ),
                (
                    "?",
                    "ça ne s'arrête pas malgré la compression",
                    "plein de sang dans la cuvette",
                    "{est} sous anticoagulants",
                    "{est} tout pâle et {a} la tête qui tourne",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{S} threw up blood",
                    "{S} coughed up bright red blood",
                    "{his} nose won't stop bleeding",
                    "there's a lot of blood in {his} poo",
                    "{his} stools are black like tar",
                    "{S} cut {him}self and it's gushing",
                ),
                (
                    "?",
                    "it won't stop even pressing on it",
                    "the toilet bowl is full of blood",
                    "{is} on blood thinners",
                    "{is} pale and dizzy",
                ),
            ),
        ],
    },
    "anaphylaxis": {
        "fr": [
            (
                (
                    "{a} mangé des cacahuètes",
                    "{sest} fait piquer par une guêpe",
                    "{a} pris un nouvel antibiotique",
                    "{a} goûté un gâteau aux noix",
                ),
                (
                    "et {a} les lèvres qui gonflent",
                    "et la gorge se serre",
                    "et {s} n'arrive plus à avaler",
                    "et {a} la langue toute gonflée",
                    "et {s} a du mal à respirer avec des plaques partout",
                ),
                (
                    "?",
                    "{a} son stylo d'adrénaline mais {s} hésite",
                    "ça gonfle de minute en minute",
                    "{a} la voix qui change",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{S} ate some peanuts",
                    "{S} got stung by a wasp",
                    "{S} took a new antibiotic",
                    "{S} tried a cake with nuts in it",
                ),
                (
                    "and {his} lips are swelling",
                    "and {his} throat is closing up",
                    "and {S} can't swallow",
                    "and {his} tongue is all swollen",
                    "and {is} wheezy with hives all over",
                ),
                (
                    "?",
                    "{has} an EpiPen but we're not sure",
                    "it's swelling by the minute",
                    "{his} voice sounds strange",
                ),
            ),
        ],
    },
    "infant_fever": {
        "fr": [
            (
                (
                    "mon nourrisson de {w} semaines",
                    "ma petite de {w} semaines",
                    "mon bébé qui a {m} mois",
                    "le bébé de {w} semaines",
                ),
                (
                    "a {t} de température",
                    "est brûlant, le thermomètre dit {t}",
                    "a de la fièvre à {t}",
                    "fait {t} au thermomètre",
                ),
                (
                    "?",
                    "et boit moins bien",
                    "et pleure tout le temps",
                    "depuis ce matin",
                    "et {est} grognon",
                ),
            ),
        ],
        "en": [
            (
                (
                    "my {w} week old baby",
                    "our {w} week old",
                    "my baby who is {m} months old",
                    "the newborn, {w} weeks old",
                ),
                (
                    "has a temperature of {t}",
                    "is burning up, the thermometer says {t}",
                    "has a fever of {t}",
                    "is running {t}",
                ),
                (
                    "?",
                    "and isn't feeding well",
                    "and keeps crying",
                    "since this morning",
                    "and is grizzly",
                ),
            ),
        ],
    },
    "suicidal": {
        "fr": [
            (
                (
                    "{s} dit qu'{s} ne veut plus vivre",
                    "{a} écrit une lettre d'adieu",
                    "{s} parle d'en finir ce soir",
                    "{a} préparé de quoi se pendre",
                    "{a} mis de côté toutes ses boîtes de médicaments pour en finir",
                    "{s} veut sauter du pont",
                ),
                (
                    "?",
                    "{est} seul chez {son} appartement",
                    "{s} a dit adieu à tout le monde",
                    "{a} donné ses affaires",
                    "ça fait des semaines qu'{s} n'en peut plus",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{says} {S} doesn't want to live any more",
                    "{has} written a goodbye note",
                    "{is} talking about ending it tonight",
                    "{has} got a rope ready",
                    "{has} been saving up pills to end it",
                    "{says} {S} will jump off the bridge",
                ),
                (
                    "?",
                    "{is} alone at {his} flat",
                    "{has} said goodbye to everyone",
                    "{has} given things away",
                    "{has} been at the end of {his} tether for weeks",
                ),
            ),
        ],
    },
    "seizure": {
        "fr": [
            (
                (
                    "{s} tremble de partout et ne répond pas",
                    "{a} les bras et les jambes qui se raidissent",
                    "{est} en train de convulser",
                    "{s} fait une crise d'épilepsie",
                    "{s} secoue tout son corps par terre",
                ),
                (
                    "?",
                    "depuis plus de cinq minutes",
                    "ça ne s'arrête pas",
                    "{s} ne se réveille pas après",
                    "deuxième crise coup sur coup",
                    "avec de la bave et les yeux révulsés",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{is} shaking all over and not responding",
                    "{his} arms and legs have gone stiff and jerking",
                    "{is} fitting right now",
                    "{is} having an epileptic seizure",
                    "{his} whole body is jerking on the floor",
                ),
                (
                    "?",
                    "for more than five minutes",
                    "and it won't stop",
                    "and {S} isn't coming round after",
                    "second one back to back",
                    "frothing at the mouth with eyes rolled back",
                ),
            ),
        ],
    },
    "meningitis": {
        "fr": [
            (
                ("{a} de la fièvre", "{est} brûlant de fièvre", "{a} 39 depuis cette nuit"),
                (
                    "et {s} ne {peut} plus plier la nuque",
                    "et {a} le cou tout bloqué",
                    "et {a} des petites taches violettes qui ne partent pas sous le verre",
                    "et des petits points rouges apparaissent partout",
                    "et la lumière {me} fait horriblement mal à la tête avec la nuque raide",
                ),
                ("?", "{s} vomit", "{est} très abattu", "ça s'est aggravé en quelques heures"),
            ),
        ],
        "en": [
            (
                ("{has} a fever", "{is} burning up", "{has} had 39 since last night"),
                (
                    "and {S} can't bend {his} neck forward",
                    "and {his} neck is completely rigid",
                    "and {has} little purple spots that don't fade under a glass",
                    "and tiny red-purple dots are spreading",
                    "and light hurts {his} eyes with a stiff neck",
                ),
                (
                    "?",
                    "and {is} vomiting",
                    "and {is} very drowsy",
                    "and it got worse over a few hours",
                ),
            ),
        ],
    },
    "poisoning": {
        "fr": [
            (
                (
                    "{a} avalé toute une plaquette de somnifères",
                    "mon petit a avalé les comprimés de sa grand-mère",
                    "{a} bu de l'eau de javel",
                    "{a} pris une boîte entière de doliprane",
                    "{a} avalé du produit pour le lave-vaisselle",
                    "on a trouvé les boîtes vides à côté de {me}",
                ),
                (
                    "?",
                    "il y a une heure",
                    "{est} tout somnolent",
                    "on ne sait pas combien",
                    "{s} vomit",
                    "avec de l'alcool",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{S} swallowed a whole strip of sleeping pills",
                    "my toddler swallowed his nan's tablets",
                    "{S} drank bleach",
                    "{S} took a whole box of paracetamol",
                    "{S} swallowed dishwasher liquid",
                    "we found empty packets next to {him}",
                ),
                (
                    "?",
                    "about an hour ago",
                    "{is} very drowsy",
                    "we don't know how many",
                    "{is} being sick",
                    "with alcohol",
                ),
            ),
        ],
    },
    "obstetric": {
        "fr": [
            (
                (
                    "{a} du retard de règles",
                    "{est} enceinte de {wk} semaines",
                    "{est} enceinte de quelques semaines",
                ),
                (
                    "et {a} très mal en bas du ventre d'un côté avec des saignements",
                    "et {s} saigne beaucoup avec des caillots",
                    "et {a} perdu les eaux avec du sang",
                    "et le bébé ne bouge plus depuis hier",
                    "et {a} une douleur violente au ventre avec des pertes de sang",
                ),
                (
                    "?",
                    "{est} sur le point de tomber dans les pommes",
                    "depuis une heure",
                    "{a} des maux de tête et voit des mouches",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{has} missed {his} period",
                    "{is} {wk} weeks pregnant",
                    "{is} a few weeks pregnant",
                ),
                (
                    "and {has} bad pain low down on one side with bleeding",
                    "and {is} bleeding heavily with clots",
                    "and {his} waters broke with blood",
                    "and the baby hasn't moved since yesterday",
                    "and {has} severe tummy pain and bleeding",
                ),
                (
                    "?",
                    "and {feels} faint",
                    "for an hour now",
                    "with a headache and flashing lights",
                ),
            ),
        ],
    },
    "trauma": {
        "fr": [
            (
                (
                    "{est} tombé de l'échelle",
                    "{a} été renversé par une voiture",
                    "{a} pris un gros coup sur la tête",
                    "{est} tombé dans l'escalier la tête la première",
                    "{sest} brûlé avec l'eau bouillante sur tout le bras et le torse",
                ),
                (
                    "et {a} perdu connaissance",
                    "et {s} vomit depuis",
                    "et {est} tout désorienté",
                    "et la jambe fait un angle bizarre",
                    "et {s} saigne de l'oreille",
                    "la peau est toute blanche et cloquée",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{S} fell off a ladder",
                    "{S} got hit by a car",
                    "{S} took a big knock to the head",
                    "{S} fell head first down the stairs",
                    "{S} scalded {his} whole arm and chest with boiling water",
                ),
                (
                    "and was knocked out",
                    "and has been vomiting since",
                    "and {is} confused",
                    "and {his} leg is at a funny angle",
                    "and {is} bleeding from the ear",
                    "the skin is white and blistered",
                ),
            ),
        ],
    },
    "sepsis": {
        "fr": [
            (
                (
                    "{a} une infection urinaire",
                    "{a} de la fièvre depuis deux jours",
                    "{a} une plaie infectée à la jambe",
                    "{est} sous chimiothérapie avec de la fièvre",
                ),
                (
                    "et maintenant {est} confus",
                    "et {a} la peau marbrée et froide",
                    "et {s} respire très vite",
                    "et {s} n'a pas uriné depuis hier",
                    "et {a} des frissons terribles, {s} ne tient pas debout",
                    "et {est} de plus en plus somnolent",
                ),
                (
                    "?",
                    "{s} dit qu'{s} va mourir",
                    "les lèvres sont bleutées",
                    "la tension est basse",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{has} a water infection",
                    "{has} had a fever for two days",
                    "{has} an infected wound on {his} leg",
                    "{is} on chemo and has a temperature",
                ),
                (
                    "and now {is} confused",
                    "and {his} skin is blotchy and cold",
                    "and {is} breathing really fast",
                    "and hasn't passed urine since yesterday",
                    "and {has} violent shivers and can't stand up",
                    "and {is} getting more and more drowsy",
                ),
                (
                    "?",
                    "{says} {S} feels like {S} is going to die",
                    "{his} lips look bluish",
                    "the blood pressure is low",
                ),
            ),
        ],
    },
    "acute_abdomen": {
        "fr": [
            (
                (
                    "{a} une douleur au ventre atroce d'un coup",
                    "{a} le ventre dur comme du bois",
                    "{a} le ventre gonflé et {s} vomit tout",
                    "{a} une douleur brutale dans un testicule",
                    "{a} mal au ventre à se plier en deux",
                ),
                (
                    "?",
                    "{s} ne {peut} plus bouger",
                    "{est} tombé dans les pommes",
                    "ça ne passe pas depuis trois heures",
                    "{s} n'a plus de gaz ni de selles",
                    "{s} vomit vert",
                ),
            ),
        ],
        "en": [
            (
                (
                    "{has} a sudden terrible pain in {his} belly",
                    "{his} tummy is hard as a board",
                    "{his} belly is swollen and {is} bringing everything up",
                    "{has} a sudden agonising pain in a testicle",
                    "{is} doubled up with stomach pain",
                ),
                (
                    "?",
                    "and can't move",
                    "and fainted",
                    "for three hours now",
                    "and hasn't passed wind or poo",
                    "and is vomiting green",
                ),
            ),
        ],
    },
    "diabetic": {
        "fr": [
            (
                ("{est} diabétique type 1", "{est} diabétique sous insuline", "{a} un diabète"),
                (
                    "et {s} vomit, {a} très soif et urine sans arrêt",
                    "et le sucre est à plus de 3 grammes avec des vomissements",
                    "et l'haleine sent la pomme, {s} respire à fond",
                    "et {est} en hypo, {a} pris du sucre mais ça ne remonte pas",
                    "et {est} tout bizarre, le lecteur dit 0,4",
                ),
                ("?", "{est} très fatigué", "depuis ce matin", "{s} a mal au ventre"),
            ),
        ],
        "en": [
            (
                ("{is} a type 1 diabetic", "{is} diabetic on insulin", "{has} diabetes"),
                (
                    "and {is} vomiting, very thirsty and weeing all the time",
                    "and {his} sugar is over 25 with vomiting",
                    "and {his} breath smells of pear drops, breathing deeply",
                    "and {is} having a hypo, took sugar but it won't come up",
                    "and {is} acting strange, the meter reads 2.1",
                ),
                ("?", "and {is} exhausted", "since this morning", "with belly pain"),
            ),
        ],
    },
}

# The clinical vignette register: a third party described by a professional or a relative.
VIGNETTE_INTROS = {
    "fr": [
        "Patient de {age} ans, {comorb},",
        "Patiente de {age} ans, {comorb},",
        "Monsieur de {age} ans, {comorb} :",
        "Madame {age} ans, {comorb} :",
        "Je suis infirmière à domicile, patient de {age} ans, {comorb},",
    ],
    "en": [
        "A {age}-year-old {sex} {comorb}:",
        "{age}-year-old {sex}, {comorb},",
        "I'm the district nurse, {age}-year-old {sex} {comorb},",
        "Patient is a {age}-year-old {sex} {comorb}.",
    ],
}
COMORBIDITIES = {
    "fr": [
        "diabétique",
        "hypertendu",
        "sous anticoagulants",
        "aux antécédents d'asthme",
        "sans antécédent notable",
        "BPCO",
        "insuffisant cardiaque",
        "en bonne santé",
    ],
    "en": [
        "with diabetes",
        "with high blood pressure",
        "on blood thinners",
        "with asthma",
        "with no past history",
        "with COPD",
        "with heart failure",
        "otherwise well",
    ],
}

# Carers and other helpers calling for someone.
CARERS = {
    "fr": [("la dame dont je m'occupe", "elle", True), ("le monsieur que j'aide", "il", False)],
    "en": [("the lady I care for", "she", True), ("my client", "he", False)],
}

# Long calls: unrelated or routine sentences around the one clause that matters.
RAMBLE = {
    "fr": [
        "je vous appelle parce que j'avais rendez-vous jeudi pour le renouvellement",
        "bon je vous explique, on est rentrés de vacances dimanche",
        "ma fille m'a dit d'appeler, moi je ne voulais pas déranger",
        "on a mangé chez ma belle-sœur hier midi, rien de spécial",
        "il avait déjà vu le docteur la semaine dernière pour son dos",
        "j'ai essayé le cabinet ce matin mais ça sonnait occupé",
        "je suis au travail là, je suis sortie deux minutes",
        "on devait partir chez les enfants ce week-end",
        "je ne sais pas trop par où commencer",
        "bon, avec le temps qu'il fait en ce moment",
        "j'ai aussi besoin d'un certificat pour le sport de la petite mais ça peut attendre",
        "le kiné est passé hier comme d'habitude",
    ],
    "en": [
        "I'm calling because I had an appointment on Thursday for the repeat prescription",
        "so we got back from holiday on Sunday",
        "my daughter told me to ring, I didn't want to bother anyone",
        "we had lunch at my sister's yesterday, nothing unusual",
        "he saw the doctor last week about his back",
        "I tried the surgery this morning but it was engaged",
        "I'm at work, I've just stepped out for a minute",
        "we were meant to be visiting the kids this weekend",
        "I don't really know where to start",
        "what with the weather lately",
        "I also need a sports form for my little one but that can wait",
        "the physio came round yesterday as usual",
    ],
}

# Per-category traps: the red flag negated, in the past, someone else's story, or a TV
# programme; each stays routine (followed by a routine request in the generator).
CATEGORY_TRAPS: dict[str, dict[str, list[tuple[str, str]]]] = {
    # trap class, clause
    "fr": {
        "chest_pain": [
            ("negation", "{s} n'a aucune douleur dans la poitrine, c'est juste pour le suivi"),
            ("third_party", "ma voisine m'a raconté que son mari avait fait un infarctus"),
        ],
        "breathing": [
            ("negation", "{s} respire tout à fait normalement"),
            ("history", "{a} eu une grosse crise d'asthme quand {s} était petit"),
        ],
        "stroke": [
            ("history", "{a} eu un AVC il y a six ans, il a bien récupéré"),
            ("third_party", "j'ai vu un reportage sur les AVC à la télé"),
        ],
        "consciousness": [
            ("history", "{a} fait un malaise vagal l'été dernier"),
            ("negation", "{s} n'a jamais perdu connaissance"),
        ],
        "bleeding": [
            ("negation", "pas de sang dans les selles"),
            ("history", "{a} eu un ulcère qui a saigné il y a des années"),
        ],
        "anaphylaxis": [
            (
                "history",
                "{est} allergique aux arachides depuis l'enfance, il faut renouveler le stylo",
            ),
            ("negation", "pas de gonflement, pas de gêne pour respirer"),
        ],
        "infant_fever": [
            ("negation", "mon bébé de deux mois n'a pas de fièvre, c'est pour le vaccin"),
            ("history", "ma fille avait eu de la fièvre à la naissance"),
        ],
        "suicidal": [
            ("idiom", "ces impôts vont me tuer"),
            ("history", "{a} fait une dépression il y a dix ans, ça va bien maintenant"),
        ],
        "seizure": [
            ("history", "{a} fait des convulsions fébriles bébé"),
            ("negation", "{s} n'a pas refait de crise depuis des années"),
        ],
        "meningitis": [
            ("negation", "{a} un peu de fièvre mais pas de raideur de nuque"),
            ("third_party", "il y a eu un cas de méningite à l'école, on a reçu un mot"),
        ],
        "poisoning": [
            ("negation", "{a} pris {son} traitement normalement, rien de plus"),
            ("routine", "je voudrais savoir si on peut prendre du doliprane avec l'ibuprofène"),
        ],
        "obstetric": [
            ("routine", "{est} enceinte de vingt semaines, tout va bien, c'est pour l'écho"),
            ("negation", "{est} enceinte, pas de saignement, pas de douleur"),
        ],
        "trauma": [
            ("history", "{sest} cassé le bras l'an dernier, c'est pour le contrôle"),
            ("negation", "{est} tombé mais ne s'est pas cogné la tête, ça va"),
        ],
        "sepsis": [
            ("history", "{a} eu une septicémie il y a trois ans"),
            ("negation", "l'infection urinaire va mieux, plus de fièvre"),
        ],
        "acute_abdomen": [
            ("history", "{a} été opéré de l'appendicite petit"),
            ("idiom", "{a} mal au cœur après le repas de famille"),
        ],
        "diabetic": [
            ("routine", "{est} diabétique, les glycémies sont stables, c'est pour l'ordonnance"),
            ("negation", "{est} diabétique, pas d'hypo depuis des mois"),
        ],
    },
    "en": {
        "chest_pain": [
            ("negation", "{S} has no chest pain at all, it's just for the follow-up"),
            ("third_party", "my neighbour told me her husband had a heart attack"),
        ],
        "breathing": [
            ("negation", "{is} breathing perfectly normally"),
            ("history", "{had} a bad asthma attack as a child"),
        ],
        "stroke": [
            ("history", "{had} a stroke six years ago and recovered well"),
            ("third_party", "I saw a programme about strokes on TV"),
        ],
        "consciousness": [
            ("history", "{had} a faint last summer"),
            ("negation", "{S} has never passed out"),
        ],
        "bleeding": [
            ("negation", "no blood in the stools"),
            ("history", "{had} a bleeding ulcer years ago"),
        ],
        "anaphylaxis": [
            ("history", "{is} allergic to peanuts since childhood, the EpiPen needs renewing"),
            ("negation", "no swelling and no trouble breathing"),
        ],
        "infant_fever": [
            ("negation", "my two month old has no fever, it's for the jabs"),
            ("history", "my daughter had a fever as a newborn"),
        ],
        "suicidal": [
            ("idiom", "this tax return will be the death of me"),
            ("history", "{had} depression ten years ago, fine now"),
        ],
        "seizure": [
            ("history", "{had} febrile fits as a baby"),
            ("negation", "{has} not had a seizure in years"),
        ],
        "meningitis": [
            ("negation", "{has} a slight temperature but the neck moves fine"),
            ("third_party", "there was a meningitis case at school, we got a letter"),
        ],
        "poisoning": [
            ("negation", "{S} took {his} usual dose, nothing more"),
            ("routine", "can you take paracetamol with ibuprofen"),
        ],
        "obstetric": [
            ("routine", "{is} twenty weeks pregnant, all fine, it's for the scan"),
            ("negation", "{is} pregnant, no bleeding, no pain"),
        ],
        "trauma": [
            ("history", "{S} broke {his} arm last year, it's for the check"),
            ("negation", "{S} fell but didn't hit {his} head, all fine"),
        ],
        "sepsis": [
            ("history", "{had} sepsis three years ago"),
            ("negation", "the water infection is better, no more fever"),
        ],
        "acute_abdomen": [
            ("history", "{had} {his} appendix out as a child"),
            ("routine", "{has} a bit of indigestion after big meals"),
        ],
        "diabetic": [
            ("routine", "{is} diabetic, sugars are stable, it's for the prescription"),
            ("negation", "{is} diabetic, no hypos for months"),
        ],
    },
}

# Short answers a routine caller gives the agent (names, dates, numbers, yes/no): they carry
# no symptom and must never raise a model suspicion.
SHORT_ANSWERS = {
    "fr": [
        "Dupont",
        "Marie Dupont",
        "c'est Jean Martin",
        "Benali Fatima",
        "le douze mars mille neuf cent cinquante-huit",
        "le 3 juin 1971",
        "zéro six douze trente-quatre cinquante-six",
        "06 45 12 98 33",
        "oui",
        "non",
        "oui c'est ça",
        "non merci",
        "d'accord",
        "oui oui",
        "c'est bien ça",
        "exactement",
        "le matin plutôt",
        "mardi",
        "à Lyon",
        "rue de la République",
        "je ne sais pas",
        "peut-être",
        "attendez",
        "oui je suis là",
        "allô",
        "pardon",
        "répétez s'il vous plaît",
    ],
    "en": [
        "Smith",
        "John Smith",
        "it's Sarah Jones",
        "Okafor, Grace",
        "the twelfth of March nineteen fifty-eight",
        "3rd June 1971",
        "oh seven seven double oh nine one two three",
        "07700 900123",
        "yes",
        "no",
        "yes that's it",
        "no thanks",
        "okay",
        "yeah yeah",
        "that's right",
        "exactly",
        "mornings please",
        "Tuesday",
        "in Leeds",
        "Station Road",
        "I don't know",
        "maybe",
        "hang on",
        "yes I'm here",
        "hello",
        "sorry",
        "could you repeat that",
    ],
}
# Syllables for pseudo-words: what a recognizer makes of a mumbled or cut word on 8 kHz.
SYLLABLES = [
    "dou",
    "le",
    "whi",
    "sse",
    "wa",
    "ze",
    "bi",
    "en",
    "mo",
    "ça",
    "ti",
    "pa",
    "ro",
    "ke",
    "su",
    "nar",
    "ix",
    "ou",
    "ba",
    "gue",
    "sho",
    "ly",
    "fa",
    "tre",
    "vi",
]
