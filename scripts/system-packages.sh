#!/usr/bin/env bash
# The system packages the tests and CI need, found or installed in one place (`make test` and `.ci/run`).
#
#   system-packages.sh chromium [--required]
#       Chromium for the browser tests, at CHROMIUM_PATH (default /usr/bin/chromium). When it is missing,
#       Debian's `chromium` is installed with apt if apt-get is there, we are root, CHROMIUM_PATH is the
#       default and CHROMIUM_INSTALL is not 0. Otherwise one line says how to get it, the browser tests are
#       reported as skipped with that reason, and the exit status is 0 (with --required: 1).
#   system-packages.sh install [--no-install-recommends] PACKAGE...
#       apt-get install each PACKAGE dpkg does not already have (needs root; `apt-get update` runs once).
set -euo pipefail

DEFAULT_CHROMIUM=/usr/bin/chromium

apt_updated=0
apt_install() { # apt_install [--no-install-recommends] PACKAGE...
    local opts=() pkg
    if [ "${1:-}" = "--no-install-recommends" ]; then
        opts+=("$1")
        shift
    fi
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 && continue
        if [ "$apt_updated" -eq 0 ]; then
            apt-get update -qq
            apt_updated=1
        fi
        echo "Installing $pkg"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opts[@]}" "$pkg"
    done
}

# Why Chromium cannot be installed here, or nothing when it can.
why_no_install() {
    if [ "${CHROMIUM_INSTALL:-1}" = "0" ]; then
        echo "CHROMIUM_INSTALL=0"
    elif [ "$1" != "$DEFAULT_CHROMIUM" ]; then
        echo "CHROMIUM_PATH is not Debian's $DEFAULT_CHROMIUM"
    elif ! command -v apt-get >/dev/null 2>&1; then
        echo "no apt-get here"
    elif [ "$(id -u)" -ne 0 ]; then
        echo "not root"
    fi
}

chromium() { # chromium [--required]
    local path="${CHROMIUM_PATH:-$DEFAULT_CHROMIUM}" reason
    if [ ! -x "$path" ]; then
        reason="$(why_no_install "$path")"
        if [ -z "$reason" ]; then
            echo "Chromium not found at $path: installing Debian's chromium for the browser tests"
            apt_install chromium || reason="apt-get install chromium failed"
        fi
    fi
    if [ -x "$path" ]; then
        echo "Chromium for the browser tests: $path"
        return 0
    fi
    echo "Chromium not found at $path (${reason:-not installed}): the browser tests will be skipped;" \
        "install it with 'sudo apt-get install chromium' (Debian) or set CHROMIUM_PATH to a Chromium binary." >&2
    [ "${1:-}" != "--required" ]
}

case "${1:-}" in
    chromium)
        shift
        chromium "$@"
        ;;
    install)
        shift
        apt_install "$@"
        ;;
    *)
        sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
