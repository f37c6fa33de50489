//! The journal writer: one append-only JSONL file per annotator, held under an exclusive
//! advisory lock; every line is written whole, flushed and fsynced before `append` returns.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fs4::fs_std::FileExt;

use super::replay::{Mark, MarkKey, Replay};
use super::Event;
use crate::diag::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: the journal is open in another trev process (close it there first)", .path.display())]
    Locked { path: PathBuf },
    #[error("{}: an event of annotator '{annotator}' does not belong in this journal", .path.display())]
    Foreign { path: PathBuf, annotator: String },
    #[error("{}: {action}: {source}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
}

/// An annotator's journal, open for appending.
pub struct Journal {
    path: PathBuf,
    file: File,
    annotator: String,
    /// Bytes in the file: a failed write is cut back to this length.
    len: u64,
    /// The journal's own marks, replayed at open and kept up to date.
    replay: Replay,
    /// The state each appended item had before (among adjudications when the flag is set),
    /// most recent last (for undo).
    undo: Vec<(MarkKey, bool, Option<Mark>)>,
}

impl Journal {
    /// Open (creating the directory and file) `dir/<annotator>.jsonl` and lock it.
    pub fn open(dir: &Path, annotator: &str) -> Result<Journal, JournalError> {
        std::fs::create_dir_all(dir).map_err(|source| JournalError::Io {
            path: dir.to_path_buf(),
            action: "cannot create the annotations directory",
            source,
        })?;
        let path = super::journal_path(dir, annotator);
        let io_err = |action: &'static str| {
            let path = path.clone();
            move |source| JournalError::Io {
                path,
                action,
                source,
            }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io_err("cannot open the journal"))?;
        if !FileExt::try_lock_exclusive(&file).map_err(io_err("cannot lock the journal"))? {
            return Err(JournalError::Locked { path });
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(io_err("cannot read the journal"))?;
        let mut replay = Replay::new();
        replay.read_bytes(&bytes, &Arc::from(path.as_path()), annotator);
        let mut journal = Journal {
            path,
            file,
            annotator: annotator.to_string(),
            len: bytes.len() as u64,
            replay,
            undo: Vec::new(),
        };
        if bytes.last().is_some_and(|&b| b != b'\n') {
            // A torn last line: end it, so the next line starts on a line of its own.
            journal.write_line(b"\n")?;
        }
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn annotator(&self) -> &str {
        &self.annotator
    }

    /// The journal's current marks.
    pub fn replay(&self) -> &Replay {
        &self.replay
    }

    /// Problems met when the journal was read at open (a torn last line, …).
    pub fn warnings(&self) -> &[Diagnostic] {
        self.replay.warnings()
    }

    /// Append one event as one line; returns once the line is on disk (flushed and fsynced).
    /// The event must be this journal's annotator's.
    pub fn append(&mut self, event: &Event) -> Result<(), JournalError> {
        if event.annotator != self.annotator {
            return Err(JournalError::Foreign {
                path: self.path.clone(),
                annotator: event.annotator.clone(),
            });
        }
        let key = event.key();
        let adjudication = event.is_adjudication();
        let before = self.replay.get_in(&key, adjudication).cloned();
        self.write_event(event)?;
        self.undo.push((key, adjudication, before));
        Ok(())
    }

    /// Undo the last append of this session by appending the state its item had before. Returns
    /// the event written, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Event>, JournalError> {
        let Some((key, adjudication, before)) = self.undo.pop() else {
            return Ok(None);
        };
        let mut event = Event::now(
            &key.annotator,
            &key.trajectory,
            key.turn,
            before.as_ref().map(|m| m.label.as_str()),
        );
        event.run.clone_from(&key.run);
        if let Some(mark) = &before {
            event = event.with_details_of(mark);
            event.text_hash.clone_from(&mark.text_hash);
        }
        if adjudication {
            event.kind = Some(super::ADJUDICATION.to_string());
        }
        if let Err(e) = self.write_event(&event) {
            self.undo.push((key, adjudication, before));
            return Err(e);
        }
        Ok(Some(event))
    }

