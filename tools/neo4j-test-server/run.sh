#!/usr/bin/env bash
# Runs a real Neo4j Community 5.26 server (embedded, built from Maven Central)
# on 127.0.0.1 for danvan's tests. See README.md.
#
#   run.sh build    build the launcher (skipped when up to date)
#   run.sh start    build if needed, start in the background, wait until Bolt answers
#   run.sh stop     SIGTERM (SIGKILL after 20 s), delete the data directory
#   run.sh status   exit 0 and print the URI when running and answering
#
# Env: NEO4J_TEST_PORT (7687), NEO4J_PASSWORD (danvan-test-password, >= 8 chars),
#      NEO4J_TEST_STATE_DIR (${TMPDIR:-/tmp}/danvan-neo4j-test),
#      NEO4J_TEST_START_TIMEOUT (120 seconds), NEO4J_TEST_JAVA_OPTS (extra JVM flags),
#      NEO4J_TEST_CDS (1; 0 skips the class-data-sharing archive),
#      NEO4J_TEST_PAGE_CACHE (page cache in MiB; the launcher's default is 256).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/target/neo4j-test-server.jar"
LIB="$HERE/target/lib"
# Class-data-sharing archive of the classes loaded during a start: cuts the
# start time by about a third. Made by `build`; ignored by the JVM if stale.
CDS_ARCHIVE="$HERE/target/neo4j-test-server.jsa"
SOURCES=("$HERE/pom.xml" "$HERE/src/main/java/danvan/Neo4jTestServer.java")

PORT="${NEO4J_TEST_PORT:-7687}"
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-danvan-test-password}"
STATE_DIR="${NEO4J_TEST_STATE_DIR:-${TMPDIR:-/tmp}/danvan-neo4j-test}"
START_TIMEOUT="${NEO4J_TEST_START_TIMEOUT:-120}"
STOP_TIMEOUT=20
PID_FILE="$STATE_DIR/neo4j.pid"
PORT_FILE="$STATE_DIR/neo4j.port"
LOG_FILE="$STATE_DIR/neo4j.log"
HOME_DIR="$STATE_DIR/home"
BUILD_LOG="$STATE_DIR/build.log"

JAVA_OPTS=(
  -Xmx512m
  -XX:+UseG1GC
  -XX:-OmitStackTraceInFastThrow
  -XX:+DisableExplicitGC
  # Neo4j and Netty reach into JDK internals (direct buffers, NIO channels).
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
  -Djdk.nio.maxCachedBufferSize=1024
  -Dlog4j2.disable.jmx=true
  -Djava.net.preferIPv4Stack=true
  -Djava.awt.headless=true
)

log() { echo "neo4j-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

uri() { echo "bolt://127.0.0.1:$1"; }

needs_build() {
  [[ -f "$JAR" && -d "$LIB" ]] || return 0
  local f
  for f in "${SOURCES[@]}"; do
    [[ "$f" -nt "$JAR" ]] && return 0
  done
  # The launcher jar's manifest points at target/lib/*.jar.
  compgen -G "$LIB/neo4j-*.jar" >/dev/null || return 0
  return 1
}

cds_enabled() { [[ "${NEO4J_TEST_CDS:-1}" != 0 ]]; }

cds_fresh() { [[ -s "$CDS_ARCHIVE" && "$CDS_ARCHIVE" -nt "$JAR" ]]; }

# A failed recording is not retried on every start, only after the next build.
cds_wanted() {
  cds_enabled && ! cds_fresh && ! [[ "$CDS_ARCHIVE.failed" -nt "$JAR" ]]
}

# One throwaway start/stop (port 0, temp home) that dumps the loaded classes.
make_cds_archive() {
  local tmp="$CDS_ARCHIVE.tmp" out="$STATE_DIR/cds.log" pid t0=$SECONDS
  log "recording class-data-sharing archive (one-off start/stop)..."
  rm -f "$tmp" "$CDS_ARCHIVE.failed"
  java "${JAVA_OPTS[@]}" -XX:ArchiveClassesAtExit="$tmp" \
    -jar "$JAR" --port 0 </dev/null >"$out" 2>&1 8>&- 9>&- &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && ! grep -q '^READY ' "$out"; do
    (( SECONDS - t0 > START_TIMEOUT )) && break
    sleep 0.25
  done
  local ready=0
  grep -q '^READY ' "$out" && ready=1
  # The archive is written while the JVM exits.
  kill_server "$pid" 60
  if (( ready )) && grep -q '^STOPPED' "$out" && [[ -s "$tmp" ]]; then
    mv -f "$tmp" "$CDS_ARCHIVE"
    log "archive recorded in $((SECONDS - t0)) s"
  else
    rm -f "$tmp"
    touch "$CDS_ARCHIVE.failed"
    log "could not record the archive (see $out); starting without it"
  fi
}

cmd_build() {
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jdk-headless)"
  mkdir -p "$STATE_DIR"
  # target/ is shared by every state dir: one build at a time.
  mkdir -p "$HERE/target"
  if command -v flock >/dev/null; then
    exec 8>"$HERE/target/.build.lock"
    flock 8
  fi
  if ! needs_build; then
    if cds_wanted; then
      make_cds_archive
    fi
    return 0
  fi
  log "building launcher (mvn package, first run downloads Neo4j from Maven Central)..."
  local t0=$SECONDS
  if ! mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" package >"$BUILD_LOG" 2>&1; then
    tail -n 60 "$BUILD_LOG" >&2
    die "build failed (full log: $BUILD_LOG)"
  fi
  # mvn only rewrites the jar when classes changed; make it newer than its sources.
  touch "$JAR"
  rm -f "$CDS_ARCHIVE" "$CDS_ARCHIVE.failed"
  log "built in $((SECONDS - t0)) s"
  if cds_wanted; then
    make_cds_archive
  fi
}

