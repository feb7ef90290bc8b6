#!/usr/bin/env bash
# Build dist/irbox, one executable holding Python, irbox and its dependencies.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-"$root/.venv/bin/python"}
cd "$root/packaging"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$root/dist" --workpath "$root/build/pyinstaller" irbox.spec
ls -l "$root/dist/irbox"
