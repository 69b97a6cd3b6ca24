//! JUnit XML, the report format CI systems read: one `<testsuite>` named `mm3gw-samples`, one
//! `<testcase>` per case, a `<failure>` (first difference as message, all in the text) for a
//! differing case and an `<error>` for one that could not run.
use quick_xml::escape::escape;

use super::Outcome;

/// The XML document for `results` (name, outcome), in the order given.
pub fn junit_xml(results: &[(String, Outcome)]) -> String {
    let count = |f: fn(&Outcome) -> bool| results.iter().filter(|(_, o)| f(o)).count();
    let failures = count(|o| matches!(o, Outcome::Differ(_)));
    let errors = count(|o| matches!(o, Outcome::Error(_)));
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<testsuites tests=\"{0}\" failures=\"{failures}\" errors=\"{errors}\">\n\
         <testsuite name=\"mm3gw-samples\" tests=\"{0}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">\n",
        results.len()
    ));
    for (name, outcome) in results {
        let (class, case) = match name.rsplit_once('/') {
            Some((dir, case)) => (format!("samples.{}", dir.replace('/', ".")), case),
            None => ("samples".to_owned(), name.as_str()),
        };
        let open =
            format!("  <testcase classname=\"{}\" name=\"{}\"", escape(&class), escape(case));
        match outcome {
            Outcome::Pass => x.push_str(&format!("{open}/>\n")),
            Outcome::Differ(lines) => {
                let first = lines.first().map_or("", String::as_str);
                x.push_str(&format!(
                    "{open}>\n    <failure message=\"{}\" type=\"differs\">{}</failure>\n  </testcase>\n",
                    escape(first),
                    escape(lines.join("\n"))
                ));
            }
            Outcome::Error(e) => x.push_str(&format!(
                "{open}>\n    <error message=\"{}\" type=\"error\"/>\n  </testcase>\n",
                escape(e.as_str())
            )),
        }
    }
    x.push_str("</testsuite>\n</testsuites>\n");
    x
}
