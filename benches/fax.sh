#!/usr/bin/env bash
# Fax codec benchmark: mm3gw against libtiff's tiffcp, whole process each (start-up, reading,
# coding, writing), on a 20-page A4 fine document built from the interop pages.
#   decode: mm3gw fax decode DOC.tif -o DIR        vs  tiffcp -c none DOC.tif OUT.tif
#   encode: mm3gw fax encode 20 PBMs -o OUT.tif     vs  tiffcp -c g3|g3:2d|g4 NONE.tif OUT.tif
# The two tools alternate, RUNS times each (default 11); the best wall time of each counts. Ratio = tiffcp / mm3gw,
# so above 1 means mm3gw is faster; outputs are removed before each run, untimed. Needs libtiff-tools. Usage: bash benches/fax.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-11}"
command -v tiffcp >/dev/null || { echo "tiffcp not found (apt-get install libtiff-tools)"; exit 1; }
cargo build --release --quiet
B="$PWD/target/release/mm3gw"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT

pages=()
for i in $(seq 1 20); do pages+=(samples/interop/fax/src/a4-fine.pbm); done
"$B" fax encode "${pages[@]}" -o "$W/doc-mh.tif" --compression mh
"$B" fax encode "${pages[@]}" -o "$W/doc-mr.tif" --compression mr
"$B" fax encode "${pages[@]}" -o "$W/doc-mmr.tif" --compression mmr
tiffcp -c none "$W/doc-mh.tif" "$W/doc-none.tif"

# One timed run of "$@" in microseconds; outputs are deleted first (untimed) so neither tool
# pays for overwriting a file (ext4 flushes replaced files on close).
timed() {
    rm -rf "$W"/tc-* "$W"/dec-* "$W"/enc-*
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
}

# compare LABEL -- TIFFCP-COMMAND -- MM3GW-COMMAND: the two alternate RUNS times, so both see the
# same machine load; the best time of each counts.
compare() {
    local label="$1" bt=999999999 bm=999999999 t m
    shift 2
    local -a theirs=() ours=()
    while [ "$1" != "--" ]; do theirs+=("$1"); shift; done
    shift
    ours=("$@")
    for _ in $(seq 1 "$RUNS"); do
        t=$(timed "${theirs[@]}"); (( t < bt )) && bt=$t
        m=$(timed "${ours[@]}"); (( m < bm )) && bm=$m
    done
    row "$label" "$bt" "$bm"
}

row() { # label, tiffcp µs, mm3gw µs
    awk -v l="$1" -v t="$2" -v m="$3" 'BEGIN { printf "%-14s tiffcp %8.1f ms   mm3gw %8.1f ms   ratio %5.2fx\n", l, t/1000, m/1000, t/m }'
}

echo "20-page A4 fine document (1728x2287 per page), best of $RUNS alternating runs"
for c in mh mr mmr; do
    compare "decode $c" -- tiffcp -c none "$W/doc-$c.tif" "$W/tc-$c.tif" \
        -- "$B" fax decode "$W/doc-$c.tif" -o "$W/dec-$c"
done
for c in mh:g3 mr:g3:2d mmr:g4; do
    ours="${c%%:*}"; theirs="${c#*:}"
    compare "encode $ours" -- tiffcp -c "$theirs" "$W/doc-none.tif" "$W/tc-enc-$ours.tif" \
        -- "$B" fax encode "${pages[@]}" -o "$W/enc-$ours.tif" --compression "$ours"
done
