//! Agreement between annotators: the ratings table (items × annotators, missing cells
//! allowed) built from replayed journals, and every statistic `trev agree` reports. Pure
//! functions, no I/O.

pub mod specific;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Serialize, Serializer};

pub use specific::{specific_agreement, Specific};
pub use stats::{Stat, Undefined};

/// What is compared: a turn (`Some(index)`) or a whole trajectory's verdict (`None`).
pub type Item = (String, Option<usize>);

/// The ratings to compare: `cells[item][annotator]` is a label index or missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ratings {
    pub labels: Vec<String>,
    /// Sorted by code point.
    pub annotators: Vec<String>,
    pub items: Vec<Item>,
    pub cells: Vec<Vec<Option<usize>>>,
}

/// A label outside `--label-set`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("label '{label}' ({annotator} on {trajectory}{turn}) is not in the label set [{set}]",
        turn = .turn.map(|t| format!(" turn {t}")).unwrap_or_default())]
pub struct UnknownLabel {
    pub label: String,
    pub annotator: String,
    pub trajectory: String,
    pub turn: Option<usize>,
    pub set: String,
}

impl Ratings {
    /// Build the table from `(annotator, item, label)` triples (one per annotator and item;
    /// a later triple for the same cell replaces an earlier one). Annotators are whoever gave
    /// a label: a synthetic annotator (a rule engine…) joins by adding its triples. With
    /// `label_set`, labels are exactly those, in that order; without, `preferred` come first
    /// (seen or not, so the table keeps its shape), then every other label seen, sorted.
    pub fn build<I>(
        triples: I,
        label_set: Option<&[String]>,
        preferred: &[&str],
    ) -> Result<Ratings, UnknownLabel>
    where
        I: IntoIterator<Item = (String, Item, String)>,
    {
        let mut by_item: BTreeMap<Item, BTreeMap<String, String>> = BTreeMap::new();
        let mut annotators = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for (annotator, item, label) in triples {
            annotators.insert(annotator.clone());
            seen.insert(label.clone());
            by_item.entry(item).or_default().insert(annotator, label);
        }
        let labels: Vec<String> = match label_set {
            Some(set) => set.to_vec(),
            None => {
                let mut labels: Vec<String> = preferred.iter().map(|p| p.to_string()).collect();
                labels.extend(
                    seen.iter()
                        .filter(|l| !preferred.contains(&l.as_str()))
                        .cloned(),
                );
                labels
            }
        };
        let annotators: Vec<String> = annotators.into_iter().collect();
        let mut items = Vec::with_capacity(by_item.len());
        let mut cells = Vec::with_capacity(by_item.len());
        for (item, given) in by_item {
            let mut row = vec![None; annotators.len()];
            for (annotator, label) in given {
                let Some(l) = labels.iter().position(|x| *x == label) else {
                    return Err(UnknownLabel {
                        label,
                        annotator,
                        trajectory: item.0.clone(),
                        turn: item.1,
                        set: labels.join(","),
                    });
                };
                let a = annotators
                    .binary_search(&annotator)
                    .expect("known annotator");
                row[a] = Some(l);
            }
            items.push(item);
            cells.push(row);
        }
        Ok(Ratings {
            labels,
            annotators,
            items,
            cells,
        })
    }

    /// The confusion matrix of annotators `a` (rows) and `b` (columns) over the items both
    /// labelled.
    pub fn confusion(&self, a: usize, b: usize) -> Vec<Vec<u64>> {
        let k = self.labels.len();
        let mut m = vec![vec![0; k]; k];
        for row in &self.cells {
            if let (Some(x), Some(y)) = (row[a], row[b]) {
                m[x][y] += 1;
            }
        }
        m
    }

    /// Per item, how many annotators gave each label.
    fn value_counts(&self) -> impl Iterator<Item = Vec<u64>> + '_ {
        let k = self.labels.len();
        self.cells.iter().map(move |row| {
            let mut counts = vec![0; k];
            row.iter().flatten().for_each(|&l| counts[l] += 1);
            counts
        })
    }
}

