"""Clinical pictures as slots of interchangeable clauses, for the compositional generator.

Written for issue 13 from general clinical knowledge of the red flags in ../shared/LABELS.md
(nothing from ../shared/external/). A *picture* is a tuple of slots; an utterance takes one
clause from each slot (a slot starting with ``"?"`` may be left out), so one picture yields
many wordings of the same clinical meaning. Clauses use person tokens that `compose.py`
conjugates for the speaker (self) or a third party:

French: ``{s}`` subject (je / il / elle), ``{a}`` avoir (j'ai / il a), ``{est}`` être
(je suis / il est), ``{peut}`` (je peux / il peut), ``{fait}`` (je fais / il fait),
``{son}``/``{sa}``/``{ses}`` possessives (mon / son), ``{me}`` object pronoun (me / lui),
``{se}`` reflexive (me / se: "je me suis" vs "il s'est" -> ``{sest}``).
English: ``{S}`` (I / he / she), ``{has}``, ``{is}``, ``{was}``, ``{his}``, ``{him}``,
``{does}``, ``{feels}``, ``{says}`` (leave out for self).
"""

from __future__ import annotations

Slot = tuple[str, ...]
Picture = tuple[Slot, ...]

# category -> {"fr": [pictures], "en": [pictures]}
PICTURES: dict[str, dict[str, list[Picture]]] = {
    "chest_pain": {
        "fr": [
            (("{a} une douleur dans la poitrine", "{a} mal au milieu de la poitrine",
              "{a} une barre sur le thorax", "ça {me} serre dans la poitrine",
              "{a} comme un poids sur le sternum", "{a} la poitrine écrasée",
              "{a} une oppression thoracique", "ça {me} comprime le torse"),
             ("?", "qui descend dans le bras gauche", "qui monte dans la mâchoire",
              "qui irradie dans le dos et le bras", "et {a} des sueurs froides",
              "et {est} tout gris", "et {a} du mal à respirer", "et {a} envie de vomir"),
             ("?", "depuis une demi-heure", "depuis vingt minutes", "ça ne passe pas",
              "même au repos", "malgré le spray de trinitrine")),
        ],
        "en": [
            (("{has} a pain in {his} chest", "{has} a tight band across {his} chest",
              "{S} {feels} like something heavy is sitting on {his} chest",
              "{has} a crushing feeling in the middle of {his} chest",
              "{has} chest pressure", "{his} chest is squeezing"),
             ("?", "going down {his} left arm", "spreading to {his} jaw",
              "and {is} sweating buckets", "and {is} grey and clammy",
              "and {is} short of breath", "and {feels} sick"),
             ("?", "for half an hour now", "for about twenty minutes", "and it won't ease off",
              "even sitting still", "and the spray didn't help")),
        ],
    },
    "breathing": {
        "fr": [
            (("{s} n'arrive plus à respirer", "{s} étouffe", "{s} manque d'air",
              "{s} cherche {sa} respiration", "{s} respire très mal",
              "{s} suffoque", "{a} du mal à reprendre {son} souffle"),
             ("?", "{s} ne {peut} plus parler", "{s} ne {peut} pas finir une phrase",
              "{a} les lèvres bleues", "{a} les lèvres violettes", "ça siffle fort",
              "on voit les côtes qui se creusent"),
             ("?", "la ventoline ne fait plus rien", "{a} une BPCO et c'est de pire en pire",
              "{est} asthmatique et la crise ne passe pas", "même assis",
              "de plus en plus depuis hier")),
        ],
        "en": [
            (("{S} can't breathe", "{S} can't get {his} breath", "{is} gasping for air",
              "{is} struggling to breathe", "{is} fighting for breath",
              "{is} really breathless"),
             ("?", "{S} can't speak in full sentences", "{S} can only say a word or two",
              "{his} lips are going blue", "{is} wheezing badly", "{is} turning grey"),
             ("?", "the inhaler isn't helping", "{has} COPD and it's getting worse and worse",
              "{is} asthmatic and it's not settling", "even at rest",
              "worse and worse since yesterday")),
        ],
    },
    "stroke": {
        "fr": [
            (("{a} la bouche qui tombe d'un côté", "{a} le visage tout de travers",
              "{s} ne {peut} plus lever le bras", "{a} la jambe qui ne répond plus",
              "{s} parle bizarrement", "{s} ne trouve plus ses mots",
              "{a} la moitié du corps engourdie", "{a} perdu la vue d'un œil d'un coup"),
             ("?", "c'est arrivé d'un coup", "depuis dix minutes", "depuis le réveil",
              "et {s} mélange les mots", "et {a} la main qui lâche tout"),),
            (("{a} un mal de tête brutal", "{a} eu d'un coup une douleur terrible dans la tête",
              "{a} la pire migraine de {sa} vie"),
             ("comme un coup de tonnerre", "le pire de {sa} vie", "d'une violence jamais connue",
              "arrivé en une seconde"),
             ("?", "{a} vomi", "{s} ne supporte pas la lumière", "{est} tout ralenti")),
        ],
        "en": [
            (("{his} face has dropped on one side", "{his} mouth is drooping",
              "{S} can't lift {his} arm", "{his} leg has gone weak",
              "{his} speech is slurred", "{S} can't get {his} words out",
              "one side of {his} body has gone numb", "{S} suddenly lost the sight in one eye"),
             ("?", "it came on suddenly", "about ten minutes ago", "since {S} woke up",
              "and {is} mixing up words", "and {S} keeps dropping things"),),
            (("{has} a sudden splitting headache", "{S} got a headache out of nowhere",
              "{has} the worst headache of {his} life"),
             ("like a thunderclap", "the worst ever", "it hit in a second",
              "nothing like {his} usual ones"),
             ("?", "and {has} been sick", "and light hurts", "and {is} confused")),
        ],
    },
    "consciousness": {
        "fr": [
            (("{s} ne répond plus", "{est} inconscient", "{s} ne se réveille pas",
              "{s} s'est effondré", "{est} tombé dans les pommes et ne revient pas",
              "{est} tout mou et ne réagit pas", "{est} très somnolent et confus",
              "{s} n'ouvre plus les yeux"),
             ("?", "{s} respire mais ne réagit pas", "on a beau {me} parler",
              "depuis quelques minutes", "{est} diabétique", "{est} par terre"),),
        ],
        "en": [
            (("{is} not responding", "{is} unconscious", "{S} won't wake up",
              "{S} collapsed", "{S} fainted and isn't coming round", "{is} floppy and limp",
              "{is} very drowsy and confused", "{S} won't open {his} eyes"),
             ("?", "{is} breathing but not reacting", "even when we shout",
              "for a few minutes now", "{is} diabetic", "{is} on the floor"),),
        ],
    },
    "bleeding": {
        "fr": [
            (("{s} saigne énormément", "{s} vomit du sang", "{s} crache du sang",
              "{s} perd beaucoup de sang", "{a} du sang qui gicle",
              "{a} des selles noires comme du goudron", "{s} saigne du nez sans arrêt"),
             ("?", "ça ne s'arrête pas", "malgré la compression", "{est} très pâle",
              "{est} sous anticoagulant", "il y en a partout", "depuis une heure"),),
        ],
        "en": [
            (("{is} bleeding heavily", "{is} vomiting blood", "{is} coughing up blood",
              "{is} losing a lot of blood", "the blood is spurting out",
              "{has} black tarry stools", "{his} nose won't stop bleeding"),
             ("?", "it won't stop", "even pressing on it", "{is} very pale",
              "{is} on blood thinners", "there's blood everywhere", "for an hour now"),),
        ],
    },
    "anaphylaxis": {
        "fr": [
            (("{a} les lèvres qui gonflent", "{a} la gorge qui se serre",
              "{a} la langue qui enfle", "{a} le visage tout gonflé",
              "{s} n'arrive plus à avaler"),
             ("après une piqûre de guêpe", "après avoir mangé des cacahuètes",
              "depuis le nouvel antibiotique", "après le repas", "{est} allergique"),
             ("?", "et {a} du mal à respirer", "et {a} des plaques partout",
              "et la voix change", "ça va très vite")),
        ],
        "en": [
            (("{his} lips are swelling", "{his} throat is closing up",
              "{his} tongue is swelling", "{his} face has puffed up",
              "{S} can't swallow"),
             ("after a wasp sting", "after eating peanuts", "since the new antibiotic",
              "after dinner", "{is} allergic"),
             ("?", "and {is} struggling to breathe", "and {has} hives everywhere",
              "and {his} voice sounds strange", "and it's getting worse fast")),
        ],
    },
    "infant_fever": {
        "fr": [
            (("mon bébé de {w} semaines", "mon nourrisson de {m} mois", "le bébé qui a {d} jours",
              "ma fille née il y a {w} semaines"),
             ("a {t} de fièvre", "est brûlant, le thermomètre dit {t}", "a une température de {t}",
              "fait {t}"),
             ("?", "il ne boit plus", "il dort beaucoup", "")),
        ],
        "en": [
            (("my {w} week old baby", "my newborn, {d} days old,", "my {m} month old",
              "the baby, just {w} weeks,"),
             ("has a temperature of {t}", "is burning up, the thermometer says {t}",
              "has a fever of {t}"),
             ("?", "and won't feed", "and is very sleepy", "")),
        ],
    },
    "suicidal": {
        "fr": [
            (("{s} veut en finir", "{s} ne veut plus vivre", "{s} veut mourir",
              "{s} dit qu'{s} va se tuer", "{s} est en train de se couper",
              "{s} pense à se jeter sous un train"),
             ("?", "{a} préparé des médicaments", "{a} une corde", "{a} écrit une lettre d'adieu",
              "c'est pour ce soir", "{s} s'est enfermé"),),
        ],
        "en": [
            (("{S} wants to end it all", "{S} doesn't want to live anymore",
              "{S} wants to die", "{says} {S}'s going to kill {him}self",
              "{is} cutting {him}self right now", "{is} planning to take an overdose"),
             ("?", "{has} the pills ready", "{has} written goodbye letters",
              "it's going to be tonight", "{has} locked {him}self in"),),
        ],
    },
    "seizure": {
        "fr": [
            (("{s} convulse", "{fait} une crise d'épilepsie", "{s} tremble de tout son corps",
              "{a} des secousses partout", "{est} tout raide avec des spasmes"),
             ("depuis plus de cinq minutes", "ça ne s'arrête pas", "depuis dix minutes",
              "et {s} ne se réveille pas après", "deux crises de suite sans se réveiller"),),
        ],
        "en": [
            (("{is} having a fit", "{is} having a seizure", "{is} shaking all over",
              "{is} jerking on the floor", "{is} stiff and twitching"),
             ("for more than five minutes", "and it won't stop", "for ten minutes now",
              "and {has}n't woken up since", "two in a row without waking"),),
        ],
    },
    "meningitis": {
        "fr": [
            (("{a} de la fièvre", "{a} 39 de fièvre", "{est} brûlant de fièvre",
              "{a} beaucoup de température"),
             ("et la nuque raide", "et le cou tout bloqué",
              "et {s} ne {peut} pas pencher la tête en avant",
              "et des petites taches violettes qui ne s'effacent pas",
              "et des boutons rouge foncé qui restent sous le verre",
              "et des marques comme des bleus sur les jambes"),
             ("?", "{s} ne supporte pas la lumière", "{a} un mal de tête terrible",
              "{a} vomi")),
        ],
        "en": [
            (("{has} a fever", "{has} a temperature of 39", "{is} burning up",
              "{has} a high temperature"),
             ("and a stiff neck", "and {S} can't bend {his} neck forward",
              "and {his} neck is rigid", "and a purple rash that doesn't fade",
              "and spots that don't go away under a glass",
              "and little bruise-like marks appearing"),
             ("?", "and light hurts {his} eyes", "and a terrible headache", "and {is} vomiting")),
        ],
    },
    "poisoning": {
        "fr": [
            (("{a} avalé des comprimés", "{a} pris toute une boîte de somnifères",
              "{a} bu de l'eau de javel", "{a} pris trop de paracétamol",
              "{a} avalé des médicaments de {sa} grand-mère", "{a} bu du produit ménager"),
             ("?", "je ne sais pas combien", "il y a une heure", "la boîte est vide",
              "{est} somnolent maintenant", "avec de l'alcool"),),
        ],
        "en": [
            (("{has} swallowed some tablets", "{has} taken a whole box of sleeping pills",
              "{has} drunk bleach", "{has} taken too much paracetamol",
              "{has} swallowed grandma's pills", "{has} drunk some cleaning fluid"),
             ("?", "I don't know how many", "about an hour ago", "the packet is empty",
              "{is} getting drowsy", "with alcohol"),),
        ],
    },
    "obstetric": {
        "fr": [
            (("{est} enceinte de {wk} semaines", "{a} du retard de règles",
              "{est} enceinte"),
             ("et {s} saigne beaucoup", "et {a} très mal au ventre avec du sang",
              "et {a} une douleur violente d'un côté du bas-ventre et des saignements",
              "et {s} ne sent plus le bébé bouger", "et {a} le ventre dur qui fait très mal"),),
        ],
        "en": [
            (("{is} {wk} weeks pregnant", "{his} period is late", "{is} pregnant"),
             ("and bleeding heavily", "and has bad belly pain with bleeding",
              "and {has} sharp pain low on one side and spotting",
              "and can't feel the baby move", "and {his} belly is hard and really painful"),),
        ],
    },
    "trauma": {
        "fr": [
            (("{est} tombé sur la tête", "{sest} cogné la tête violemment",
              "{a} eu un accident de voiture", "{est} tombé d'une échelle",
              "{sest} brûlé avec de l'eau bouillante"),
             ("et {a} perdu connaissance", "et {s} vomit depuis", "et {a} eu un trou noir",
              "et tout le bras est brûlé", "et {s} ne sent plus {ses} jambes",
              "et la jambe est tordue"),),
        ],
        "en": [
            (("{S} fell and hit {his} head", "{S} banged {his} head hard",
              "{was} in a car crash", "{S} fell off a ladder",
              "{S} scalded {him}self with boiling water"),
             ("and was knocked out", "and {has} been vomiting since", "and blacked out",
              "and {his} whole arm is burnt", "and can't feel {his} legs",
              "and {his} leg is bent the wrong way"),),
        ],
    },
    "sepsis": {
        "fr": [
            (("{a} de la fièvre", "{a} une infection urinaire", "{a} une pneumonie",
              "{a} une plaie infectée", "{a} 40 de fièvre"),
             ("et {est} tout confus", "et {est} très somnolent",
              "et {a} la peau marbrée", "et {est} très pâle avec les mains glacées",
              "et {s} respire très vite", "et {s} n'a pas uriné depuis hier",
              "et des frissons à claquer des dents, {s} se sent au plus mal"),),
        ],
        "en": [
            (("{has} a fever", "{has} a urine infection", "{has} pneumonia",
              "{has} an infected wound", "{has} a temperature of 40"),
             ("and {is} really confused", "and {is} very drowsy",
              "and {his} skin is mottled", "and {is} very pale with cold hands",
              "and {is} breathing really fast", "and {has}n't passed urine since yesterday",
              "and shaking chills, {S} {feels} like {S}'s dying"),),
        ],
    },
    "acute_abdomen": {
        "fr": [
            (("{a} une douleur au ventre brutale", "{a} très mal au ventre d'un coup",
              "{a} le ventre dur comme du bois", "{a} le ventre gonflé qui fait très mal",
              "{a} une douleur terrible d'un testicule"),
             ("insupportable", "{s} ne {peut} plus bouger", "et {s} vomit sans arrêt",
              "et {sest} évanoui", "depuis une heure", "c'est venu d'un coup"),),
        ],
        "en": [
            (("{has} sudden severe stomach pain", "{has} agonising belly pain",
              "{his} belly is rock hard", "{his} tummy is swollen and really painful",
              "{has} terrible pain in a testicle"),
             ("it's unbearable", "{S} can't move", "and {S} can't stop vomiting",
              "and {S} fainted", "for an hour", "it came on suddenly"),),
        ],
    },
    "diabetic": {
        "fr": [
            (("{est} diabétique", "{est} diabétique de type 1", "{a} du diabète"),
             ("et {s} vomit avec une glycémie très haute", "et le lecteur affiche HI",
              "et {a} une glycémie à 4 grammes avec mal au ventre",
              "et {s} respire fort et vite avec le sucre très haut",
              "et {a} très soif, {s} vomit et {est} somnolent",
              "et {s} reste en hypo malgré le sucre"),),
        ],
        "en": [
            (("{is} diabetic", "{is} type one diabetic", "{has} diabetes"),
             ("and {is} vomiting with very high sugar", "and the meter just says HI",
              "and {his} sugar is over 30 with stomach pain",
              "and {is} breathing deep and fast with very high sugar",
              "and {is} very thirsty, vomiting and drowsy",
              "and {his} sugar stays low even after sugar"),),
        ],
    },
}

