#!/usr/bin/env bash
# Image → fax page benchmark: mm3gw against ImageMagick, whole process each (start-up, JPEG
# decode, scaling, halftone, MH coding, TIFF writing), on the interop 4000x3000 and 1600x1200
# JPEGs, into one Profile S page at 204x196 dpi:
#   mm3gw fax encode --profile S --no-rotate --halftone diffuse IN.jpg -o OUT.tif
#   convert IN.jpg -resize 1728x1245! -colorspace Gray -dither FloydSteinberg -monochrome \
#       -density 204x196 -units PixelsPerInch -compress Fax OUT.tif          (the issue's command)
#   the same with -define jpeg:size=1728x1296 (ImageMagick's DCT-scaling hint to libjpeg)
# The three alternate, RUNS times each (default 7); the best wall time of each counts.
# Ratio = ImageMagick / mm3gw, so above 1 means mm3gw is faster.
# Needs imagemagick. Usage: bash benches/render.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-7}"
dpkg -s imagemagick >/dev/null 2>&1 || { echo "ImageMagick not found (apt-get install imagemagick)"; exit 1; }
cargo build --release --quiet
B="$PWD/target/release/mm3gw"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT

large=samples/interop/images/jpeg/photo-large.jpg
medium=samples/interop/images/jpeg/photo-medium.jpg

timed() { # one run of "$@" in microseconds; the output is removed first, untimed
    rm -f "$W"/out-*
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
}

for input in "$large" "$medium"; do
    size=$(identify -format '%wx%h' "$input")
    bm=999999999 bi=999999999 bh=999999999
    for _ in $(seq 1 "$RUNS"); do
        t=$(timed "$B" fax encode --profile S --no-rotate --halftone diffuse "$input" -o "$W/out-m.tif"); (( t < bm )) && bm=$t
        t=$(timed convert "$input" -resize 1728x1245! -colorspace Gray -dither FloydSteinberg -monochrome \
            -density 204x196 -units PixelsPerInch -compress Fax "$W/out-i.tif"); (( t < bi )) && bi=$t
        t=$(timed convert -define jpeg:size=1728x1296 "$input" -resize 1728x1245! -colorspace Gray \
            -dither FloydSteinberg -monochrome -density 204x196 -units PixelsPerInch -compress Fax "$W/out-h.tif"); (( t < bh )) && bh=$t
    done
    awk -v s="$size" -v m="$bm" -v i="$bi" -v h="$bh" 'BEGIN {
        printf "%-10s mm3gw %7.1f ms   ImageMagick %7.1f ms (%5.2fx)   ImageMagick+jpeg:size %7.1f ms (%5.2fx)\n",
            s, m/1000, i/1000, i/m, h/1000, h/m }'
done
