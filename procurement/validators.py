"""Validators of French identifiers (SIREN, SIRET, TVA, RNA) and SPDX licence ids.

python-stdnum checks the keys, La Poste's exception included: its establishments share
one SIREN (356000000) and their SIRET's digits sum to a multiple of 5 instead of passing
Luhn, except the head office's (35600000000048), which passes Luhn. The format is ours
to check first: the fields keep the bare digits, where stdnum would accept spaces.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren, siret, tva


def validate_siren(value: str) -> None:
    if not re.fullmatch(r"\d{9}", value or ""):
        raise ValidationError(_("Un SIREN compte exactement 9 chiffres."), code="siren_format")
    if not siren.is_valid(value):
        raise ValidationError(
            _("Ce SIREN n'est pas valide (clé de contrôle incorrecte)."), code="siren_checksum"
        )


def validate_siret(value: str) -> None:
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(_("Un SIRET compte exactement 14 chiffres."), code="siret_format")
    if not siret.is_valid(value):
        raise ValidationError(
            _("Ce SIRET n'est pas valide (clé de contrôle incorrecte)."), code="siret_checksum"
        )


def validate_tva(value: str) -> None:
    """A French intra-community VAT number: FR, a two-character key, then the SIREN
    (or nine digits starting 000 for Monaco)."""
    if not re.fullmatch(r"FR[0-9A-HJ-NP-Z]{2}\d{9}", value or ""):
        raise ValidationError(
            _(
                "Un numéro de TVA intracommunautaire français s'écrit FR, deux caractères "
                "de clé puis les 9 chiffres du SIREN (ex. FR44732829320)."
            ),
            code="tva_format",
        )
    if not tva.is_valid(value):
        raise ValidationError(
            _("Ce numéro de TVA intracommunautaire n'est pas valide (clé de contrôle incorrecte)."),
            code="tva_checksum",
        )


def validate_rna(value: str) -> None:
    """RNA: 'W' then 9 characters — a department code (digits, or 2A/2B) and digits."""
    if not re.fullmatch(r"W(\d|2A|2B)\d{7,8}", value or "") or len(value) != 10:
        raise ValidationError(
            _("Un numéro RNA s'écrit W suivi de 9 caractères (ex. W595012345)."), code="rna_format"
        )


def validate_cpv(value: str) -> None:
    """A code of the Common Procurement Vocabulary (Regulation (EC) No 213/2008): eight
    digits, the first two the division (03 to 98), optionally followed by its check
    digit (``72260000-5``), which the données essentielles prefer left out."""
    match = re.fullmatch(r"(\d{8})(-\d)?", value or "")
    if not match or not 3 <= int(value[:2]) <= 98:
        raise ValidationError(
            _(
                "Un code CPV s'écrit avec 8 chiffres, suivis ou non de son chiffre de "
                "contrôle (ex. 72260000 ou 72260000-5)."
            ),
            code="cpv_format",
        )


# The format of a place of execution's code, by its type (INSEE's geographic codes;
# a country by its ISO 3166 alpha-2 code): a commune or a postal code has five
# characters, Corsica's départements are 2A and 2B, the overseas ones three digits.
EXECUTION_PLACE_FORMATS = {
    "commune": (r"(\d{2}|2A|2B)\d{3}", "59350"),
    "postal_code": (r"\d{5}", "59000"),
    "arrondissement": (r"(\d{2}|2A|2B|97\d)\d{1}", "593"),
    "canton": (r"(\d{2}|2A|2B|97\d)\d{2}", "5901"),
    "department": (r"0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6]", "59"),
    "region": (r"\d{2}", "32"),
    "country": (r"[A-Z]{2}", "FR"),
}


def validate_execution_place(kind: str, code: str) -> None:
    """A place of execution is a code and its type, given together, the code in its
    type's format (``EXECUTION_PLACE_FORMATS``). Both empty is no place (yet)."""
    if not kind and not code:
        return
    if not kind:
        raise ValidationError(
            {"execution_place_kind": _("Indiquez le type du code du lieu d'exécution.")},
            code="execution_place_kind",
        )
    if not code:
        raise ValidationError(
            {"execution_place_code": _("Indiquez le code du lieu d'exécution.")},
            code="execution_place_code",
        )
    pattern, example = EXECUTION_PLACE_FORMATS.get(kind, (r".+", ""))
    if not re.fullmatch(pattern, code):
        raise ValidationError(
            {
                "execution_place_code": _(
                    "Ce code ne correspond pas au type choisi (exemple : %(example)s)."
                )
                % {"example": example}
            },
            code="execution_place_format",
        )


# Open licences accepted for commons (SPDX ids): OSI / Open Knowledge approved.
OPEN_LICENCES = {
    "AGPL-3.0-or-later",
    "AGPL-3.0-only",
    "GPL-3.0-or-later",
    "GPL-3.0-only",
    "GPL-2.0-or-later",
    "LGPL-3.0-or-later",
    "LGPL-2.1-or-later",
    "MPL-2.0",
    "EUPL-1.2",
    "Apache-2.0",
    "MIT",
    "BSD-3-Clause",
    "BSD-2-Clause",
    "CECILL-2.1",
    "CECILL-B",
    "CECILL-C",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "ODbL-1.0",
    "ODC-By-1.0",
    "PDDL-1.0",
    "etalab-2.0",
}
# Reciprocity licences the Chambre may list (not SPDX: named by their usual id).
RECIPROCITY_LICENCES = {
    "Peer-Production-License",
    "CopyFair",
    "Coopyright",
    "CoopyLeft",
    "Contributive-Commons",
}


def validate_licence(value: str) -> None:
    if value not in OPEN_LICENCES and value not in RECIPROCITY_LICENCES:
        raise ValidationError(
            _(
                "La licence « %(value)s » n'est pas une licence ouverte acceptée "
                "(identifiant SPDX, par exemple EUPL-1.2, AGPL-3.0-or-later, ODbL-1.0) "
                "ni une licence à réciprocité listée par la Chambre."
            ),
            code="licence",
            params={"value": value},
        )
