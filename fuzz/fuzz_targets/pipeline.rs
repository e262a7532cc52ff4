//! The whole pipeline without a model (sentences, entities, quotes):
//! every invariant of `Document::validate` holds, and every output format
//! renders.
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::output::{DocumentJson, Format, Offsets, SinkOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = saidwho::Pipeline::without_ner()
        .analyze(&text)
        .expect("no size limit hit");
    if let Err(broken) = doc.validate() {
        panic!("{broken}");
    }
    let json = DocumentJson::new("f", &doc, Offsets::Chars);
    let chars = text.chars().count();
    assert!(json.sentences.iter().all(|s| s.start <= s.end && s.end <= chars));
    for format in Format::ALL {
        let mut out = Vec::new();
        let mut sink = format.sink(&mut out, &SinkOptions::default());
        sink.begin()
            .and_then(|()| sink.document("f", &doc))
            .and_then(|()| sink.finish())
            .expect("writing to a Vec never fails");
        drop(sink);
        assert!(format != Format::Html || out.ends_with(b"</html>\n"));
    }
});
