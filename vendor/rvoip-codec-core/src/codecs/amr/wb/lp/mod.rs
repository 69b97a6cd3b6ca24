//! AMR-WB linear prediction analysis (3GPP TS 26.190 §5.2), in fixed point.

pub mod autocorr;
pub mod isf;
pub mod isf_codebooks;
pub mod isf_dequant;
pub mod isf_tables;
pub mod isp_to_lp;
pub mod tables;
