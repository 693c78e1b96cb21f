#!/usr/bin/env python3
"""Dump the VS Code extension's APIM policy XSDs as a compact outline.

One-shot seed for `src/catalog/`: the catalog was first written from this outline and then
corrected by hand from Microsoft's policy reference, so the Rust data is the source of truth
and this script is only kept to re-read the XSDs when they change (diff its output).

Usage: python3 xsd_seed.py tests/fixtures/apim-xsd > /tmp/xsd-outline.txt
"""
import os
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"


def load(folder):
    roots, complex_types, simple_types = {}, {}, {}
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".xsd"):
            continue
        tree = ET.parse(os.path.join(folder, f)).getroot()
        for child in tree:
            name = child.get("name")
            if child.tag == XS + "element":
                roots[name] = (f, child)
            elif child.tag == XS + "complexType":
                complex_types[name] = child
            elif child.tag == XS + "simpleType":
                simple_types[name] = child
    return roots, complex_types, simple_types


class Dumper:
    def __init__(self, complex_types, simple_types):
        self.ct = complex_types
        self.st = simple_types

    def simple(self, node):
        """Describe an xs:simpleType node."""
        for c in node:
            if c.tag == XS + "restriction":
                enums = [e.get("value") for e in c if e.tag == XS + "enumeration"]
                if enums:
                    return "enum(" + "|".join(enums) + ")"
                pats = [e.get("value") for e in c if e.tag == XS + "pattern"]
                if pats:
                    return c.get("base") + " pattern " + " ".join(pats)
                return c.get("base")
            if c.tag == XS + "union":
                members = (c.get("memberTypes") or "").split()
                return " | ".join(self.type_name(m) for m in members)
        return "?"

    def type_name(self, t):
        if t is None:
            return "anyType"
        if t == "expression":
            return "EXPR"
        if t in self.st:
            return self.simple(self.st[t])
        return t

    def attr(self, a):
        t = a.get("type")
        desc = self.type_name(t) if t else None
        for c in a:
            if c.tag == XS + "simpleType":
                desc = self.simple(c)
        if desc is None:
            desc = "string"
        req = "!" if a.get("use") == "required" else ""
        default = f" ={a.get('default')}" if a.get("default") is not None else ""
        return f"@{a.get('name')}{req} {desc}{default}"

    def occurs(self, e, mult=""):
        lo = e.get("minOccurs", "1")
        hi = e.get("maxOccurs", "1")
        return f"[{lo}..{'*' if hi == 'unbounded' else hi}]{mult}"

    def element(self, e, depth, out, mult=""):
        name = e.get("name") or ("ref:" + str(e.get("ref")))
        t = e.get("type")
        line = "  " * depth + f"<{name}> {self.occurs(e, mult)}"
        if t and t in self.ct:
            line += f" :{t}"
            out.append(line)
            self.complex(self.ct[t], depth + 1, out)
        elif t:
            out.append(line + f" text={self.type_name(t)}")
        else:
            out.append(line)
            for c in e:
                if c.tag == XS + "complexType":
                    self.complex(c, depth + 1, out)
                elif c.tag == XS + "simpleType":
                    out.append("  " * (depth + 1) + "text=" + self.simple(c))

    def particle(self, p, depth, out):
        kind = p.tag.replace(XS, "")
        mult = ""
        if kind in ("choice", "sequence", "all"):
            out.append("  " * depth + f"#{kind} {self.occurs(p)}")
            for c in p:
                if c.tag == XS + "element":
                    self.element(c, depth + 1, out)
                elif c.tag == XS + "any":
                    out.append("  " * (depth + 1) + f"*any {self.occurs(c)} {c.get('processContents')}")
                else:
                    self.particle(c, depth + 1, out)

    def complex(self, ct, depth, out):
        if ct.get("mixed") == "true":
            out.append("  " * depth + "#mixed")
        for c in ct:
            tag = c.tag.replace(XS, "")
            if tag == "attribute":
                out.append("  " * depth + self.attr(c))
            elif tag in ("sequence", "choice", "all"):
                self.particle(c, depth, out)
            elif tag in ("simpleContent", "complexContent"):
                for ext in c:
                    base = ext.get("base")
                    kind = ext.tag.replace(XS, "")
                    out.append("  " * depth + f"#{kind} base={self.type_name(base)}")
                    if base in self.ct:
                        self.complex(self.ct[base], depth, out)
                    for x in ext:
                        xt = x.tag.replace(XS, "")
                        if xt == "attribute":
                            out.append("  " * depth + self.attr(x))
                        elif xt in ("sequence", "choice", "all"):
                            self.particle(x, depth, out)
                        elif xt == "enumeration":
                            out.append("  " * depth + f"enum {x.get('value')}")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    roots, ct, st = load(folder)
    d = Dumper(ct, st)
    for name in sorted(roots):
        f, e = roots[name]
        out = []
        d.element(e, 0, out)
        print(f"# {f}")
        print("\n".join(out))
        print()


if __name__ == "__main__":
    main()