# Prints the pid if the recorded server process is alive.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse by an unrelated process.
  grep -q 'danvan-neo4j-test-server' "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

recorded_port() { cat "$PORT_FILE" 2>/dev/null || echo "$PORT"; }

# Does a Bolt server answer on 127.0.0.1:$1 with our credentials?
answers() {
  local port="$1"
  if python3 -c 'import neo4j' 2>/dev/null; then
    python3 - "$port" <<'PY' >/dev/null 2>&1
import os, sys
import neo4j
uri = "bolt://127.0.0.1:%s" % sys.argv[1]
with neo4j.GraphDatabase.driver(uri, auth=("neo4j", os.environ["NEO4J_PASSWORD"]),
                                connection_timeout=5) as driver:
    driver.verify_connectivity()
PY
  else
    # No Python driver: a TCP connect is the best we can do.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    log "last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2
  fi
}

wait_ready() {
  local pid="$1" port="$2" t0="$3"
  while true; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail
      rm -f "$PID_FILE"
      die "server process $pid exited before it was ready"
    fi
    if grep -q '^READY bolt://' "$LOG_FILE" 2>/dev/null && answers "$port"; then
      return 0
    fi
    if (( $(date +%s) - t0 >= START_TIMEOUT )); then
      log_tail
      kill_server "$pid"
      die "server not ready after ${START_TIMEOUT} s"
    fi
    sleep 0.25
  done
}

cmd_start() {
  local pid port
  if pid="$(running_pid)"; then
    port="$(recorded_port)"
    if ! answers "$port"; then
      log "pid $pid is running but not answering yet; waiting"
      wait_ready "$pid" "$port" "$(date +%s)"
    fi
    uri "$port"
    return 0
  fi
  cmd_build
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is already in use by another process (set NEO4J_TEST_PORT)"
  fi

  mkdir -p "$STATE_DIR"
  rm -rf "$HOME_DIR"
  rm -f "$PID_FILE"
  echo "$PORT" >"$PORT_FILE"
  local cds=()
  if cds_enabled && cds_fresh; then
    cds=(-XX:SharedArchiveFile="$CDS_ARCHIVE")
  fi
  local t0_ns t0
  t0_ns="$(date +%s%N)"
  t0="$(date +%s)"
  # shellcheck disable=SC2086
  nohup java "${JAVA_OPTS[@]}" "${cds[@]}" ${NEO4J_TEST_JAVA_OPTS:-} \
    -Ddanvan-neo4j-test-server=true \
    -jar "$JAR" --port "$PORT" --home "$HOME_DIR" \
    ${NEO4J_TEST_PAGE_CACHE:+--page-cache "$NEO4J_TEST_PAGE_CACHE"} \
    </dev/null >"$LOG_FILE" 2>&1 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid" "$PORT" "$t0"
  local elapsed_ms=$(( ($(date +%s%N) - t0_ns) / 1000000 ))
  log "ready in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s (pid $pid, log $LOG_FILE)"
  uri "$PORT"
}

# kill_server PID [TIMEOUT_SECONDS]: SIGTERM, then SIGKILL after the timeout.
kill_server() {
  local pid="$1" timeout="${2:-$STOP_TIMEOUT}" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= timeout * 4 )); then
      log "pid $pid still running after ${timeout} s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  # Reap it when it is our child (start timed out); harmless otherwise.
  wait "$pid" 2>/dev/null || true
}

cmd_stop() {
  local pid
  if pid="$(running_pid)"; then
    kill_server "$pid"
    log "stopped pid $pid"
  else
    log "not running"
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
  rm -rf "$HOME_DIR"
}

cmd_status() {
  local pid port
  if pid="$(running_pid)"; then
    port="$(recorded_port)"
    if answers "$port"; then
      log "running (pid $pid)"
      uri "$port"
      return 0
    fi
    log "pid $pid is running but Bolt does not answer on port $port"
    return 1
  fi
  log "not running"
  return 1
}

# Serialise build/start/stop of one state dir (e.g. parallel test sessions).
lock_state() {
  mkdir -p "$STATE_DIR"
  if command -v flock >/dev/null; then
    exec 9>"$STATE_DIR/lock"
    flock 9
  fi
}

case "${1:-}" in
  build) cmd_build ;;
  start) lock_state; cmd_start ;;
  stop) lock_state; cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 {build|start|stop|status}" >&2
    exit 2
    ;;
esac
