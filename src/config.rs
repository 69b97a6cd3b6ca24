//! Gateway configuration and profiles (TOML).
