#!/usr/bin/env bash
# Sample runner benchmark (issue 9), whole processes on CASES case folders (default 500: the
# cases of samples/ copied round-robin, conversions and inspections alike):
#   mm3gw samples run DIR --jobs N          (convert + semantic compare, one process)
#   vs one process per case, one after the other: mm3gw convert (or mm3gw inspect --json for
#   an inspection case), which converts only and compares nothing.
# Wall time, CPU time and peak RSS (ru_maxrss) of each; the runner also at --jobs 1, 2 and 4 so
# memory can be seen to follow the jobs, not the number of cases.
# Usage: bash benches/samples.sh [CASES] [JOBS]   (defaults: 500, the number of cores)
#        ONLY=conversions bash benches/samples.sh  (copies of the conversion cases only)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-500}"
jobs="${2:-$(nproc)}"
command -v python3 >/dev/null || { echo "samples.sh: python3 is required" >&2; exit 1; }
cargo build --release --quiet --bin mm3gw
bin="$PWD/target/release/mm3gw"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "${ONLY:-}" = conversions ]; then
    mapfile -t src < <(grep -L '^to *= *"inspect"' $(find samples -name case.toml) | xargs -n1 dirname | sort)
else
    mapfile -t src < <(find samples -name case.toml -printf '%h\n' | sort)
fi
mkdir -p "$work/cases"
for i in $(seq 0 $((n - 1))); do
    s="${src[$((i % ${#src[@]}))]}"
    cp -r "$s" "$work/cases/$(printf %04d "$i")-$(basename "$s")"
done

# "wall_s cpu_s maxrss_MiB" of one run of the command given as a shell line.
measure() {
    python3 - "$1" <<'PY'
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(["bash", "-c", sys.argv[1]], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print(f"{time.perf_counter() - t:.2f} {ru.ru_utime + ru.ru_stime:.2f} {ru.ru_maxrss / 1024:.0f}")
PY
}

one_by_one='for d in '"$work"'/cases/*/; do
    to=$(sed -n "s/^to *= *\"\(.*\)\"/\1/p" "$d/case.toml")
    if [ "$to" = inspect ]; then '"$bin"' inspect --json "$d/input.eml" >/dev/null 2>&1 || true
    else '"$bin"' convert "$d/input.eml" -o '"$work"'/out.eml --to "$to" >/dev/null; fi
done'
read -r w c m < <(measure "$one_by_one")
echo "$n cases, $(nproc) cores"
printf '%-44s %8s s wall %8s s cpu %6s MiB peak RSS (largest process)\n' \
    "mm3gw convert/inspect per case, sequential" "$w" "$c" "$m"
for j in $(printf "%s\n" 1 2 4 "$jobs" | sort -nu); do
    read -r w c m < <(measure "$bin samples run $work/cases --jobs $j")
    printf '%-44s %8s s wall %8s s cpu %6s MiB peak RSS\n' "mm3gw samples run --jobs $j" "$w" "$c" "$m"
done
