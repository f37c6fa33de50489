//! Specific agreement per label (Fleiss 1975; Uebersax's "proportion of specific agreement"),
//! pooled over every pair of annotators: of the times a label was used on an item that another
//! annotator labelled too, the share where the other used it as well. On categories it says,
//! per category, how often annotators who used it agreed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{stat, Ratings, Stat, Undefined};

/// One label's specific agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Specific {
    /// Uses of the label in pairs of labels on one item (a pair where both used it counts 2).
    pub used: u64,
    /// Uses matched by the other annotator of the pair (twice the pairs where both used it).
    pub agreed: u64,
    /// `agreed / used`; `null` when the label was never used in a pair.
    #[serde(serialize_with = "stat")]
    pub specific_agreement: Stat,
}

/// Each label's specific agreement, in the ratings' label order (labels never used in a pair
/// included, with `null`).
pub fn specific_agreement(r: &Ratings) -> BTreeMap<String, Specific> {
    let k = r.labels.len();
    let (mut used, mut agreed) = (vec![0u64; k], vec![0u64; k]);
    let m = r.annotators.len();
    for a in 0..m {
        for b in a + 1..m {
            let confusion = r.confusion(a, b);
            for (i, row) in confusion.iter().enumerate() {
                for (j, &n) in row.iter().enumerate() {
                    used[i] += n;
                    used[j] += n;
                    if i == j {
                        agreed[i] += 2 * n;
                    }
                }
            }
        }
    }
    r.labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let share = if used[i] == 0 {
                Err(Undefined::NoSharedItems)
            } else {
                Ok(agreed[i] as f64 / used[i] as f64)
            };
            let s = Specific {
                used: used[i],
                agreed: agreed[i],
                specific_agreement: share,
            };
            (label.clone(), s)
        })
        .collect()
}
