#!/bin/sh
# Make the virtual environment VENV with a Python the workshop supports (3.11.5 to 3.13, able to make a venv with
# pip), and remake one that an unsupported Python made. PYTHON (a command name or a path) picks the interpreter;
# without it, the first suitable one of python3, python3.13, python3.12 and python3.11 on the PATH is used.
# Usage: sh scripts/make_venv.sh VENV [PYTHON]
# Plain POSIX sh, because it runs before the venv exists: under macOS's bash 3.2 and Debian's dash alike.
set -u

venv=$1
requested=${2:-}

# Homebrew installs python3.12 beside Apple's python3 (3.9); Debian and Ubuntu ship venv's pip apart (python3.X-venv).
if [ "$(uname -s 2>/dev/null)" = Darwin ]; then
  install_hint='install Python 3.12 with `brew install python@3.12`'
else
  install_hint="install Python 3.12 as the README's Prerequisites say (python3.12 and python3.12-venv, or pyenv)"
fi

say() {
  echo "$*" >&2
}

# The version of interpreter $1 (3.9.6), empty when it does not run; Python 2 syntax too, so any python answers.
version_of() {
  "$1" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))' 2>/dev/null
}

supported_version() {
  "$1" -c 'import sys; sys.exit(0 if (3, 11, 5) <= tuple(sys.version_info[:3]) < (3, 14) else 1)' 2>/dev/null
}

# venv needs ensurepip to put pip in the new environment; without it `-m venv` leaves a venv with no pip.
can_make_venv() {
  "$1" -c 'import venv, ensurepip' 2>/dev/null
}

# "python3.12" for version 3.12.3: the Debian and Ubuntu package prefix of its venv module.
minor_of() {
  echo "python$1" | sed 's/^\(python[0-9]*\.[0-9]*\).*/\1/'
}

no_venv_sentence() {
  say "$1 (Python $2) cannot make a virtual environment with pip: install its venv module" \
    "(\`sudo apt-get install $(minor_of "$2")-venv\`), then run make again."
}

if [ -x "$venv/bin/python" ]; then
  current=$(version_of "$venv/bin/python")
  if supported_version "$venv/bin/python" && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    exit 0
  fi
  if [ -z "$current" ]; then
    say "Remaking $venv: its Python no longer runs."
  elif supported_version "$venv/bin/python"; then
    say "Remaking $venv: it has no pip (its Python $current could not install pip in it)."
  else
    say "Remaking $venv: it was made by Python $current, and the workshop needs 3.11.5 to 3.13."
  fi
fi

chosen=""
if [ -n "$requested" ]; then
  if ! command -v "$requested" >/dev/null 2>&1; then
    say "PYTHON=$requested is not a command or file here: $install_hint, then run make again with PYTHON=python3.12."
    exit 1
  fi
  version=$(version_of "$requested")
  if [ -z "$version" ] || ! supported_version "$requested"; then
    say "PYTHON=$requested is Python ${version:-of an unknown version}, and the workshop needs 3.11.5 to 3.13:" \
      "$install_hint, then run make again with PYTHON=python3.12."
    exit 1
  fi
  if ! can_make_venv "$requested"; then
    no_venv_sentence "PYTHON=$requested" "$version"
    exit 1
  fi
  chosen=$requested
else
  seen=""
  lacks_venv=""
  for candidate in python3 python3.13 python3.12 python3.11; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    version=$(version_of "$candidate")
    [ -n "$version" ] || continue
    if ! supported_version "$candidate"; then
      seen="${seen:+$seen, }$candidate is $version"
      continue
    fi
    if ! can_make_venv "$candidate"; then
      lacks_venv=${lacks_venv:-"$candidate $version"}
      continue
    fi
    chosen=$candidate
    break
  done
  if [ -z "$chosen" ]; then
    if [ -n "$lacks_venv" ]; then
      no_venv_sentence "${lacks_venv% *}" "${lacks_venv#* }"
    else
      say "No Python 3.11.5 to 3.13 found (${seen:-no python3 on your PATH}): $install_hint, then run make again" \
        "(or name one: make lab PYTHON=/path/to/python3.12)."
    fi
    exit 1
  fi
fi

version=$(version_of "$chosen")
rm -rf "$venv"
if ! "$chosen" -m venv "$venv" >/dev/null 2>&1 || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  rm -rf "$venv"
  no_venv_sentence "$chosen" "$version"
  exit 1
fi
echo "Made $venv with $chosen (Python $version)."
