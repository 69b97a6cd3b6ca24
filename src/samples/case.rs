//! One regression case: a folder with `input.eml`, `case.toml`, the expected output and a
//! one-line `README`. `case.toml` names the target (`to`, the one required key) and may fix the
//! route, the route profile, a configuration file, the clock and the id seed; the defaults are
//! fixed values so that a case with only `to` is reproducible.
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::convert::To;
use crate::config::{Config, Convert};

/// The clock a case runs with unless `clock` says otherwise: 2024-01-01T10:01:00Z.
pub const DEFAULT_CLOCK: i64 = 1_704_103_260;

/// Why a case folder cannot run.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("case.toml: {0}")]
    Toml(String),
    #[error("case.toml: to = {0:?} is not one of inspect, fax, vpim, ivm, mm")]
    UnknownTo(String),
    #[error("case.toml: clock = {0:?} is not an RFC 3339 time")]
    Clock(String),
    #[error("case.toml: profile {0:?} is not a known route profile")]
    Profile(String),
    #[error("case.toml: config: {0}")]
    Config(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    to: String,
    route: Option<String>,
    profile: Option<String>,
    config: Option<PathBuf>,
    clock: Option<String>,
    seed: Option<u64>,
}

/// What a case checks: an inspection report or one conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Inspect,
    Fax,
    Vpim,
    Ivm,
    Mm,
}

impl Kind {
    /// The conversion target, `None` for inspection.
    pub fn target(self) -> Option<To> {
        match self {
            Kind::Inspect => None,
            Kind::Fax => Some(To::Fax),
            Kind::Vpim => Some(To::Vpim),
            Kind::Ivm => Some(To::Ivm),
            Kind::Mm => Some(To::Mm),
        }
    }

    /// The file holding the accepted output.
    pub fn expected_file(self) -> &'static str {
        if self == Kind::Inspect { "expected.json" } else { "expected.eml" }
    }
}

/// A parsed `case.toml` with its folder.
#[derive(Clone, Debug)]
pub struct Case {
    /// The folder relative to the directory the run was given (its own name when it is one).
    pub name: String,
    pub dir: PathBuf,
    pub kind: Kind,
    pub route: Option<String>,
    pub profile: Option<String>,
    /// A gateway configuration file, relative to the case folder, replacing the run's.
    pub config: Option<PathBuf>,
    /// Unix seconds.
    pub clock: i64,
    pub seed: u64,
}

impl Case {
    /// Reads `dir/case.toml`.
    pub fn load(name: &str, dir: &Path) -> Result<Case, CaseError> {
        let path = dir.join("case.toml");
        let text =
            std::fs::read_to_string(&path).map_err(|source| CaseError::Io { path, source })?;
        Case::parse(name, dir, &text)
    }

    /// Parses the text of a `case.toml`.
    pub fn parse(name: &str, dir: &Path, text: &str) -> Result<Case, CaseError> {
        let raw: RawCase = toml::from_str(text).map_err(|e| CaseError::Toml(e.to_string()))?;
        let kind = match raw.to.as_str() {
            "inspect" => Kind::Inspect,
            "fax" => Kind::Fax,
            "vpim" => Kind::Vpim,
            "ivm" => Kind::Ivm,
            "mm" => Kind::Mm,
            other => return Err(CaseError::UnknownTo(other.to_owned())),
        };
        let clock = match &raw.clock {
            None => DEFAULT_CLOCK,
            // RFC 3339 needs a full date, time and offset; the shared reader also takes others.
            Some(c) if c.len() >= 20 && c.as_bytes().get(10) == Some(&b'T') => {
                crate::mm::parse_date(c).ok_or_else(|| CaseError::Clock(c.clone()))?
            }
            Some(c) => return Err(CaseError::Clock(c.clone())),
        };
        Ok(Case {
            name: name.to_owned(),
            dir: dir.to_owned(),
            kind,
            route: raw.route,
            profile: raw.profile,
            config: raw.config,
            clock,
            seed: raw.seed.unwrap_or(0),
        })
    }

    /// Where the accepted output lives.
    pub fn expected_path(&self) -> PathBuf {
        self.dir.join(self.kind.expected_file())
    }

    /// The id every generated identifier of the conversion derives from (Message-ID, MM id,
    /// transaction id): fixed by the seed.
    pub fn id(&self, hostname: &str) -> String {
        match self.seed {
            0 => format!("case@{hostname}"),
            n => format!("case.{n}@{hostname}"),
        }
    }

