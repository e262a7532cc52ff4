//! Quote marks: which characters open and close quotations, and the quoted
//! regions they delimit.
//!
//! Why this is harder than matching brackets:
//!
//! * the same code point is an apostrophe *and* a closing single quote
//!   (`don’t`, `voters’`, `’90s` vs `‘yes’`), and the straight `"` and `'`
//!   open and close alike;
//! * news copy quotes across paragraphs by repeating the **opening** mark at
//!   the start of each paragraph and closing only at the end;
//! * copy is often unbalanced (a lost closing mark), and a single stray mark
//!   must not swallow the rest of the article.
//!
//! So marks are classified from their neighbours (flanking, as CommonMark
//! does for emphasis), paired on one stack that counts the open marks of
//! each style (a stray closing mark costs one step), and the stack is reset
//! at every paragraph boundary unless the next paragraph re-opens the quote.
//! Everything is one left-to-right pass: linear in the text length.

use crate::document::Span;
use crate::text::tally;
use std::cell::Cell;

/// The family a quote mark belongs to; a region is closed by its own family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkStyle {
    /// `"` `“` `”` `„`
    Double,
    /// `'` `‘` `’` `‚`
    Single,
    /// `«` `»`
    Guillemet,
    /// `‹` `›`
    SingleGuillemet,
}

/// What a mark does, judged from the mark and its neighbours alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkRole {
    /// Opens a quotation (`“`, `«`, or a left-flanking `"`).
    Open,
    /// Closes a quotation (`”`, `»`, or a right-flanking `"`).
    Close,
    /// Could do either (a straight `"` between two words or two spaces):
    /// pairing decides.
    Either,
}

/// One quote mark in a text (apostrophes are not marks and never listed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The mark's bytes.
    pub span: Span,
    /// The mark itself.
    pub ch: char,
    /// Its family.
    pub style: MarkStyle,
    /// Open, close, or undecided.
    pub role: MarkRole,
}

/// A quoted region: an opening mark, the quoted words, and the closing mark
/// when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    /// The opening mark.
    pub open: Span,
    /// The closing mark; `None` when the region was left open and closed by a
    /// paragraph end (or the end of the text).
    pub close: Option<Span>,
    /// The quoted words without any mark, one span per paragraph (a quote
    /// running over three paragraphs has three parts; the repeated opening
    /// marks are left out). Leading and trailing white space trimmed; never
    /// empty spans.
    pub parts: Vec<Span>,
    /// 0 for a top-level region, 1 for a quote inside a quote, and so on.
    pub depth: usize,
    /// Its family.
    pub style: MarkStyle,
}

impl Quoted {
    /// From the opening mark to the closing mark (or the end of the last
    /// part), marks included.
    pub fn outer(&self) -> Span {
        let end = match (self.close, self.parts.last()) {
            (Some(c), _) => c.end,
            (None, Some(p)) => p.end,
            (None, None) => self.open.end,
        };
        Span::new(self.open.start, end)
    }

    /// From the first to the last quoted character (marks excluded).
    pub fn inner(&self) -> Span {
        match (self.parts.first(), self.parts.last()) {
            (Some(a), Some(b)) => Span::new(a.start, b.end),
            _ => Span::new(self.open.end, self.open.end),
        }
    }
}

crate::lang::word_list! {
    /// Elisions that start with an apostrophe and are not opening quotes.
    fn elisions = "en/elisions.txt";
}

fn is_opening_context(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || is_invisible_format(c)
                || matches!(
                    c,
                    '(' | '['
                        | '{'
                        | '—'
                        | '–'
                        | '-'
                        | '/'
                        | '“'
                        | '‘'
                        | '«'
                        | '‹'
                        | '„'
                        | '"'
                        | '\''
                )
        }
    }
}

/// Zero-width and bidi format characters (`U+200B`, `U+202A`, `U+FEFF`, …):
/// invisible, so a mark after one flanks as after a space.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

fn is_closing_context(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || (!c.is_alphanumeric() && c != '_'),
    }
}

