#!/usr/bin/env bash
# Prints the path of the `java` of a JDK 21 or newer, or with --home that JDK's JAVA_HOME.
#
# Looks at $JAVA_HOME, then `java` on PATH (the first of these that is new enough wins), then at
# the usual install places (/usr/lib/jvm, /opt/java, /opt/*jdk*, SDKMAN), where the newest wins.
# A candidate counts only if `java -version` says 21+ and a javac sits beside it: the build
# needs a JDK, not a JRE. Symlinks are resolved (/usr/bin/java -> /usr/lib/jvm/.../bin/java), so
# --home names the real JDK directory.
#
# With --major N it looks the same way for a Java runtime (a JRE will do) whose major version is
# exactly N: the tests run an application on Java 17, the publisher library's floor, with it.
set -euo pipefail

readonly MIN_MAJOR=21

usage() {
  echo "usage: $0 [--home] [--major N]" >&2
  echo "  prints the path of a JDK ${MIN_MAJOR}+ java binary, or with --home its JAVA_HOME" >&2
  echo "  --major N: instead, a Java runtime (JRE or JDK) of exactly major version N" >&2
}

want_home=false
exact_major=""
while [ $# -gt 0 ]; do
  case "$1" in
    --home) want_home=true ;;
    --major)
      [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || { usage; exit 2; }
      exact_major=$2
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) usage; exit 2 ;;
  esac
  shift
done

# Major version of the java binary $1 from `java -version`: "1.8.0_392" -> 8, "17.0.15" -> 17,
# "25" -> 25, "21-ea" -> 21. Fails when it does not run or says nothing parsable.
java_major() {
  local output version
  output=$("$1" -version 2>&1) || return 1
  # Not simply the first line: JAVA_TOOL_OPTIONS makes the JVM print "Picked up ..." before it.
  version=$(printf '%s\n' "$output" | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  case "$version" in
    1.*) version=${version#1.} ;;
  esac
  version=${version%%[!0-9]*}
  [ -n "$version" ] || return 1
  printf '%s\n' "$version"
}

resolve() {
  readlink -f "$1" 2>/dev/null || printf '%s\n' "$1"
}

# Prints "<major> <resolved path>" when $1 is the java of a JDK 21+ (with --major N: of a Java
# runtime N), fails otherwise.
check() {
  local java major
  [ -n "$1" ] && [ -x "$1" ] && [ ! -d "$1" ] || return 1
  java=$(resolve "$1")
  if [ -n "$exact_major" ]; then
    major=$(java_major "$java") || return 1
    [ "$major" -eq "$exact_major" ] || return 1
  else
    [ -x "$(dirname "$java")/javac" ] || return 1
    major=$(java_major "$java") || return 1
    [ "$major" -ge "$MIN_MAJOR" ] || return 1
  fi
  printf '%s %s\n' "$major" "$java"
}

emit() {
  if $want_home; then
    dirname "$(dirname "$1")"
  else
    printf '%s\n' "$1"
  fi
  exit 0
}

# 1. $JAVA_HOME, 2. java on PATH: the user's explicit choices, taken as they come.
for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null || true)"; do
  if found=$(check "$candidate"); then
    emit "${found#* }"
  fi
done

# 3. Install locations: the newest JDK wins.
shopt -s nullglob
best_major=0
best_java=""
for candidate in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*jdk*/bin/java \
  "${HOME:-/nonexistent}"/.sdkman/candidates/java/*/bin/java; do
  if found=$(check "$candidate"); then
    major=${found%% *}
    if [ "$major" -gt "$best_major" ]; then
      best_major=$major
      best_java=${found#* }
    fi
  fi
done
if [ -n "$best_java" ]; then
  emit "$best_java"
fi

if [ -n "$exact_major" ]; then
  echo "No Java ${exact_major} found (looked at \$JAVA_HOME, java on the PATH, /usr/lib/jvm, /opt/java, /opt/*jdk*, SDKMAN)." \
    "Install one (e.g. \`apt-get install openjdk-${exact_major}-jre-headless\` or Temurin ${exact_major})." >&2
  exit 1
fi
echo "No JDK ${MIN_MAJOR} or newer found. Install one (e.g. Temurin ${MIN_MAJOR}+ or \`apt-get install openjdk-${MIN_MAJOR}-jdk\`) or set JAVA_HOME to it." >&2
exit 1
