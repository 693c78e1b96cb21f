#!/usr/bin/env python3
"""Compare the policy catalog (crates/apim-policy/src/catalog/data.rs) with Microsoft Learn's
policy pages and print every difference as Markdown.

    python3 scripts/catalog-vs-docs.py DOCS_DIR [--catalog catalog.json] [--explained FILE] > docs/catalog-vs-docs.md

DOCS_DIR is a checkout of MicrosoftDocs/azure-docs (or a folder with the same layout): the
script reads DOCS_DIR/articles/api-management/*-policy.md and api-management-policies.md (the
index, for policies the catalog lacks). Without --catalog it runs
`cargo run -q -p apim-policy --example catalog_json` to get the catalog as JSON.

For each page it reads the policy statement (the first xml block after "Policy statement"), the
Attributes and Elements tables and their "<child> attributes" / "<child> elements" sub-tables,
the Usage section (sections, scopes, gateways) and the notes on how often the policy may appear,
and compares them with the catalog: attribute names, required, defaults, allowed values, whether
expressions are allowed; children, required, cardinality; sections and scopes; the
once-per-section / once-per-document flags. A difference whose key is listed in the explained
file (default scripts/catalog-vs-docs-explained.tsv: `key<TAB>reason` lines) is printed with
its reason; the rest are marked unexplained. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SECTION_NAMES = ["inbound", "backend", "outbound", "on-error"]
SCOPE_WORDS = {
    "global": "global",
    "workspace": "workspace",
    "product": "product",
    "api": "api",
    "operation": "operation",
    "graphql resolver": "resolver",
    "graphql resolver only": "resolver",
}
NONE_DEFAULTS = {"", "n/a", "none", "not set", "na"}


# ---------------------------------------------------------------------------------------------
# Reading a page


def clean_cell(text):
    """A table cell without links, backticks, bold, `<br/>` and surrounding space."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
    text = text.replace("**", "").replace("`", "")
    return " ".join(text.split())


def attr_name(cell):
    """`timeout="integer"` → `timeout`; `` `queue-name` `` → `queue-name`."""
    name = clean_cell(cell)
    name = name.split("=", 1)[0].strip().strip('"')
    return name