# Partial evidence and near misses per category: not an emergency on their own (urgent or
# routine), so the heads learn what the concept's second half adds.
NEAR_MISSES: dict[str, dict[str, list[tuple[str, str]]]] = {
    # (urgency, clause)
    "fr": {
        "chest_pain": [("urgent", "{a} mal entre les côtes quand {s} tousse depuis la grippe"),
                       ("routine", "{a} eu un point au thorax il y a deux semaines, plus rien")],
        "breathing": [("urgent", "{s} tousse et {est} un peu essoufflé en montant l'escalier"),
                      ("routine", "{a} le nez bouché et {s} respire mal la nuit")],
        "stroke": [("urgent", "{a} une migraine comme d'habitude mais plus longue"),
                   ("routine", "{a} des fourmis dans les pieds le soir depuis des mois")],
        "consciousness": [("urgent", "{a} eu un petit malaise hier, depuis ça va"),
                          ("routine", "{est} fatigué ces temps-ci")],
        "bleeding": [("urgent", "{s} saigne un peu des hémorroïdes"),
                     ("routine", "{s} saigne des gencives au brossage")],
        "anaphylaxis": [("urgent", "{a} des plaques qui grattent mais respire bien"),
                        ("routine", "{a} le rhume des foins")],
        "infant_fever": [("urgent", "mon fils de {y} ans a {t} de fièvre"),
                         ("urgent", "mon bébé de dix mois a {t} mais il joue")],
        "suicidal": [("urgent", "{est} très déprimé en ce moment mais pas d'idées noires"),
                     ("routine", "{a} du mal à dormir avec le stress du travail")],
        "seizure": [("urgent", "{a} fait une petite crise d'une minute, réveillé, ça va"),
                    ("routine", "{a} des tics aux paupières")],
        "meningitis": [("urgent", "{a} 38,5 de fièvre et mal à la tête, pas de raideur"),
                       ("routine", "{a} un torticolis depuis que {s} a mal dormi, sans fièvre")],
        "poisoning": [("routine", "{a} pris deux doliprane ce matin c'est normal"),
                      ("routine", "{a} oublié {son} comprimé hier")],
        "obstetric": [("urgent", "{est} enceinte et {a} quelques traces marron sans douleur"),
                      ("routine", "{a} des règles douloureuses comme chaque mois")],
        "trauma": [("urgent", "{sest} tordu la cheville, c'est gonflé"),
                   ("routine", "{sest} cogné le genou, un petit bleu")],
        "sepsis": [("urgent", "{a} une infection urinaire avec 38 de fièvre"),
                   ("routine", "{a} un petit rhume sans fièvre")],
        "acute_abdomen": [("urgent", "{a} mal au ventre depuis deux jours, supportable"),
                          ("routine", "{a} un peu mal au cœur, c'est la digestion")],
        "diabetic": [("urgent", "{est} diabétique et la glycémie est un peu haute, ça va"),
                     ("routine", "{est} diabétique et voudrait {son} bilan annuel")],
    },
    "en": {
        "chest_pain": [("urgent", "{has} a sore chest wall from coughing with this flu"),
                       ("routine", "{had} a twinge in the chest two weeks ago, nothing since")],
        "breathing": [("urgent", "{is} coughing and a bit puffed on the stairs"),
                      ("routine", "{has} a blocked nose at night")],
        "stroke": [("urgent", "{has} one of {his} usual migraines but it's lasting longer"),
                   ("routine", "{has} had pins and needles in {his} feet for months")],
        "consciousness": [("urgent", "{S} felt faint yesterday but is fine now"),
                          ("routine", "{is} tired all the time lately")],
        "bleeding": [("urgent", "{has} a little bleeding from piles"),
                     ("routine", "{his} gums bleed when brushing")],
        "anaphylaxis": [("urgent", "{has} itchy hives but is breathing fine"),
                        ("routine", "{has} hay fever")],
        "infant_fever": [("urgent", "my {y} year old has a temperature of {t}"),
                         ("urgent", "my ten month old has {t} but is playing")],
        "suicidal": [("urgent", "{is} very low at the moment but no thoughts of harm"),
                     ("routine", "{is} struggling to sleep with work stress")],
        "seizure": [("urgent", "{had} a short one-minute fit, awake and fine now"),
                    ("routine", "{has} a twitchy eyelid")],
        "meningitis": [("urgent", "{has} 38.5 and a headache, neck is fine"),
                       ("routine", "{has} a stiff neck from sleeping badly, no fever")],
        "poisoning": [("routine", "{S} took two paracetamol this morning, is that ok"),
                      ("routine", "{S} forgot {his} tablet yesterday")],
        "obstetric": [("urgent", "{is} pregnant with a little brown spotting, no pain"),
                      ("routine", "{has} painful periods like every month")],
        "trauma": [("urgent", "{S} twisted {his} ankle and it's swollen"),
                   ("routine", "{S} bumped {his} knee, small bruise")],
        "sepsis": [("urgent", "{has} a urine infection and a temperature of 38"),
                   ("routine", "{has} a mild cold, no fever")],
        "acute_abdomen": [("urgent", "{has} had tummy ache for two days, bearable"),
                          ("routine", "{has} a bit of indigestion after meals")],
        "diabetic": [("urgent", "{is} diabetic and {his} sugar is a bit high, otherwise fine"),
                     ("routine", "{is} diabetic and due {his} annual review")],
    },
}

