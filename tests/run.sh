#!/usr/bin/env bash
# The kit's test command (README): installs what the tests need on a fresh Debian/Ubuntu machine
# (g++ for the libstdc++ shim; nbformat, nbconvert and chromium as real validators; jupyter-client and
# python3-ipykernel for the Jupyter route; python3-torch for the independent reference of FromPretrained's tests,
# tests/reference/make_reference.py), restores the pinned tools (.config/dotnet-tools.json: dotnet-repl and
# dotnet-interactive, the real .NET Interactive kernel), installs the kernel's Jupyter kernelspec, builds the PeftKit
# package feed, then runs every test project. Results go to TestResults/*.trx. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c "import nbformat" 2>/dev/null || need+=(python3-nbformat)
[ -x /usr/bin/jupyter-nbconvert ] || need+=(jupyter-nbconvert)
[ -x /usr/bin/jupyter-kernel ] || need+=(jupyter-client)
/usr/bin/python3 -c "import ipykernel" 2>/dev/null || need+=(python3-ipykernel)
/usr/bin/python3 -c "import torch" 2>/dev/null || need+=(python3-torch)
command -v chromium >/dev/null || need+=(chromium)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

dotnet tool restore
# The kernelspec's command is `dotnet interactive`, which the tool manifest above resolves inside this repository.
/usr/bin/jupyter kernelspec list 2>/dev/null | grep -q '\.net-csharp' || PATH="/usr/bin:$PATH" dotnet tool run dotnet-interactive jupyter install
# The one command that builds the feed: pack PeftKit into artifacts/feed and install it into the NuGet cache.
dotnet build lib/PeftKit --nologo -v q

rm -rf TestResults
# -m:1: one test project at a time. Side by side on a 2-core machine, the unit tests' TorchSharp and the notebook runs'
# oversubscribe the cores and both run several times slower than one after the other.
dotnet test Kit.sln -m:1 --logger "trx;LogFilePrefix=results" --results-directory TestResults "$@"