    /// The configuration this case converts with: its own file or `base`, with the route
    /// profile replaced when the case names one.
    pub fn configuration(&self, base: &Config) -> Result<Config, CaseError> {
        let mut config = match &self.config {
            Some(file) => Config::load(Some(&self.dir.join(file)))
                .map_err(|e| CaseError::Config(e.to_string()))?,
            None => base.clone(),
        };
        if let Some(profile) = &self.profile {
            if config.profiles.get(profile).is_none() {
                return Err(CaseError::Profile(profile.clone()));
            }
            let kind = match self.kind {
                Kind::Fax => Some(Convert::Fax),
                Kind::Vpim => Some(Convert::Vpim),
                Kind::Ivm => Some(Convert::Ivm),
                Kind::Inspect | Kind::Mm => None,
            };
            // The named route, else every route of the case's kind (the one convert picks).
            for r in &mut config.routes {
                let picked = match &self.route {
                    Some(name) => *name == r.name,
                    None => kind == Some(r.convert),
                };
                if picked {
                    r.profile = profile.clone();
                }
            }
        }
        Ok(config)
    }
}

/// Every folder below `root` (or `root` itself) holding a `case.toml`, sorted, with its name.
pub fn discover(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if root.join("case.toml").is_file() {
        let name = root.file_name().map_or("case".into(), |n| n.to_string_lossy().into_owned());
        out.push((name, root.to_owned()));
        return out;
    }
    walk(root, root, &mut out, 0);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>, depth: usize) {
    // Deep enough for any corpus layout, short of a symlink loop.
    if depth > 16 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.join("case.toml").is_file() {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            out.push((rel.to_string_lossy().replace('\\', "/"), p));
        } else if p.is_dir() {
            walk(root, &p, out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_to_is_required_and_defaults_are_fixed() {
        let c = Case::parse("x", Path::new("."), "to = \"fax\"\n").unwrap();
        assert_eq!((c.kind, c.clock, c.seed), (Kind::Fax, DEFAULT_CLOCK, 0));
        assert_eq!(c.id("gw.example"), "case@gw.example");
        let c = Case::parse(
            "x",
            Path::new("."),
            "to = \"mm\"\nclock = \"2025-03-01T12:00:00+01:00\"\nseed = 7\n",
        )
        .unwrap();
        assert_eq!((c.clock, c.id("h")), (1_740_826_800, "case.7@h".to_string()));
    }

    #[test]
    fn profile_replaces_the_profile_of_the_routes_of_the_kind() {
        let base = Config::embedded().unwrap();
        let c = Case::parse("x", Path::new("."), "to = \"fax\"\nprofile = \"tiff-f-f\"\n").unwrap();
        let config = c.configuration(&base).unwrap();
        for r in &config.routes {
            let want =
                if r.convert == Convert::Fax { "tiff-f-f" } else { base_profile(&base, &r.name) };
            assert_eq!(r.profile, want, "{}", r.name);
        }
        let c = Case::parse("x", Path::new("."), "to = \"fax\"\nprofile = \"nope\"\n").unwrap();
        assert!(matches!(c.configuration(&base), Err(CaseError::Profile(_))));
        let c = Case::parse("x", Path::new("/nonexistent"), "to = \"fax\"\nconfig = \"gw.toml\"\n")
            .unwrap();
        assert!(matches!(c.configuration(&base), Err(CaseError::Config(_))));
    }

    fn base_profile<'a>(base: &'a Config, route: &str) -> &'a str {
        &base.routes.iter().find(|r| r.name == route).unwrap().profile
    }

    #[test]
    fn bad_cases_are_named() {
        let p = Path::new(".");
        assert!(matches!(Case::parse("x", p, "route = \"a\""), Err(CaseError::Toml(_))));
        assert!(matches!(Case::parse("x", p, "to = \"pdf\""), Err(CaseError::UnknownTo(_))));
        assert!(matches!(
            Case::parse("x", p, "to = \"fax\"\nclock = \"yesterday\""),
            Err(CaseError::Clock(_))
        ));
        assert!(matches!(
            Case::parse("x", p, "to = \"fax\"\nsurprise = 1"),
            Err(CaseError::Toml(_))
        ));
    }
}
