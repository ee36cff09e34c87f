#!/usr/bin/env bash
# Refresh the project's English catalogue (needs gettext: apt-get install gettext).
# It gathers the domain's strings (models, services, API, flow, e-mails), keeps the
# translations already made, then compiles the .mo that Django reads. The portal keeps
# its own catalogue: portal/locale/update.sh.
# Translations made on other branches can be brought in: pass their .po files as
# arguments; their msgstr fill the entries still empty here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
po=locale/en/LC_MESSAGES/django.po
if [ "$#" -gt 0 ]; then
  compendium="$(mktemp)"
  trap 'rm -f "$compendium"' EXIT
  msgcat --use-first -o "$compendium" "$po" "$@"
  cp "$compendium" "$po"
fi
DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m django makemessages \
  -l en --no-obsolete --add-location file \
  -i ".venv/*" -i "portal/*" -i "templates/portal/*" -i "tests/*" \
  -i "bench/*" -i "node_modules/*" -i "build/*"
DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m django compilemessages -l en \
  -i ".venv" -i "portal"
