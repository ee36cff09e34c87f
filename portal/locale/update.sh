#!/usr/bin/env bash
# Refresh the portal's English catalogue (needs gettext: apt-get install gettext).
# It gathers the portal's own strings (views, forms, templates), keeps the translations
# already made, then compiles the .mo that Django reads. The domain's labels (stages,
# verdicts, step titles…) are translated in the project's catalogue (locale/).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/conf" "$work/src"
ln -s "$root/portal/locale" "$work/conf/locale"
ln -s "$root/portal" "$work/src/portal"
ln -s "$root/templates/portal" "$work/src/templates"
cd "$work"
PYTHONPATH="$root" DJANGO_SETTINGS_MODULE=config.settings_test \
  "$root/.venv/bin/python" -m django makemessages --symlinks --no-location --no-obsolete \
  -l en -i "src/portal/locale" -e html,py,svg -i "src/portal/locale/*"
PYTHONPATH="$root" DJANGO_SETTINGS_MODULE=config.settings_test \
  "$root/.venv/bin/python" -m django compilemessages -l en
