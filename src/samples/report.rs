//! The HTML report: one self-contained page (inline CSS, previews as `data:` PNG URIs) with a
//! summary table and, for each differing case, the expected and actual previews side by side
//! (drawn by [`crate::render::preview::preview_message`]) above its differences.
use base64::Engine;

use super::{CaseResult, Kind, Outcome};
use crate::render::preview::preview_message;

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn preview(raw: &[u8]) -> String {
    match preview_message(raw) {
        Ok(png) => format!(
            "<img alt=\"preview\" src=\"data:image/png;base64,{}\">",
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        Err(e) => format!("<p class=\"none\">no preview: {}</p>", esc(&e.to_string())),
    }
}

/// The report section of one differing case (previews drawn now, so the outputs can be
/// dropped); empty for a passing case.
pub fn case_section(r: &CaseResult) -> String {
    let lines = match &r.outcome {
        Outcome::Pass => return String::new(),
        Outcome::Differ(l) => l.clone(),
        Outcome::Error(e) => vec![e.clone()],
    };
    let mut s = format!("<section id=\"{0}\"><h2>{0}</h2>\n", esc(&r.name));
    if let (Some((exp, act)), Some(kind)) = (&r.outputs, r.kind)
        && kind != Kind::Inspect
    {
        s.push_str(&format!(
            "<div class=\"pair\"><figure><figcaption>expected</figcaption>{}</figure>\
             <figure><figcaption>actual</figcaption>{}</figure></div>\n",
            preview(exp),
            preview(act)
        ));
    }
    s.push_str("<ul class=\"diff\">\n");
    for l in &lines {
        s.push_str(&format!("<li>{}</li>\n", esc(l)));
    }
    s.push_str("</ul></section>\n");
    s
}

/// The whole page: `results` (name, outcome) in order and the sections of differing cases.
pub fn page(results: &[(String, Outcome)], sections: &[String]) -> String {
    let passed = results.iter().filter(|(_, o)| *o == Outcome::Pass).count();
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>mm3gw samples</title><style>\n\
         body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}\
         table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\
         .pass{color:#176117}.differ{color:#a11}.error{color:#a60}\
         .pair{display:flex;gap:16px;align-items:flex-start}figure{margin:0;border:1px solid #ccc;padding:6px}\
         figure img{max-width:640px;height:auto;display:block}figcaption{font-weight:bold}\
         ul.diff{font-family:monospace}section{margin-top:2em}\n</style></head><body>\n",
    );
    h.push_str(&format!(
        "<h1>mm3gw samples: {} of {} cases match</h1>\n<table><tr><th>case</th><th>result</th><th>first difference</th></tr>\n",
        passed,
        results.len()
    ));
    for (name, o) in results {
        let (class, what, first) = match o {
            Outcome::Pass => ("pass", "match", String::new()),
            Outcome::Differ(l) => ("differ", "differs", l.first().cloned().unwrap_or_default()),
            Outcome::Error(e) => ("error", "error", e.clone()),
        };
        let cell = if class == "pass" {
            esc(name)
        } else {
            format!("<a href=\"#{0}\">{0}</a>", esc(name))
        };
        h.push_str(&format!(
            "<tr><td>{cell}</td><td class=\"{class}\">{what}</td><td>{}</td></tr>\n",
            esc(&first)
        ));
    }
    h.push_str("</table>\n");
    for s in sections {
        h.push_str(s);
    }
    h.push_str("</body></html>\n");
    h
}
