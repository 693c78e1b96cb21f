//! `System.Linq.Enumerable` over any enumerable value (evaluated eagerly), plus the
//! methods of `List<T>`, arrays and `Dictionary<K,V>`.

use std::cmp::Ordering;

use super::*;

fn seq(items: Vec<Value>) -> Value {
    Value::list(items, None)
}

fn elem_type(items: &[Value]) -> String {
    let mut t: Option<String> = None;
    for i in items {
        let n = crate::value::type_name(i);
        match &t {
            None => t = Some(n),
            Some(x) if *x == n => {}
            _ => return "Object".into(),
        }
    }
    t.filter(|t| t != "null").unwrap_or_else(|| "Object".into())
}

/// Call a selector/predicate with the item (and its index when the lambda takes two).
fn call(it: &mut Interp, f: &Value, x: &Value, i: usize, span: Span) -> R<Value> {
    let two = matches!(&f.v, V::Lambda(l) if l.params.len() == 2);
    let args = if two {
        vec![x.clone(), Value::int(i as i32)]
    } else {
        vec![x.clone()]
    };
    it.call_value(f, args, span)
}

fn pred(it: &mut Interp, f: &Value, x: &Value, i: usize, span: Span) -> R<bool> {
    let r = call(it, f, x, i, span)?;
    match r.as_bool() {
        Some(b) => Ok(b),
        None => throw(
            "InvalidCastException",
            format!("a predicate returned '{}', not a bool", full_type_name(&r)),
            span,
        ),
    }
}

/// Ordering used by OrderBy/Min/Max/Sort: numbers numerically, strings culture-like
/// (case-insensitive first, then lowercase before uppercase), dates by time.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (&a.v, &b.v) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Null, _) => Ordering::Less,
        (_, V::Null) => Ordering::Greater,
        (V::Str(x), V::Str(y)) => x
            .to_lowercase()
            .cmp(&y.to_lowercase())
            .then_with(|| y.cmp(x)),
        (
            V::DateTime(x) | V::DateTimeOffset(x) | V::TimeSpan(x),
            V::DateTime(y) | V::DateTimeOffset(y) | V::TimeSpan(y),
        ) => x.cmp(y),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Guid(x), V::Guid(y)) => x.cmp(y),
        _ => match (as_f64(a), as_f64(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => to_display(a).cmp(&to_display(b)),
        },
    }
}

pub(crate) fn sort_values(items: &mut [Value]) {
    items.sort_by(compare_values);
}

fn no_elements<T>(span: Span) -> R<T> {
    throw(
        "InvalidOperationException",
        "Sequence contains no elements",
        span,
    )
}

fn eq_with(a: &Value, b: &Value, ignore_case: bool) -> bool {
    match (&a.v, &b.v, ignore_case) {
        (V::Str(x), V::Str(y), true) => x.to_lowercase() == y.to_lowercase(),
        _ => values_equal(a, b),
    }
}

fn comparer_ic(args: &[ArgVal]) -> bool {
    args.iter()
        .any(|a| matches!(&a.value.v, V::Obj(o) if matches!(**o, Obj::StringComparer(true))))
}

fn distinct(items: Vec<Value>, ic: bool) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in items {
        if !out.iter().any(|u| eq_with(u, &v, ic)) {
            out.push(v);
        }
    }
    out
}

