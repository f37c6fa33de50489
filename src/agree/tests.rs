//! Tests of the ratings table and the full agreement report.

use super::*;

const R: &str = "right";
const W: &str = "wrong";
const U: &str = "unsure";

/// Rows are annotators, columns items; `None` is a missing label.
fn ratings(annotators: &[&str], rows: &[&[Option<&str>]], set: Option<&[&str]>) -> Ratings {
    let mut triples = Vec::new();
    for (a, row) in annotators.iter().zip(rows) {
        for (i, label) in row.iter().enumerate() {
            if let Some(label) = label {
                triples.push((
                    a.to_string(),
                    (format!("t{i:02}"), Some(3)),
                    label.to_string(),
                ));
            }
        }
    }
    let set: Option<Vec<String>> = set.map(|s| s.iter().map(|x| x.to_string()).collect());
    Ratings::build(triples, set.as_deref(), &["right", "wrong"]).unwrap()
}

fn close(a: Stat, b: f64) {
    let a = a.unwrap_or_else(|e| panic!("undefined: {e}"));
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

/// Bit for bit: the value the reference library printed.
fn exact(a: Stat, b: f64) {
    assert_eq!(a, Ok(b));
}

/// Three labels, three annotators, missing cells. Reference values from scikit-learn 1.9.1,
/// statsmodels 0.15.0 and krippendorff (nominal, value domain = the three labels).
#[test]
fn three_labels_match_the_reference_libraries() {
    let l = |i: i32| [Some(R), Some(W), Some(U), None][if i < 0 { 3 } else { i as usize }];
    let row = |v: [i32; 12]| v.map(l).to_vec();
    let a = row([0, 0, 1, 2, 0, 1, 1, -1, 0, 2, 0, 1]);
    let b = row([0, 1, 1, 2, 0, 0, 1, 2, -1, 2, 0, -1]);
    let c = row([0, 0, 1, 1, -1, 1, 2, 2, 0, 2, 0, 1]);
    let r = ratings(&["a", "b", "c"], &[&a, &b, &c], None);
    assert_eq!(r.labels, ["right", "wrong", "unsure"]);
    let g = agreement(&r);
    let ab = &g.pairs["a"]["b"];
    assert_eq!(ab.n, 9);
    close(ab.percent_agreement, 0.777_777_777_777_777_8);
    exact(ab.cohen_kappa, 0.653_846_153_846_153_7);
    exact(g.pairs["a"]["c"].cohen_kappa, 0.6875);
    exact(g.pairs["b"]["c"].cohen_kappa, 0.333_333_333_333_333_37);
    exact(g.fleiss_kappa, 0.492_063_492_063_492);
    exact(g.krippendorff_alpha_nominal, 0.629_850_746_268_656_7);
    assert_eq!(g.counts.items, 12);
    assert_eq!(g.counts.items_all_annotators, 8);
    assert_eq!(g.counts.items_pairable, 12);
    assert_eq!(g.counts.annotations, 11 + 10 + 11);
    // Pooled: (7 + 8 + 5) agreeing pairs over (9 + 10 + 9) compared pairs.
    close(g.percent_agreement.pooled, 20.0 / 28.0);
    close(
        g.percent_agreement.mean_pairwise,
        (7.0 / 9.0 + 0.8 + 5.0 / 9.0) / 3.0,
    );
}

#[test]
fn the_wikipedia_cohen_example_through_the_ratings_table() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for (n, x, y) in [(20, R, R), (5, R, W), (10, W, R), (15, W, W)] {
        for _ in 0..n {
            a.push(Some(x));
            b.push(Some(y));
        }
    }
    let g = agreement(&ratings(&["a", "b"], &[&a, &b], None));
    let p = &g.pairs["a"]["b"];
    assert_eq!(p.confusion, [[20, 5], [10, 15]]);
    close(p.cohen_kappa, 0.4);
    close(p.percent_agreement, 0.7);
}

#[test]
fn the_2011_krippendorff_example_through_the_ratings_table() {
    let v = |x: u8| (x > 0).then(|| ["1", "2", "3", "4", "5"][x as usize - 1]);
    let rows: Vec<Vec<Option<&str>>> = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
        [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
    ]
    .iter()
    .map(|r| r.map(v).to_vec())
    .collect();
    let refs: Vec<&[Option<&str>]> = rows.iter().map(Vec::as_slice).collect();
    let set = ["1", "2", "3", "4", "5"];
    let g = agreement(&ratings(&["A", "B", "C", "D"], &refs, Some(&set)));
    assert_eq!(g.labels, ["1", "2", "3", "4", "5"]);
    assert_eq!(
        format!("{:.3}", g.krippendorff_alpha_nominal.unwrap()),
        "0.743"
    );
    assert_eq!(g.counts.items_pairable, 11);
}

