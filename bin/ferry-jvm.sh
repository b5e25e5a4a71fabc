# The JVM Ferry runs on, sourced by bin/ferry and bench/run so that both start it the same way.
#
# ferry_java: the java binary. FERRY_JAVA (a java binary or a JDK's directory) when set; otherwise
# the newest JDK of 17 or later among $JAVA_HOME, the `java` on PATH and /usr/lib/jvm/*, since a
# newer one starts faster and keeps less per connection (README, "Java versions"); an equal
# version keeps the earlier candidate of that list.
# ferry_java_opts JAVA: the flags bin/ferry gives it (FERRY_JAVA_OPTS replaces them all): on 25 and
# later, compact object headers too.
# ferry_archive_opts JAVA OPTS JAR BASE MODE: the start-up archive's flags for JAVA run with OPTS.
# On 25 and later, the AOT cache BASE.aot (classes loaded and linked, method profiles: JEP 483,
# 515); before, the dynamic class-data sharing archive BASE.jsa. MODE "write" has the run write it
# at exit (on 25, only the training record BASE.aotconf: see ferry_archive_finish), "use" maps it
# when there is one, "auto" writes it when none was written for this JAR, java and OPTS (BASE.jvm
# names the java, its time, which an update changes, and the flags) and maps it otherwise. The JVM
# itself turns away an archive that does not match.
# ferry_archive_finish JAVA OPTS JAR BASE: on 25, makes BASE.aot from the training record a run
# left. It takes seconds, so bin/ferry runs it in the background after the JVM exited rather than
# letting the JVM do it inside its exit (JEP 514's one step), which held every first stop up.

ferry_java_feature() { # JAVA: its feature version (17, 25), read from the JDK's release file
    local home version
    home="$(dirname "$(dirname "$(readlink -f "$1")")")"
    version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null)"
    if [ -z "$version" ]; then # no release file: ask the JVM
        version="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')"
    fi
    echo "${version:-0}"
}

ferry_java() {
    if [ -n "${FERRY_JAVA:-}" ]; then
        if [ -d "$FERRY_JAVA" ]; then echo "$FERRY_JAVA/bin/java"; else echo "$FERRY_JAVA"; fi
        return
    fi
    local best=java best_feature=0 candidate feature
    for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null)" /usr/lib/jvm/*/bin/java; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        feature="$(ferry_java_feature "$candidate")"
        if [ "$feature" -ge 17 ] && [ "$feature" -gt "$best_feature" ]; then
            best="$candidate" best_feature="$feature"
        fi
    done
    echo "$best"
}

ferry_java_opts() { # JAVA
    if [ -n "${FERRY_JAVA_OPTS:-}" ]; then
        echo "$FERRY_JAVA_OPTS"
        return
    fi
    local opts="-Xms64m -Xmx1g -Xss512k -XX:+UseG1GC -Dio.netty.leakDetection.level=disabled"
    # Compact object headers (JEP 519): 8 bytes off every object, 9% of an idle WebSocket's heap
    if [ "$(ferry_java_feature "$1")" -ge 25 ]; then
        opts="$opts -XX:+UseCompactObjectHeaders"
    fi
    echo "$opts"
}

ferry_archive_opts() { # JAVA OPTS JAR BASE MODE
    local java="$1" jar="$3" base="$4" mode="$5" made fresh= ext=jsa
    made="$(readlink -f "$(command -v "$java")")"
    made="$made $(stat -c %Y "$made" 2>/dev/null) $2"
    if [ "$(cat "$base.jvm" 2>/dev/null)" != "$made" ] || [ "$base.jvm" -ot "$jar" ]; then
        rm -f "$base.aot" "$base.aotconf" "$base.jsa" "$base.jvm"
        fresh=1
    fi
    [ "$(ferry_java_feature "$java")" -ge 25 ] && ext=aot
    # Written once per jar, java and flags: a run stopped before it finished writing (an empty file, a
    # leftover AOT configuration) leaves runs without an archive rather than each stop writing again.
    if [ "$mode" = write ] || { [ "$mode" = auto ] && [ -n "$fresh" ]; }; then
        echo "$made" > "$base.jvm"
        if [ $ext = aot ]; then
            echo "-XX:AOTMode=record -XX:AOTConfiguration=$base.aotconf -Xlog:aot*=off -Xlog:cds*=off"
        else
            echo "-XX:ArchiveClassesAtExit=$base.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
        fi
    elif [ -s "$base.$ext" ]; then
        if [ $ext = aot ]; then
            echo "-XX:AOTCache=$base.aot -Xlog:aot*=off -Xlog:cds*=off"
        else
            echo "-XX:SharedArchiveFile=$base.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
        fi
    fi
}

ferry_archive_finish() { # JAVA OPTS JAR BASE
    local base="$4"
    [ -s "$base.aotconf" ] && [ ! -s "$base.aot" ] || return 0
    # one maker at a time; the cache appears whole (renamed into place) or not at all
    exec 9>"$base.lock"
    flock -n 9 || return 0
    # shellcheck disable=SC2086
    if "$1" $2 -XX:AOTMode=create -XX:AOTConfiguration="$base.aotconf" -XX:AOTCache="$base.aot.part" \
            -Xlog:aot*=off -Xlog:cds*=off -cp "$3" >/dev/null 2>&1; then
        mv -f "$base.aot.part" "$base.aot"
    fi
    rm -f "$base.aotconf" "$base.aot.part"
}
