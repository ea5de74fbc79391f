#!/bin/sh
# Installs the Debian packages briefgen needs, or says exactly what to install.
#   required: python3-venv (a virtual environment), libpango (WeasyPrint's text layout)
#   wanted:   libharfbuzz-subset0 (fast font subsetting that writes no timestamps into PDFs),
#             chromium, with the argument "test" (the test suite opens the web style's page in it: accessibility, requests)
# Fonts are not needed from the system: the styles bundle their own (templates/_shared/fonts).
set -eu

missing_required=""
missing_wanted=""

has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

"${PYTHON:-python3}" -c "import ensurepip, venv" 2>/dev/null || missing_required="$missing_required python3-venv"
has_lib libpango-1.0.so.0 || missing_required="$missing_required libpango-1.0-0"
has_lib libpangoft2-1.0.so.0 || missing_required="$missing_required libpangoft2-1.0-0"
has_lib libharfbuzz-subset.so.0 || missing_wanted="$missing_wanted libharfbuzz-subset0"
# Only the tests need a browser: `setup-system.sh test` asks for it, plain setup does not.
if [ "${1:-}" = test ]; then
    command -v chromium >/dev/null 2>&1 || missing_wanted="$missing_wanted chromium"
fi

packages="$missing_required$missing_wanted"
[ -z "$packages" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing$packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
    exit 0
fi

echo "setup: these system packages are missing:$packages"
echo "setup: install them with:  sudo apt-get install -y$packages"
if [ -n "$missing_required" ]; then
    echo "setup: briefgen cannot run without:$missing_required" >&2
    exit 1
fi
case "$missing_wanted" in *libharfbuzz-subset0*)
    echo "setup: continuing without libharfbuzz-subset0: PDFs are written about 3x slower" \
         "and are not byte-reproducible" ;;
esac
case "$missing_wanted" in *chromium*)
    echo "setup: continuing without chromium: briefgen builds, but the web style's browser" \
         "test fails until it is installed (run 'make test' as root)" ;;
esac