    fn write_event(&mut self, event: &Event) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(event).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            action: "cannot encode the event",
            source: io::Error::other(e),
        })?;
        line.push(b'\n');
        self.write_line(&line)?;
        self.replay.apply(event);
        Ok(())
    }

    fn write_line(&mut self, line: &[u8]) -> Result<(), JournalError> {
        let result = self
            .file
            .write_all(line)
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(source) => {
                // Never leave half a line behind when it can be helped.
                let _ = self.file.set_len(self.len);
                Err(JournalError::Io {
                    path: self.path.clone(),
                    action: "cannot write the journal",
                    source,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(j: &mut Journal, turn: usize, label: Option<&str>) {
        let mut e = Event::now("alice", "os_1", Some(turn), label);
        e.text_hash = Some(super::super::text_hash("text"));
        j.append(&e).unwrap();
    }

    fn reread(path: &Path) -> Replay {
        let mut r = Replay::new();
        r.read_file(path).unwrap();
        r
    }

    fn key(turn: Option<usize>) -> MarkKey {
        MarkKey {
            annotator: "alice".into(),
            run: None,
            trajectory: "os_1".into(),
            turn,
        }
    }

    #[test]
    fn appended_marks_replay_with_later_lines_winning() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("ann"), "alice").unwrap();
        mark(&mut j, 2, Some("right"));
        mark(&mut j, 2, Some("wrong"));
        mark(&mut j, 4, Some("right"));
        mark(&mut j, 4, None);
        j.append(&Event::now("alice", "os_1", None, Some("reject")))
            .unwrap();
        let path = j.path().to_path_buf();
        assert!(path.ends_with("ann/alice.jsonl"));
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5);
        assert!(text.ends_with('\n'));
        let r = reread(&path);
        assert_eq!(r.marks().len(), 2);
        assert_eq!(r.get(&key(Some(2))).unwrap().label, "wrong");
        assert_eq!(r.get(&key(None)).unwrap().label, "reject");
    }

    #[test]
    fn undo_appends_the_previous_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "alice").unwrap();
        mark(&mut j, 1, Some("right"));
        mark(&mut j, 1, Some("wrong"));
        let undone = j.undo().unwrap().unwrap();
        assert_eq!(undone.label.as_deref(), Some("right"));
        assert_eq!(j.replay().get(&key(Some(1))).unwrap().label, "right");
        let undone = j.undo().unwrap().unwrap();
        assert_eq!(undone.label, None);
        assert!(j.undo().unwrap().is_none());
        let path = j.path().to_path_buf();
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 4, "undo appends, never rewrites");
        assert!(reread(&path).marks().is_empty());
    }

    #[test]
    fn categories_are_saved_cleared_and_undone_and_adjudications_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "alice").unwrap();
        let wrong = |category: Option<&str>| {
            let mut e = Event::now("alice", "os_1", Some(1), Some("wrong"))
                .with_category(category, "default@1");
            e.severity = category.map(|_| "major".to_string());
            e.decisive = category.is_some();
            e
        };
        j.append(&wrong(Some("plan-error"))).unwrap();
        let m = j.replay().get(&key(Some(1))).unwrap().clone();
        assert_eq!(m.category.as_deref(), Some("plan-error"));
        assert_eq!(m.categories.as_deref(), Some("default@1"));
        assert_eq!((m.severity.as_deref(), m.decisive), (Some("major"), true));
        j.append(&wrong(None)).unwrap();
        assert_eq!(j.replay().get(&key(Some(1))).unwrap().category, None);
        let mut adj = Event::now("alice", "os_1", Some(1), Some("right"));
        adj.kind = Some(crate::labels::ADJUDICATION.into());
        adj.cause = Some("ambiguous".into());
        j.append(&adj).unwrap();
        assert_eq!(j.replay().get(&key(Some(1))).unwrap().label, "wrong");
        assert_eq!(j.replay().adjudications()[&key(Some(1))].label, "right");
        // Undo the adjudication (it goes), then the clearing of the category (it comes back).
        let undone = j.undo().unwrap().unwrap();
        assert!(undone.is_adjudication() && undone.label.is_none());
        assert!(j.replay().adjudications().is_empty());
        let undone = j.undo().unwrap().unwrap();
        assert_eq!(undone.category.as_deref(), Some("plan-error"));
        let path = j.path().to_path_buf();
        drop(j);
        let r = reread(&path);
        let m = r.get(&key(Some(1))).unwrap();
        assert_eq!(m.category.as_deref(), Some("plan-error"));
        assert!(m.decisive);
        assert!(r.adjudications().is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.lines().next().unwrap().contains(
            r#""label":"wrong","category":"plan-error","severity":"major","decisive":true,"categories":"default@1""#
        ), "{text}");
    }

    #[test]
    fn a_second_opener_gets_a_clear_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "alice").unwrap();
        let err = Journal::open(dir.path(), "alice").err().unwrap();
        let message = err.to_string();
        assert!(matches!(err, JournalError::Locked { .. }));
        assert!(message.contains("alice.jsonl"), "{message}");
        assert!(
            message.contains("open in another trev process"),
            "{message}"
        );
        // Another annotator is not blocked, and the lock goes with the journal.
        let mut bob = Journal::open(dir.path(), "bob").unwrap();
        let err = bob.append(&Event::now("alice", "t", Some(1), Some("right")));
        assert!(matches!(err, Err(JournalError::Foreign { .. })));
        drop(j);
        Journal::open(dir.path(), "alice").unwrap();
    }

    #[test]
    fn a_torn_last_line_is_ended_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        std::fs::write(
            &path,
            "{\"trajectory\":\"os_1\",\"turn\":1,\"label\":\"right\",\"annotator\":\"alice\"}\n{\"traj",
        )
        .unwrap();
        let mut j = Journal::open(dir.path(), "alice").unwrap();
        assert_eq!(j.warnings().len(), 1);
        mark(&mut j, 3, Some("wrong"));
        drop(j);
        let r = reread(&path);
        assert_eq!(r.marks().len(), 2);
        assert_eq!(
            r.warnings().len(),
            1,
            "the torn line is now a bad line in the middle"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_directory_is_an_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ro = dir.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), "").is_ok() {
            eprintln!("notice: running as a user who can write anywhere; test skipped");
            return;
        }
        let err = Journal::open(&ro, "alice").err().unwrap();
        assert!(err.to_string().contains("cannot open the journal"), "{err}");
    }
}
