"""Reference data of the network that is not kept in tables (departments and QVT fields are)."""

# The network is open to three kinds of practitioners of the region.
PROFILES = [
    ("consultant", "Consultant ou consultante"),
    ("acteur_interne", "Acteur interne (entreprise, administration)"),
    ("acteur_relais", "Acteur-relais (branche, organisation, service de santé au travail…)"),
]

# For tables, where the full labels above take too much room.
PROFILE_SHORT_LABELS = {"consultant": "Consultant", "acteur_interne": "Acteur interne",
                        "acteur_relais": "Acteur-relais"}

PARTICIPATION_PRINCIPLES = [
    ("Partager les mêmes repères sur la QVT",
     "les accords nationaux interprofessionnels de 2013 et 2020 et les repères clés du PRST."),
    ("Intervenir sur un ou plusieurs champs de la QVT",
     "en centrant ses actions sur l'organisation du travail."),
    ("Intégrer un espace dédié",
     "pour monter en compétences, partager des pratiques professionnelles et échanger avec de "
     "multiples acteurs autour de la QVT."),
]
