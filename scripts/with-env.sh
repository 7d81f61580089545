#!/usr/bin/env bash
# Run a command inside cfprob's virtual environment, creating or refreshing it first.
#
#   scripts/with-env.sh cfprob run kosygin-1965
#   scripts/with-env.sh pytest
#
# It needs Python 3.12 or newer and finds one itself: $CFPROB_PYTHON if set, then python3.12/python3.13/
# python3/python on PATH, then interpreters installed by pyenv or uv (oldest suitable first). The environment lives in .venv
# (or $CFPROB_VENV); cfprob is installed into it editable (this checkout's code and priors/), with uv when it can
# (pip otherwise, or with CFPROB_INSTALLER=pip), and reinstalled when pyproject.toml changes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CFPROB_VENV:-$root/.venv}"

suitable() {
  [ -x "$1" ] && "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null
}

find_python() {
  local candidates=()
  [ -n "${CFPROB_PYTHON:-}" ] && candidates+=("$CFPROB_PYTHON")
  for name in python3.12 python3.13 python3.14 python3 python; do
    command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
  done
  for base in "${PYENV_ROOT:-$HOME/.pyenv}/versions" "$HOME/.local/share/uv/python" /usr/local/bin /opt/python; do
    [ -d "$base" ] || continue
    while IFS= read -r found; do candidates+=("$found"); done < <(
      ls -d "$base"/*3.1[2-9]*/bin/python3 "$base"/python3.1[2-9] 2>/dev/null | sort -V)
  done
  for candidate in "${candidates[@]}"; do
    if suitable "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

# pip, quiet; drops the warnings some pip configurations print about missing local package indexes
pip_quiet() {
  "$venv/bin/python" -m pip install --quiet "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
}

# uv installs the dependencies about ten times faster than pip: the one on PATH, else one installed into the
# environment from the package registry; pip is the fallback when neither works (or CFPROB_INSTALLER=pip).
installer() {
  [ "${CFPROB_INSTALLER:-uv}" = "pip" ] && return 1
  if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
  if [ -x "$venv/bin/uv" ] || pip_quiet uv 2>/dev/null; then echo "$venv/bin/uv"; return 0; fi
  return 1
}

if ! suitable "$venv/bin/python"; then
  if ! python="$(find_python)"; then
    echo "cfprob needs Python 3.12 or newer and found none (looked at \$CFPROB_PYTHON, python3.12+ on PATH," >&2
    echo "pyenv and uv installs). Install one (e.g. 'pyenv install 3.12') or set CFPROB_PYTHON=/path/to/python3.12." >&2
    exit 1
  fi
  echo "cfprob: creating $venv with $("$python" --version 2>&1) ($python)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi

# cfprob is installed editable: .venv/bin/cfprob runs this checkout's code and reads its priors/ directly,
# so an edited claim file takes effect at once. Only what the command needs: the sampler's extra for every
# command, the test tools (and the Dask extra the tests use) for pytest, ruff and mypy. Reinstalled when the dependencies change.
extras="fast"
case "${1:-}" in pytest | ruff | mypy) extras="fast,test" ;; esac
stamp="$venv/.cfprob-install"
current="$(cd "$root" && sha256sum pyproject.toml | cut -d' ' -f1) $extras"
installed="$(cat "$stamp" 2>/dev/null || true)"
# an environment with the test extras also serves every other command
if [ "$installed" != "$current" ] && ! { [ "$extras" = "fast" ] && [ "$installed" = "${current% *} fast,test" ]; }; then
  echo "cfprob: installing cfprob and its dependencies ($extras) into $venv" >&2
  if uv="$(installer)" && "$uv" pip install --quiet --python "$venv/bin/python" --editable "$root[$extras]"; then
    :
  else
    [ "${CFPROB_INSTALLER:-uv}" = "pip" ] || echo "cfprob: uv unavailable; installing with pip (slower)" >&2
    pip_quiet --upgrade pip hatchling
    pip_quiet --no-build-isolation --editable "$root[$extras]"
  fi
  echo "$current" > "$stamp"
fi

# The report's browser test needs a real Chromium: Debian's package, installed when missing and possible.
if [ "${1:-}" = "pytest" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "cfprob: installing Chromium (Debian package chromium) for the report's browser test" >&2
    apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
      || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1) \
      || echo "cfprob: could not install chromium; the browser test will fail until it is installed" >&2
  else
    echo "cfprob: chromium is not installed (Debian: apt-get install chromium); the browser test needs it" >&2
  fi
fi

export PATH="$venv/bin:$PATH"
exec "$@"
