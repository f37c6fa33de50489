//! Step alignment of two trajectories: a longest common subsequence over the steps' action
//! keys, so that the common prefix lines up and where the runs part is marked. Runs of
//! unmatched steps between two matches pair up as `Differs` (the agent did something else
//! there); what is left over is on one side only.
//!
//! The common prefix and suffix are stripped first; the middle is a full O(n·m) table of
//! `u16` when it has at most [`FULL_CELLS`] cells (2 000 × 2 000), else a band around the
//! diagonal from corner to corner (at most [`BAND_CELLS`] cells), which finds a common
//! subsequence that may be shorter than the longest when the runs drift far apart.

/// The most cells of the full table (2 000 × 2 000 steps, 8 MB of `u16`).
pub const FULL_CELLS: usize = 2_001 * 2_001;
/// The most cells of the banded table (32 MB of `i32`).
pub const BAND_CELLS: usize = 8 << 20;

/// How the steps of one aligned row relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Both sides did the same thing.
    Same,
    /// Both sides have a step here and they differ.
    Differs,
    /// A step of the left trajectory with nothing across.
    LeftOnly,
    /// A step of the right trajectory with nothing across.
    RightOnly,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Same => "same",
            Kind::Differs => "differs",
            Kind::LeftOnly => "left only",
            Kind::RightOnly => "right only",
        }
    }
}

/// One row of the alignment: a step index on each side (or none) and how they relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub left: Option<usize>,
    pub right: Option<usize>,
    pub kind: Kind,
}

/// The aligned rows, in order; every step of both sides appears exactly once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alignment {
    pub rows: Vec<Row>,
    /// Whether the banded fallback was used (the common part may then be shorter than the
    /// longest).
    pub banded: bool,
}

impl Alignment {
    /// The index of the first row that is not `Same`.
    pub fn first_divergence(&self) -> Option<usize> {
        self.rows.iter().position(|r| r.kind != Kind::Same)
    }

    /// The index of the next row after `row` that starts a divergence (a row that is not
    /// `Same` right after one that is, or the first row).
    pub fn next_divergence(&self, row: usize) -> Option<usize> {
        (row + 1..self.rows.len()).find(|&i| {
            self.rows[i].kind != Kind::Same && (i == 0 || self.rows[i - 1].kind == Kind::Same)
        })
    }

    /// The number of rows whose steps are the same.
    pub fn same(&self) -> usize {
        self.rows.iter().filter(|r| r.kind == Kind::Same).count()
    }
}

/// One step of the edit path.
#[derive(Clone, Copy)]
enum Op {
    Match,
    Left,
    Right,
}

/// Align `a` and `b` (each step's action key, or any comparable stand-in such as its hash).
pub fn align<K: PartialEq>(a: &[K], b: &[K]) -> Alignment {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&ra[..ra.len() - suffix], &rb[..rb.len() - suffix]);
    let mut ops = vec![Op::Match; prefix];
    let cells = (ma.len() + 1).saturating_mul(mb.len() + 1);
    let banded = cells > FULL_CELLS;
    if banded {
        band(ma, mb, &mut ops);
    } else {
        full(ma, mb, &mut ops);
    }
    ops.extend(std::iter::repeat_n(Op::Match, suffix));
    Alignment {
        rows: rows(&ops),
        banded,
    }
}