# Negated red flags: "no chest pain" stays routine (with the request that follows).
NEGATIONS: dict[str, list[str]] = {
    "fr": ["{s} n'a pas mal à la poitrine", "pas de douleur thoracique", "{s} respire bien",
           "pas de fièvre", "{s} n'a pas perdu connaissance", "{s} ne saigne pas",
           "pas de gonflement de la gorge", "{s} n'a pas la nuque raide",
           "pas de sang", "aucune idée noire", "{s} n'est pas enceinte",
           "{s} ne s'est pas cogné la tête", "pas de convulsions", "la glycémie est normale"],
    "en": ["no chest pain", "{S} doesn't have chest pain", "{is} breathing fine", "no fever",
           "{S} didn't pass out", "no bleeding", "no swelling of the throat",
           "{his} neck isn't stiff", "no blood", "no thoughts of harming {him}self",
           "{is} not pregnant", "{S} didn't hit {his} head", "no fits",
           "{his} sugar is normal"],
}

# Past history, told while asking for something routine.
HISTORY: dict[str, list[str]] = {
    "fr": ["{a} fait un infarctus il y a cinq ans", "{a} eu un AVC l'année dernière",
           "{a} fait une embolie pulmonaire il y a longtemps", "{a} fait une tentative de "
           "suicide il y a dix ans", "{a} eu des convulsions petit", "{a} eu une méningite enfant",
           "{a} fait un choc allergique il y a des années", "{a} eu une hémorragie après "
           "l'accouchement il y a trois ans", "{a} eu une appendicite opérée"],
    "en": ["{had} a heart attack five years ago", "{had} a stroke last year",
           "{had} a blood clot in the lung years ago", "{had} an overdose ten years ago",
           "{had} febrile fits as a child", "{had} meningitis as a kid",
           "{had} anaphylaxis years ago", "{had} a bad bleed after giving birth",
           "{had} appendicitis, it was removed"],
}

