//! `/sitemap.xml` (sitemaps.org protocol 0.9) from absolute URLs and their last change.

use chrono::NaiveDateTime;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

/// The protocol's limit per file; callers list at most this many URLs.
pub const MAX_URLS: usize = 50_000;

/// Writes the document; `urls` are absolute, `lastmod` UTC (written as W3C datetime).
pub fn build<'a>(urls: impl IntoIterator<Item = (&'a str, NaiveDateTime)>) -> String {
    let mut writer = Writer::new(Vec::with_capacity(4096));
    let result: std::io::Result<()> = (|| {
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        writer
            .create_element("urlset")
            .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
            .write_inner_content(|w| {
                for (loc, lastmod) in urls.into_iter().take(MAX_URLS) {
                    let lastmod = lastmod.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string();
                    w.create_element("url").write_inner_content(|w| {
                        w.create_element("loc")
                            .write_text_content(BytesText::new(loc))?;
                        w.create_element("lastmod")
                            .write_text_content(BytesText::new(&lastmod))?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    // Writing to a Vec cannot fail.
    result.expect("writing a sitemap to memory");
    String::from_utf8(writer.into_inner()).expect("quick-xml writes UTF-8")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::*;

    fn at(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .unwrap()
            .and_hms_opt(10, 30, 5)
            .unwrap()
    }

    /// (element name, text) pairs in document order.
    fn read(xml: &str) -> Vec<(String, String)> {
        let mut reader = Reader::from_str(xml);
        let (mut out, mut text) = (Vec::new(), String::new());
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(_) => text.clear(),
                Event::Text(t) => text.push_str(&t.decode().unwrap()),
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap().into_owned();
                    text.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap());
                }
                Event::End(e) => {
                    if !text.trim().is_empty() {
                        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                        out.push((name, std::mem::take(&mut text)));
                    }
                    text.clear();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn sitemap_lists_each_url_with_its_lastmod() {
        let xml = build([
            ("https://b.example/p/one", at(1)),
            ("https://b.example/p/two", at(2)),
        ]);
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{xml}"
        );
        assert!(
            xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"),
            "{xml}"
        );
        assert_eq!(
            read(&xml),
            [
                ("loc".into(), "https://b.example/p/one".into()),
                ("lastmod".into(), "2026-12-01T10:30:05Z".into()),
                ("loc".into(), "https://b.example/p/two".into()),
                ("lastmod".into(), "2026-12-02T10:30:05Z".into()),
            ]
        );
    }

    #[test]
    fn urls_are_escaped() {
        let xml = build([("https://b.example/p/a?x=1&y=<2>", at(1))]);
        assert!(xml.contains("x=1&amp;y=&lt;2&gt;"), "{xml}");
        assert_eq!(read(&xml)[0].1, "https://b.example/p/a?x=1&y=<2>");
    }

    #[test]
    fn an_empty_sitemap_is_a_valid_urlset() {
        let xml = build(std::iter::empty());
        assert!(read(&xml).is_empty());
        assert!(xml.contains("urlset"), "{xml}");
    }
}
