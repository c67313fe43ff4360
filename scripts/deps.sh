#!/usr/bin/env bash
# Install the Debian packages MiceDB needs to build and test. Idempotent: when every package
# is already installed it only runs dpkg-query once and exits.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config clang llvm libclang-rt-14-dev
  librocksdb-dev liblz4-dev libzstd-dev libsnappy-dev zlib1g-dev libbz2-dev
  libpg-query-dev libuv1-dev libssl-dev libprotobuf-c-dev protobuf-c-compiler
  libmicrohttpd-dev libjansson-dev libcmocka-dev libpq-dev
)
TEST_PKGS=(
  python3 python3-psycopg python3-pytest
  python3-psycopg2 python3-asyncpg python3-sqlalchemy pgcli
  postgresql-15 postgresql-client-15 postgresql-contrib
  redis-server redis-tools python3-redis
  sysbench linux-perf etcd-server
  iproute2 iptables
  libpostgresql-jdbc-java default-jdk-headless golang-go golang-github-jackc-pgx-v4-dev
)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
if [ "${1:-}" = "--print" ]; then printf '%s\n' "${want[@]}"; exit 0; fi

missing=()
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${want[@]}" 2>/dev/null | \
  awk '$NF == "installed" {print $1}' || true)
for p in "${want[@]}"; do
  grep -qx "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# apt-get update once per machine (the lists directory is empty on a fresh one) or when an
# install fails because the lists are stale.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
  $SUDO apt-get update -qq
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deps: done"