/// Lists the candidate quote marks of `text`. Sure apostrophes (`don’t`,
/// `’90s`, `'em`) are left out; a possessive `voters’` is listed as a
/// possible closing single mark, which pairing ignores when no single quote
/// is open.
///
/// ```
/// use saidwho::text::marks::{scan_marks, MarkRole};
/// let marks = scan_marks("“Don’t,” the voters’ man said 'yes' in the ’90s.");
/// let chars: Vec<char> = marks.iter().map(|m| m.ch).collect();
/// assert_eq!(chars, ['“', '”', '’', '\'', '\'']);
/// assert_eq!(marks[0].role, MarkRole::Open);
/// assert_eq!(marks[2].role, MarkRole::Close);
/// ```
pub fn scan_marks(text: &str) -> Vec<Mark> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let next = it.peek().map(|&(_, n)| n);
        let span = Span::new(i, i + c.len_utf8());
        let mark = |style, role| Mark {
            span,
            ch: c,
            style,
            role,
        };
        // Two straight apostrophes are a double mark (NYT style: ''Yes,'').
        if c == '\'' && next == Some('\'') {
            it.next();
            let after = it.peek().map(|&(_, n)| n);
            let role = straight_double_role(prev, after);
            out.push(Mark {
                span: Span::new(i, i + 2),
                ch: '"',
                style: MarkStyle::Double,
                role,
            });
            prev = Some('\'');
            continue;
        }
        // Two backticks open a double quotation (PTB and LaTeX style:
        // ``Yes,'' he said).
        if c == '`' && next == Some('`') {
            it.next();
            out.push(Mark {
                span: Span::new(i, i + 2),
                ch: '“',
                style: MarkStyle::Double,
                role: MarkRole::Open,
            });
            prev = Some('`');
            continue;
        }
        let m = match c {
            // A left mark in closing position (`“rapists“ while`) is a typo
            // for the right mark: closing keeps the rest of the paragraph.
            '“' if prev.is_some_and(|p| !is_opening_context(Some(p)))
                && is_closing_context(next) =>
            {
                Some(mark(MarkStyle::Double, MarkRole::Close))
            }
            '“' => Some(mark(MarkStyle::Double, MarkRole::Open)),
            '„' => Some(mark(MarkStyle::Double, MarkRole::Open)),
            // A right mark in opening position (`¶”This is why …`, and the
            // Nordic ”…” style): pairing decides.
            '”' if is_opening_context(prev) && next.is_some_and(char::is_alphanumeric) => {
                Some(mark(MarkStyle::Double, MarkRole::Either))
            }
            '”' => Some(mark(MarkStyle::Double, MarkRole::Close)),
            '«' => Some(mark(MarkStyle::Guillemet, MarkRole::Open)),
            '»' => Some(mark(MarkStyle::Guillemet, MarkRole::Close)),
            '‹' => Some(mark(MarkStyle::SingleGuillemet, MarkRole::Open)),
            '›' => Some(mark(MarkStyle::SingleGuillemet, MarkRole::Close)),
            '"' => Some(mark(MarkStyle::Double, straight_double_role(prev, next))),
            '‘' | '‚' => {
                if next.is_some_and(|n| n.is_ascii_digit())
                    || prev.is_some_and(char::is_alphanumeric)
                {
                    None // ‘90s, or a misplaced apostrophe inside a word
                } else {
                    Some(mark(MarkStyle::Single, MarkRole::Open))
                }
            }
            '’' | '\'' => {
                classify_single(text, i, c, prev, next).map(|r| mark(MarkStyle::Single, r))
            }
            _ => None,
        };
        if let Some(m) = m {
            out.push(m);
        }
        prev = Some(c);
    }
    out
}

/// A straight double mark opens when left-flanking, closes when
/// right-flanking, and is undecided otherwise.
fn straight_double_role(prev: Option<char>, next: Option<char>) -> MarkRole {
    let open = is_opening_context(prev) && !next.is_none_or(char::is_whitespace);
    let close = is_closing_context(next) && !prev.is_none_or(char::is_whitespace);
    match (open, close) {
        (true, false) => MarkRole::Open,
        (false, true) => MarkRole::Close,
        _ => MarkRole::Either,
    }
}

