/// Public constant `GAMMA1_PST`.
pub const GAMMA1_PST: i16 = 22938; // 0.7 Q15
/// Public constant `GAMMA2_PST`.
pub const GAMMA2_PST: i16 = 18022; // 0.55 Q15
/// Public constant `GAMMA3_PST`.
pub const GAMMA3_PST: i16 = 24576; // 0.75 Q15
/// Public constant `MU`.
pub const MU: i16 = 26214; // 0.8 Q15
