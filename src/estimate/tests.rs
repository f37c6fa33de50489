use super::*;
use crate::sample::{self, Rng};

fn reviewed(task: Task, judged: u64, wrong: u64, flagged: bool) -> Reviewed {
    Reviewed {
        task,
        judged_turns: judged,
        wrong_turns: wrong,
        flagged,
    }
}

#[test]
fn wilson_matches_textbook_values() {
    let (low, high) = wilson(0.1, 100.0);
    assert!((low - 0.0552).abs() < 5e-5 && (high - 0.1744).abs() < 5e-5);
    let (low, high) = wilson(0.0, 20.0);
    assert_eq!(low, 0.0);
    assert!((high - 0.1611).abs() < 5e-5);
}

#[test]
fn a_uniform_sample_scales_to_the_dataset() {
    let mut sample = vec![reviewed(Task::Os, 4, 0, false); 90];
    sample.extend(vec![reviewed(Task::Os, 4, 1, true); 10]);
    sample.push(reviewed(Task::Db, 0, 0, true)); // not reviewed: left out
    let total = Population {
        trajectories: 64_000,
        agent_turns: 256_000,
    };
    let by_task = BTreeMap::from([(Task::Os, total)]);
    let r = estimate(&sample, Design::Uniform, total, &by_task);
    let t = r.overall.trajectories_with_wrong;
    assert_eq!((t.share.count, t.share.of), (10, 100));
    assert_eq!(t.share.share, Some(0.1));
    // Wilson at the effective size (n − 1)/(1 − n/N) ≈ 99.2: close to the plain 10 of 100.
    let [e, low, high] = t.estimate.unwrap();
    assert_eq!(e, 6400);
    assert!(
        (3500..3600).contains(&low) && (11100..11250).contains(&high),
        "{low} {high}"
    );
    assert_eq!(r.overall.wrong_turns.share.of, 400);
    assert_eq!(r.overall.wrong_turns.share.share, Some(0.025));
    assert_eq!(r.by_task["os"], r.overall);
    assert_eq!(r.rules.true_positive, 10);
    assert_eq!(r.rules.precision, Some(1.0));
    assert_eq!(r.rules.recall, Some(1.0));
    assert!(
        describe(&t, "trajectories").starts_with(
            "10.0 % (10 of 100 reviewed): about 6 400 of 64 000 trajectories, 95 % CI 3 5"
        ),
        "{}",
        describe(&t, "trajectories")
    );
}

#[test]
fn a_sample_drawn_per_task_weighs_each_task_by_its_size() {
    // 50 of each task reviewed; os is 9 000 trajectories with 10 % wrong, kg 1 000 with 90 %.
    let mut sample = Vec::new();
    for i in 0..50 {
        sample.push(reviewed(Task::Os, 2, u64::from(i < 5), false));
        sample.push(reviewed(Task::Kg, 2, u64::from(i < 45), false));
    }
    let pop = |n| Population {
        trajectories: n,
        agent_turns: 2 * n,
    };
    let by_task = BTreeMap::from([(Task::Os, pop(9000)), (Task::Kg, pop(1000))]);
    let r = estimate(&sample, Design::ByTask, pop(10_000), &by_task);
    let share = r.overall.trajectories_with_wrong.share.share.unwrap();
    // Weighted: 0.9 × 10 % + 0.1 × 90 % = 18 %, where pooling would say 50 %.
    assert!((share - 0.18).abs() < 1e-12, "{share}");
    assert_eq!(r.overall.trajectories_with_wrong.estimate.unwrap()[0], 1800);
    assert!(r.tasks_not_covered.is_empty());
    // A task nobody reviewed is left out of the overall estimate, and named.
    let by_task = BTreeMap::from([
        (Task::Os, pop(9000)),
        (Task::Kg, pop(1000)),
        (Task::Db, pop(5000)),
    ]);
    let r = estimate(&sample, Design::ByTask, pop(15_000), &by_task);
    assert_eq!(r.tasks_not_covered, ["db"]);
    assert_eq!(r.overall.trajectories_with_wrong.population, 10_000);
}

#[test]
fn reviewed_trajectories_that_are_no_sample_are_not_extrapolated() {
    let sample = vec![
        reviewed(Task::Os, 4, 1, false),
        reviewed(Task::Os, 4, 0, false),
    ];
    let total = Population {
        trajectories: 1000,
        agent_turns: 4000,
    };
    let by_task = BTreeMap::from([(Task::Os, total)]);
    let r = estimate(&sample, Design::Reviewed, total, &by_task);
    let t = &r.overall.trajectories_with_wrong;
    assert_eq!(t.share.share, Some(0.5));
    assert_eq!((t.share.low, t.share.high, t.estimate), (None, None, None));
    assert_eq!(
        describe(t, "trajectories"),
        "50.0 % of the reviewed (1 of 2); not extrapolated to the 1 000 trajectories"
    );
}

