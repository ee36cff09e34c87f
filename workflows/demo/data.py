"""What the demo is made of: organisations, accounts, the catalogue, the resources
asked for, the partners' positions, the offers, their budgets and the pledges."""

from zoneinfo import ZoneInfo

from procurement.models import (
    CommonsCategory,
    OrganisationKind,
    Role,
)

PARIS = ZoneInfo("Europe/Paris")
K = OrganisationKind

ORGANISATIONS = [
    # name, kind, legal form, SIREN
    ("Métropole Européenne de Lille", K.BUYER, "Métropole", "200093201"),
    ("Chambre des communs de Lille", K.CHAMBRE, "Association", ""),
    ("Mobicoop SCIC", K.PARTNER, "SCIC SA", ""),
    ("Covoit'Libre SAS", K.PARTNER, "SAS", ""),
    ("GéoCommuns SAS", K.PARTNER, "SAS", ""),
    ("Association Rues Partagées", K.PARTNER, "Association loi 1901", ""),
    ("La Fabrique des Mobilités", K.PARTNER, "Association loi 1901", ""),
    ("ADEME Hauts-de-France", K.FUNDER, "Établissement public", ""),
    ("Banque des Territoires", K.FUNDER, "Établissement public", ""),
    ("Région Hauts-de-France", K.FUNDER, "Collectivité territoriale", ""),
    ("La Coop des Communs", K.HOST, "Association loi 1901", ""),
]

# The partners' identity as titulaires (fictional SIRETs with valid keys): an acte
# d'engagement is drawn up only for an identified titulaire.
IDENTITIES = {
    # name: SIRET, address, representative, capacity, VAT regime
    # The buyer's SIRET identifies it in the données essentielles of its contracts.
    "Métropole Européenne de Lille": (
        "20009320100016",
        "2 boulevard des Cités Unies, 59040 Lille",
        "Mme Claire Dumont",
        "vice-présidente, par délégation du président",
        "standard",
    ),
    "Mobicoop SCIC": (
        "81000000000010",
        "12 rue de la Coopération, 59000 Lille",
        "M. Paul Girard",
        "directeur général",
        "standard",
    ),
    "Covoit'Libre SAS": (
        "82000000800012",
        "5 place de la Gare, 59800 Lille",
        "Mme Inès Petit",
        "présidente",
        "standard",
    ),
    "GéoCommuns SAS": (
        "83000000600015",
        "40 rue Nationale, 59000 Lille",
        "M. Karim Haddad",
        "président",
        "franchise",
    ),
    "Association Rues Partagées": (
        "84000000400019",
        "3 rue des Arts, 59000 Lille",
        "Mme Léa Morel",
        "présidente",
        "exempt_association",
    ),
    "La Fabrique des Mobilités": (
        "85000000100014",
        "21 rue de la Paix, 75002 Paris",
        "M. Gabriel Plassat",
        "président",
        "exempt_association",
    ),
    # The Chambre, the funders and the host are identified too (fictional SIRETs with
    # valid keys): the conventions and the ledger name them.
    "Chambre des communs de Lille": (
        "86000000900016",
        "10 rue Gosselet, 59000 Lille",
        "Mme Claire Dubois",
        "modératrice",
        "exempt_association",
    ),
    "ADEME Hauts-de-France": (
        "87000000700019",
        "20 rue du Prieuré, 59500 Douai",
        "M. Hugo Lefebvre",
        "directeur régional",
        "standard",
    ),
    "Banque des Territoires": (
        "88000000500012",
        "1 place de la Gare, 59000 Lille",
        "Mme Sophie Martin",
        "directrice régionale",
        "standard",
    ),
    "Région Hauts-de-France": (
        "89000000300016",
        "151 avenue du Président Hoover, 59555 Lille",
        "M. Thomas Roux",
        "directeur général des services",
        "standard",
    ),
    "La Coop des Communs": (
        "77000000800019",
        "8 rue du Molinel, 59000 Lille",
        "Mme Amina Benali",
        "co-présidente",
        "exempt_association",
    ),
}

