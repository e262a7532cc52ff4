//! The JSON-lines reader: any bytes give documents or errors naming the line,
//! and every well-formed line comes back with its text intact.
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::corpus::{InputFormat, Inputs};

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("saidwho-fuzz-jsonl-{}", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let lines = data.split(|&b| b == b'\n').filter(|l| !l.trim_ascii().is_empty()).count();
    let name = path.to_str().unwrap().to_string();
    let out: Vec<_> = Inputs::new([name.as_str()], InputFormat::JsonLines).collect();
    // One result per non-blank line, never more, never fewer.
    assert_eq!(out.len(), lines);
    for r in out {
        match r {
            Ok(doc) => assert!(!doc.id.is_empty()),
            Err(e) => assert!(e.to_string().contains(&name)),
        }
    }
});