fn sum(items: &[Value], span: Span) -> R<Value> {
    if items.iter().all(|v| matches!(v.v, V::Int(_))) {
        let mut s: i32 = 0;
        for v in items {
            s = match s.checked_add(v.as_i64().unwrap_or(0) as i32) {
                Some(x) => x,
                None => {
                    return throw(
                        "OverflowException",
                        "Arithmetic operation resulted in an overflow.",
                        span,
                    );
                }
            };
        }
        return Ok(Value::int(s));
    }
    if items.iter().all(|v| matches!(v.v, V::Int(_) | V::Long(_))) {
        let mut s: i64 = 0;
        for v in items {
            s = match s.checked_add(v.as_i64().unwrap_or(0)) {
                Some(x) => x,
                None => {
                    return throw(
                        "OverflowException",
                        "Arithmetic operation resulted in an overflow.",
                        span,
                    );
                }
            };
        }
        return Ok(Value::long(s));
    }
    let mut s = 0.0;
    for v in items {
        match as_f64(v) {
            Some(x) => s += x,
            None if matches!(v.v, V::Null) => {}
            None => {
                return throw(
                    "InvalidCastException",
                    format!("Sum over '{}' values", full_type_name(v)),
                    span,
                );
            }
        }
    }
    Ok(if items.iter().any(|v| matches!(v.v, V::Decimal(_))) {
        Value::new(V::Decimal(s))
    } else {
        Value::double(s)
    })
}