# French idioms and figures of speech that name a body part or death and mean nothing urgent.
IDIOMS: dict[str, list[str]] = {
    "fr": ["{a} mal au cœur", "{a} un peu mal au cœur depuis le repas", "ça {me} tue ces "
           "papiers", "{est} mort de fatigue", "je vais tuer mon mari il a perdu l'ordonnance",
           "{s} crève de chaud", "ça {me} fend le cœur", "{est} mort de rire",
           "{a} le cœur brisé depuis la rupture", "{s} a failli mourir d'ennui"],
    "en": ["this heat is killing me", "{is} dying to know the results",
           "I could kill my brother he lost my prescription", "{is} dead tired",
           "{his} heart is broken since the breakup", "{S} nearly died laughing",
           "my back is killing me after gardening", "{is} sick of waiting"],
}

# Routine requests that follow a trap clause (intent, fr, en).
REQUESTS: list[tuple[str, list[str], list[str]]] = [
    ("prescription_renewal", ["je voudrais renouveler l'ordonnance",
                              "il faudrait refaire l'ordonnance du traitement",
                              "c'est pour le renouvellement des médicaments"],
     ["I need a repeat prescription", "could the doctor renew the tablets",
      "it's for the prescription renewal"]),
    ("appointment_booking", ["je voudrais un rendez-vous pour le suivi",
                             "est-ce que je peux avoir une consultation la semaine prochaine",
                             "il faudrait un rendez-vous de contrôle"],
     ["I'd like to book a check-up", "can I get an appointment next week",
      "I need a follow-up appointment"]),
    ("appointment_change", ["je dois décaler le rendez-vous de jeudi",
                            "il faut annuler le rendez-vous de demain"],
     ["I need to move Thursday's appointment", "I have to cancel tomorrow's appointment"]),
    ("test_results", ["je voulais savoir si les résultats de la prise de sang sont arrivés",
                      "c'est pour les résultats de la radio"],
     ["I'm calling about the blood test results", "are the scan results back"]),
    ("administrative", ["il me faudrait un certificat", "c'est pour un arrêt de travail",
                        "je voudrais une copie du dossier"],
     ["I need a sick note", "I need a certificate", "could I get a copy of my records"]),
    ("symptom_report", ["je voulais juste un conseil", "est-ce que c'est grave docteur",
                        "je voulais savoir quoi faire"],
     ["I just wanted some advice", "is that something to worry about",
      "what should I do about it"]),
]

# Garbled routine fragments a recognizer makes of confirmations and scheduling talk:
# the heads must learn that short noise is not an emergency.
GARBLED: dict[str, list[str]] = {
    "fr": ["oui c'est bien ça", "voilà c'est ça", "si possible", "à ce moment-là si possible",
           "d'accord merci", "oui oui tout à fait", "jeudi si possible", "en fin de matinée",
           "ça m'irait très bien", "la semaine prochaine plutôt", "merci beaucoup au revoir",
           "non c'est tout", "oui je vous écoute", "vers dix heures", "c'est noté merci",
           "pas de souci", "attendez je regarde", "excusez-moi je n'ai pas entendu"],
    "en": ["yes that's right", "that's it", "if possible", "at that time if possible",
           "okay thanks", "yes exactly", "thursday if possible", "late morning",
           "that suits me fine", "next week rather", "thanks a lot bye", "no that's all",
           "yes I'm listening", "around ten", "great thank you", "no worries",
           "hang on let me check", "sorry I didn't catch that"],
}
