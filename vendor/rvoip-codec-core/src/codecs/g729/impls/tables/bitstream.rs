/// Public constant `SPEECH_FRAME_BITS`.
pub const SPEECH_FRAME_BITS: usize = 80;
/// Public constant `SPEECH_FRAME_BYTES`.
pub const SPEECH_FRAME_BYTES: usize = 10;
/// Public constant `SID_FRAME_BITS`.
pub const SID_FRAME_BITS: usize = 16;
/// Public constant `SID_FRAME_BYTES`.
pub const SID_FRAME_BYTES: usize = 2;

/// Public constant `SPEECH_PARAM_BITS`.
pub const SPEECH_PARAM_BITS: [u8; 10] = [8; 10];
/// Public constant `SID_PARAM_BITS`.
pub const SID_PARAM_BITS: [u8; 2] = [8; 2];
