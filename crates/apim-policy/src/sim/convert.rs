//! Body conversions for `json-to-xml` and `xml-to-json`.
//!
//! `json-to-xml` wraps the result in `<Document>` as APIM does; arrays become repeated
//! elements; names that are not XML names are replaced by `_`. `xml-to-json` follows
//! Newtonsoft's `SerializeXmlNode` conventions (attributes as `@name`, mixed text as
//! `#text`, repeated children as arrays), which is what APIM's `javascript-friendly` kind
//! produces; `direct` additionally keeps the XML declaration (`?xml`) and namespace
//! declarations. XML is read with quick-xml; nesting is bounded.

use super::json::J;
use crate::syntax::decode_entities;
use quick_xml::Reader;
use quick_xml::events::Event;

const MAX_DEPTH: usize = 64;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xml_name(k: &str) -> String {
    let mut out: String = k
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        out.insert(0, '_');
    }
    out
}

fn write_xml(name: &str, v: &J, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        J::Arr(items) => {
            for i in items {
                write_xml(name, i, out, depth + 1);
            }
        }
        J::Obj(fields) => {
            out.push('<');
            out.push_str(name);
            let mut children = Vec::new();
            for (k, val) in fields {
                match (k.strip_prefix('@'), val) {
                    (Some(attr), J::Str(_) | J::Num(_) | J::Bool(_)) => {
                        out.push_str(&format!(
                            " {}=\"{}\"",
                            xml_name(attr),
                            xml_escape(&val.to_text())
                        ));
                    }
                    _ => children.push((k, val)),
                }
            }
            out.push('>');
            for (k, val) in children {
                if k == "#text" {
                    out.push_str(&xml_escape(&val.to_text()));
                } else {
                    write_xml(&xml_name(k), val, out, depth + 1);
                }
            }
            out.push_str(&format!("</{name}>"));
        }
        J::Null => out.push_str(&format!("<{name} />")),
        v => out.push_str(&format!("<{name}>{}</{name}>", xml_escape(&v.to_text()))),
    }
}

/// JSON → XML, inside `<Document>`.
pub fn json_to_xml(j: &J) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    match j {
        J::Obj(_) => {
            let mut inner = String::new();
            write_xml("Document", j, &mut inner, 0);
            out.push_str(&inner);
        }
        other => {
            out.push_str("<Document>");
            write_xml("Array", other, &mut out, 0);
            out.push_str("</Document>");
        }
    }
    out
}

/// An element read from XML.
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Child>,
}

enum Child {
    El(El),
    Text(String),
}

fn parse_xml(text: &str) -> Option<(Option<String>, El)> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<El> = Vec::new();
    let mut decl: Option<String> = None;
    let mut root: Option<El> = None;
    let start = |e: &quick_xml::events::BytesStart<'_>| -> El {
        let name = e.name().into_inner().to_string();
        let attrs = e
            .attributes()
            .flatten()
            .map(|a| (a.key.into_inner().to_string(), decode_entities(&a.value)))
            .collect();
        El {
            name,
            attrs,
            children: Vec::new(),
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if stack.len() > MAX_DEPTH {
                    return None;
                }
                stack.push(start(&e));
            }
            Ok(Event::Empty(e)) => {
                let el = start(&e);
                match stack.last_mut() {
                    Some(p) => p.children.push(Child::El(el)),
                    None => root = Some(el),
                }
            }
            Ok(Event::End(_)) => {
                let el = stack.pop()?;
                match stack.last_mut() {
                    Some(p) => p.children.push(Child::El(el)),
                    None => root = Some(el),
                }
            }
            Ok(Event::Text(t)) => {
                let s = decode_entities(&t);
                if let Some(p) = stack.last_mut() {
                    push_text(p, &s);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let s = decode_entities(&format!("&{};", &*r));
                if let Some(p) = stack.last_mut() {
                    push_text(p, &s);
                }
            }
            Ok(Event::CData(t)) => {
                let s = t.to_string();
                if let Some(p) = stack.last_mut() {
                    push_text(p, &s);
                }
            }
            Ok(Event::Decl(d)) => decl = Some(d.to_string()),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root.map(|r| (decl, r))
}