/// The full LCS table; the path is appended to `ops`.
fn full<K: PartialEq>(a: &[K], b: &[K], ops: &mut Vec<Op>) {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    // t[i*w + j]: the LCS of a[i..] and b[j..] (suffixes, so the path is read forwards).
    let mut t = vec![0u16; (n + 1) * w];
    for i in (0..n).rev() {
        // Row i from row i + 1, as two slices (no index arithmetic in the inner loop).
        let (head, below) = t.split_at_mut((i + 1) * w);
        let (row, below) = (&mut head[i * w..], &below[..w]);
        let ai = &a[i];
        for j in (0..m).rev() {
            row[j] = if *ai == b[j] {
                below[j + 1] + 1
            } else {
                below[j].max(row[j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Match);
            (i, j) = (i + 1, j + 1);
        } else if j == m || (i < n && t[(i + 1) * w + j] >= t[i * w + j + 1]) {
            ops.push(Op::Left);
            i += 1;
        } else {
            ops.push(Op::Right);
            j += 1;
        }
    }
}

/// A band of the LCS table around the line from corner to corner.
fn band<K: PartialEq>(a: &[K], b: &[K], ops: &mut Vec<Op>) {
    let (n, m) = (a.len(), b.len());
    // Wide enough that consecutive rows overlap, at most BAND_CELLS in all.
    let slope = m.div_ceil(n.max(1));
    let half = (BAND_CELLS / (n + 1) / 2).max(slope + 2);
    let width = 2 * half + 1;
    let centre = |i: usize| (i * m) / n.max(1);
    let lo = |i: usize| centre(i).saturating_sub(half);
    const NONE: i32 = i32::MIN / 2;
    // t[i*width + (j - lo(i))]: the LCS of a[i..] and b[j..] within the band.
    let mut t = vec![NONE; (n + 1) * width];
    let get = |t: &[i32], i: usize, j: usize| -> i32 {
        if i > n || j > m {
            return NONE;
        }
        let l = lo(i);
        if j < l || j - l >= width {
            return NONE;
        }
        t[i * width + (j - l)]
    };
    for i in (0..=n).rev() {
        let l = lo(i);
        for j in (l..(l + width).min(m + 1)).rev() {
            let v = if i == n && j == m {
                0
            } else if i < n && j < m && a[i] == b[j] {
                get(&t, i + 1, j + 1).saturating_add(1)
            } else {
                let down = if i < n { get(&t, i + 1, j) } else { NONE };
                let right = if j < m { get(&t, i, j + 1) } else { NONE };
                down.max(right)
            };
            t[i * width + (j - l)] = v;
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        let here = get(&t, i, j);
        if i < n && j < m && a[i] == b[j] && get(&t, i + 1, j + 1) + 1 == here {
            ops.push(Op::Match);
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || get(&t, i + 1, j) >= get(&t, i, j + 1)) {
            ops.push(Op::Left);
            i += 1;
        } else {
            ops.push(Op::Right);
            j += 1;
        }
    }
}

/// The path as rows: between two matches, unmatched steps on both sides pair up as `Differs`.
fn rows(ops: &[Op]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    let mut k = 0;
    while k < ops.len() {
        if let Op::Match = ops[k] {
            rows.push(Row {
                left: Some(i),
                right: Some(j),
                kind: Kind::Same,
            });
            (i, j, k) = (i + 1, j + 1, k + 1);
            continue;
        }
        let end = ops[k..]
            .iter()
            .position(|o| matches!(o, Op::Match))
            .map_or(ops.len(), |p| k + p);
        let left = ops[k..end].iter().filter(|o| matches!(o, Op::Left)).count();
        let right = end - k - left;
        for d in 0..left.max(right) {
            let (l, r) = ((d < left).then_some(i + d), (d < right).then_some(j + d));
            let kind = match (l, r) {
                (Some(_), Some(_)) => Kind::Differs,
                (Some(_), None) => Kind::LeftOnly,
                _ => Kind::RightOnly,
            };
            rows.push(Row {
                left: l,
                right: r,
                kind,
            });
        }
        (i, j, k) = (i + left, j + right, end);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(a: &str, b: &str) -> Vec<Kind> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        align(&a, &b).rows.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn identical_runs_are_the_same_throughout() {
        assert_eq!(kinds("abcd", "abcd"), [Kind::Same; 4]);
        assert_eq!(align(&[1, 2], &[1, 2]).first_divergence(), None);
        assert_eq!(kinds("", ""), []);
    }

    #[test]
    fn one_inserted_step_is_right_only() {
        use Kind::*;
        assert_eq!(kinds("abcd", "abXcd"), [Same, Same, RightOnly, Same, Same]);
        let al = align(&['a', 'b', 'c'], &['a', 'b', 'X', 'c']);
        assert_eq!(al.first_divergence(), Some(2));
        assert_eq!(
            al.rows[2],
            Row {
                left: None,
                right: Some(2),
                kind: RightOnly
            }
        );
        assert_eq!(kinds("abXcd", "abcd"), [Same, Same, LeftOnly, Same, Same]);
    }

    #[test]
    fn a_swapped_pair_keeps_one_and_moves_the_other() {
        use Kind::*;
        // a b c d against a c b d: the common part is a, one of b/c, d.
        let k = kinds("abcd", "acbd");
        assert_eq!(k.iter().filter(|&&k| k == Same).count(), 3);
        assert_eq!(k.len(), 5);
        assert_eq!(k[0], Same);
        assert_eq!(k[4], Same);
        assert!(k.contains(&LeftOnly) && k.contains(&RightOnly));
        let al = align(&['a', 'b', 'c', 'd'], &['a', 'c', 'b', 'd']);
        assert_eq!(al.first_divergence(), Some(1));
        assert_eq!(al.next_divergence(1), Some(3));
    }

    #[test]
    fn disjoint_runs_differ_step_by_step() {
        use Kind::*;
        assert_eq!(kinds("ab", "xyz"), [Differs, Differs, RightOnly]);
        assert_eq!(kinds("abc", ""), [LeftOnly; 3]);
        assert_eq!(align(&['a'], &['b']).first_divergence(), Some(0));
    }

    /// The figure the issue asks for: two 2 000-step trajectories that part early (so the
    /// whole table is filled). Run with `cargo test --release --lib -- --ignored
    /// alignment_time --nocapture`.
    #[test]
    #[ignore]
    fn alignment_time_of_two_2000_step_trajectories() {
        let a: Vec<u64> = (0..2000).map(|i| (i * 7919) % 1000).collect();
        let mut b: Vec<u64> = (0..2000).map(|i| (i * 104_729) % 1000).collect();
        b[0] = 5_000;
        let start = std::time::Instant::now();
        let runs = 10;
        let mut same = 0;
        for _ in 0..runs {
            let al = align(&a, &b);
            assert!(!al.banded);
            same = al.same();
        }
        let each = start.elapsed() / runs;
        eprintln!("2000x2000 alignment: {each:?} each ({same} steps the same)");
        let a: Vec<u64> = (0..5000).collect();
        let b: Vec<u64> = (0..5000)
            .map(|i| if i % 3 == 0 { i + 1_000_000 } else { i })
            .collect();
        let start = std::time::Instant::now();
        let al = align(&a, &b);
        eprintln!(
            "5000x5000 banded alignment: {:?} (banded {}, {} same)",
            start.elapsed(),
            al.banded,
            al.same()
        );
    }

    #[test]
    fn rows_cover_every_step_once_in_order() {
        let (a, b): (Vec<u8>, Vec<u8>) = (b"abcxdefg".to_vec(), b"abdyyefgz".to_vec());
        let al = align(&a, &b);
        let left: Vec<usize> = al.rows.iter().filter_map(|r| r.left).collect();
        let right: Vec<usize> = al.rows.iter().filter_map(|r| r.right).collect();
        assert_eq!(left, (0..a.len()).collect::<Vec<_>>());
        assert_eq!(right, (0..b.len()).collect::<Vec<_>>());
        for r in &al.rows {
            if r.kind == Kind::Same {
                assert_eq!(a[r.left.unwrap()], b[r.right.unwrap()]);
            }
        }
        assert_eq!(al.same(), 6); // a b d e f g
    }

    #[test]
    fn banded_alignment_finds_the_common_steps_of_near_runs() {
        // 3 000 × 3 000 is over the full table's limit.
        let a: Vec<u32> = (0..3000).collect();
        let mut b = a.clone();
        b.remove(10);
        b.insert(1500, 99_999);
        b[2500] = 77_777;
        let al = align(&a, &b);
        assert!(al.banded);
        assert_eq!(al.same(), 2998);
        assert_eq!(al.first_divergence(), Some(10));
    }
}