/// `’` and `'`: apostrophe (None), or a single quote mark.
fn classify_single(
    text: &str,
    i: usize,
    c: char,
    prev: Option<char>,
    next: Option<char>,
) -> Option<MarkRole> {
    let prev_word = prev.is_some_and(char::is_alphanumeric);
    let next_word = next.is_some_and(char::is_alphanumeric);
    if prev_word && next_word {
        return None; // don’t, O’Brien
    }
    if next.is_some_and(|n| n.is_ascii_digit()) {
        return None; // ’90s
    }
    if is_opening_context(prev) && next_word {
        if c == '’' {
            return None; // a right mark before a word: an elision (’em)
        }
        let rest = &text[i + 1..];
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect();
        if elisions().contains(&word.as_str()) {
            return None;
        }
        return Some(MarkRole::Open);
    }
    if prev.is_some_and(|p| !p.is_whitespace()) && is_closing_context(next) {
        // voters’ or ‘yes’: pairing decides (Close only if a single is open).
        return Some(MarkRole::Close);
    }
    None
}

struct Open {
    region: usize,
    style: MarkStyle,
    /// Start of the current part (just after the mark).
    part_start: usize,
}

impl MarkStyle {
    /// A dense index, for per-style tables.
    fn index(self) -> usize {
        match self {
            MarkStyle::Double => 0,
            MarkStyle::Single => 1,
            MarkStyle::Guillemet => 2,
            MarkStyle::SingleGuillemet => 3,
        }
    }
}

/// The regions open while pairing, innermost last, with how many of each
/// style are open: a closing mark of a style that is not open is judged
/// without looking at the stack, so stray marks cost a step each.
#[derive(Default)]
struct OpenStack {
    entries: Vec<Open>,
    per_style: [usize; 4],
}

impl OpenStack {
    fn push(&mut self, o: Open) {
        self.per_style[o.style.index()] += 1;
        self.entries.push(o);
    }

    fn pop(&mut self) -> Option<Open> {
        let o = self.entries.pop()?;
        self.per_style[o.style.index()] -= 1;
        Some(o)
    }

    /// Keeps the `n` outermost entries.
    fn truncate(&mut self, n: usize) {
        while self.entries.len() > n {
            self.pop();
        }
    }

    /// The innermost open region of `style`, adding the entries examined
    /// to `steps`. Entries above it are examined only when it exists, and
    /// a closing mark then pops them: amortised, a step a mark.
    fn innermost(&self, style: MarkStyle, steps: &Cell<u64>) -> Option<usize> {
        tally(steps, 1);
        if self.per_style[style.index()] == 0 {
            return None;
        }
        let k = self.entries.iter().rposition(|o| o.style == style)?;
        tally(steps, self.entries.len() - k);
        Some(k)
    }
}

/// Finds every quoted region of `text`, in order of their opening marks.
///
/// Regions never cross a paragraph boundary (a line break) unless the next
/// paragraph starts with an opening mark of the same family — the news
/// convention for a quote that goes on. A region still open at a paragraph
/// end that does not continue is closed there with `close: None`; a closing
/// mark with no opening mark is ignored.
///
/// ```
/// use saidwho::text::marks::quoted;
/// let text = "He said “A\n“B” and left.";
/// let q = quoted(text);
/// assert_eq!(q.len(), 1);
/// let parts: Vec<&str> = q[0].parts.iter().map(|p| p.text(text)).collect();
/// assert_eq!(parts, ["A", "B"]);
/// ```
pub fn quoted(text: &str) -> Vec<Quoted> {
    quoted_counted(text, &Cell::new(0))
}

