//! Windows: how tokenized sentences become the model's input sequences.
//!
//! Each sentence is one window of its own — the context a model trained on
//! sentences saw — unless packing is asked for
//! ([`NerOptions::pack_sentences`](super::NerOptions::pack_sentences)). A
//! sentence longer than a window is cut into overlapping segments; each
//! token keeps the prediction of the segment where it lies farthest from a
//! cut. The windows of every text of a call are sorted by length and
//! batched together, so short texts share forward passes and padding stays
//! small. Engines only see id sequences ([`Backend::logits`]).

use super::backends::{Backend, Logits, States};
use crate::error::{Error, Result};

/// One tokenized sequence: a sentence (or pre-split word list).
pub(super) struct Seq {
    pub ids: Vec<u32>,
    pub words: Vec<Option<u32>>,
    pub offsets: Vec<(usize, usize)>,
}

/// Tokens `start..end` of sequence `seq`.
#[derive(Clone, Copy)]
struct Segment {
    seq: usize,
    start: usize,
    end: usize,
}

/// The window layout of one model: its special tokens and sizes.
#[derive(Debug, Clone)]
pub(super) struct Windows {
    /// Special tokens before a window's content (`[CLS]`).
    pub prefix: Vec<u32>,
    /// Special tokens after it (`[SEP]`).
    pub suffix: Vec<u32>,
    /// Content tokens per window.
    pub cap: usize,
    /// Tokens shared by consecutive segments of a long sentence.
    pub stride: usize,
    /// Most tokens (padding included) per forward pass.
    pub batch_tokens: usize,
}

impl Windows {
    /// The layout for windows of at most `window_tokens` tokens (special
    /// tokens included, capped at the model's `max_len`).
    pub fn new(
        prefix: Vec<u32>,
        suffix: Vec<u32>,
        window_tokens: usize,
        max_len: usize,
        stride: usize,
        batch_tokens: usize,
    ) -> Self {
        let window = window_tokens.min(max_len);
        let specials = prefix.len() + suffix.len();
        let cap = window
            .saturating_sub(specials)
            .max(8)
            .min(max_len.saturating_sub(specials).max(1));
        Windows {
            prefix,
            suffix,
            cap,
            stride,
            batch_tokens,
        }
    }

    /// Each sequence's per-token probabilities.
    pub(super) fn run(
        &self,
        backend: &dyn Backend,
        nl: usize,
        seqs: &[Seq],
        pack: bool,
    ) -> Result<Vec<Vec<f32>>> {
        Ok(self.run_with(backend, nl, seqs, pack, false)?.probs)
    }

