//! A small `System.Xml.Linq` model: `XDocument`/`XElement` parsed from text, navigated with
//! `Root`, `Element(s)`, `Descendants`, `Attribute`, `Value`, and printed with `ToString()`.
//! Namespaces are resolved (`{ns}local` names). No DTDs, no entity declarations (APIM rejects
//! them too); depth is bounded.

use std::cell::RefCell;
use std::rc::Rc;

const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug)]
pub(crate) struct XNode(pub Rc<RefCell<XData>>);

#[derive(Clone, Debug)]
pub(crate) enum XData {
    Document(Option<XNode>),
    Element(XElem),
    Text(String),
    Attribute {
        ns: String,
        name: String,
        value: String,
    },
}

#[derive(Clone, Debug, Default)]
pub(crate) struct XElem {
    pub ns: String,
    pub name: String,
    /// (namespace, local name, value); `xmlns` declarations kept with ns `xmlns`.
    pub attrs: Vec<(String, String, String)>,
    pub children: Vec<XNode>,
    /// The prefix used in the source, for printing.
    pub prefix: String,
}

impl XNode {
    pub fn new(d: XData) -> Self {
        XNode(Rc::new(RefCell::new(d)))
    }

    pub fn type_name(&self) -> &'static str {
        match &*self.0.borrow() {
            XData::Document(_) => "XDocument",
            XData::Element(_) => "XElement",
            XData::Text(_) => "XText",
            XData::Attribute { .. } => "XAttribute",
        }
    }

    /// The element (the root for a document).
    pub fn element(&self) -> Option<XNode> {
        match &*self.0.borrow() {
            XData::Document(r) => r.clone(),
            XData::Element(_) => Some(self.clone()),
            _ => None,
        }
    }

    pub fn name(&self) -> Option<(String, String)> {
        match &*self.0.borrow() {
            XData::Element(e) => Some((e.ns.clone(), e.name.clone())),
            XData::Attribute { ns, name, .. } => Some((ns.clone(), name.clone())),
            _ => None,
        }
    }

    /// `Value`: the concatenated text of all descendants.
    pub fn value(&self) -> String {
        let mut s = String::new();
        self.collect_text(&mut s, 0);
        s
    }

    fn collect_text(&self, out: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match &*self.0.borrow() {
            XData::Text(t) => out.push_str(t),
            XData::Attribute { value, .. } => out.push_str(value),
            XData::Element(e) => e
                .children
                .iter()
                .for_each(|c| c.collect_text(out, depth + 1)),
            XData::Document(Some(r)) => r.collect_text(out, depth + 1),
            XData::Document(None) => {}
        }
    }

    /// Child elements, optionally filtered by `(ns, local)`.
    pub fn elements(&self, name: Option<(&str, &str)>) -> Vec<XNode> {
        let Some(el) = self.element_or_doc_children() else {
            return Vec::new();
        };
        el.into_iter()
            .filter(|c| match (&*c.0.borrow(), name) {
                (XData::Element(e), Some((ns, n))) => e.ns == ns && e.name == n,
                (XData::Element(_), None) => true,
                _ => false,
            })
            .collect()
    }

    fn element_or_doc_children(&self) -> Option<Vec<XNode>> {
        match &*self.0.borrow() {
            XData::Document(r) => Some(r.iter().cloned().collect()),
            XData::Element(e) => Some(e.children.clone()),
            _ => None,
        }
    }

    pub fn descendants(&self, name: Option<(&str, &str)>) -> Vec<XNode> {
        let mut out = Vec::new();
        self.walk(&mut out, name, 0);
        out
    }

    fn walk(&self, out: &mut Vec<XNode>, name: Option<(&str, &str)>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for c in self.elements(None) {
            let matches = match (&*c.0.borrow(), name) {
                (XData::Element(e), Some((ns, n))) => e.ns == ns && e.name == n,
                _ => true,
            };
            if matches {
                out.push(c.clone());
            }
            c.walk(out, name, depth + 1);
        }
    }

    pub fn attribute(&self, ns: &str, name: &str) -> Option<XNode> {
        match &*self.0.borrow() {
            XData::Element(e) => {
                e.attrs
                    .iter()
                    .find(|(a, n, _)| a == ns && n == name)
                    .map(|(a, n, v)| {
                        XNode::new(XData::Attribute {
                            ns: a.clone(),
                            name: n.clone(),
                            value: v.clone(),
                        })
                    })
            }
            _ => None,
        }
    }

    /// `ToString()`: indented like `SaveOptions.None` (two spaces), no declaration.
    pub fn to_xml_string(&self) -> String {
        let mut s = String::new();
        write_node(&mut s, self, 0, true);
        s
    }
}

