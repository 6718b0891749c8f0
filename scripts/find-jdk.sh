#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer: JAVA_HOME if it qualifies, else the `java` on the PATH,
# else the newest JDK under the usual install folders. Exits 1 when none is found.
java_major() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  echo "${v%%.*}"
}
ok() { [ -x "$1/bin/javac" ] && [ "$(java_major "$1")" -ge 21 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
if command -v javac >/dev/null 2>&1; then
  h=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  if ok "$h"; then echo "$h"; exit 0; fi
fi
best=""; bestv=0
for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/*; do
  [ -d "$d" ] || continue
  if ok "$d"; then v=$(java_major "$d"); if [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi; fi
done
[ -n "$best" ] && { echo "$best"; exit 0; }
echo "No JDK 21 or newer found: set JAVA_HOME to one." >&2
exit 1
