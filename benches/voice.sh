#!/usr/bin/env bash
# Voice benchmarks, whole process against the third-party tool on the same 60 s input, in the
# same run (ratios are what count; absolute times depend on the machine and its load).
#   G.726-32 encode and decode   mm3gw audio convert      vs ffmpeg g726le
#   AMR-NB decode                mm3gw (reference fixed-point) vs ffmpeg (native float decoder)
#   AMR-NB encode 12.2 kbit/s    mm3gw (no DTX / DTX)     vs SoX with libopencore-amrnb (DTX on)
#   AMR-NB -> audio/32kadpcm     mm3gw                    vs ffmpeg
# Usage: bash benches/voice.sh [runs]   (default 7; the median of the runs is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
for tool in ffmpeg sox python3; do
    command -v "$tool" >/dev/null || { echo "voice.sh: $tool is required" >&2; exit 1; }
done
cargo build --release --quiet --bin mm3gw
bin="$PWD/target/release/mm3gw"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# 60 s of the interop speech (looped), 8 kHz mono 16-bit.
ff -stream_loop 9 -i samples/interop/audio/speech-8k.wav -t 60 -c:a pcm_s16le "$work/in60.wav"
ff -i "$work/in60.wav" -c:a g726le -b:a 32k -f g726le "$work/in60.g726"
"$bin" audio convert "$work/in60.wav" -o "$work/in60.amr" >/dev/null

# "wall cpu": median wall-clock and median CPU (user+sys) milliseconds of "$@" over $runs runs.
# CPU time is reported too because a shared, loaded machine stretches wall time arbitrarily.
time_ms() {
    python3 - "$runs" "$@" <<'PY'
import os, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
wall, cpu = [], []
for _ in range(runs):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall.append((time.perf_counter() - t) * 1000)
    cpu.append((ru.ru_utime + ru.ru_stime) * 1000)
    if status != 0:
        sys.exit(f"{cmd[0]} failed")
wall.sort(); cpu.sort()
print(f"{wall[len(wall) // 2]:.1f} {cpu[len(cpu) // 2]:.1f}")
PY
}

row() { # name "ours-wall ours-cpu" "theirs-wall theirs-cpu" theirs-name
    python3 -c "
import sys
n, o, t, w = sys.argv[1:]
(ow, oc), (tw, tc) = map(float, o.split()), map(float, t.split())
print(f'{n:<34} mm3gw {ow:7.1f} ms wall {oc:7.1f} ms cpu | {w:<13} {tw:7.1f} ms wall {tc:7.1f} ms cpu | ratio wall {tw/ow:5.2f}x cpu {tc/oc:5.2f}x')
" "$@"
}

q="$work/out"
echo "60 s of 8 kHz speech, median of $runs runs ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
row "G.726-32 encode (wav -> 32kadpcm)" \
    "$(time_ms "$bin" audio convert "$work/in60.wav" -o "$q.32kadpcm")" \
    "$(time_ms ffmpeg -nostdin -loglevel error -y -i "$work/in60.wav" -c:a g726le -b:a 32k -f g726le "$q.g726")" ffmpeg
row "G.726-32 decode (32kadpcm -> wav)" \
    "$(time_ms "$bin" audio convert "$work/in60.g726" --from 32kadpcm -o "$q.wav")" \
    "$(time_ms ffmpeg -nostdin -loglevel error -y -f g726le -code_size 4 -sample_rate 8000 -i "$work/in60.g726" "$q-ff.wav")" ffmpeg
row "AMR-NB decode (amr -> wav)" \
    "$(time_ms "$bin" audio convert "$work/in60.amr" -o "$q.wav")" \
    "$(time_ms ffmpeg -nostdin -loglevel error -y -i "$work/in60.amr" "$q-ff.wav")" ffmpeg
row "AMR-NB encode 12.2k (wav -> amr)" \
    "$(time_ms "$bin" audio convert "$work/in60.wav" -o "$q.amr")" \
    "$(time_ms sox "$work/in60.wav" -C 7 -t amr-nb "$q-sox.amr")" "sox/opencore"
row "AMR-NB encode 12.2k DTX" \
    "$(time_ms "$bin" audio convert "$work/in60.wav" --dtx -o "$q-dtx.amr")" \
    "$(time_ms sox "$work/in60.wav" -C 7 -t amr-nb "$q-sox.amr")" "sox/opencore"
row "AMR-NB -> 32kadpcm transcode" \
    "$(time_ms "$bin" audio convert "$work/in60.amr" -o "$q.32kadpcm")" \
    "$(time_ms ffmpeg -nostdin -loglevel error -y -i "$work/in60.amr" -c:a g726le -b:a 32k -f g726le "$q.g726")" ffmpeg
