//! Whether the loaded data has anything to show: the screen opens on a dataset with at least
//! one trajectory that loads, as the headless commands stop with an error when none does.

use crate::diag::Diagnostic;
use crate::load::Dataset;

/// The first record of `data` that loads, reading records in order as the index grows (a
/// readable first record answers at once); else, once the index is complete, why none does:
/// the indexing problems, then each record's diagnostic.
pub fn first(data: &Dataset) -> Result<usize, Vec<Diagnostic>> {
    let mut why = Vec::new();
    let mut i = 0;
    loop {
        data.wait_for(i + 1);
        if i >= data.len() {
            let mut all = data.diagnostics();
            all.append(&mut why);
            return Err(all);
        }
        match data.load(i) {
            Ok(_) => return Ok(i),
            Err(d) => why.push(d),
        }
        i += 1;
    }
}