    /// Each sequence's per-token probabilities and, when `want_states` and
    /// the engine gives them, its per-token encoder states (each token's
    /// from the same segment as its probabilities).
    pub(super) fn run_with(
        &self,
        backend: &dyn Backend,
        nl: usize,
        seqs: &[Seq],
        pack: bool,
        want_states: bool,
    ) -> Result<WindowOutput> {
        let cap = self.cap;
        let step = cap - self.stride.min(cap / 2);
        let mut windows: Vec<Vec<Segment>> = Vec::new();
        let mut cur: Vec<Segment> = Vec::new();
        let mut cur_len = 0;
        for (i, s) in seqs.iter().enumerate() {
            let n = s.ids.len();
            if n == 0 {
                continue;
            }
            if !pack || cur_len + n > cap {
                if !cur.is_empty() {
                    windows.push(std::mem::take(&mut cur));
                }
                cur_len = 0;
            }
            if n > cap {
                let mut start = 0;
                loop {
                    let end = (start + cap).min(n);
                    windows.push(vec![Segment { seq: i, start, end }]);
                    if end == n {
                        break;
                    }
                    start += step;
                }
            } else {
                cur.push(Segment {
                    seq: i,
                    start: 0,
                    end: n,
                });
                cur_len += n;
            }
        }
        if !cur.is_empty() {
            windows.push(cur);
        }

        let mut logits: Vec<Vec<f32>> = seqs.iter().map(|s| vec![0.0; s.ids.len() * nl]).collect();
        let mut best: Vec<Vec<usize>> = seqs.iter().map(|s| vec![0; s.ids.len()]).collect();
        // (dim, per-sequence states) while every batch gives states of one
        // width; dropped (and asked for no more) at the first that does not.
        let mut states: Option<(usize, Vec<Vec<f32>>)> = None;
        let mut states_ok = want_states;
        let ids: Vec<Vec<u32>> = windows
            .iter()
            .map(|w| {
                let mut v = self.prefix.clone();
                for s in w {
                    v.extend_from_slice(&seqs[s.seq].ids[s.start..s.end]);
                }
                v.extend_from_slice(&self.suffix);
                v
            })
            .collect();
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&w| ids[w].len());
        let mut at = 0;
        while at < order.len() {
            let mut end = at + 1;
            let mut real = ids[order[at]].len();
            while end < order.len() {
                // A batch is padded to its longest window: it takes the next
                // window while it stays within `batch_tokens` and padding is
                // at most a tenth of its tokens (an article's short last
                // window padded to a full one made a two-window article
                // 1.7× slower in benches/ner.rs).
                let (len, count) = (ids[order[end]].len(), end - at + 1);
                if count * len > self.batch_tokens.max(1) || count * len * 10 > (real + len) * 11 {
                    break;
                }
                real += len;
                end += 1;
            }
            let batch: Vec<&[u32]> = order[at..end].iter().map(|&w| ids[w].as_slice()).collect();
            let out: Vec<(Logits, Option<States>)> = if states_ok {
                backend.logits_and_states(&batch)?
            } else {
                backend
                    .logits(&batch)?
                    .into_iter()
                    .map(|l| (l, None))
                    .collect()
            };
            if out.len() != batch.len() {
                return Err(Error::Backend(format!(
                    "{} results for a batch of {}",
                    out.len(),
                    batch.len()
                )));
            }
            for (&w, (lg, st)) in order[at..end].iter().zip(&out) {
                let st = match st {
                    Some(st)
                        if states_ok
                            && st.dim > 0
                            && st.len() == ids[w].len()
                            && states.as_ref().is_none_or(|(dim, _)| *dim == st.dim) =>
                    {
                        states.get_or_insert_with(|| {
                            (
                                st.dim,
                                seqs.iter()
                                    .map(|s| vec![0.0; s.ids.len() * st.dim])
                                    .collect(),
                            )
                        });
                        Some(st)
                    }
                    _ => {
                        states_ok = false;
                        states = None;
                        None
                    }
                };
                if lg.num_labels != nl || lg.len() != ids[w].len() {
                    return Err(Error::Backend(format!(
                        "logits of shape {}×{} for a window of {} tokens and {nl} labels",
                        lg.len(),
                        lg.num_labels,
                        ids[w].len()
                    )));
                }
                let mut row = self.prefix.len();
                for s in &windows[w] {
                    let n = seqs[s.seq].ids.len();
                    for t in s.start..s.end {
                        // Distance to the nearest cut (a sentence edge is no cut).
                        let left = if s.start == 0 {
                            usize::MAX
                        } else {
                            t - s.start
                        };
                        let right = if s.end == n {
                            usize::MAX
                        } else {
                            s.end - 1 - t
                        };
                        let c = left.min(right).saturating_add(1);
                        if c > best[s.seq][t] {
                            best[s.seq][t] = c;
                            logits[s.seq][t * nl..(t + 1) * nl].copy_from_slice(lg.row(row));
                            if let (Some(st), Some((dim, per_seq))) = (st, states.as_mut()) {
                                per_seq[s.seq][t * *dim..(t + 1) * *dim]
                                    .copy_from_slice(st.row(row));
                            }
                        }
                        row += 1;
                    }
                }
            }
            at = end;
        }
        for l in &mut logits {
            for row in l.chunks_mut(nl) {
                softmax(row);
            }
        }
        Ok(WindowOutput {
            probs: logits,
            states,
        })
    }
}

/// What [`Windows::run_with`] gives: per sequence, `tokens × labels`
/// probabilities and, when asked for and given, `tokens × dim` states.
pub(super) struct WindowOutput {
    pub probs: Vec<Vec<f32>>,
    pub states: Option<(usize, Vec<Vec<f32>>)>,
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in row.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    if sum > 0.0 && sum.is_finite() {
        row.iter_mut().for_each(|x| *x /= sum);
    }
}
