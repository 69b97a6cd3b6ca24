mod config;
mod decoder;
mod encoder;
mod frame;

/// Public re-export.
pub use config::{DecoderConfig, EncoderConfig, G729Config};
/// Public re-export.
pub use decoder::G729Decoder;
/// Public re-export.
pub use encoder::G729Encoder;
/// Public re-export.
pub use frame::FrameType;
