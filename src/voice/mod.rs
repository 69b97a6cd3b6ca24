//! Voice: the codecs and containers of the voice-mail flows (design.md, "voice/").
//!
//! Everything here is sans-IO: bytes in, bytes or samples out.
//! - [`g726`]: ITU-T G.726 ADPCM, bit-exact; audio/32kadpcm packing (RFC 3802).
//! - [`g711`]: A-law and µ-law.
pub mod g711;
pub mod g726;