/// The LINQ operators, on already-enumerated items.
pub(crate) fn apply(
    it: &mut Interp,
    items: Vec<Value>,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let f = arg(args, 0).cloned();
    let has_fn = matches!(f.as_ref().map(|v| &v.v), Some(V::Lambda(_)));
    it.charge(items.len() / 4, span)?;
    let mapped = |it: &mut Interp, items: &[Value]| -> R<Vec<Value>> {
        match &f {
            Some(fv) if has_fn => items
                .iter()
                .enumerate()
                .map(|(i, x)| call(it, fv, x, i, span))
                .collect(),
            _ => Ok(items.to_vec()),
        }
    };
    let filtered = |it: &mut Interp, items: Vec<Value>| -> R<Vec<Value>> {
        match &f {
            Some(fv) if has_fn => {
                let mut out = Vec::new();
                for (i, x) in items.into_iter().enumerate() {
                    if pred(it, fv, &x, i, span)? {
                        out.push(x);
                    }
                }
                Ok(out)
            }
            _ => Ok(items),
        }
    };
    let r = match name {
        "Where" => seq(filtered(it, items)?),
        "Select" => seq(mapped(it, &items)?),
        "SelectMany" => {
            let mut out = Vec::new();
            for inner in mapped(it, &items)? {
                out.extend(iterate(it, &inner, span)?);
                it.check_count(out.len(), span)?;
            }
            seq(out)
        }
        "Any" => Value::bool(!filtered(it, items)?.is_empty()),
        "All" => {
            let Some(fv) = &f else {
                return wrong_args("All", span);
            };
            let mut ok = true;
            for (i, x) in items.iter().enumerate() {
                if !pred(it, fv, x, i, span)? {
                    ok = false;
                    break;
                }
            }
            Value::bool(ok)
        }
        "Count" | "LongCount" => {
            let n = filtered(it, items)?.len();
            if name == "Count" {
                Value::int(n as i32)
            } else {
                Value::long(n as i64)
            }
        }
        "First" | "FirstOrDefault" | "Last" | "LastOrDefault" | "Single" | "SingleOrDefault" => {
            let matching = filtered(it, items)?;
            let default = || {
                if has_fn {
                    arg(args, 1).cloned()
                } else {
                    f.clone()
                }
                .unwrap_or_else(|| generics.first().map_or_else(Value::null, default_of))
            };
            let or_default = name.ends_with("OrDefault");
            let suffix = if has_fn { " matching" } else { "" };
            if name.starts_with("Single") && matching.len() > 1 {
                return throw(
                    "InvalidOperationException",
                    format!("Sequence contains more than one{suffix} element"),
                    span,
                );
            }
            let pick = if name.starts_with("Last") {
                matching.last()
            } else {
                matching.first()
            };
            match pick {
                Some(x) => x.clone(),
                None if or_default => default(),
                None if has_fn => {
                    return throw(
                        "InvalidOperationException",
                        "Sequence contains no matching element",
                        span,
                    );
                }
                None => return no_elements(span),
            }
        }
        "ElementAt" | "ElementAtOrDefault" => {
            let i = int_arg(args, 0, span, "index")?;
            match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                Some(x) => x.clone(),
                None if name == "ElementAtOrDefault" => Value::null(),
                None => {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
                        span,
                    );
                }
            }
        }
        "Sum" => sum(&mapped(it, &items)?, span)?,
        "Average" => {
            let vals = mapped(it, &items)?;
            if vals.is_empty() {
                return no_elements(span);
            }
            let s = sum(&vals, span)?;
            Value::double(as_f64(&s).unwrap_or(0.0) / vals.len() as f64)
        }
        "Min" | "Max" => {
            let vals: Vec<Value> = mapped(it, &items)?
                .into_iter()
                .filter(|v| !matches!(v.v, V::Null))
                .collect();
            let best = vals.into_iter().reduce(|a, b| {
                let o = compare_values(&b, &a);
                if (name == "Min" && o == Ordering::Less)
                    || (name == "Max" && o == Ordering::Greater)
                {
                    b
                } else {
                    a
                }
            });
            match best {
                Some(b) => b,
                None => return no_elements(span),
            }
        }
        "OrderBy" | "OrderByDescending" | "ThenBy" | "ThenByDescending" => {
            let keys = mapped(it, &items)?;
            let mut pairs: Vec<(Value, Value)> = keys.into_iter().zip(items).collect();
            pairs.sort_by(|a, b| compare_values(&a.0, &b.0));
            if name.ends_with("Descending") {
                // Stable descending: reverse the order of keys, keep ties in input order.
                pairs.sort_by(|a, b| compare_values(&b.0, &a.0));
            }
            seq(pairs.into_iter().map(|p| p.1).collect())
        }
        "Order" => {
            let mut v = items;
            sort_values(&mut v);
            seq(v)
        }
        "OrderDescending" => {
            let mut v = items;
            v.sort_by(|a, b| compare_values(b, a));
            seq(v)
        }
        "Reverse" => seq(items.into_iter().rev().collect()),
        "Skip" | "Take" | "SkipLast" | "TakeLast" => {
            let n = int_arg(args, 0, span, "count")?.max(0) as usize;
            let len = items.len();
            let r: Vec<Value> = match name {
                "Skip" => items.into_iter().skip(n).collect(),
                "Take" => items.into_iter().take(n).collect(),
                "SkipLast" => items.into_iter().take(len.saturating_sub(n)).collect(),
                _ => items.into_iter().skip(len.saturating_sub(n)).collect(),
            };
            seq(r)
        }
        "SkipWhile" | "TakeWhile" => {
            let Some(fv) = &f else {
                return wrong_args(name, span);
            };
            let mut cut = items.len();
            for (i, x) in items.iter().enumerate() {
                if !pred(it, fv, x, i, span)? {
                    cut = i;
                    break;
                }
            }
            let (a, b) = items.split_at(cut.min(items.len()));
            seq(if name == "TakeWhile" {
                a.to_vec()
            } else {
                b.to_vec()
            })
        }
        "Distinct" => seq(distinct(items, comparer_ic(args))),
        "DistinctBy" => {
            let Some(fv) = &f else {
                return wrong_args(name, span);
            };
            let mut keys: Vec<Value> = Vec::new();
            let mut out = Vec::new();
            for (i, x) in items.into_iter().enumerate() {
                let k = call(it, fv, &x, i, span)?;
                if !keys.iter().any(|u| values_equal(u, &k)) {
                    keys.push(k);
                    out.push(x);
                }
            }
            seq(out)
        }
        "Contains" => {
            let x = f.unwrap_or_else(Value::null);
            let ic = comparer_ic(args);
            Value::bool(items.iter().any(|v| eq_with(v, &x, ic)))
        }
        "ToArray" => {
            let t = elem_type(&items);
            Value::list(items, Some(&t))
        }
        "ToList" | "AsEnumerable" | "ToHashSet" | "ToImmutableList" => {
            if name == "ToHashSet" {
                seq(distinct(items, comparer_ic(args)))
            } else {
                seq(items)
            }
        }
        "Cast" | "OfType" => {
            let Some(t) = generics.first() else {
                return wrong_args(name, span);
            };
            let mut out = Vec::new();
            for x in items {
                if name == "OfType" {
                    if is_instance(&x, t) {
                        out.push(x);
                    }
                } else {
                    out.push(cast(it, &x, t, span)?);
                }
            }
            seq(out)
        }
        "DefaultIfEmpty" => {
            if items.is_empty() {
                seq(vec![f.unwrap_or_else(Value::null)])
            } else {
                seq(items)
            }
        }
        "Concat" | "Union" | "Intersect" | "Except" | "Zip" | "SequenceEqual" | "Append"
        | "Prepend" => {
            let other = f.clone().unwrap_or_else(Value::null);
            if matches!(name, "Append" | "Prepend") {
                let mut v = items;
                if name == "Append" {
                    v.push(other);
                } else {
                    v.insert(0, other);
                }
                return Ok(seq(v));
            }
            let o = iterate(it, &other, span)?;
            let ic = comparer_ic(args);
            match name {
                "Concat" => {
                    let mut v = items;
                    v.extend(o);
                    it.check_count(v.len(), span)?;
                    seq(v)
                }
                "Union" => {
                    let mut v = items;
                    v.extend(o);
                    seq(distinct(v, ic))
                }
                "Intersect" => seq(distinct(items, ic)
                    .into_iter()
                    .filter(|x| o.iter().any(|y| eq_with(x, y, ic)))
                    .collect()),
                "Except" => seq(distinct(items, ic)
                    .into_iter()
                    .filter(|x| !o.iter().any(|y| eq_with(x, y, ic)))
                    .collect()),
                "SequenceEqual" => Value::bool(
                    items.len() == o.len() && items.iter().zip(&o).all(|(a, b)| values_equal(a, b)),
                ),
                _ => {
                    let sel = arg(args, 1).cloned();
                    let mut out = Vec::new();
                    for (a, b) in items.into_iter().zip(o) {
                        out.push(match &sel {
                            Some(s) => it.call_value(s, vec![a, b], span)?,
                            None => Value::obj(Obj::Pair(a, b)),
                        });
                    }
                    seq(out)
                }
            }
        }
        "Aggregate" => {
            let (seed, func, result) = match args.len() {
                1 => (None, f.clone(), None),
                2 => (f.clone(), arg(args, 1).cloned(), None),
                3 => (f.clone(), arg(args, 1).cloned(), arg(args, 2).cloned()),
                _ => return wrong_args("Aggregate", span),
            };
            let Some(func) = func else {
                return wrong_args("Aggregate", span);
            };
            let mut iter = items.into_iter();
            let mut acc = match seed {
                Some(s) => s,
                None => match iter.next() {
                    Some(x) => x,
                    None => return no_elements(span),
                },
            };
            for x in iter {
                acc = it.call_value(&func, vec![acc, x], span)?;
            }
            match result {
                Some(r) => it.call_value(&r, vec![acc], span)?,
                None => acc,
            }
        }
        "GroupBy" => {
            let Some(fv) = &f else {
                return wrong_args("GroupBy", span);
            };
            let elem = arg(args, 1)
                .cloned()
                .filter(|v| matches!(v.v, V::Lambda(_)));
            let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
            for (i, x) in items.into_iter().enumerate() {
                let k = call(it, fv, &x, i, span)?;
                let e = match &elem {
                    Some(s) => it.call_value(s, vec![x], span)?,
                    None => x,
                };
                match groups.iter_mut().find(|(g, _)| values_equal(g, &k)) {
                    Some(g) => g.1.push(e),
                    None => groups.push((k, vec![e])),
                }
            }
            seq(groups
                .into_iter()
                .map(|(k, v)| Value::obj(Obj::Grouping(k, v)))
                .collect())
        }
        "ToDictionary" | "ToLookup" => {
            let Some(fv) = &f else {
                return wrong_args(name, span);
            };
            let vsel = arg(args, 1)
                .cloned()
                .filter(|v| matches!(v.v, V::Lambda(_)));
            let mut d = Dict {
                entries: Vec::new(),
                ignore_case: comparer_ic(args),
                types: (std::rc::Rc::from("Object"), std::rc::Rc::from("Object")),
            };
            for (i, x) in items.into_iter().enumerate() {
                let k = call(it, fv, &x, i, span)?;
                let v = match &vsel {
                    Some(s) => it.call_value(s, vec![x], span)?,
                    None => x,
                };
                if dict_find(&d, &k).is_some() {
                    return throw(
                        "ArgumentException",
                        format!(
                            "An item with the same key has already been added. Key: {}",
                            to_display(&k)
                        ),
                        span,
                    );
                }
                d.entries.push((k, v));
            }
            if let Some((k, v)) = d.entries.first() {
                d.types = (
                    std::rc::Rc::from(crate::value::type_name(k).as_str()),
                    std::rc::Rc::from(crate::value::type_name(v).as_str()),
                );
            }
            Value::new(V::Dict(std::rc::Rc::new(std::cell::RefCell::new(d))))
        }
        "ForEach" => {
            let Some(fv) = &f else {
                return wrong_args(name, span);
            };
            for x in &items {
                it.call_value(fv, vec![x.clone()], span)?;
            }
            Value::null()
        }
        "Exists" | "TrueForAll" | "Find" | "FindAll" | "FindIndex" | "FindLast" => {
            let Some(fv) = &f else {
                return wrong_args(name, span);
            };
            let mut hits = Vec::new();
            for (i, x) in items.iter().enumerate() {
                if pred(it, fv, x, 0, span)? {
                    hits.push(i);
                } else if name == "TrueForAll" {
                    return Ok(Value::bool(false));
                }
            }
            match name {
                "Exists" => Value::bool(!hits.is_empty()),
                "TrueForAll" => Value::bool(true),
                "Find" => hits
                    .first()
                    .and_then(|&i| items.get(i).cloned())
                    .unwrap_or_else(Value::null),
                "FindLast" => hits
                    .last()
                    .and_then(|&i| items.get(i).cloned())
                    .unwrap_or_else(Value::null),
                "FindIndex" => Value::int(hits.first().map_or(-1, |&i| i as i32)),
                _ => seq(hits.iter().filter_map(|&i| items.get(i).cloned()).collect()),
            }
        }
        _ => {
            return throw(
                "CompilationError",
                format!("'{name}' is not a supported method on a sequence"),
                span,
            );
        }
    };
    Ok(r)
}

