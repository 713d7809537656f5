#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing.
#   scripts/ensure-system-deps.sh            # everything
#   scripts/ensure-system-deps.sh mariadb    # only the MariaDB server (integration tests on MySQL)
#   scripts/ensure-system-deps.sh chromium   # only Chromium + CJK fonts (e2e tests)
#   scripts/ensure-system-deps.sh redis      # only redis-server (multi-process tests, when no Redis runs)
# As root it runs apt-get itself; otherwise it prints the exact command and exits 1.
# It never downloads a browser build: Chromium comes from Debian's package.
set -euo pipefail

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(mariadb chromium redis)

packages=()
for w in "${want[@]}"; do
  case "$w" in
    mariadb)
      if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
        packages+=(mariadb-server)
      fi
      ;;
    redis)
      command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
      ;;
    chromium)
      [ -x /usr/bin/chromium ] || packages+=(chromium)
      # Without CJK fonts Chinese text renders as boxes in screenshots.
      if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed"; then
        packages+=(fonts-noto-cjk)
      fi
      ;;
    *)
      echo "ensure-system-deps: unknown component '$w' (expected: mariadb, chromium, redis)" >&2
      exit 2
      ;;
  esac
done

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-system-deps: missing Debian packages: ${packages[*]}" >&2
  echo "Run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi

echo "ensure-system-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# A package's postinst may try to start its service; in a container without an init system that
# fails harmlessly, and the test suite starts its own throwaway server anyway.
apt-get install -y -qq --no-install-recommends "${packages[@]}"
