#!/bin/sh
# Installs the Regulars folder for this user: run it from inside the built folder (dist/Regulars).
#   ./install.sh            copies the folder to ~/.local/opt/Regulars, adds Regulars to the
#                           applications menu, and regulars / regulars-cli to ~/.local/bin
#   ./install.sh --remove   undoes that (the shop files in ~/.local/share/regulars stay)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
target=$HOME/.local/opt/Regulars
entry=$data/applications/regulars.desktop
icon=$data/icons/hicolor/256x256/apps/regulars.png
bin=$HOME/.local/bin

if [ "${1:-}" = "--remove" ]; then
  rm -rf "$target" "$entry" "$icon" "$bin/regulars" "$bin/regulars-cli"
  echo "Regulars is removed; the shop files in $data/regulars are kept."
  exit 0
fi
[ -x "$here/regulars" ] || { echo "Run install.sh from inside the Regulars folder." >&2; exit 1; }
if [ "$here" != "$target" ]; then
  rm -rf "$target"
  mkdir -p "$(dirname "$target")"
  cp -a "$here" "$target"
fi
mkdir -p "$(dirname "$entry")" "$(dirname "$icon")" "$bin"
cp "$target/regulars.png" "$icon"
sed "s|^Exec=regulars\$|Exec=\"$target/regulars\"|" "$target/regulars.desktop" > "$entry"
ln -sf "$target/regulars" "$bin/regulars"
ln -sf "$target/regulars-cli" "$bin/regulars-cli"
echo "Regulars is installed in $target and in the applications menu."
