#!/usr/bin/env bash
# Does what a user of the publisher library does, from a clean clone of this checkout's HEAD (the
# committed state): `mvn -DskipTests install` into a throwaway local repository, then builds
# examples/ on its own, as an application would, so that it resolves
# dev.dispatcher:dispatcher-publisher:<version> from that repository, and checks that it got the
# jar just installed, built for Java 17, under the declared license. The application is compiled
# by a JDK 17 when one is found (as a Java 17 application would be; javac 17 refuses a library
# built for 21), else by the build's JDK with --release 17.
#
# The throwaway repository takes what it lacks from ~/.m2/repository first (so this runs offline
# after a build), then from Maven's usual remote. Exits non-zero, saying what failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '[check-install] %s\n' "$*"; }
fail() { say "FAILED: $*"; exit 1; }
MVN=${MVN:-mvn}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repository"
seed="file://${HOME:-/nonexistent}/.m2/repository"
cat >"$work/settings.xml" <<SETTINGS
<settings>
  <localRepository>$repo</localRepository>
  <profiles>
    <profile>
      <id>seed</id>
      <repositories><repository><id>seed</id><url>$seed</url></repository></repositories>
      <pluginRepositories><pluginRepository><id>seed</id><url>$seed</url></pluginRepository></pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>seed</activeProfile></activeProfiles>
</settings>
SETTINGS

java_home=$("$root/scripts/find-java.sh" --home)
git clone -q "$root" "$work/clone"
cd "$work/clone"
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
[ -n "$version" ] || fail "no <version> in pom.xml"

say "mvn -DskipTests install (dispatcher $version, JDK $java_home)"
JAVA_HOME="$java_home" "$MVN" -B -ntp -q -s "$work/settings.xml" -DskipTests install \
  || fail "mvn -DskipTests install from a clean clone"

installed="$repo/dev/dispatcher/dispatcher-publisher/$version/dispatcher-publisher-$version.jar"
[ -f "$installed" ] || fail "not installed: $installed"
grep -q '<name>Apache-2.0</name>' "$repo/dev/dispatcher/dispatcher-parent/$version/dispatcher-parent-$version.pom" \
  || fail "the installed parent pom declares no Apache-2.0 license"
for skipped in dispatcher-tests; do
  [ ! -e "$repo/dev/dispatcher/$skipped" ] || fail "$skipped was installed; it holds only tests"
done

app_home=$java_home
if jdk17=$("$root/scripts/find-java.sh" --major 17 --home 2>/dev/null) && [ -x "$jdk17/bin/javac" ]; then
  app_home=$jdk17
else
  say "no JDK 17 found: the application is compiled with --release 17 by $java_home instead"
fi
say "the example application on its own, against the installed library (JDK $app_home)"
JAVA_HOME="$app_home" "$MVN" -B -ntp -q -s "$work/settings.xml" -f examples/pom.xml clean package \
  || fail "building examples/ on its own against dev.dispatcher:dispatcher-publisher:$version"
used="examples/target/lib/dispatcher-publisher-$version.jar"
[ -f "$used" ] || fail "the example did not get dispatcher-publisher-$version.jar"
cmp -s "$installed" "$used" || fail "the example got a dispatcher-publisher-$version.jar other than the one just installed"

say "OK: installed dev.dispatcher:dispatcher-publisher:$version; an application built with JDK $app_home uses it"
