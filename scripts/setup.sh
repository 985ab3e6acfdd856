#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test memsim, from Debian's packages.
# Idempotent and non-interactive: packages already installed are left alone, and apt is not
# touched at all when nothing is missing.
set -euo pipefail

packages=(
  g++ cmake make pkg-config git
  libsystemc-dev                 # SystemC 2.3.4 with TLM-2.0 (built for C++17)
  libboost-program-options-dev   # the command line
  libyaml-cpp-dev                # configurations
  nlohmann-json3-dev             # stats.json
  libfmt-dev                     # formatting
  libzstd-dev zstd               # binary traces and compressed traces
  catch2                         # tests (v2.13)
  valgrind                       # reference traces and cache counts (lackey, cachegrind)
  clang libclang-rt-14-dev       # libFuzzer targets (scripts/fuzz)
  python3
  python3-matplotlib             # scripts/plot, memsim compare/sweep --plot
  openmpi-bin libopenmpi-dev     # memsim sweep under mpirun/srun (optional at build time)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
