//! Where the journals are kept: `--annotations DIR`, else the user's data directory.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};

use crate::labels;

/// The journals' directory: `given`, else the user's data directory.
pub fn dir(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(dir) => Ok(dir.to_path_buf()),
        None => labels::default_dir().ok_or_else(|| {
            anyhow!("no home directory to keep journals in; pass --annotations DIR")
        }),
    }
}
