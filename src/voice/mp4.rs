//! Just enough ISO BMFF (MP4/3GP) to do what symphonia 0.5's demuxer does not: take AMR-NB
//! (`samr`) samples out of a 3GP file, and read the edit list that trims an AAC encoder's
//! priming samples (without it, an ffmpeg .m4a lasts ~23-46 ms longer than its source).
//!
//! Only the first audio track (`hdlr` = `soun`) is read. All offsets are bounds-checked: a
//! malformed box gives [`Mp4Error`], never a panic.

/// Errors of the MP4 reader.
#[derive(Debug, thiserror::Error)]
pub enum Mp4Error {
    #[error("MP4: box '{fourcc}' at offset {offset} is malformed")]
    Malformed { fourcc: String, offset: usize },
    #[error("MP4: no audio track")]
    NoAudioTrack,
    #[error("MP4: sample {index} lies outside the file")]
    SampleOutOfFile { index: usize },
}

/// The first audio track, as far as mm3gw needs it.
#[derive(Clone, Debug, Default)]
pub struct AudioTrack {
    /// Sample entry type: `mp4a`, `samr`, …
    pub codec: [u8; 4],
    /// Media timescale (samples per second for audio).
    pub timescale: u32,
    /// Movie timescale (`mvhd`), the unit of edit durations.
    pub movie_timescale: u32,
    /// First edit: (segment duration in movie units, media start time in media units).
    pub edit: Option<(u64, i64)>,
    sizes: Vec<u32>,
    chunk_offsets: Vec<u64>,
    /// (first chunk, 1-based; samples per chunk).
    sample_to_chunk: Vec<(u32, u32)>,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Iterates `(type, body, absolute offset)` over the boxes in `data`.
fn boxes(
    data: &[u8],
    base: usize,
) -> impl Iterator<Item = Result<([u8; 4], &[u8], usize), Mp4Error>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos + 8 > data.len() {
            return None;
        }
        let at = base + pos;
        let bad = |fourcc: &[u8]| Mp4Error::Malformed {
            fourcc: String::from_utf8_lossy(fourcc).into_owned(),
            offset: at,
        };
        let size32 = be32(data, pos)? as usize;
        let fourcc: [u8; 4] = data[pos + 4..pos + 8].try_into().ok()?;
        let (header, size) = match size32 {
            0 => (8, data.len() - pos),
            1 => match be64(data, pos + 8).and_then(|s| usize::try_from(s).ok()) {
                Some(s) => (16, s),
                None => {
                    pos = data.len();
                    return Some(Err(bad(&fourcc)));
                }
            },
            s => (8, s),
        };
        let Some(end) = pos.checked_add(size).filter(|&e| size >= header && e <= data.len()) else {
            pos = data.len();
            return Some(Err(bad(&fourcc)));
        };
        let item = (fourcc, &data[pos + header..end], base + pos + header);
        pos = end;
        Some(Ok(item))
    })
}

fn find<'a>(
    data: &'a [u8],
    base: usize,
    want: &[u8; 4],
) -> Result<Option<(&'a [u8], usize)>, Mp4Error> {
    for b in boxes(data, base) {
        let (fourcc, body, at) = b?;
        if &fourcc == want {
            return Ok(Some((body, at)));
        }
    }
    Ok(None)
}

fn malformed(fourcc: &str, offset: usize) -> Mp4Error {
    Mp4Error::Malformed { fourcc: fourcc.into(), offset }
}

/// Whether `bytes` looks like ISO BMFF (an `ftyp` box first).
pub fn sniff(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp")
}