/// [`quoted`], adding its elementary steps to `steps`: one per byte of each
/// of the two passes over the text (marks, line breaks), one per stack
/// entry examined or closed while pairing, one per white-space byte trimmed
/// off a part.
pub(crate) fn quoted_counted(text: &str, steps: &Cell<u64>) -> Vec<Quoted> {
    let marks = scan_marks(text);
    tally(steps, 2 * text.len());
    let mut regions: Vec<Quoted> = Vec::new();
    let mut stack = OpenStack::default();
    let bytes = text.as_bytes();
    let mut mi = 0;
    let mut pos = 0;
    // Walk marks and newlines in order.
    let mut newlines = memchr_iter(bytes);
    let mut next_nl = newlines.next();
    loop {
        let next_mark = marks.get(mi).map(|m| m.span.start);
        match (next_mark, next_nl) {
            (None, None) => break,
            (Some(m), nl) if nl.is_none_or(|n| m < n) => {
                let mark = marks[mi];
                mi += 1;
                if mark.span.start < pos {
                    continue; // a re-opening mark already consumed
                }
                handle_mark(text, mark, &mut stack, &mut regions, steps);
            }
            (_, Some(n)) => {
                next_nl = newlines.next();
                // The bottom region may go on into the next paragraph; the
                // ones nested in it end here.
                let Some((bottom, nested)) = stack.entries.split_first_mut() else {
                    continue;
                };
                // Skip runs of blank lines: the paragraph boundary ends at the
                // next non-space character.
                let mut k = n;
                while k < bytes.len() && (bytes[k] as char).is_ascii_whitespace() {
                    k += 1;
                }
                tally(steps, k - n + nested.len() + 1);
                while next_nl.is_some_and(|x| x < k) {
                    next_nl = newlines.next();
                }
                let reopen = marks
                    .get(mi)
                    .filter(|m| m.span.start == k && m.role != MarkRole::Close)
                    .copied();
                // Close everything nested, innermost first.
                for o in nested.iter().rev() {
                    finish_part(text, &mut regions[o.region], o.part_start, n, steps);
                }
                finish_part(
                    text,
                    &mut regions[bottom.region],
                    bottom.part_start,
                    n,
                    steps,
                );
                match reopen {
                    Some(m) if m.style == bottom.style => {
                        bottom.part_start = m.span.end;
                        pos = m.span.end;
                        mi += 1;
                        stack.truncate(1);
                    }
                    _ => {
                        stack.truncate(0);
                    }
                }
            }
            _ => break,
        }
    }
    while let Some(o) = stack.pop() {
        tally(steps, 1);
        finish_part(
            text,
            &mut regions[o.region],
            o.part_start,
            text.len(),
            steps,
        );
    }
    regions.retain(|r| !r.parts.is_empty());
    regions
}

fn memchr_iter(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n' || b == b'\r')
        .map(|(i, _)| i)
}

fn handle_mark(
    text: &str,
    mark: Mark,
    stack: &mut OpenStack,
    regions: &mut Vec<Quoted>,
    steps: &Cell<u64>,
) {
    // The open region the mark closes, if it closes one.
    let closes = match mark.role {
        MarkRole::Close | MarkRole::Either => stack.innermost(mark.style, steps),
        // “ closes a German „ …
        MarkRole::Open => {
            tally(steps, 1);
            let german = mark.ch == '“'
                && stack.entries.last().is_some_and(|o| {
                    o.style == MarkStyle::Double
                        && text[regions[o.region].open.start..].starts_with('„')
                });
            german.then(|| stack.entries.len() - 1)
        }
    };
    if let Some(k) = closes {
        // Pop down to the region the mark closes (at `k`): unclosed inner
        // regions end where the outer one closes.
        while let Some(o) = stack.pop() {
            tally(steps, 1);
            finish_part(
                text,
                &mut regions[o.region],
                o.part_start,
                mark.span.start,
                steps,
            );
            if stack.entries.len() == k {
                regions[o.region].close = Some(mark.span);
                break;
            }
        }
        return;
    }
    if mark.role == MarkRole::Close {
        return; // stray closing mark (or an apostrophe: voters’)
    }
    let depth = stack.entries.len();
    regions.push(Quoted {
        open: mark.span,
        close: None,
        parts: Vec::new(),
        depth,
        style: mark.style,
    });
    stack.push(Open {
        region: regions.len() - 1,
        style: mark.style,
        part_start: mark.span.end,
    });
}