#[test]
fn nothing_reviewed_is_said_plainly() {
    let total = Population {
        trajectories: 10,
        agent_turns: 30,
    };
    let r = estimate(&[], Design::Uniform, total, &BTreeMap::new());
    assert_eq!(r.overall.trajectories_with_wrong.estimate, None);
    assert_eq!(r.rules.precision, None);
    assert_eq!(
        describe(&r.overall.wrong_turns, "agent turns"),
        "nothing reviewed yet (0 of 30 agent turns)"
    );
}

/// One trajectory of the simulated population.
struct Unit {
    task: Task,
    turns: u64,
    wrong: u64,
}

fn uniform01(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Three tasks of very different sizes and error rates; in a "bad" trajectory each turn is
/// wrong with probability one half, in a good one with 2 %: turns are correlated within a
/// trajectory, as real errors cluster. (Drawn 60 per task, the os task's few bad trajectories
/// make the turn rate's distribution skewed enough that its interval covers about 92 %; from
/// 100 per task on it is within the band.)
fn population() -> Vec<Unit> {
    let mut rng = Rng::new(42);
    let mut out = Vec::new();
    for (task, size, bad) in [
        (Task::Os, 6000, 0.08),
        (Task::Db, 1500, 0.3),
        (Task::Kg, 300, 0.6),
    ] {
        for _ in 0..size {
            let turns = 1 + rng.below(8);
            let p = if uniform01(&mut rng) < bad { 0.5 } else { 0.02 };
            let wrong = (0..turns).filter(|_| uniform01(&mut rng) < p).count() as u64;
            out.push(Unit { task, turns, wrong });
        }
    }
    out
}

fn covers(s: &Scaled, truth: f64) -> bool {
    s.share.low.unwrap() <= truth && truth <= s.share.high.unwrap()
}

#[test]
fn intervals_cover_the_truth_95_times_in_100() {
    let units = population();
    let tasks: Vec<Task> = units.iter().map(|u| u.task).collect();
    let mut by_task: BTreeMap<Task, Population> = BTreeMap::new();
    let mut truth: BTreeMap<Option<Task>, [u64; 4]> = BTreeMap::new();
    for u in &units {
        let p = by_task.entry(u.task).or_default();
        p.trajectories += 1;
        p.agent_turns += u.turns;
        for key in [None, Some(u.task)] {
            let t = truth.entry(key).or_default();
            t[0] += 1;
            t[1] += u64::from(u.wrong > 0);
            t[2] += u.turns;
            t[3] += u.wrong;
        }
    }
    let total = Population {
        trajectories: units.len() as u64,
        agent_turns: units.iter().map(|u| u.turns).sum(),
    };
    let share = |key: Option<Task>| {
        let t = truth[&key];
        (t[1] as f64 / t[0] as f64, t[3] as f64 / t[2] as f64)
    };
    let runs = 2000;
    for (name, design) in ["uniform", "proportional", "per-task"].into_iter().zip([
        Design::Uniform,
        Design::ByTask,
        Design::ByTask,
    ]) {
        // covered: [overall trajectories, overall turns, kg trajectories, kg turns]
        let mut covered = [0u32; 4];
        for seed in 0..runs {
            let picked = match name {
                "uniform" => sample::uniform(units.len(), 300, seed),
                "proportional" => sample::stratified(&tasks, 300, None, seed),
                _ => sample::stratified(&tasks, 0, Some(100), seed),
            };
            let reviewed: Vec<Reviewed> = picked
                .iter()
                .map(|&i| reviewed(units[i].task, units[i].turns, units[i].wrong, false))
                .collect();
            let r = estimate(&reviewed, design, total, &by_task);
            let (p, t) = share(None);
            covered[0] += u32::from(covers(&r.overall.trajectories_with_wrong, p));
            covered[1] += u32::from(covers(&r.overall.wrong_turns, t));
            if name == "per-task" {
                let (p, t) = share(Some(Task::Kg));
                covered[2] += u32::from(covers(&r.by_task["kg"].trajectories_with_wrong, p));
                covered[3] += u32::from(covers(&r.by_task["kg"].wrong_turns, t));
            }
        }
        let checked = if name == "per-task" { 4 } else { 2 };
        for (what, c) in ["trajectories", "turns", "kg trajectories", "kg turns"]
            .iter()
            .zip(covered)
            .take(checked)
        {
            let rate = f64::from(c) / runs as f64;
            eprintln!(
                "{name}: {what} covered in {:.1} % of {runs} samples",
                rate * 100.0
            );
            assert!(
                (0.93..=0.97).contains(&rate),
                "{name}: the 95 % interval of {what} covered the truth in {rate}"
            );
        }
    }
}
