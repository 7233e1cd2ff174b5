#!/usr/bin/env bash
# The Debian/Ubuntu packages that the tests and the sandbox run for real: one list, used by
# `npm test` and `npm run sandbox` (as their pre-scripts) and by .ci/run.
#   scripts/system-deps.sh test|sandbox
# Installs what is missing when it can (root, or passwordless sudo, with apt-get); otherwise it
# names the exact command and fails.
set -euo pipefail
purpose=${1:-test}

# program -> package that ships it
# openssl makes the real control plane's certificates and the sandbox's self-signed TLS Secrets;
# unshare runs the operator's pod on it and gives mysqld-exporter (every database pod's metrics
# sidecar) an /etc/hosts of its own; iptables cuts pods apart for network partitions (socat: the
# partition tests' clients; promtool checks and unit-tests the chart's alerts).
programs=(haproxy:haproxy mariadbd:mariadb-server mariadb-install-db:mariadb-server mariadb:mariadb-client mariadb-admin:mariadb-client
  mariadb-backup:mariadb-backup mbstream:mariadb-backup openssl:openssl unshare:util-linux unzip:unzip
  iptables-restore:iptables prometheus-mysqld-exporter:prometheus-mysqld-exporter)
if [ "$purpose" = test ]; then
  programs+=(lua5.1:lua5.1 socat:socat promtool:prometheus)
fi

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/local/sbin/$1" ]; }

missing=()
for entry in "${programs[@]}"; do
  program=${entry%%:*} package=${entry#*:}
  if ! has "$program" && [[ " ${missing[*]-} " != *" $package "* ]]; then missing+=("$package"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo=sudo; else sudo=no; fi
if [ "$sudo" = no ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "webstack-operator $purpose needs these packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's package may start a system-wide server; the tests and the sandbox run their own.
if [[ " ${missing[*]} " == *" mariadb-server "* ]]; then
  $sudo systemctl stop mariadb >/dev/null 2>&1 || $sudo service mariadb stop >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" prometheus "* ]]; then
  $sudo systemctl stop prometheus >/dev/null 2>&1 || $sudo service prometheus stop >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" prometheus-mysqld-exporter "* ]]; then
  $sudo systemctl stop prometheus-mysqld-exporter >/dev/null 2>&1 || $sudo service prometheus-mysqld-exporter stop >/dev/null 2>&1 || true
fi
