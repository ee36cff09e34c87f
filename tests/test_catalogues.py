"""Every French text has its English translation, compiled where Django reads it."""

import ast
import gettext
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [
    ROOT / "locale/en/LC_MESSAGES/django.po",
    ROOT / "portal/locale/en/LC_MESSAGES/django.po",
]


def entries(po: Path):
    """(msgctxt, msgid, msgid_plural, [msgstr…], fuzzy) of each live entry of a .po file."""
    entry: dict = {}
    current = None
    fuzzy = False

    def flush():
        if entry.get("msgid"):
            yield (
                entry.get("msgctxt"),
                entry["msgid"],
                entry.get("msgid_plural"),
                entry["msgstr"],
                fuzzy,
            )

    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            yield from flush()
            entry, current, fuzzy = {}, None, False
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if current[0] == "msgstr":
                entry["msgstr"][current[1]] += text
            else:
                entry[current[0]] += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                entry.setdefault("msgstr", []).append(text)
                current = ("msgstr", len(entry["msgstr"]) - 1)
            else:
                entry[keyword] = text
                current = (keyword, None)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_and_compiled(po):
    compiled = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    missing = []
    for context, msgid, plural, msgstrs, fuzzy in entries(po):
        found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if fuzzy or not all(msgstrs):
            missing.append(msgid)
        elif plural is None and found != msgstrs[0]:
            missing.append(f"{msgid} (not compiled: run locale/update.sh)")
    assert not missing, "\n".join(missing)
