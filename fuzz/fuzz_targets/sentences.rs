//! Sentence splitting of arbitrary text: sentences tile the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = saidwho::Pipeline::new().segment(&text).expect("no size limit hit");
    if let Err(broken) = doc.validate() {
        panic!("{broken}");
    }
});