fn escape(s: &str, attr: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' if attr => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

fn write_node(out: &mut String, n: &XNode, level: usize, indent: bool) {
    if level > MAX_DEPTH {
        return;
    }
    match &*n.0.borrow() {
        XData::Document(Some(r)) => write_node(out, r, level, indent),
        XData::Document(None) => {}
        XData::Text(t) => out.push_str(&escape(t, false)),
        XData::Attribute { name, value, .. } => {
            out.push_str(&format!("{name}=\"{}\"", escape(value, true)));
        }
        XData::Element(e) => {
            let qname = if e.prefix.is_empty() {
                e.name.clone()
            } else {
                format!("{}:{}", e.prefix, e.name)
            };
            out.push('<');
            out.push_str(&qname);
            for (ns, name, v) in &e.attrs {
                out.push(' ');
                if ns == "xmlns" && name.is_empty() {
                    out.push_str("xmlns");
                } else if ns == "xmlns" {
                    out.push_str("xmlns:");
                    out.push_str(name);
                } else {
                    out.push_str(name);
                }
                out.push_str("=\"");
                out.push_str(&escape(v, true));
                out.push('"');
            }
            if e.children.is_empty() {
                out.push_str(" />");
                return;
            }
            out.push('>');
            let only_elements = e
                .children
                .iter()
                .all(|c| matches!(&*c.0.borrow(), XData::Element(_)));
            let ind = indent && only_elements;
            for c in &e.children {
                if ind {
                    out.push('\n');
                    out.push_str(&"  ".repeat(level + 1));
                }
                write_node(out, c, level + 1, ind);
            }
            if ind {
                out.push('\n');
                out.push_str(&"  ".repeat(level));
            }
            out.push_str("</");
            out.push_str(&qname);
            out.push('>');
        }
    }
}

/// Parse a document; returns the document node. Errors read like `XmlException`.
pub(crate) fn parse(text: &str) -> Result<XNode, String> {
    let mut p = XParser {
        s: text,
        pos: 0,
        ns_stack: vec![(
            String::from("xml"),
            "http://www.w3.org/XML/1998/namespace".into(),
        )],
    };
    p.misc()?;
    if p.rest().is_empty() {
        return Err("Root element is missing.".into());
    }
    let root = p.element(0)?;
    p.misc()?;
    if !p.rest().is_empty() {
        return Err(p.err("Data at the root level is invalid."));
    }
    Ok(XNode::new(XData::Document(Some(root))))
}

struct XParser<'a> {
    s: &'a str,
    pos: usize,
    /// (prefix, uri); the empty prefix is the default namespace.
    ns_stack: Vec<(String, String)>,
}

