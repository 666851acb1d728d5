# Sourced by the scripts that fetch Debian packages (tests/emulated/run.sh,
# tests/c/compile_targets.sh): the mirror this machine's apt already uses, so
# that no host is named in the repository. Sets DEBIAN_MIRROR (the URI serving
# the release, e.g. bookworm) and DEBIAN_SECURITY (its -security suite), or
# returns 1 with a message.

# "URI SUITE" for each deb entry of this machine's apt sources, both formats.
apt_sources() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] && awk '
            function flush() { if (deb && enabled) for (u in uris) for (s in suites) print uris[u], suites[s]
                               deb = 0; enabled = 1; delete uris; delete suites }
            BEGIN { enabled = 1 }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "types:" { deb = /[ \t]deb([ \t]|$)/ }
            tolower($1) == "enabled:" { enabled = tolower($2) != "no" }
            tolower($1) == "uris:" { for (i = 2; i <= NF; i++) uris[i] = $i }
            tolower($1) == "suites:" { for (i = 2; i <= NF; i++) suites[i] = $i }
            END { flush() }' "$file"
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] && awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i, $(i + 1) }' "$file"
    done
    return 0
}
# The URIs serving this Debian release (its codename in /etc/os-release) and its
# -security suite: a third-party source, or another distribution's archive, is
# never taken for Debian's.
debian_mirrors() {
    local codename
    codename=$( . /etc/os-release 2>/dev/null && [ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-}")
    DEBIAN_MIRROR=$(apt_sources | awk -v suite="$codename" '$2 == suite { print $1; exit }')
    DEBIAN_SECURITY=$(apt_sources | awk -v suite="$codename-security" '$2 == suite { print $1; exit }')
    if [ -z "$codename" ] || [ -z "$DEBIAN_MIRROR" ] || [ -z "$DEBIAN_SECURITY" ]; then
        echo "no Debian mirror in this machine's apt sources (/etc/apt/sources.list{,.d/}): Debian release" \
             "'$codename', found '$DEBIAN_MIRROR' for it and '$DEBIAN_SECURITY' for its -security suite" >&2
        return 1
    fi
}