/// Methods on any enumerable (and `List<T>`'s own mutators).
pub(crate) fn method(
    it: &mut Interp,
    v: &Value,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    if let V::List(l) = &v.v {
        let is_array = l.borrow().array_of.is_some();
        let a0 = arg(args, 0).cloned();
        match name {
            "Add" | "Enqueue" | "Push" if !is_array => {
                let n = l.borrow().items.len() + 1;
                it.check_count(n, span)?;
                l.borrow_mut().items.push(a0.unwrap_or_else(Value::null));
                return Ok(Value::null());
            }
            "AddRange" if !is_array => {
                let more = iterate(it, a0.as_ref().unwrap_or(&Value::null()), span)?;
                let n = l.borrow().items.len() + more.len();
                it.check_count(n, span)?;
                l.borrow_mut().items.extend(more);
                return Ok(Value::null());
            }
            "Insert" if !is_array => {
                let i = int_arg(args, 0, span, "index")?;
                let x = arg(args, 1).cloned().unwrap_or_else(Value::null);
                let mut lb = l.borrow_mut();
                if i < 0 || i as usize > lb.items.len() {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index must be within the bounds of the List. (Parameter 'index')",
                        span,
                    );
                }
                lb.items.insert(i as usize, x);
                return Ok(Value::null());
            }
            "Remove" if !is_array => {
                let x = a0.unwrap_or_else(Value::null);
                let mut lb = l.borrow_mut();
                let pos = lb.items.iter().position(|y| values_equal(y, &x));
                if let Some(p) = pos {
                    lb.items.remove(p);
                }
                return Ok(Value::bool(pos.is_some()));
            }
            "RemoveAt" if !is_array => {
                let i = int_arg(args, 0, span, "index")?;
                let mut lb = l.borrow_mut();
                if i < 0 || i as usize >= lb.items.len() {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
                        span,
                    );
                }
                lb.items.remove(i as usize);
                return Ok(Value::null());
            }
            "RemoveAll" if !is_array => {
                let Some(f) = a0 else {
                    return wrong_args(name, span);
                };
                let items = l.borrow().items.clone();
                let mut keep = Vec::new();
                let mut removed = 0;
                for x in items {
                    if pred(it, &f, &x, 0, span)? {
                        removed += 1;
                    } else {
                        keep.push(x);
                    }
                }
                l.borrow_mut().items = keep;
                return Ok(Value::int(removed));
            }
            "Clear" if !is_array => {
                l.borrow_mut().items.clear();
                return Ok(Value::null());
            }
            "Sort" if !is_array => {
                let mut items = l.borrow().items.clone();
                match &a0 {
                    Some(
                        f @ Value {
                            v: V::Lambda(_), ..
                        },
                    ) => {
                        // Comparison<T>: insertion sort calling the lambda (bounded by steps).
                        let mut out: Vec<Value> = Vec::new();
                        for x in items {
                            let mut at = out.len();
                            for (i, y) in out.iter().enumerate() {
                                let c = it.call_value(f, vec![x.clone(), y.clone()], span)?;
                                if c.as_i64().unwrap_or(0) < 0 {
                                    at = i;
                                    break;
                                }
                            }
                            out.insert(at, x);
                        }
                        items = out;
                    }
                    _ => sort_values(&mut items),
                }
                l.borrow_mut().items = items;
                return Ok(Value::null());
            }
            "Reverse" if !is_array && args.is_empty() => {
                l.borrow_mut().items.reverse();
                return Ok(Value::null());
            }
            "IndexOf" => {
                let x = a0.unwrap_or_else(Value::null);
                return Ok(Value::int(
                    l.borrow()
                        .items
                        .iter()
                        .position(|y| values_equal(y, &x))
                        .map_or(-1, |i| i as i32),
                ));
            }
            "GetRange" => {
                let i = int_arg(args, 0, span, "index")?.max(0) as usize;
                let n = int_arg(args, 1, span, "count")?.max(0) as usize;
                return match l.borrow().items.get(i..i.saturating_add(n)) {
                    Some(s) => Ok(seq(s.to_vec())),
                    None => throw(
                        "ArgumentException",
                        "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.",
                        span,
                    ),
                };
            }
            "Dequeue" | "Pop" | "Peek" if !is_array => {
                let mut lb = l.borrow_mut();
                if lb.items.is_empty() {
                    return throw("InvalidOperationException", "Queue empty.", span);
                }
                return Ok(match name {
                    "Dequeue" => lb.items.remove(0),
                    "Pop" => lb.items.pop().unwrap_or_else(Value::null),
                    _ => lb.items.first().cloned().unwrap_or_else(Value::null),
                });
            }
            "Clone" => {
                let lb = l.borrow();
                return Ok(Value::list(lb.items.clone(), lb.array_of.as_deref()));
            }
            "CopyTo" => {
                if let Some(Value {
                    v: V::List(dst), ..
                }) = &a0
                {
                    let at = arg(args, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
                    let src = l.borrow().items.clone();
                    let mut d = dst.borrow_mut();
                    for (i, x) in src.into_iter().enumerate() {
                        match d.items.get_mut(at.saturating_add(i)) {
                            Some(slot) => *slot = x,
                            None => {
                                return throw(
                                    "ArgumentException",
                                    "Destination array was not long enough.",
                                    span,
                                );
                            }
                        }
                    }
                    return Ok(Value::null());
                }
            }
            _ => {}
        }
    }
    if let V::Bytes(b) = &v.v {
        match name {
            "Clone" => {
                let b = b.borrow();
                return Ok(Value::bytes(b.data.clone(), b.secret));
            }
            "ToArray" => {
                let b = b.borrow();
                return Ok(Value::bytes(b.data.clone(), b.secret));
            }
            "CopyTo" => {
                if let Some(Value {
                    v: V::Bytes(dst), ..
                }) = arg(args, 0)
                {
                    let at = arg(args, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
                    let src = b.borrow().data.clone();
                    let mut d = dst.borrow_mut();
                    match d.data.get_mut(at..at.saturating_add(src.len())) {
                        Some(s) => s.copy_from_slice(&src),
                        None => {
                            return throw(
                                "ArgumentException",
                                "Destination array was not long enough.",
                                span,
                            );
                        }
                    }
                    return Ok(Value::null());
                }
            }
            _ => {}
        }
    }
    if name == "ToString" && args.is_empty() {
        return Ok(Value::string(&to_display(v)));
    }
    let items = match iterate(it, v, span) {
        Ok(items) => items,
        Err(Exc::Err(e)) if e.exception.ends_with("CompilationError") => {
            return no_member(v, name, span);
        }
        Err(e) => return Err(e),
    };
    apply(it, items, name, generics, args, span)
}