impl XParser<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn err(&self, m: &str) -> String {
        let before = self.s.get(..self.pos).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{m} Line {line}, position {col}.")
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }

    /// Prolog, comments, processing instructions, whitespace.
    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            let r = self.rest();
            if r.starts_with("<?") {
                let end = r
                    .find("?>")
                    .ok_or_else(|| self.err("Unexpected end of file."))?;
                self.pos += end + 2;
            } else if r.starts_with("<!--") {
                let end = r
                    .find("-->")
                    .ok_or_else(|| self.err("Unexpected end of file while parsing Comment."))?;
                self.pos += end + 3;
            } else if r.starts_with("<!") {
                return Err(self.err("DTD is prohibited in this XML document."));
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let r = self.rest();
        let len = r
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '>' | '=' | '<'))
            .unwrap_or(r.len());
        if len == 0 {
            return Err(self.err("Name cannot begin with this character."));
        }
        let n = r.get(..len).unwrap_or("").to_string();
        self.pos += len;
        Ok(n)
    }

    fn resolve(&self, prefix: &str) -> Option<String> {
        self.ns_stack
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.clone())
    }

    fn element(&mut self, depth: usize) -> Result<XNode, String> {
        if depth > MAX_DEPTH {
            return Err(self.err("The XML is nested too deeply."));
        }
        if !self.rest().starts_with('<') {
            return Err(self.err("Data at the root level is invalid."));
        }
        self.pos += 1;
        let qname = self.name()?;
        let mut raw_attrs = Vec::new();
        loop {
            self.skip_ws();
            let r = self.rest();
            if r.starts_with("/>") || r.starts_with('>') {
                break;
            }
            if r.is_empty() {
                return Err(self.err("Unexpected end of file."));
            }
            let an = self.name()?;
            self.skip_ws();
            if !self.rest().starts_with('=') {
                return Err(self.err("'=' is expected."));
            }
            self.pos += 1;
            self.skip_ws();
            let q = self.rest().chars().next().unwrap_or(' ');
            if q != '"' && q != '\'' {
                return Err(
                    self.err("'\"' is an unexpected token. The expected token is '\"' or '''.")
                );
            }
            self.pos += 1;
            let end = self
                .rest()
                .find(q)
                .ok_or_else(|| self.err("Unexpected end of file."))?;
            let v = decode(self.rest().get(..end).unwrap_or(""));
            self.pos += end + 1;
            raw_attrs.push((an, v));
        }
        let mark = self.ns_stack.len();
        for (an, v) in &raw_attrs {
            if an == "xmlns" {
                self.ns_stack.push((String::new(), v.clone()));
            } else if let Some(p) = an.strip_prefix("xmlns:") {
                self.ns_stack.push((p.to_string(), v.clone()));
            }
        }
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p.to_string(), l.to_string()),
            None => (String::new(), qname.clone()),
        };
        let ns = self.resolve(&prefix).unwrap_or_default();
        let mut attrs = Vec::new();
        for (an, v) in raw_attrs {
            if an == "xmlns" {
                attrs.push(("xmlns".into(), String::new(), v));
            } else if let Some(p) = an.strip_prefix("xmlns:") {
                attrs.push(("xmlns".into(), p.to_string(), v));
            } else if let Some((p, l)) = an.split_once(':') {
                attrs.push((self.resolve(p).unwrap_or_default(), l.to_string(), v));
            } else {
                attrs.push((String::new(), an, v));
            }
        }
        let mut el = XElem {
            ns,
            name: local,
            attrs,
            children: Vec::new(),
            prefix,
        };
        if self.rest().starts_with("/>") {
            self.pos += 2;
            self.ns_stack.truncate(mark);
            return Ok(XNode::new(XData::Element(el)));
        }
        self.pos += 1;
        loop {
            let r = self.rest();
            if r.is_empty() {
                return Err(self.err("Unexpected end of file has occurred."));
            }
            if let Some(rest) = r.strip_prefix("</") {
                let len = rest
                    .find('>')
                    .ok_or_else(|| self.err("Unexpected end of file."))?;
                let close = rest.get(..len).unwrap_or("").trim();
                if close != qname {
                    return Err(self.err(&format!(
                        "The '{qname}' start tag does not match the end tag of '{close}'."
                    )));
                }
                self.pos += 2 + len + 1;
                break;
            } else if r.starts_with("<!--") {
                let end = r
                    .find("-->")
                    .ok_or_else(|| self.err("Unexpected end of file."))?;
                self.pos += end + 3;
            } else if let Some(rest) = r.strip_prefix("<![CDATA[") {
                let end = rest
                    .find("]]>")
                    .ok_or_else(|| self.err("Unexpected end of file."))?;
                el.children.push(XNode::new(XData::Text(
                    rest.get(..end).unwrap_or("").to_string(),
                )));
                self.pos += 9 + end + 3;
            } else if r.starts_with("<?") {
                let end = r
                    .find("?>")
                    .ok_or_else(|| self.err("Unexpected end of file."))?;
                self.pos += end + 2;
            } else if r.starts_with('<') {
                el.children.push(self.element(depth + 1)?);
            } else {
                let end = r.find('<').unwrap_or(r.len());
                let t = r.get(..end).unwrap_or("");
                // Whitespace between elements is not kept (LoadOptions.None).
                if !t.trim().is_empty() {
                    el.children.push(XNode::new(XData::Text(decode(t))));
                }
                self.pos += end;
            }
        }
        self.ns_stack.truncate(mark);
        Ok(XNode::new(XData::Element(el)))
    }
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i..).unwrap_or("");
        let Some(end) = after.find(';') else {
            out.push_str(after);
            return out;
        };
        let ent = after.get(1..end).unwrap_or("");
        let rep = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match rep {
            Some(c) => out.push(c),
            None => out.push_str(after.get(..=end).unwrap_or("")),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Drop nested elements iteratively (code can nest `new XElement("a", prev)` in a loop).
impl Drop for XElem {
    fn drop(&mut self) {
        let mut stack: Vec<XNode> = std::mem::take(&mut self.children);
        while let Some(n) = stack.pop() {
            if let Ok(cell) = Rc::try_unwrap(n.0) {
                match cell.into_inner() {
                    XData::Element(mut e) => stack.append(&mut e.children),
                    XData::Document(Some(r)) => stack.push(r),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_navigate_print() {
        let d =
            parse(r#"<?xml version="1.0"?><a xmlns:s="urn:s"><s:b k="v">x &amp; y</s:b><c/></a>"#)
                .unwrap();
        let root = d.element().unwrap();
        let b = root.elements(Some(("urn:s", "b")));
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].value(), "x & y");
        assert_eq!(b[0].attribute("", "k").unwrap().value(), "v");
        assert_eq!(root.descendants(None).len(), 2);
        assert_eq!(
            d.to_xml_string(),
            "<a xmlns:s=\"urn:s\">\n  <s:b k=\"v\">x &amp; y</s:b>\n  <c />\n</a>"
        );
        assert!(parse("<a><b></a>").is_err());
        assert!(parse(&"<a>".repeat(1000)).is_err());
    }
}