def split_row(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    cells, cur, i = [], "", 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            cur += "|"
            i += 2
            continue
        if c == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    cells.append(cur)
    return [c.strip() for c in cells]


def tables(lines):
    """Every Markdown table in `lines` as a list of dict rows keyed by lower-case header."""
    out, i = [], 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(
            r"^\s*\|?\s*:?-{2,}", lines[i + 1]
        ):
            header = [clean_cell(h).lower() for h in split_row(lines[i])]
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                cells = split_row(lines[j])
                rows.append({header[k] if k < len(header) else f"col{k}": v for k, v in enumerate(cells)})
                j += 1
            out.append(rows)
            i = j
        else:
            i += 1
    return out


def sections_of(text):
    """Headings (level 2 and 3) with the lines under them, in order."""
    out, title, level, buf = [], "", 0, []
    for line in text.splitlines():
        m = re.match(r"^(#{2,4})\s+(.*?)\s*$", line)
        if m:
            out.append((level, title, buf))
            level, title, buf = len(m.group(1)), m.group(2), []
        else:
            buf.append(line)
    out.append((level, title, buf))
    return out


def parse_statement(block):
    """Root element name, its attributes {name: [allowed values] or None} and the names of the
    elements nested in the statement (root's direct children and deeper)."""
    block = re.sub(r"<!(--|—|-)[\s\S]*?(--|-)?>", "", block)
    tags = list(re.finditer(r"<([A-Za-z][\w:.-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>", block))
    if not tags:
        return None, {}, []
    root = tags[0]
    attrs = {}
    for m in re.finditer(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')", root.group(2)):
        value = m.group(2)[1:-1]
        options = [o.strip() for o in value.split("|")]
        if len(options) > 1 and all(re.fullmatch(r"[\w.+-]+", o) for o in options):
            attrs[m.group(1)] = options
        else:
            attrs[m.group(1)] = None
    # Depth tracking is approximate: statements are not well-formed XML (placeholders like
    # `<HTTP METHOD>`), so only the root's direct children are kept, by a simple stack.
    children, depth = [], 0
    for m in re.finditer(r"<(/?)([A-Za-z][\w:.-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>", block):
        closing, name, _, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
        if closing:
            depth = max(0, depth - 1)
            continue
        if depth == 1 and name not in children:
            children.append(name)
        if not selfclose:
            depth += 1
    return root.group(1), attrs, children


def expand_includes(text, folder, depth=0):
    """Put `[!INCLUDE [name](../../includes/x.md)]` files in place (their front matter dropped), so
    that notes kept in includes ("This policy can only be used once …") are read too."""

    def one(m):
        target = os.path.normpath(os.path.join(folder, m.group(1)))
        if depth > 2 or not os.path.isfile(target):
            return m.group(0)
        body = open(target, encoding="utf-8").read()
        body = re.sub(r"\A---\n[\s\S]*?\n---\n", "", body)
        return expand_includes(body.strip(), os.path.dirname(target), depth + 1)

    return re.sub(r"\[!INCLUDE\s*\[[^\]]*\]\(([^)]+)\)\]", one, text)


def read_page(path):
    text = expand_includes(open(path, encoding="utf-8").read(), os.path.dirname(path))
    page = {
        "path": path,
        "file": os.path.basename(path),
        "ms_date": None,
        "commit": None,
        "statement_root": None,
        "statement_attrs": {},
        "statement_children": [],
        "attributes": {},
        "elements": {},
        "sub": {},
        "sections": None,
        "scopes": None,
        "gateways": None,
        "multiple": None,
        "notes": [],
    }
    m = re.search(r"^ms\.date:\s*(\S+)", text, re.M)
    if m:
        page["ms_date"] = m.group(1)
    m = re.search(r"commit ([0-9a-f]{40})", text)
    if m:
        page["commit"] = m.group(1)
    m = re.search(r"stored index id (\d+)", text)
    page["stored_id"] = m.group(1) if m else None
    for level, title, body in sections_of(text):
        lower = title.lower()
        joined = "\n".join(body)
        if lower.startswith("policy statement"):
            m = re.search(r"```\s*xml\s*\n([\s\S]*?)```", joined)
            if m:
                root, attrs, children = parse_statement(m.group(1))
                page["statement_root"], page["statement_attrs"] = root, attrs
                page["statement_children"] = children
        elif level == 2 and lower == "attributes":
            for table in tables(body):
                for row in table:
                    read_attr_row(page["attributes"], row)
        elif level == 2 and lower == "elements":
            for table in tables(body):
                for row in table:
                    read_element_row(page["elements"], row)
        elif re.match(r"^[\w:-]+[ -](attributes?|elements?)$", lower):
            owner, kind = re.match(r"^([\w:-]+?)[ -](attributes?|elements?)$", lower).groups()
            entry = page["sub"].setdefault(owner, {"attributes": {}, "elements": {}})
            for table in tables(body):
                for row in table:
                    if kind.startswith("attribute"):
                        read_attr_row(entry["attributes"], row)
                    else:
                        read_element_row(entry["elements"], row)
        if lower.startswith("usage") or lower.startswith("usage notes"):
            for line in body:
                read_usage_line(page, line)
        for line in body:
            if re.search(r"only be used once|used only once|multiple statements|multiple times per", line, re.I):
                note = clean_cell(line.lstrip("-*+ "))
                if note not in page["notes"]:
                    page["notes"].append(note)
    return page


def read_attr_row(into, row):
    keys = list(row.keys())
    if not keys:
        return
    name = attr_name(row[keys[0]])
    if not name:
        return
    desc = clean_cell(row.get("description", ""))
    required = clean_cell(row.get("required", ""))
    default = None
    for k in keys:
        if k.startswith("default"):
            default = clean_cell(row[k])
    expr = None
    if re.search(r"policy expressions? (aren't|are not|isn't|is not) (allowed|supported)", desc, re.I):
        expr = False
    elif re.search(r"policy expressions? (are|is) (allowed|supported)|or policy expression", desc, re.I):
        expr = True
    values = None
    raw = re.sub(r"<br\s*/?>", "\n", row.get("description", ""), flags=re.I)
    m = re.search(
        r"(one of the following values|allowed values are|supported values|possible values are|must be one of|must be set to|only supported value)",
        raw,
        re.I,
    )
    if m:
        after = raw[m.end():]
        items = re.findall(r"(?m)^\s*-\s+`([^`]+)`", after)
        if items:
            vals = items
        else:
            found = re.findall(r"`([^`]+)`|\"([^\"]+)\"", after)
            vals = [a or b for a, b in found]
        vals = [v for v in vals if re.fullmatch(r"[\w.+-]+", v) and v != name]
        if vals:
            values = vals
    into[name] = {"required": required, "default": default, "expr": expr, "values": values, "desc": desc}


def read_element_row(into, row):
    keys = list(row.keys())
    if not keys:
        return
    name = attr_name(row[keys[0]])
    if not name:
        return
    desc = clean_cell(row.get("description", ""))
    into[name] = {"required": clean_cell(row.get("required", "")), "desc": desc}


def read_usage_line(page, line):
    text = clean_cell(line)
    low = text.lower()
    m = re.search(r"policy sections:\s*(.*)", low)
    if m:
        page["sections"] = [s for s in SECTION_NAMES if re.search(r"(^|[\s,])" + s + r"($|[\s,])", m.group(1))]
        if "http-response" in m.group(1) or "resolver" in m.group(1):
            page["sections"] = []
    m = re.search(r"(?:policy )?scopes:\s*(.*)", low)
    if m and page["scopes"] is None:
        words = [w.strip() for w in m.group(1).split(",")]
        page["scopes"] = sorted({SCOPE_WORDS.get(w, w) for w in words if w})
    m = re.search(r"gateways:\s*(.*)", low)
    if m:
        page["gateways"] = [w.strip() for w in m.group(1).split(",") if w.strip()]
    m = re.search(r"multiple statements per policy document:\s*(\w+)", low)
    if m:
        page["multiple"] = m.group(1)


# ---------------------------------------------------------------------------------------------
# Comparing


def norm_default(value):
    if value is None:
        return None
    v = value.strip().strip("`").strip('"').strip()
    if v.lower() in NONE_DEFAULTS:
        return None
    return v


def required_kind(text):
    t = text.strip().lower()
    if t in ("yes", "yes."):
        return "yes"
    if t in ("no", "no.", "optional", "optional."):
        return "no"
    if t == "":
        return "?"
    return "conditional"


def find_child(element, name, depth=0):
    """The catalog element called `name` in `element`'s tree (breadth first)."""
    queue = [element]
    while queue:
        e = queue.pop(0)
        for c in e["children"]:
            if c["element"]["name"].lower() == name.lower():
                return c["element"], c
        queue.extend(c["element"] for c in e["children"])
    return None, None


class Report:
    def __init__(self, explained):
        self.explained = explained
        self.used = set()
        self.items = {}
        self.encoded_rows = []

    def encoded(self, policy, what, docs, catalog):
        self.encoded_rows.append((policy, what, docs, catalog))

    def add(self, policy, key, text):
        full = f"{policy}|{key}"
        reason = self.explained.get(full)
        if reason is not None:
            self.used.add(full)
        self.items.setdefault(policy, []).append((full, text, reason))


def compare_attrs(report, policy, where, docs_attrs, stmt_attrs, cat_element, page_has_table, variant=None, also_documented=()):
    cat = {a["name"]: a for a in cat_element["attributes"]}
    rules = cat_element.get("attr_rules", []) + cat_element.get("conditions", [])
    prefix = f"{where} " if where else ""
    for name, d in docs_attrs.items():
        a = cat.get(name)
        if a is None:
            report.add(policy, f"{prefix}attr {name}|missing", f"{prefix}attribute `{name}` is on the page, not in the catalog")
            continue
        kind = required_kind(d["required"])
        if kind == "yes" and not a["required"] and variant:
            # A page for one form of the policy (set-backend-service with backend-id="dapr"):
            # "Yes" holds for that form, which a condition or rule should say.
            covered = [r for r in rules if name in rule_names(r)]
            if covered:
                report.encoded(policy, f"`{name}` ({variant})", "Yes", ", ".join(rule_text(r) for r in covered))
            else:
                report.add(policy, f"{prefix}attr {name}|required", f"{prefix}`{name}`: required on {variant}, catalog optional with no rule")
        elif kind == "yes" and not a["required"]:
            covered = [r for r in rules if name in rule_names(r)]
            text = f"{prefix}`{name}`: docs say required, catalog optional"
            if covered:
                text += " (catalog: " + ", ".join(rule_text(r) for r in covered) + ")"
            report.add(policy, f"{prefix}attr {name}|required", text)
        elif kind == "no" and a["required"]:
            report.add(policy, f"{prefix}attr {name}|optional", f"{prefix}`{name}`: docs say optional, catalog required")
        elif kind == "conditional":
            covered = [r for r in rules if name in rule_names(r)]
            if covered or a["required"]:
                report.encoded(policy, f"{prefix}`{name}`", d["required"], ", ".join(rule_text(r) for r in covered) or "required")
            else:
                report.add(policy, f"{prefix}attr {name}|conditional", f"{prefix}`{name}`: docs say \"{d['required']}\"; catalog: optional, no rule")
        dd, cd = norm_default(d["default"]), norm_default(a["default"])
        if dd is not None and (cd is None or dd.lower() != cd.lower()):
            report.add(policy, f"{prefix}attr {name}|default", f"{prefix}`{name}`: docs default `{dd}`, catalog `{cd}`")
        elif dd is None and cd is not None and d["default"] is not None:
            report.add(policy, f"{prefix}attr {name}|default", f"{prefix}`{name}`: docs give no default, catalog `{cd}`")
        if d["expr"] is not None and d["expr"] != a["expr"]:
            report.add(
                policy,
                f"{prefix}attr {name}|expr",
                f"{prefix}`{name}`: docs say expressions {'allowed' if d['expr'] else 'not allowed'}, catalog {'allows' if a['expr'] else 'forbids'} them",
            )
        values = d["values"] or stmt_attrs.get(name)
        if values and not variant:
            if a["values"] is None:
                if a["type"] not in ("bool",) or not set(v.lower() for v in values) <= {"true", "false"}:
                    report.add(policy, f"{prefix}attr {name}|values", f"{prefix}`{name}`: docs list {fmt_set(values)}, catalog type {a['type']}")
            elif set(values) != set(a["values"]):
                report.add(policy, f"{prefix}attr {name}|values", f"{prefix}`{name}`: docs list {fmt_set(values)}, catalog {fmt_set(a['values'])}")
    for name in stmt_attrs:
        if name not in docs_attrs and name not in cat:
            report.add(policy, f"{prefix}attr {name}|missing", f"{prefix}attribute `{name}` is in the policy statement, not in the catalog")
    if page_has_table:
        for name, a in cat.items():
            if name == "id" or name in docs_attrs or name in stmt_attrs or name in also_documented:
                continue
            report.add(policy, f"{prefix}attr {name}|extra", f"{prefix}catalog attribute `{name}` is not on the page")


def rule_names(r):
    """Every attribute or child name a catalog rule or condition mentions."""
    names = set(r.get("attributes", [])) | set(r.get("children", []))
    for part in ("item", "when"):
        v = r.get(part) or {}
        names |= {v[k] for k in ("attribute", "child") if k in v}
    return names


def rule_text(r):
    kind = r.get("kind")
    if kind in ("exactly-one", "at-least-one", "at-most-one"):
        return f"{kind}({', '.join(r['attributes'])})"
    if kind == "requires":
        return f"`{r['attributes'][0]}` requires `{r['attributes'][1]}`"
    if kind in ("required", "forbidden"):
        item = r["item"].get("attribute") or ("<" + r["item"].get("child", "") + ">")
        w = r["when"]
        if "is" in w:
            cond = f"`{w['attribute']}` is {'/'.join(w['is'])}"
        elif "is-not" in w:
            cond = f"`{w['attribute']}` is not {'/'.join(w['is-not'])}"
        else:
            cond = f"`{w['attribute']}` {'present' if w['present'] else 'absent'}"
        return f"{item} {kind} when {cond}"
    if kind == "exactly-one-child":
        return f"exactly one of <{'>, <'.join(r['children'])}>"
    if kind == "at-least-one-child":
        return f"at least one of <{'>, <'.join(r['children'])}>"
    return json.dumps(r)


def fmt_set(values):
    return "{" + ", ".join(f"`{v}`" for v in values) + "}"


def compare_children(report, policy, where, docs_elements, cat_element):
    if cat_element["content"] in ("policies", "mixed", "foreign") and not cat_element["children"]:
        return
    cat = {c["element"]["name"]: c for c in cat_element["children"]}
    rules = cat_element.get("conditions", [])
    prefix = f"{where} " if where else ""
    for name, d in docs_elements.items():
        c = cat.get(name)
        if c is None:
            deeper, _ = find_child(cat_element, name)
            if deeper is None:
                report.add(policy, f"{prefix}child {name}|missing", f"{prefix}child <{name}> is on the page, not in the catalog")
            # A grandchild listed in the policy's own table (quota's <operation> inside <api>).
            continue
        kind = required_kind(d["required"])
        if kind == "yes" and c["min"] == 0:
            covered = [r for r in rules if name in rule_names(r)]
            report.add(
                policy,
                f"{prefix}child {name}|required",
                f"{prefix}<{name}>: docs say required, catalog min 0" + (f" ({', '.join(rule_text(r) for r in covered)})" if covered else ""),
            )
        elif kind == "no" and c["min"] > 0:
            report.add(policy, f"{prefix}child {name}|optional", f"{prefix}<{name}>: docs say optional, catalog min {c['min']}")
        elif kind == "conditional":
            covered = [r for r in rules if name in rule_names(r)]
            if covered:
                report.encoded(policy, f"{prefix}<{name}>", d["required"], ", ".join(rule_text(r) for r in covered))
            elif c["min"] > 0 and re.search(r"if (the|that) .*section is present", d["required"], re.I):
                # "At least one <method> is required if the allowed-methods section is present":
                # min 1 inside an optional parent says exactly that.
                report.encoded(policy, f"{prefix}<{name}>", d["required"], f"min {c['min']} inside its parent")
            else:
                report.add(
                    policy,
                    f"{prefix}child {name}|conditional",
                    f"{prefix}<{name}>: docs say \"{d['required']}\"; catalog: min {c['min']}, no rule",
                )
        many = re.search(r"add one or more of these|one or more of these elements|add additional|if there are multiple", d["desc"], re.I)
        if many and c["max"] == 1:
            report.add(policy, f"{prefix}child {name}|max", f"{prefix}<{name}>: docs allow several (\"{d['desc'][:80]}\"), catalog at most 1")


def expected_flags(page):
    """(once_per_section, once_per_document, wording) from the page's notes."""
    section = document = False
    wording = []
    for note in page["notes"]:
        low = note.lower()
        if "once in a policy section" in low or "once per policy section" in low:
            section = True
            wording.append(note)
        elif "only once per policy definition" in low or "used only once per policy" in low or "only be used once per policy" in low:
            document = True
            wording.append(note)
        elif "multiple times per policy definition" in low:
            wording.append(note)
    if page["multiple"] == "not":
        document = True
        wording.append("Multiple statements per policy document: not supported")
    elif page["multiple"] == "supported":
        wording.append("Multiple statements per policy document: supported")
    return section, document, "; ".join(wording)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs_dir")
    ap.add_argument("--catalog", help="catalog JSON (default: run the catalog_json example)")
    ap.add_argument("--explained", default=os.path.join(HERE, "catalog-vs-docs-explained.tsv"))
    ap.add_argument("--source", help="where DOCS_DIR came from, printed in the report's header")
    args = ap.parse_args()

    if args.catalog:
        catalog = json.load(open(args.catalog, encoding="utf-8"))
    else:
        out = subprocess.run(
            ["cargo", "run", "-q", "-p", "apim-policy", "--example", "catalog_json"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
        catalog = json.loads(out)
    policies = {p["name"]: p for p in catalog["policies"]}

    explained = {}
    notes = []
    if os.path.exists(args.explained):
        for line in open(args.explained, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            key, reason = line.split("\t", 1)
            if key.startswith("note|"):
                notes.append((key[len("note|"):].strip(), reason.strip()))
            else:
                explained[key.strip()] = reason.strip()

    folder = os.path.join(args.docs_dir, "articles", "api-management")
    files = sorted(f for f in os.listdir(folder) if f.endswith("-policy.md"))
    report = Report(explained)
    # Attributes documented on a variant page of another policy's element (the Dapr form of
    # set-backend-service): not "extra" on the main page.
    variant_attrs = {}
    for f in files:
        stem = f[: -len("-policy.md")]
        if stem in policies:
            continue
        page = read_page(os.path.join(folder, f))
        if page["statement_root"] in policies:
            variant_attrs.setdefault(page["statement_root"], set()).update(page["attributes"])
            variant_attrs[page["statement_root"]].update(page["statement_attrs"])
    pages = []
    flags_rows = []
    seen_policies = set()
    for f in files:
        page = read_page(os.path.join(folder, f))
        if page["commit"] is None and os.path.isdir(os.path.join(args.docs_dir, ".git")):
            try:
                page["commit"] = subprocess.run(
                    ["git", "-C", args.docs_dir, "log", "-1", "--format=%H", "--", os.path.join("articles", "api-management", f)],
                    check=True, capture_output=True, text=True,
                ).stdout.strip() or None
            except (OSError, subprocess.CalledProcessError):
                pass
        pages.append(page)
        stem = f[: -len("-policy.md")]
        name = stem if stem in policies else (page["statement_root"] or stem)
        seen_policies.add(name)
        p = policies.get(name)
        if p is None:
            report.add(name, "policy|missing", f"page `{f}` documents a policy the catalog lacks")
            continue
        el = p["element"]
        has_table = bool(page["attributes"]) or bool(page["statement_attrs"])
        # A second page of the same element (set-backend-service-dapr) adds attributes: only
        # check the ones it lists.
        secondary = stem != name
        compare_attrs(
            report, name, "", page["attributes"], page["statement_attrs"], el, has_table and not secondary,
            variant=f if secondary else None, also_documented=variant_attrs.get(name, set()),
        )
        if not secondary:
            compare_children(report, name, "", page["elements"], el)
            for child in page["statement_children"] if page["statement_root"] == name else []:
                if child not in page["elements"] and el["content"] == "elements" and not any(
                    c["element"]["name"] == child for c in el["children"]
                ):
                    report.add(name, f"child {child}|missing", f"child <{child}> is in the policy statement, not in the catalog")
        for owner, sub in page["sub"].items():
            target, _ = find_child(el, owner)
            if target is None:
                report.add(name, f"child {owner}|missing", f"page has a table for <{owner}>, the catalog has no such child")
                continue
            compare_attrs(report, name, f"<{owner}>", sub["attributes"], {}, target, bool(sub["attributes"]))
            compare_children(report, name, f"<{owner}>", sub["elements"], target)
        # Usage.
        if page["sections"] is not None and not secondary:
            docs_sections = set(page["sections"])
            cat_sections = set(p["sections"])
            if docs_sections != cat_sections:
                report.add(name, "sections", f"sections: docs {fmt_set(sorted(docs_sections, key=SECTION_NAMES.index))}, catalog {fmt_set(sorted(cat_sections, key=SECTION_NAMES.index))}")
        if page["scopes"] is not None and not secondary:
            docs_scopes = set(page["scopes"])
            cat_scopes = set(p["scopes"]) - {"fragment"}
            if docs_scopes != cat_scopes:
                report.add(name, "scopes", f"scopes: docs {fmt_set(sorted(docs_scopes))}, catalog {fmt_set(sorted(cat_scopes))}")
        if not secondary:
            sec, doc, wording = expected_flags(page)
            flags_rows.append((name, p["once_per_section"], p["once_per_document"], wording or "(no wording on the page)", ", ".join(page["gateways"] or [])))
            if sec != p["once_per_section"]:
                report.add(name, "once_per_section", f"once_per_section: docs {'yes' if sec else 'no'} ({wording or 'no wording'}), catalog {'yes' if p['once_per_section'] else 'no'}")
            if doc != p["once_per_document"]:
                report.add(name, "once_per_document", f"once_per_document: docs {'yes' if doc else 'no'} ({wording or 'no wording'}), catalog {'yes' if p['once_per_document'] else 'no'}")

    index_path = os.path.join(folder, "api-management-policies.md")
    index_info = None
    if os.path.exists(index_path):
        text = open(index_path, encoding="utf-8").read()
        index_info = read_page(index_path)
        for stem in sorted(set(re.findall(r"\(([\w-]+)-policy\.md\)", text))):
            page_name = stem
            if page_name not in policies and page_name not in seen_policies and not os.path.exists(os.path.join(folder, f"{stem}-policy.md")):
                report.add(page_name, "policy|missing", f"the policy index links `{stem}-policy.md`; the catalog has no `{stem}` and the page was not read")
    for name, p in sorted(policies.items()):
        if p["status"] == "documented" and name not in seen_policies and name != "base":
            report.add(name, "page|not-read", f"documented in the catalog ({p['doc_url']}), but no page `{name}-policy.md` in DOCS_DIR")

    source = args.source
    if source is None and os.path.isdir(os.path.join(args.docs_dir, ".git")):
        try:
            head = subprocess.run(["git", "-C", args.docs_dir, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
            source = f"a MicrosoftDocs/azure-docs checkout at {head}"
        except (OSError, subprocess.CalledProcessError):
            pass
    conditions = []
    for name, p in sorted(policies.items()):
        stack = [(p["element"], p["element"]["name"])]
        seen = set()
        while stack:
            e, path = stack.pop(0)
            for r in e.get("conditions", []):
                row = (name, path, rule_text(r))
                if row not in seen:
                    seen.add(row)
                    conditions.append(row)
            stack.extend((c["element"], f"{path}/{c['element']['name']}") for c in e["children"])
    print_report(source, pages, index_info, report, flags_rows, explained, notes, conditions)


def print_report(source, pages, index_info, report, flags_rows, explained, notes, conditions):
    w = sys.stdout.write
    w("# Catalog vs. Microsoft Learn\n\n")
    w("Generated by `scripts/catalog-vs-docs.py` (see ARCHITECTURE.md, *Catalog vs. docs*); do not edit by hand:\n")
    w("`python3 scripts/catalog-vs-docs.py DOCS_DIR > docs/catalog-vs-docs.md` (DOCS_DIR: an azure-docs checkout).\n")
    w("Each difference is either explained (a deliberate deviation, or a page older than what the catalog\n")
    w("follows, with the reason from `scripts/catalog-vs-docs-explained.tsv`) or **unexplained** (to fix).\n\n")
    if source:
        w(f"Docs: {source}; the commit of each page is in *Pages read* below.\n\n")
    total = sum(len(v) for v in report.items.values())
    unexplained = sum(1 for v in report.items.values() for _, _, r in v if r is None)
    w(f"- pages compared: {len(pages)}\n- differences: {total}, of which unexplained: **{unexplained}**\n")
    stale = sorted(set(explained) - report.used)
    if stale:
        w(f"- explained-file keys that no longer match a difference (remove them): {len(stale)}\n")
    w("\n## Differences\n\n")
    for policy in sorted(report.items):
        w(f"### {policy}\n\n")
        for key, text, reason in report.items[policy]:
            if reason is None:
                w(f"- **unexplained**: {text} <sub>`{key}`</sub>\n")
            else:
                w(f"- {text}. *Explained:* {reason} <sub>`{key}`</sub>\n")
        w("\n")
    if stale:
        w("## Stale explanations\n\n")
        for key in stale:
            w(f"- `{key}`\n")
        w("\n")
    if notes:
        w("## Conditional requirements reviewed and not encoded\n\n")
        for what, why in notes:
            w(f"- **{what}**: {why}\n")
        w("\n")
    w("## Cardinality flags and the wording they come from\n\n")
    w("| policy | once_per_section | once_per_document | the page's wording | gateways (not modelled by the catalog) |\n|---|---|---|---|---|\n")
    for name, sec, doc, wording, gateways in sorted(flags_rows):
        w(f"| {name} | {'yes' if sec else 'no'} | {'yes' if doc else 'no'} | {wording} | {gateways} |\n")
    w("\n## Conditional requirements on the pages and how the catalog encodes them\n\n")
    w("| policy | what | the page says | catalog |\n|---|---|---|---|\n")
    for policy, what, docs, cat in sorted(report.encoded_rows):
        w(f"| {policy} | {what} | {docs} | {cat} |\n")
    w("\n## Every conditional requirement in the catalog\n\n")
    w("`Condition`s of `catalog/data.rs` (enforced by missing-attribute, missing-child, attribute-combination\n")
    w("and too-many-children; not judged when the deciding attribute is an expression or a named value).\n\n")
    w("| policy | element | condition |\n|---|---|---|\n")
    for policy, path, text in conditions:
        w(f"| {policy} | {path} | {text} |\n")
    w("\n## Pages read\n\n")
    w("`commit` is the MicrosoftDocs/azure-docs commit of the copy read; a copy known only by its id in\n")
    w("the stored index (no commit reported) shows that id.\n\n| page | ms.date | commit |\n|---|---|---|\n")
    def source(page):
        if page.get("stored_id") and not page["commit"]:
            return f"stored index id {page['stored_id']}"
        return page["commit"] or "?"
    if index_info:
        w(f"| api-management-policies.md (index) | {index_info['ms_date']} | {source(index_info)} |\n")
    for page in pages:
        w(f"| {page['file']} | {page['ms_date'] or '?'} | {source(page)} |\n")


if __name__ == "__main__":
    main()