/// `Dictionary<K,V>` methods, then LINQ over its pairs.
pub(crate) fn dict_method(
    it: &mut Interp,
    v: &Value,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let V::Dict(d) = &v.v else {
        return no_member(v, name, span);
    };
    let k = arg(args, 0).cloned().unwrap_or_else(Value::null);
    match name {
        "Add" | "TryAdd" => {
            let val = arg(args, 1).cloned().unwrap_or_else(Value::null);
            if matches!(k.v, V::Null) {
                return throw(
                    "ArgumentNullException",
                    "Value cannot be null. (Parameter 'key')",
                    span,
                );
            }
            let exists = dict_find(&d.borrow(), &k).is_some();
            if exists {
                if name == "TryAdd" {
                    return Ok(Value::bool(false));
                }
                return throw(
                    "ArgumentException",
                    format!(
                        "An item with the same key has already been added. Key: {}",
                        to_display(&k)
                    ),
                    span,
                );
            }
            let n = d.borrow().entries.len() + 1;
            it.check_count(n, span)?;
            d.borrow_mut().entries.push((k, val));
            Ok(if name == "TryAdd" {
                Value::bool(true)
            } else {
                Value::null()
            })
        }
        "ContainsKey" => Ok(Value::bool(dict_find(&d.borrow(), &k).is_some())),
        "ContainsValue" => Ok(Value::bool(
            d.borrow().entries.iter().any(|(_, x)| values_equal(x, &k)),
        )),
        "TryGetValue" => {
            let db = d.borrow();
            let found = dict_find(&db, &k)
                .and_then(|i| db.entries.get(i))
                .map(|e| e.1.clone());
            let ok = found.is_some();
            it.outs = vec![found.unwrap_or_else(Value::null)];
            Ok(Value::bool(ok))
        }
        "GetValueOrDefault" => {
            let db = d.borrow();
            Ok(match dict_find(&db, &k).and_then(|i| db.entries.get(i)) {
                Some(e) => e.1.clone(),
                None => arg(args, 1)
                    .cloned()
                    .unwrap_or_else(|| generics.first().map_or_else(Value::null, default_of)),
            })
        }
        "Remove" => {
            let mut db = d.borrow_mut();
            let pos = dict_find(&db, &k);
            if let Some(i) = pos {
                db.entries.remove(i);
            }
            Ok(Value::bool(pos.is_some()))
        }
        "Clear" => {
            d.borrow_mut().entries.clear();
            Ok(Value::null())
        }
        _ => {
            let items = iterate(it, v, span)?;
            apply(it, items, name, generics, args, span)
        }
    }
}
