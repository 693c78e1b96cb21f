//! Stable sorting with one compiled copy of the algorithm, for the web app's first load.
//!
//! `slice::sort_by` is generic: every element type and comparator gets its own copy of std's
//! driftsort (quicksort, merges, small-sort networks), 3–4 KB of wasm each, and the linter,
//! the parser, completion and the app sort about fifteen different things (56 KB of the app's
//! code before this module). On wasm32 these functions sort a list of indices with one
//! non-generic merge sort (the comparator is a `&mut dyn FnMut`), then move the elements into
//! that order; what stays generic per type is a few hundred bytes. Natively they are std's
//! sort (the CLI's lint of a large file keeps its speed). Both are stable, so they give the
//! same order for the same comparator: the tests below check the merge sort against std's.
//! `apim_policy::sort` is this module (the C# parser sorts its errors too).

use std::cmp::Ordering;

/// `v.sort_by_key(key)`, stable.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort_by(cmp)`, stable.
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_mut))]
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by(cmp);
    #[cfg(target_arch = "wasm32")]
    {
        let order = {
            let v: &[T] = v;
            stable_order(v.len(), &mut |a, b| match (v.get(a), v.get(b)) {
                (Some(x), Some(y)) => cmp(x, y),
                _ => Ordering::Equal,
            })
        };
        permute(v, order);
    }
}

/// `v.sort()`, stable.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The indices `0..n` in the stable order of `cmp(i, j)`: a bottom-up merge sort that takes
/// the left element on ties; an already sorted list costs one pass.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[allow(clippy::indexing_slicing)] // every index is below `n` by construction
fn stable_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n).collect();
    if (1..n).all(|i| cmp(i - 1, i) != Ordering::Greater) {
        return a;
    }
    let mut b = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = start.saturating_add(width.saturating_mul(2)).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut b[start..end] {
                let left = j >= end || (i < mid && cmp(a[i], a[j]) != Ordering::Greater);
                if left {
                    *slot = a[i];
                    i += 1;
                } else {
                    *slot = a[j];
                    j += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut a, &mut b);
        width = width.saturating_mul(2);
    }
    a
}

/// Rearrange `v` so that its element `k` is the one that was at `order[k]` (a permutation of
/// `0..v.len()`), by following each cycle with swaps.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[allow(clippy::indexing_slicing)] // `order` is a permutation of `0..v.len()`
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut cur = start;
        // Position `cur` takes the element at `order[cur]`; a done position points to itself.
        while order[cur] != start && order[cur] != cur {
            let next = order[cur];
            v.swap(cur, next);
            order[cur] = cur;
            cur = next;
        }
        order[cur] = cur;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm path, run natively: the same order as std's stable sort.
    fn merge_sorted<T: Clone>(v: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
        let order = stable_order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
        let mut out = v.to_vec();
        permute(&mut out, order);
        out
    }

    #[test]
    fn the_merge_sort_agrees_with_std_on_many_lists_with_ties() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in (0..70).chain([127, 128, 129, 1000, 4097]) {
            for range in [1, 3, 10, 1_000_000] {
                // (key, original position): the position shows whether ties kept their order.
                let v: Vec<(u64, usize)> = (0..len).map(|i| (next() % range, i)).collect();
                let mut want = v.clone();
                want.sort_by_key(|x| x.0);
                assert_eq!(
                    merge_sorted(&v, |a, b| a.0.cmp(&b.0)),
                    want,
                    "{len} {range}"
                );
                let mut desc = v.clone();
                desc.sort_by_key(|b| std::cmp::Reverse(b.0));
                assert_eq!(merge_sorted(&v, |a, b| b.0.cmp(&a.0)), desc);
            }
        }
    }

    #[test]
    fn sorted_reversed_and_equal_lists() {
        let sorted: Vec<u32> = (0..100).collect();
        assert_eq!(merge_sorted(&sorted, u32::cmp), sorted);
        let reversed: Vec<u32> = (0..100).rev().collect();
        assert_eq!(merge_sorted(&reversed, u32::cmp), sorted);
        let same = vec![(1, 'a'), (1, 'b'), (1, 'c')];
        assert_eq!(merge_sorted(&same, |a, b| a.0.cmp(&b.0)), same);
        let strings = vec!["b".to_string(), "a".into(), "c".into(), "a".into()];
        assert_eq!(merge_sorted(&strings, String::cmp), ["a", "a", "b", "c"]);
    }

    #[test]
    fn the_public_functions_sort_stably() {
        let mut v = vec![(2, 'x'), (1, 'y'), (2, 'z'), (1, 'w')];
        sort_by_key(&mut v, |p| p.0);
        assert_eq!(v, [(1, 'y'), (1, 'w'), (2, 'x'), (2, 'z')]);
        let mut s = vec!["b", "a"];
        sort(&mut s);
        assert_eq!(s, ["a", "b"]);
    }
}
