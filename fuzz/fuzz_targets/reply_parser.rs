//! The reply parser on any body: XML or JSON or an error, never a panic; what it reads
//! of a documented reply rendered from the fuzzer's text survives the round trip.
#![no_main]

use copyimage_conformance::model::{ErrorReply, Format, Reply};
use copyimage_conformance::wire::reply;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = reply::parse(data);
    let text = String::from_utf8_lossy(data).into_owned();
    let r = Reply::Error(ErrorReply {
        request_id: "C8B26B44-0189-443E-9816-D951F59623A9".into(),
        host_id: "h".into(),
        code: "InvalidParameter".into(),
        message: text,
    });
    for format in Format::ALL {
        let (_, body) = reply::render(&r, format);
        let parsed = reply::parse(&body).expect("a rendered reply parses");
        assert_eq!(parsed.text("Code"), Some("InvalidParameter"));
    }
});
