"""Reference data of the network that is not kept in tables (departments and QVT fields are)."""

# The network is open to three kinds of practitioners of the region. The labels say a person's
# profile, whoever they are: a woman is not « Consultant », and nothing tells us who is a
# « Consultante ». Both forms in full: the doubled form the Prime Minister's circular of
# 21 November 2017 recommends, which a screen reader reads well, unlike « Consultant·e ».
PROFILES = [
    ("consultant", "Consultant ou consultante"),
    ("acteur_interne", "Acteur ou actrice interne (entreprise, administration)"),
    ("acteur_relais", "Acteur-relais ou actrice-relais (branche, organisation, service de santé "
                      "au travail…)"),
]

# For tables and charts, where the labels above take too much room: the kind of practice, a word
# that fits everyone.
PROFILE_SHORT_LABELS = {"consultant": "Conseil", "acteur_interne": "Interne",
                        "acteur_relais": "Relais"}

PARTICIPATION_PRINCIPLES = [
    ("Partager les mêmes repères sur la QVT",
     "les accords nationaux interprofessionnels de 2013 et 2020 et les repères clés du PRST."),
    ("Intervenir sur un ou plusieurs champs de la QVT",
     "en centrant ses actions sur l'organisation du travail."),
    ("Intégrer un espace dédié",
     "pour monter en compétences, partager des pratiques professionnelles et échanger avec de "
     "multiples acteurs autour de la QVT."),
]
