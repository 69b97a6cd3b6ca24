//! Inspection reports (`expected.json`): compared as JSON values, each difference named by its
//! JSON pointer. They hold nothing generated per run, so nothing is normalised.
use serde_json::Value;

/// Compares two JSON documents.
pub fn compare(exp: &[u8], act: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let e: Value = match serde_json::from_slice(exp) {
        Ok(v) => v,
        Err(e) => return vec![format!("expected report is not JSON: {e}")],
    };
    let a: Value = match serde_json::from_slice(act) {
        Ok(v) => v,
        Err(e) => return vec![format!("report is not JSON: {e}")],
    };
    diff(&e, &a, "", &mut out);
    out
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        _ => v.to_string(),
    };
    if s.chars().count() > 60 { s.chars().take(60).chain(['…']).collect() } else { s }
}

fn diff(e: &Value, a: &Value, at: &str, out: &mut Vec<String>) {
    let here = if at.is_empty() { "/" } else { at };
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                match ao.get(k) {
                    Some(av) => diff(ev, av, &format!("{at}/{k}"), out),
                    None => out.push(format!("report {at}/{k}: missing (expected {})", short(ev))),
                }
            }
            for (k, av) in ao.iter().filter(|(k, _)| !eo.contains_key(*k)) {
                out.push(format!("report {at}/{k}: unexpected {}", short(av)));
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                diff(ev, av, &format!("{at}/{i}"), out);
            }
            if ea.len() != aa.len() {
                out.push(format!("report {here}: {} entries, expected {}", aa.len(), ea.len()));
            }
        }
        _ if e != a => out.push(format!("report {here}: {}, expected {}", short(a), short(e))),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_pointer() {
        let out = super::compare(br#"{"a":{"b":[1,2]},"c":"x"}"#, br#"{"a":{"b":[1,3]},"d":1}"#);
        assert_eq!(
            out,
            [
                "report /a/b/1: 3, expected 2",
                "report /c: missing (expected x)",
                "report /d: unexpected 1"
            ]
        );
    }
}