ACCOUNTS = [
    # username, first name, last name, organisation, role
    ("agent.mel", "Claire", "Dubois", "Métropole Européenne de Lille", Role.ADMIN),
    ("agente.mel", "Nadia", "Benali", "Métropole Européenne de Lille", Role.MEMBER),
    ("evaluateur.1", "Pierre", "Lefebvre", "Métropole Européenne de Lille", Role.EVALUATOR),
    ("evaluatrice.2", "Sophie", "Martin", "Métropole Européenne de Lille", Role.EVALUATOR),
    # The calls' neutral resource person (seed 004): facilitates MEL-AAC-2026-002.
    ("animatrice.mel", "Manon", "Deschamps", "Métropole Européenne de Lille", Role.FACILITATOR),
    ("moderatrice.chambre", "Élise", "Vandamme", "Chambre des communs de Lille", Role.MODERATOR),
    ("porteur.chambre", "Hugo", "Delattre", "Chambre des communs de Lille", Role.PORTEURS),
    ("engagement.chambre", "Inès", "Caron", "Chambre des communs de Lille", Role.ENGAGEMENT),
    ("contributeur.chambre", "Marc", "Leroy", "Chambre des communs de Lille", Role.CONTRIBUTEURS),
    ("mobicoop", "Julie", "Moreau", "Mobicoop SCIC", Role.ADMIN),
    ("covoitlibre", "Thomas", "Petit", "Covoit'Libre SAS", Role.ADMIN),
    ("geocommuns", "Léa", "Garnier", "GéoCommuns SAS", Role.ADMIN),
    ("ruespartagees", "Karim", "Haddad", "Association Rues Partagées", Role.ADMIN),
    ("fabmob", "Anne", "Roussel", "La Fabrique des Mobilités", Role.ADMIN),
    ("ademe", "Paul", "Girard", "ADEME Hauts-de-France", Role.ADMIN),
    ("banque.territoires", "Camille", "Fontaine", "Banque des Territoires", Role.ADMIN),
    ("region.hdf", "Louis", "Mercier", "Région Hauts-de-France", Role.ADMIN),
    ("coop.communs", "Sarah", "Lambert", "La Coop des Communs", Role.ADMIN),
]

CATALOGUE = [
    # name, category, licence, referenced, description
    (
        "Standard REST covoiturage",
        CommonsCategory.KNOWLEDGE,
        "ODbL-1.0",
        True,
        "Format ouvert d'échange des trajets de covoiturage entre plateformes.",
    ),
    (
        "Registre de preuve de covoiturage",
        CommonsCategory.KNOWLEDGE,
        "AGPL-3.0-or-later",
        True,
        "Service public numérique qui certifie les trajets partagés.",
    ),
    (
        "Base Adresse Nationale",
        CommonsCategory.PUBLIC_SPACE,
        "etalab-2.0",
        True,
        "Référentiel ouvert des adresses, tenu par ses contributeurs.",
    ),
    (
        "Carte des aménagements cyclables",
        CommonsCategory.PUBLIC_SPACE,
        "ODbL-1.0",
        False,
        "Données contributives des pistes et stationnements vélo.",
    ),
    (
        "Jardins partagés de la métropole",
        CommonsCategory.NATURAL,
        "CC-BY-SA-4.0",
        False,
        "Inventaire et règles d'usage des jardins partagés.",
    ),
    (
        "Guide santé et mobilités actives",
        CommonsCategory.HEALTH,
        "CC-BY-4.0",
        True,
        "Connaissances partagées sur la marche, le vélo et la santé.",
    ),
]