#[test]
fn fewer_than_two_annotators_is_undefined_everywhere() {
    let g = agreement(&ratings(&["a"], &[&[Some(R), Some(W)]], None));
    assert_eq!(g.fleiss_kappa, Err(Undefined::FewerThanTwoAnnotators));
    assert_eq!(
        g.krippendorff_alpha_nominal,
        Err(Undefined::FewerThanTwoAnnotators)
    );
    assert_eq!(
        g.percent_agreement.pooled,
        Err(Undefined::FewerThanTwoAnnotators)
    );
    assert!(g.pairs.is_empty());
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["fleiss_kappa"], serde_json::Value::Null);
    assert_eq!(json["pairs"], serde_json::json!({}));
}

#[test]
fn a_pair_with_no_shared_item_has_n_0_and_null_statistics() {
    let g = agreement(&ratings(
        &["a", "b", "c"],
        &[
            &[Some(R), Some(W), None, None],
            &[None, None, Some(R), Some(W)],
            &[Some(R), Some(R), Some(R), Some(W)],
        ],
        None,
    ));
    let ab = &g.pairs["a"]["b"];
    assert_eq!(ab.n, 0);
    assert_eq!(ab.cohen_kappa, Err(Undefined::NoSharedItems));
    assert_eq!(ab.percent_agreement, Err(Undefined::NoSharedItems));
    assert_eq!(g.fleiss_kappa, Err(Undefined::NoCompleteItems));
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(
        json["pairs"]["a"]["b"],
        serde_json::json!({"n": 0, "percent_agreement": null, "cohen_kappa": null,
                           "confusion": [[0, 0], [0, 0]]})
    );
    // The mean of pairs leaves the empty pair out: (1/2 + 2/2) / 2.
    close(g.percent_agreement.mean_pairwise, 0.75);
    close(g.percent_agreement.pooled, 3.0 / 4.0);
}

#[test]
fn everyone_using_one_label_is_undefined_not_one() {
    let g = agreement(&ratings(
        &["a", "b"],
        &[&[Some(R), Some(R)], &[Some(R), Some(R)]],
        Some(&["right", "wrong"]),
    ));
    close(g.percent_agreement.pooled, 1.0);
    assert_eq!(g.pairs["a"]["b"].cohen_kappa, Err(Undefined::OneLabel));
    assert_eq!(g.fleiss_kappa, Err(Undefined::OneLabel));
    assert_eq!(g.krippendorff_alpha_nominal, Err(Undefined::OneLabel));
}

#[test]
fn the_label_set_fixes_the_order_and_rejects_strangers() {
    let r = ratings(
        &["a", "b"],
        &[&[Some(W)], &[Some(R)]],
        Some(&["wrong", "right"]),
    );
    assert_eq!(r.labels, ["wrong", "right"]);
    assert_eq!(agreement(&r).pairs["a"]["b"].confusion, [[0, 1], [0, 0]]);
    let err = Ratings::build(
        [(
            "a".to_string(),
            ("t".to_string(), Some(2)),
            "maybe".to_string(),
        )],
        Some(&["right".to_string(), "wrong".to_string()]),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "label 'maybe' (a on t turn 2) is not in the label set [right,wrong]"
    );
}

#[test]
fn json_has_the_contract_shape_and_order() {
    let g = agreement(&ratings(
        &["judge", "alice", "bob"],
        &[
            &[Some(R), Some(W), Some(W)],
            &[Some(R), Some(W), None],
            &[Some(W), Some(W), Some(R)],
        ],
        None,
    ));
    let json = serde_json::to_string(&g).unwrap();
    let keys = [
        "{\"labels\":",
        "\"annotators\":[\"alice\",\"bob\",\"judge\"]",
        "\"counts\":{\"items\":3,\"annotations\":8,\"items_all_annotators\":2,\"items_pairable\":3,\"per_annotator\":{\"alice\":2,\"bob\":3,\"judge\":3}}",
        "\"percent_agreement\":{\"pooled\":",
        "\"fleiss_kappa\":",
        "\"krippendorff_alpha_nominal\":",
        "\"pairs\":{\"alice\":{\"bob\":{\"n\":2,\"percent_agreement\":0.5,\"cohen_kappa\":0.0,\"confusion\":[[0,1],[0,1]]},\"judge\":{\"n\":2,\"percent_agreement\":1.0,",
        "\"bob\":{\"judge\":{\"n\":3,",
    ];
    let mut at = 0;
    for key in keys {
        let found = json[at..]
            .find(key)
            .unwrap_or_else(|| panic!("{key} in {json}"));
        at += found + key.len();
    }
    assert!(!json.contains("\"bob\":{\"alice\""));
}

#[test]
fn specific_agreement_counts_each_label_in_every_pair() {
    // Items (a, b, c): (R, W, R), (R, W, W), (W, -, W).
    let r = ratings(
        &["a", "b", "c"],
        &[
            &[Some(R), Some(W), Some(R)],
            &[Some(R), Some(W), Some(W)],
            &[Some(W), None, Some(W)],
        ],
        None,
    );
    let s = specific_agreement(&r);
    // Pairs: item0 ab RW, ac RR, bc WR; item1 ab RW, ac RW, bc WW; item2 ac WW.
    assert_eq!((s[R].used, s[R].agreed), (6, 2));
    assert_eq!((s[W].used, s[W].agreed), (8, 4));
    close(s[W].specific_agreement, 0.5);
}
