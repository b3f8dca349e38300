#!/usr/bin/env bash
# Installs the Debian tools the broker and the test suite need but pip cannot provide:
#   java (17+) and mvn -> run the local Kafka broker and fetch its jars from Maven Central
#   kcat            -> an outside Kafka client the integration tests push raw stories with
#   prometheus      -> /usr/bin/promtool (config, rule and alert unit-test checks)
#   chromium        -> headless browser for dashboard/page screenshots
#   chromium-driver -> WebDriver for that browser
# Idempotent: when every binary is already present, apt is not touched at all.
# Run as root (CI and developer machines are root); no prompts.
set -euo pipefail

need=()
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
    need+=(prometheus)
fi
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v kcat >/dev/null 2>&1 || need+=(kcat)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

if [[ ${#need[@]} -eq 0 ]]; then
    echo "install-tools: java, mvn, kcat, promtool, prometheus, chromium, chromedriver present"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-tools: must run as root to install: ${need[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The Debian prometheus package would start a server on :9090; the tests only need the
# binaries, so forbid service starts during the install (unless a policy is already there).
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
echo "install-tools: installing ${need[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"

for bin in java mvn kcat promtool prometheus chromium chromedriver; do
    if ! command -v "$bin" >/dev/null 2>&1; then
        echo "install-tools: $bin still missing after install" >&2
        exit 1
    fi
done
echo "install-tools: done ($(promtool --version 2>&1 | head -n1))"