RESOURCES = [
    {
        "title": "Standard ouvert de données de covoiturage",
        "commons": "Standard REST covoiturage",
        "description": "Faire évoluer le standard d'échange des trajets et des réservations.",
        "expected_licence": "ODbL-1.0",
    },
    {
        "title": "Brique open source de réservation",
        "description": "Un module de réservation de trajets partagés, réutilisable partout.",
        "expected_licence": "EUPL-1.2",
    },
    {
        "title": "Base de connaissances partagée",
        "description": "Retours d'expérience, guides et données sur la mobilité partagée.",
        "expected_licence": "CC-BY-SA-4.0",
    },
]

CONTEXT = (
    "La Métropole Européenne de Lille souhaite développer la mobilité partagée sur son "
    "territoire. Plutôt que de financer un projet fermé, elle lance un appel à communs : "
    "les ressources produites seront ouvertes, gouvernées par leur communauté et "
    "réutilisables par toutes les collectivités."
)


# Each call has its own context: what its territory needs and why an appel à communs.
CONTEXTS = {
    "MEL-AAC-2026-002": (
        "Les livraisons du dernier kilomètre encombrent le centre de Lille. La Métropole "
        "cherche des communs pour mutualiser les espaces logistiques de proximité : un "
        "référentiel ouvert des aires de livraison, un outil libre de réservation des "
        "créneaux et des données partagées entre transporteurs, commerçants et communes."
    ),
    "MEL-AAC-2026-003": (
        "Marche et vélo progressent dans la métropole, mais leurs données restent éparses. "
        "Cet appel hors marché subventionne, sous convention, la production de données "
        "ouvertes des mobilités actives (aménagements cyclables, stationnement vélo, "
        "comptages) et des outils libres pour les tenir à jour avec les habitants."
    ),
    "MEL-AAC-2026-006": (
        "Dans les villages de la métropole, se déplacer sans voiture reste difficile. Avant "
        "de cofinancer quoi que ce soit, la Métropole confie aux équipes retenues un petit "
        "budget pour explorer chaque commun avec les habitants et les tiers-lieux ruraux ; "
        "seuls les communs qui auront fait leurs preuves seront ouverts au cofinancement."
    ),
    "MEL-AAC-2026-004": (
        "Des tiers-lieux et des collectifs citoyens produisent et partagent de l'énergie "
        "sur le territoire. La Métropole veut outiller ces communautés énergétiques : un "
        "standard ouvert d'échange des données de production, une brique libre de "
        "réservation des équipements partagés et un guide de gouvernance réutilisable."
    ),
    "MEL-AAC-2026-005": (
        "Les tiers-lieux de la métropole partagent outils, savoirs et équipements. Cet appel "
        "retient trois communs ; avant d'ouvrir leur cofinancement, ses financeurs et ses "
        "contributeurs choisissent ensemble, par jugement majoritaire, ceux qui méritent "
        "d'être cofinancés."
    ),
}


PARTNER_LINES = [
    # resource index, username, organisation, intent, days, profile
    (0, "mobicoop", "Mobicoop SCIC", "produce", 60, "Développeurs et product owner"),
    (0, "covoitlibre", "Covoit'Libre SAS", "contribute", 20, "Expert des données de trajets"),
    (1, "covoitlibre", "Covoit'Libre SAS", "produce", 80, "Équipe de développement"),
    (1, "geocommuns", "GéoCommuns SAS", "use", 0, ""),
    (2, "ruespartagees", "Association Rues Partagées", "produce", 40, "Animation et documentation"),
    (2, "fabmob", "La Fabrique des Mobilités", "contribute", 15, "Animation de communauté"),
]


PROPOSALS = [
    (
        "mobicoop",
        "Standard covoiturage 2.0",
        "Spécification, jeux de tests, validateur en ligne",
        "ODbL-1.0",
        "42000.00",
    ),
    (
        "covoitlibre",
        "Réservation partagée en open source",
        "Module de réservation\nAPI documentée\nGuide d'intégration",
        "EUPL-1.2",
        "68000.00",
    ),
    (
        "ruespartagees",
        "Wiki de la mobilité partagée",
        "Wiki, fiches pratiques, ateliers",
        "CC-BY-SA-4.0",
        "24000.00",
    ),
]


