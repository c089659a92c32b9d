#!/usr/bin/env bash
# Build the Linux bundle: a one-folder PyInstaller build packed as a tar.gz with a .desktop
# file, the icon and an install script; then start the built program once offscreen.
#   bash installer/build_linux.sh            -> build/commune_desk-<version>-linux-<arch>.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" -m pip install -q -e ".[build]"
VERSION=$("$PY" -c "import commune_desk; print(commune_desk.__version__)")
ARCH=$(uname -m)
start=$(date +%s)
"$PY" -m PyInstaller installer/commune_desk.spec --noconfirm --log-level WARN \
  --distpath build/dist --workpath build/work
STAGE="build/stage/commune_desk-$VERSION"
rm -rf build/stage && mkdir -p "$STAGE"
cp -a build/dist/commune_desk/. "$STAGE/"
cp installer/commune-desk.desktop resources/icons/commune_desk.png "$STAGE/"
cat > "$STAGE/install.sh" <<'INSTALL'
#!/usr/bin/env bash
# Install for the current user: ~/.local/opt/commune_desk, a menu entry and the icon.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$HOME/.local/opt/commune_desk"
mkdir -p "$dest" "$HOME/.local/bin" "$HOME/.local/share/applications" "$HOME/.local/share/icons/hicolor/256x256/apps"
cp -a "$here/." "$dest/"
ln -sf "$dest/commune_desk" "$HOME/.local/bin/commune_desk"
sed "s|^Exec=.*|Exec=$dest/commune_desk|" "$here/commune-desk.desktop" > "$HOME/.local/share/applications/commune-desk.desktop"
cp "$here/commune_desk.png" "$HOME/.local/share/icons/hicolor/256x256/apps/commune_desk.png"
echo "commune_desk installed in $dest (data stays in ~/.local/share/commune_desk)"
INSTALL
chmod +x "$STAGE/install.sh"
TARBALL="build/commune_desk-$VERSION-linux-$ARCH.tar.gz"
tar -C build/stage -czf "$TARBALL" "commune_desk-$VERSION"
end=$(date +%s)
echo "built $TARBALL ($(du -h "$TARBALL" | cut -f1), folder $(du -sh "$STAGE" | cut -f1)) in $((end - start)) s"
bash installer/smoke_frozen.sh "$STAGE/commune_desk"