/// Everything `trev agree` reports. Serialises to the `--json` contract (undefined → `null`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub labels: Vec<String>,
    pub annotators: Vec<String>,
    pub counts: Counts,
    pub percent_agreement: Overall,
    #[serde(serialize_with = "stat")]
    pub fleiss_kappa: Stat,
    #[serde(serialize_with = "stat")]
    pub krippendorff_alpha_nominal: Stat,
    /// `pairs[a][b]` for every annotator `a` sorted before `b`.
    pub pairs: BTreeMap<String, BTreeMap<String, Pair>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// Items with at least one label.
    pub items: u64,
    /// Labels given, over all items and annotators.
    pub annotations: u64,
    pub items_all_annotators: u64,
    /// Items with at least two labels.
    pub items_pairable: u64,
    pub per_annotator: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    /// Agreeing label pairs over all comparable label pairs (every pair of annotators on every
    /// item both labelled).
    #[serde(serialize_with = "stat")]
    pub pooled: Stat,
    /// The mean of the pairs' percent agreement (pairs with no shared item left out).
    #[serde(serialize_with = "stat")]
    pub mean_pairwise: Stat,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// Items both labelled.
    pub n: u64,
    #[serde(serialize_with = "stat")]
    pub percent_agreement: Stat,
    #[serde(serialize_with = "stat")]
    pub cohen_kappa: Stat,
    pub confusion: Vec<Vec<u64>>,
}

fn stat<S: Serializer>(value: &Stat, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Ok(v) if v.is_finite() => s.serialize_f64(*v),
        _ => s.serialize_none(),
    }
}

/// Compute every statistic of `r`.
pub fn agreement(r: &Ratings) -> Agreement {
    let m = r.annotators.len();
    let few = m < 2;
    let per_annotator = r
        .annotators
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let n = r.cells.iter().filter(|row| row[a].is_some()).count();
            (name.clone(), n as u64)
        })
        .collect();
    let rated = |row: &Vec<Option<usize>>| row.iter().flatten().count();
    let counts = Counts {
        items: r.cells.iter().filter(|row| rated(row) > 0).count() as u64,
        annotations: r.cells.iter().map(rated).sum::<usize>() as u64,
        items_all_annotators: r
            .cells
            .iter()
            .filter(|row| m > 0 && rated(row) == m)
            .count() as u64,
        items_pairable: r.cells.iter().filter(|row| rated(row) >= 2).count() as u64,
        per_annotator,
    };
    let mut pairs: BTreeMap<String, BTreeMap<String, Pair>> = BTreeMap::new();
    let (mut agree, mut compared, mut sum, mut defined) = (0u64, 0u64, 0.0, 0usize);
    for a in 0..m {
        for b in a + 1..m {
            let confusion = r.confusion(a, b);
            let n: u64 = confusion.iter().flatten().sum();
            let same: u64 = (0..r.labels.len()).map(|i| confusion[i][i]).sum();
            agree += same;
            compared += n;
            let percent = if n == 0 {
                Err(Undefined::NoSharedItems)
            } else {
                Ok(same as f64 / n as f64)
            };
            if let Ok(p) = percent {
                sum += p;
                defined += 1;
            }
            let pair = Pair {
                n,
                percent_agreement: percent,
                cohen_kappa: stats::cohen_kappa(&confusion),
                confusion,
            };
            pairs
                .entry(r.annotators[a].clone())
                .or_default()
                .insert(r.annotators[b].clone(), pair);
        }
    }
    let none_shared = if few {
        Undefined::FewerThanTwoAnnotators
    } else {
        Undefined::NoSharedItems
    };
    let percent_agreement = Overall {
        pooled: if compared == 0 {
            Err(none_shared)
        } else {
            Ok(agree as f64 / compared as f64)
        },
        mean_pairwise: if defined == 0 {
            Err(none_shared)
        } else {
            Ok(sum / defined as f64)
        },
    };
    let fleiss_kappa = if few {
        Err(Undefined::FewerThanTwoAnnotators)
    } else {
        let complete: Vec<Vec<u64>> = r
            .value_counts()
            .filter(|c| c.iter().sum::<u64>() == m as u64)
            .collect();
        stats::fleiss_kappa(&complete)
    };
    let krippendorff_alpha_nominal = if few {
        Err(Undefined::FewerThanTwoAnnotators)
    } else {
        stats::krippendorff_alpha_nominal(&r.value_counts().collect::<Vec<_>>())
    };
    Agreement {
        labels: r.labels.clone(),
        annotators: r.annotators.clone(),
        counts,
        percent_agreement,
        fleiss_kappa,
        krippendorff_alpha_nominal,
        pairs,
    }
}

#[cfg(test)]
mod tests;
