//! The HTML view in a real browser: headless Chromium loads the page, its DOM
//! keeps every highlighted span we wrote (a browser silently restructures
//! invalid markup, so equal counts mean the markup is valid), and a screenshot
//! is left under the target directory for people to look at.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Set `SAIDWHO_CHROMIUM`
//! to use another binary. Without one: skipped with a message, or failed
//! under `CI=true`.

use saidwho::output::{Format, HtmlSink, Sink, SinkOptions};
use saidwho::{
    Document, Entity, Label, Mention, MentionKind, Quote, QuoteKind, Sentence, Span, Speaker,
};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SAIDWHO_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A document with every kind of annotation, written by hand so the test
/// checks the view, not the extraction.
fn sample() -> Document {
    let text =
        "Port strike spreads\n\n“We were told the cranes would help us,” said Maria Okafor. \
                “Now they want half of us gone.”\n\nThe Harbour Authority said that no worker \
                would be dismissed before 2028 & <nobody> objected."
            .to_string();
    let find = |s: &str| {
        let start = text.find(s).unwrap();
        Span::new(start, start + s.len())
    };
    let prefix = |span: Span, len: usize| Span::new(span.start, span.start + len);
    let mention = |s: &str, label: Label| Mention {
        span: find(s),
        label,
        score: Some(0.99),
        kind: MentionKind::Name,
    };
    let entities = vec![
        Entity {
            id: 0,
            label: Label::Per,
            name: "Maria Okafor".into(),
            mentions: vec![mention("Maria Okafor", Label::Per)],
        },
        Entity {
            id: 1,
            label: Label::Org,
            name: "The Harbour Authority".into(),
            mentions: vec![mention("The Harbour Authority", Label::Org)],
        },
    ];
    let quotes = vec![
        Quote {
            kind: QuoteKind::Direct,
            content: vec![
                find("We were told the cranes would help us,"),
                find("Now they want half of us gone."),
            ],
            cue: Some(prefix(find("said Maria"), 4)),
            speaker: Some(Speaker {
                span: find("Maria Okafor"),
                entity: Some(0),
            }),
            origin: Default::default(),
        },
        Quote {
            kind: QuoteKind::Indirect,
            content: vec![find("no worker would be dismissed before 2028")],
            cue: Some(prefix(find("said that"), 4)),
            speaker: Some(Speaker {
                span: find("The Harbour Authority"),
                entity: Some(1),
            }),
            origin: Default::default(),
        },
    ];
    let mut doc = Document {
        sentences: Vec::<Sentence>::new(),
        entities,
        quotes,
        text: text.clone(),
    };
    doc.quotes[0].cue = Some(Span::new(
        find("said Maria").start,
        find("said Maria").start + 4,
    ));
    doc.quotes[1].cue = Some(Span::new(
        find("said that").start,
        find("said that").start + 4,
    ));
    doc.sentences = saidwho::Pipeline::without_ner().sentences(&text).unwrap();
    doc.validate().unwrap();
    doc
}

fn out_dir() -> PathBuf {
    // target/<profile>/deps/html_browser-<hash> → target/<profile>/saidwho-html
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("saidwho-html");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn browser(chrome: &Path, profile: &Path, args: &[String]) -> std::process::Output {
    Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium")
}

/// The browser, or `None` after printing why the test is skipped (under
/// `CI=true` a missing browser fails the test instead).
fn chromium_or_skip() -> Option<PathBuf> {
    let chrome = chromium();
    if chrome.is_none() {
        let why = "no chromium on PATH (install Debian's `chromium` or set SAIDWHO_CHROMIUM)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}");
        }
        eprintln!("skipped: {why}");
    }
    chrome
}

#[test]
fn page_renders_in_headless_chromium() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let doc = sample();
    let mut html = Vec::new();
    let mut page = HtmlSink::new(&mut html, Some("saidwho browser test"));
    page.begin().unwrap();
    page.document("strike", &doc).unwrap();
    page.finish().unwrap();
    let html = String::from_utf8(html).unwrap();
    let dir = out_dir();
    let file = dir.join("page.html");
    std::fs::write(&file, &html).unwrap();
    let profile = dir.join("profile");
    let url = format!("file://{}", file.display());

    let dom = browser(&chrome, &profile, &["--dump-dom".into(), url.clone()]);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for needle in [
        "class=\"quote\"",
        "quote-indirect",
        "ent ent-PER",
        "ent ent-ORG",
        "speaker",
        "cue",
        "<table>",
    ] {
        let ours = html.matches(needle).count();
        assert!(ours > 0, "the page lacks {needle}");
        assert_eq!(
            dom.matches(needle).count(),
            ours,
            "the browser's DOM changed the markup of {needle}"
        );
    }
    assert!(
        dom.contains("Maria Okafor") && dom.contains("&amp; &lt;nobody&gt;"),
        "text lost"
    );

    let shot = dir.join("html-view.png");
    let out = browser(
        &chrome,
        &profile,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,800".into(),
            url,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "screenshot is not a real PNG"
    );
    eprintln!("screenshot: {}", shot.display());
}

/// The page `Format::Html` writes for `docs` with the default options.
fn page(docs: &[(&str, &Document)]) -> String {
    let mut html = Vec::new();
    let mut sink = Format::Html.sink(&mut html, &SinkOptions::default());
    sink.begin().unwrap();
    for (id, doc) in docs {
        sink.document(id, doc).unwrap();
    }
    sink.finish().unwrap();
    drop(sink);
    String::from_utf8(html).unwrap()
}

/// The DOM Chromium builds from `html`, serialised.
fn dom_of(chrome: &Path, name: &str, html: &str) -> String {
    let dir = out_dir();
    let file = dir.join(name);
    std::fs::write(&file, html).unwrap();
    let dom = browser(
        chrome,
        // A profile of its own: the other test's browser may be running.
        &dir.join("profile-table"),
        &["--dump-dom".into(), format!("file://{}", file.display())],
    );
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

/// The text of the element that starts with `open` (tags dropped, up to its
/// `</div>` or `</title>`).
fn element_text(dom: &str, open: &str) -> String {
    let start = dom
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in {dom}"))
        + open.len();
    let rest = &dom[start..];
    let end = rest
        .find("</div>")
        .into_iter()
        .chain(rest.find("</title>"))
        .min()
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[test]
fn who_said_what_shows_whole_quotes_and_the_title_names_the_documents() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let doc = sample();
    let dom = dom_of(&chrome, "one.html", &page(&[("strike", &doc)]));
    // The split quote: both parts, joined; complete quotes get no "…".
    let split = element_text(&dom, "id=\"w0-0\">");
    assert_eq!(
        split,
        "[1] We were told the cranes would help us, Now they want half of us gone."
    );
    let whole = element_text(&dom, "id=\"w0-1\">");
    assert_eq!(whole, "[2] no worker would be dismissed before 2028");
    // The title names the one document shown.
    assert_eq!(element_text(&dom, "<title>"), "strike — saidwho");

    // Several documents: the first one's id, and that more follow.
    let dom = dom_of(
        &chrome,
        "two.html",
        &page(&[("strike", &doc), ("other", &doc)]),
    );
    assert_eq!(element_text(&dom, "<title>"), "strike and more — saidwho");
    assert!(dom.contains("<h2>other</h2>"), "{dom}");
}
