# Sourced by the project's scripts: selects a JDK >= 21 (the Temurin JDK under /usr/lib/jvm when present;
# the machine's default java may be 17) and checks that Maven is there.
_rs_java_ok() { [[ -x "$1/bin/javac" ]] && "$1/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; }
if [[ -z "${JAVA_HOME:-}" ]] || ! _rs_java_ok "$JAVA_HOME"; then
  JAVA_HOME=""
  for candidate in $(ls -d /usr/lib/jvm/temurin-*-jdk* /usr/lib/jvm/*-openjdk* /usr/lib/jvm/java-2[1-9]* 2>/dev/null | sort -Vr); do
    if _rs_java_ok "$candidate"; then JAVA_HOME="$candidate"; break; fi
  done
  if [[ -z "$JAVA_HOME" ]]; then
    echo "runner-scaler: no JDK 21 or newer found under /usr/lib/jvm; install a Temurin JDK (release 21+)" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "runner-scaler: Maven not found; installing it with apt-get" >&2
  (apt-get update -qq && apt-get install -y -qq maven) >&2 || { echo "runner-scaler: install Maven 3.8.6+ and retry" >&2; return 1 2>/dev/null || exit 1; }
fi
# Maven 3.8 on a recent JDK warns about sun.misc.Unsafe in its own guava; keep the log readable.
if "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
unset -f _rs_java_ok
