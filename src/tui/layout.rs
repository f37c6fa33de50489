//! Where each pane goes for a screen size: one pure function shared by `update` (page sizes,
//! which turns are visible) and the views.

use ratatui::layout::Rect;

/// Below this width the step columns stack.
pub const STACK_BELOW: u16 = 100;
/// Below this width the list hides.
pub const LIST_BELOW: u16 = 60;
/// Rows of the header (id line, task line, outcome line).
pub const HEADER_ROWS: u16 = 3;
/// Most findings rows shown in the findings pane.
pub const FINDINGS_ROWS: u16 = 6;

/// The panes of the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub list: Option<Rect>,
    pub header: Rect,
    pub doc: Rect,
    pub findings: Option<Rect>,
    pub status: Rect,
    /// The step columns are stacked.
    pub stacked: bool,
}

/// What decides the layout besides the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub list: bool,
    pub findings: bool,
    pub force_stack: bool,
    /// The width the list's columns need (its ids seen so far): the list grows to it, up to
    /// a third of the screen.
    pub list_wants: u16,
    /// The title (id and run) of the trajectory on screen takes two rows.
    pub long_title: bool,
}

impl Default for Panes {
    fn default() -> Panes {
        Panes {
            list: true,
            findings: true,
            force_stack: false,
            list_wants: 0,
            long_title: false,
        }
    }
}

/// The screen: its size and the panes shown on it (all that decides the layout besides how
/// many findings there are).
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    size: Rect,
    panes: Panes,
}

impl Screen {
    pub fn new(size: Rect) -> Screen {
        Screen {
            size,
            panes: Panes::default(),
        }
    }

    pub fn size(&self) -> Rect {
        self.size
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
    }

    pub fn toggle_stack(&mut self) {
        self.panes.force_stack ^= true;
    }

    pub fn toggle_list(&mut self) {
        self.panes.list ^= true;
    }

    /// The trajectory on screen has a title (id and run) too long for one row.
    pub fn set_long_title(&mut self, long: bool) {
        self.panes.long_title = long;
    }

    /// The list's columns need `width` (it only grows, so the panes do not jump back).
    pub fn want_list(&mut self, width: u16) {
        self.panes.list_wants = self.panes.list_wants.max(width);
    }

    pub fn toggle_findings(&mut self) {
        self.panes.findings ^= true;
    }

    /// Where each pane goes, with this many findings in the trajectory on screen.
    pub fn areas(&self, findings: usize) -> Areas {
        areas(self.size, self.panes, findings)
    }
}

pub fn areas(size: Rect, panes: Panes, findings: usize) -> Areas {
    let status = Rect::new(
        size.x,
        size.y + size.height.saturating_sub(1),
        size.width,
        size.height.min(1),
    );
    let body = Rect::new(size.x, size.y, size.width, size.height.saturating_sub(1));
    let (list, main) = if panes.list && size.width >= LIST_BELOW {
        let w = (size.width / 4)
            .clamp(28, 48)
            .max(panes.list_wants.min(size.width / 3));
        (
            Some(Rect::new(body.x, body.y, w, body.height)),
            Rect::new(body.x + w, body.y, body.width - w, body.height),
        )
    } else {
        (None, body)
    };
    let header_rows = (HEADER_ROWS + u16::from(panes.long_title)).min(main.height);
    let header = Rect::new(main.x, main.y, main.width, header_rows);
    let rest = main.height - header_rows;
    let findings_rows = if panes.findings && findings > 0 {
        (findings as u16)
            .min(FINDINGS_ROWS)
            .saturating_add(1)
            .min(rest / 3)
    } else {
        0
    };
    let doc = Rect::new(
        main.x,
        main.y + header_rows,
        main.width,
        rest - findings_rows,
    );
    let findings = (findings_rows > 0)
        .then(|| Rect::new(main.x, doc.y + doc.height, main.width, findings_rows));
    Areas {
        list,
        header,
        doc,
        findings,
        status,
        stacked: panes.force_stack || main.width < STACK_BELOW,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_screens_have_a_list_and_columns() {
        let a = areas(Rect::new(0, 0, 160, 48), Panes::default(), 3);
        assert_eq!(a.list.unwrap().width, 40);
        assert_eq!(
            areas(Rect::new(0, 0, 250, 48), Panes::default(), 0)
                .list
                .unwrap()
                .width,
            48
        );
        assert!(!a.stacked);
        assert_eq!(a.findings.unwrap().height, 4);
        assert_eq!(a.status.y, 47);
        let covered = a.header.height + a.doc.height + a.findings.unwrap().height + 1;
        assert_eq!(covered, 48);
    }

    #[test]
    fn narrow_screens_stack() {
        let a = areas(Rect::new(0, 0, 80, 24), Panes::default(), 0);
        assert!(a.stacked);
        assert_eq!(a.list.unwrap().width, 28);
        assert!(a.findings.is_none());
        let a = areas(Rect::new(0, 0, 50, 10), Panes::default(), 0);
        assert!(a.list.is_none());
    }

    #[test]
    fn the_list_grows_to_its_ids_up_to_a_third() {
        let panes = |list_wants| Panes {
            list_wants,
            ..Panes::default()
        };
        let width = |w, wants| {
            areas(Rect::new(0, 0, w, 40), panes(wants), 0)
                .list
                .unwrap()
                .width
        };
        assert_eq!(width(160, 30), 40, "never narrower than before");
        assert_eq!(width(160, 50), 50);
        assert_eq!(width(160, 90), 53, "a third of 160");
        assert_eq!(width(250, 70), 70);
        assert_eq!(
            width(80, 60),
            28,
            "a third of 80 is less than the least width"
        );
    }
}