/// Reads the first audio track's tables.
pub fn audio_track(file: &[u8]) -> Result<AudioTrack, Mp4Error> {
    let (moov, moov_at) = find(file, 0, b"moov")?.ok_or(Mp4Error::NoAudioTrack)?;
    let mut track = AudioTrack::default();
    if let Some((mvhd, at)) = find(moov, moov_at, b"mvhd")? {
        let ts_at = if mvhd.first() == Some(&1) { 20 } else { 12 };
        track.movie_timescale = be32(mvhd, ts_at).ok_or_else(|| malformed("mvhd", at))?;
    }
    for b in boxes(moov, moov_at) {
        let (fourcc, trak, trak_at) = b?;
        if &fourcc != b"trak" {
            continue;
        }
        let Some((mdia, mdia_at)) = find(trak, trak_at, b"mdia")? else { continue };
        let is_audio =
            find(mdia, mdia_at, b"hdlr")?.and_then(|(h, _)| h.get(8..12)) == Some(b"soun");
        if !is_audio {
            continue;
        }
        if let Some((mdhd, at)) = find(mdia, mdia_at, b"mdhd")? {
            let ts_at = if mdhd.first() == Some(&1) { 20 } else { 12 };
            track.timescale = be32(mdhd, ts_at).ok_or_else(|| malformed("mdhd", at))?;
        }
        if let Some((edts, edts_at)) = find(trak, trak_at, b"edts")?
            && let Some((elst, at)) = find(edts, edts_at, b"elst")?
        {
            let v1 = elst.first() == Some(&1);
            let count = be32(elst, 4).ok_or_else(|| malformed("elst", at))?;
            if count > 0 {
                track.edit = Some(if v1 {
                    let d = be64(elst, 8).ok_or_else(|| malformed("elst", at))?;
                    let t = be64(elst, 16).ok_or_else(|| malformed("elst", at))? as i64;
                    (d, t)
                } else {
                    let d = be32(elst, 8).ok_or_else(|| malformed("elst", at))?;
                    let t = be32(elst, 12).ok_or_else(|| malformed("elst", at))? as i32;
                    (u64::from(d), i64::from(t))
                });
            }
        }
        let (minf, minf_at) =
            find(mdia, mdia_at, b"minf")?.ok_or_else(|| malformed("mdia", mdia_at))?;
        let (stbl, stbl_at) =
            find(minf, minf_at, b"stbl")?.ok_or_else(|| malformed("minf", minf_at))?;
        for b in boxes(stbl, stbl_at) {
            let (fourcc, body, at) = b?;
            let bad = || malformed(std::str::from_utf8(&fourcc).unwrap_or("?"), at);
            let count = be32(body, 4).ok_or_else(bad)? as usize;
            // Never trust a count beyond what the box can hold.
            let fits = |entry: usize, skip: usize| {
                count.checked_mul(entry).is_some_and(|n| n + skip <= body.len())
            };
            match &fourcc {
                b"stsd" => {
                    track.codec =
                        body.get(12..16).and_then(|c| c.try_into().ok()).ok_or_else(bad)?;
                }
                b"stsz" => {
                    let fixed = be32(body, 4).ok_or_else(bad)?;
                    let n = be32(body, 8).ok_or_else(bad)? as usize;
                    if fixed != 0 {
                        if n > file.len() {
                            return Err(bad());
                        }
                        track.sizes = vec![fixed; n];
                    } else {
                        if n.checked_mul(4).is_none_or(|m| m + 12 > body.len()) {
                            return Err(bad());
                        }
                        track.sizes = (0..n).filter_map(|i| be32(body, 12 + 4 * i)).collect();
                    }
                }
                b"stco" if fits(4, 8) => {
                    track.chunk_offsets =
                        (0..count).filter_map(|i| be32(body, 8 + 4 * i).map(u64::from)).collect();
                }
                b"co64" if fits(8, 8) => {
                    track.chunk_offsets =
                        (0..count).filter_map(|i| be64(body, 8 + 8 * i)).collect();
                }
                b"stsc" if fits(12, 8) => {
                    track.sample_to_chunk = (0..count)
                        .filter_map(|i| Some((be32(body, 8 + 12 * i)?, be32(body, 12 + 12 * i)?)))
                        .collect();
                }
                b"stco" | b"co64" | b"stsc" => return Err(bad()),
                _ => {}
            }
        }
        return Ok(track);
    }
    Err(Mp4Error::NoAudioTrack)
}

impl AudioTrack {
    /// The bytes of every sample, in order.
    pub fn samples<'a>(&self, file: &'a [u8]) -> Result<Vec<&'a [u8]>, Mp4Error> {
        let mut out = Vec::with_capacity(self.sizes.len());
        let mut sizes = self.sizes.iter().enumerate();
        for (chunk_index, &offset) in self.chunk_offsets.iter().enumerate() {
            let chunk_no = chunk_index as u32 + 1;
            let per_chunk = self
                .sample_to_chunk
                .iter()
                .take_while(|(first, _)| *first <= chunk_no)
                .last()
                .map_or(0, |(_, n)| *n);
            let mut pos = usize::try_from(offset)
                .map_err(|_| Mp4Error::SampleOutOfFile { index: out.len() })?;
            for _ in 0..per_chunk {
                let Some((index, &size)) = sizes.next() else { return Ok(out) };
                let end = pos.checked_add(size as usize).filter(|&e| e <= file.len());
                let end = end.ok_or(Mp4Error::SampleOutOfFile { index })?;
                out.push(&file[pos..end]);
                pos = end;
            }
        }
        Ok(out)
    }

    /// The edit list as (samples to skip, samples to keep) in the media timescale, when the
    /// first edit says so.
    pub fn trim(&self) -> Option<(u64, u64)> {
        let (duration, start) = self.edit?;
        if start < 0 || self.movie_timescale == 0 {
            return None;
        }
        let keep =
            u128::from(duration) * u128::from(self.timescale) / u128::from(self.movie_timescale);
        Some((start as u64, u64::try_from(keep).ok()?))
    }
}
