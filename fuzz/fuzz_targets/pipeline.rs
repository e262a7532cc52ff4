//! The whole pipeline without a model (sentences, entities, quotes):
//! every invariant of `Document::validate` holds, and the JSON and HTML views
//! render.
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::output::{html::HtmlPage, DocumentJson, Offsets};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = saidwho::Pipeline::new().analyze(&text).expect("no size limit hit");
    if let Err(broken) = doc.validate() {
        panic!("{broken}");
    }
    let json = DocumentJson::new("f", &doc, Offsets::Chars);
    let chars = text.chars().count();
    assert!(json.sentences.iter().all(|s| s.start <= s.end && s.end <= chars));
    let mut page = HtmlPage::new("fuzz");
    page.add("f", &doc);
    assert!(page.finish().ends_with("</html>\n"));
});
