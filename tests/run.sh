#!/usr/bin/env bash
# The kit's test command (README): installs what the tests need on a fresh Debian/Ubuntu machine
# (g++ for the libstdc++ shim, nbformat + nbconvert + chromium as real validators), then runs every
# test project. Results go to TestResults/*.trx. Extra arguments are passed to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c "import nbformat" 2>/dev/null || need+=(python3-nbformat)
[ -x /usr/bin/jupyter-nbconvert ] || need+=(jupyter-nbconvert)
command -v chromium >/dev/null || need+=(chromium)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

rm -rf TestResults
dotnet test Kit.sln --logger "trx;LogFilePrefix=results" --results-directory TestResults "$@"