fn finish_part(text: &str, region: &mut Quoted, start: usize, end: usize, steps: &Cell<u64>) {
    let end = end.max(start);
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    tally(steps, 1 + s.len() - t.len());
    if !t.is_empty() {
        region
            .parts
            .push(Span::new(start + lead, start + lead + t.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<Vec<&str>> {
        quoted(text)
            .iter()
            .map(|q| q.parts.iter().map(|p| p.text(text)).collect())
            .collect()
    }

    #[test]
    fn curly_and_straight() {
        assert_eq!(parts("He said “yes” and \"no\"."), [["yes"], ["no"]]);
    }

    #[test]
    fn apostrophes_are_not_marks() {
        let t = "“Don’t touch the voters’ money from the ’90s,” he said.";
        assert_eq!(parts(t), [["Don’t touch the voters’ money from the ’90s,"]]);
        let t = "\"Don't touch the voters' money from the '90s 'til 'em,\" he said.";
        assert_eq!(
            parts(t),
            [["Don't touch the voters' money from the '90s 'til 'em,"]]
        );
    }

    #[test]
    fn doubled_apostrophes_are_a_double_mark() {
        assert_eq!(
            parts("''Get a sense of it,'' he said."),
            [["Get a sense of it,"]]
        );
    }

    #[test]
    fn ptb_and_latex_pairs_are_double_marks() {
        assert_eq!(
            parts("``Get a sense of it,'' he said. A `single` tick is no mark."),
            [["Get a sense of it,"]]
        );
    }

    #[test]
    fn nested_single_inside_double() {
        let t = "“He called it ‘a trap’ today,” she said.";
        let q = quoted(t);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].depth, 0);
        assert_eq!(q[1].depth, 1);
        assert_eq!(q[1].parts[0].text(t), "a trap");
    }

    #[test]
    fn multi_paragraph_quote() {
        let t = "She said: “First part.\n\n“Second part.\n\n“Third.”\n\nNarration.";
        assert_eq!(parts(t), [["First part.", "Second part.", "Third."]]);
        assert!(quoted(t)[0].close.is_some());
    }

    #[test]
    fn unbalanced_reset_at_paragraph() {
        let t = "He said “this is open\n\nNext paragraph “fine” here.";
        assert_eq!(parts(t), [vec!["this is open"], vec!["fine"]]);
        assert!(quoted(t)[0].close.is_none());
    }

    #[test]
    fn left_mark_in_closing_position_closes() {
        let t = "as “criminals” and “rapists“ while calling. “We win,” he said.";
        assert_eq!(
            parts(t),
            [vec!["criminals"], vec!["rapists"], vec!["We win,"]]
        );
        // Still an opening mark after a comma or a dash.
        let t = "He said,“Yes.” Then—“No.”";
        assert_eq!(parts(t), [vec!["Yes."], vec!["No."]]);
    }

    #[test]
    fn right_mark_in_opening_position_opens() {
        let t = "Palin posted.\n”This is why it matters. They are evil,” said John Krystek.";
        assert_eq!(parts(t), [vec!["This is why it matters. They are evil,"]]);
        let t = "Palin posted.\n\u{202A}”They are evil,” said John Krystek.";
        assert_eq!(parts(t), [vec!["They are evil,"]]);
        let t = "Han sa ”ja” och gick.";
        assert_eq!(parts(t), [vec!["ja"]]);
    }

    #[test]
    fn stray_close_ignored() {
        assert_eq!(parts("odd” text “ok”"), [["ok"]]);
    }

    #[test]
    fn guillemets_and_german() {
        assert_eq!(parts("«Да», сказал он."), [["Да"]]);
        assert_eq!(parts("Er sagte „Ja“ dann."), [["Ja"]]);
    }

    #[test]
    fn many_marks_no_panic() {
        let t = "“".repeat(100_000);
        let _ = quoted(&t);
        let t = "\"'’‘”«»„‹›\n\u{0}".repeat(10_000);
        let _ = quoted(&t);
        assert!(quoted("").is_empty());
    }
}