# Each proposal's budget (category, label, quantity, unit, rate, scope), summing to
# 42 000 €, 68 000 € and 24 000 €, coordination and animation between 10 % and 25 %.
# Under a marché public the buyer pays the development (inside the contract); the
# animation, hosting and workshops lie outside it and are cofunded: 9 000 €, 16 000 €
# and 10 500 €. Hors marché, every line is subsidised.
BUDGETS = [
    [
        ("development", "Spécification et validateur", "60", "day", "550", "contract"),
        ("coordination", "Coordination et animation du groupe", "12", "day", "550", "outside"),
        ("hosting", "Hébergement du validateur", "40", "hour", "60", "outside"),
    ],
    [
        ("development", "Module de réservation et API", "100", "day", "520", "contract"),
        (
            "coordination",
            "Coordination et animation de la communauté",
            "20",
            "day",
            "500",
            "outside",
        ),
        ("hosting", "Exploitation de l'instance de démonstration", "100", "hour", "60", "outside"),
    ],
    [
        ("development", "Wiki et fiches pratiques", "30", "day", "450", "contract"),
        (
            "coordination",
            "Coordination et animation des contributeurs",
            "10",
            "day",
            "450",
            "outside",
        ),
        ("other", "Ateliers dans les territoires", "60", "hour", "100", "outside"),
    ],
]


ENVELOPES = [("ademe", "15000"), ("banque.territoires", "8000"), ("region.hdf", "6000")]
# bucket (in proposal order), funder, amount: what lies outside each contract, the first
# 9 000 €, the second 16 000 € (the contract price is the buyer's, never cofunded)
PLEDGES = [
    (0, "ademe", "6000"),
    (1, "ademe", "8000"),
    (1, "banque.territoires", "6000"),
    (1, "region.hdf", "2000"),
]

# Matching funds ("doublonnage"): the Région adds 0,50 € per euro others pledge on the
# first commons, up to 3 000 € — the ADEME's 6 000 € call the whole cap, and the close
# honours it: the first commons is funded at its 9 000 €.
MATCHING = [("region.hdf", "0.5", "3000", [0])]

# The completed call's lots: one per resource, with their estimates (HT), adding up to
# the call's estimate of 180 000 €.
LOT_ESTIMATES = ["60000.00", "80000.00", "40000.00"]

# The draft groups the standard and the booking brick in one lot, with its reason
# (a divided call's choice, printed in the règlement de l'appel).
GROUPED_LOTS = [
    {"title": "Standard et brique de réservation", "estimated_amount": "130000.00"},
    # Reserved to the structures d'insertion par l'activité économique (article
    # L2113-13): its RC will say so when the call is published.
    {
        "title": "Base de connaissances partagée",
        "estimated_amount": "50000.00",
        "reserved_insertion": True,
    },
]

# The organisations' standing as structures of disabled or disadvantaged workers (status,
# share of such workers in percent): they open the lots reserved under L2113-12 and
# L2113-13 (at least 50 %, article R2113-7).
INCLUSION = {
    "Association Rues Partagées": ("siae", "65.00"),
}
GROUPED_RESOURCE_LOTS = [1, 1, 2]
SINGLE_LOT_REASON = (
    "Le standard de données et la brique de réservation sont techniquement "
    "indissociables : la brique implémente le standard, et les confier à deux titulaires "
    "rendrait leur coordination difficile et coûteuse."
)

# The données essentielles the buyer gives with its drafts (article R2196-1): the CPV
# code of the commons' production (72260000, services related to software) and the
# main place of execution, the Nord département (INSEE code 59).
ESSENTIAL_DATA = {
    "cpv_code": "72260000",
    "execution_place_kind": "department",
    "execution_place_code": "59",
}