fn push_text(p: &mut El, s: &str) {
    if let Some(Child::Text(t)) = p.children.last_mut() {
        t.push_str(s);
    } else {
        p.children.push(Child::Text(s.to_string()));
    }
}

fn el_to_json(el: &El, direct: bool, always_array: bool, depth: usize) -> J {
    if depth > MAX_DEPTH {
        return J::Null;
    }
    let texts: Vec<&str> = el
        .children
        .iter()
        .filter_map(|c| match c {
            Child::Text(t) if !t.trim().is_empty() => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let elements: Vec<&El> = el
        .children
        .iter()
        .filter_map(|c| match c {
            Child::El(e) => Some(e),
            _ => None,
        })
        .collect();
    let attrs: Vec<&(String, String)> = el
        .attrs
        .iter()
        .filter(|(k, _)| direct || !(k == "xmlns" || k.starts_with("xmlns:")))
        .collect();
    if attrs.is_empty() && elements.is_empty() {
        return if texts.is_empty() {
            J::Null
        } else {
            J::Str(texts.concat())
        };
    }
    let mut fields: Vec<(String, J)> = attrs
        .iter()
        .map(|(k, v)| (format!("@{k}"), J::Str(v.clone())))
        .collect();
    if !texts.is_empty() {
        fields.push(("#text".into(), J::Str(texts.concat().trim().to_string())));
    }
    for e in elements {
        let v = el_to_json(e, direct, always_array, depth + 1);
        match fields.iter_mut().find(|(k, _)| *k == e.name) {
            Some((_, J::Arr(items))) => items.push(v),
            Some((_, existing)) => {
                let first = std::mem::replace(existing, J::Null);
                *existing = J::Arr(vec![first, v]);
            }
            None => fields.push((
                e.name.clone(),
                if always_array { J::Arr(vec![v]) } else { v },
            )),
        }
    }
    J::Obj(fields)
}

/// XML → JSON (`{"root": {…}}`); `None` when the text is not XML.
pub fn xml_to_json(text: &str, direct: bool, always_array: bool) -> Option<J> {
    let (decl, root) = parse_xml(text.trim())?;
    let mut fields = Vec::new();
    if direct && let Some(d) = decl {
        let mut attrs = Vec::new();
        for part in d.split_whitespace().skip(1) {
            if let Some((k, v)) = part.split_once('=') {
                attrs.push((
                    format!("@{k}"),
                    J::Str(v.trim_matches(['"', '\'', '?']).to_string()),
                ));
            }
        }
        fields.push(("?xml".to_string(), J::Obj(attrs)));
    }
    fields.push((
        root.name.clone(),
        el_to_json(&root, direct, always_array, 0),
    ));
    Some(J::Obj(fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::json;

    #[test]
    fn json_becomes_xml() {
        let j = json::parse(r#"{"id":"42","tags":["a","b"],"x":{"@k":"v","y":1}}"#).unwrap();
        assert_eq!(
            json_to_xml(&j),
            r#"<?xml version="1.0" encoding="utf-8"?><Document><id>42</id><tags>a</tags><tags>b</tags><x k="v"><y>1</y></x></Document>"#
        );
    }

    #[test]
    fn xml_becomes_json() {
        let j = xml_to_json(
            r#"<order id="7"><item>a</item><item>b</item><note>x &amp; y</note></order>"#,
            false,
            false,
        )
        .unwrap();
        assert_eq!(
            j.to_json(),
            r#"{"order":{"@id":"7","item":["a","b"],"note":"x & y"}}"#
        );
        assert!(xml_to_json("{}", false, false).is_none());
        assert!(xml_to_json("<a><b></a>", false, false).is_none());
    }
}
