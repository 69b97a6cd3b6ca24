/// Public constant `NOISE`.
pub const NOISE: i16 = 0;
/// Public constant `VOICE`.
pub const VOICE: i16 = 1;

/// Public constant `INIT_FRAME`.
pub const INIT_FRAME: i16 = 32;
/// Public constant `INIT_COUNT`.
pub const INIT_COUNT: i16 = 20;

/// Public constant `ZC_START`.
pub const ZC_START: usize = 120;
/// Public constant `ZC_END`.
pub const ZC_END: usize = 200;
