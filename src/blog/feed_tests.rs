use atom_syndication::Feed;
use chrono::NaiveDate;

use super::*;

fn at(h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 2)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn sample() -> String {
    build(&FeedInfo {
        id: "https://blog.example/",
        title: "Quire & friends <3",
        link: "https://blog.example/",
        self_link: "https://blog.example/feed.atom",
        updated: at(9),
        entries: vec![
            FeedEntry {
                id: "https://blog.example/posts/2",
                title: "Second <post>",
                link: "https://blog.example/p/second",
                updated: at(9),
                published: Some(at(8)),
                author: "Ann & Bob",
                summary: Some("short"),
                content_html: Some("<p>Hi &amp; <em>bye</em></p>"),
            },
            FeedEntry {
                id: "https://blog.example/posts/1",
                title: "First",
                link: "https://blog.example/p/first",
                updated: at(7),
                published: None,
                author: "ann",
                summary: None,
                content_html: None,
            },
        ],
    })
}

#[test]
fn feed_starts_with_an_xml_declaration_and_the_atom_namespace() {
    let xml = sample();
    assert!(xml.starts_with("<?xml version=\"1.0\"?>\n<feed"), "{xml}");
    assert!(
        xml.contains("xmlns=\"http://www.w3.org/2005/Atom\""),
        "{xml}"
    );
}

#[test]
fn feed_parses_back_with_its_required_elements() {
    let feed: Feed = sample().parse().expect("valid Atom");
    assert_eq!(feed.id(), "https://blog.example/");
    assert_eq!(feed.title().as_str(), "Quire & friends <3");
    assert_eq!(feed.updated().to_rfc3339(), "2026-12-02T09:00:00+00:00");
    let alternate = feed
        .links()
        .iter()
        .find(|l| l.rel() == "alternate")
        .unwrap();
    assert_eq!(alternate.href(), "https://blog.example/");
    let own = feed.links().iter().find(|l| l.rel() == "self").unwrap();
    assert_eq!(own.href(), "https://blog.example/feed.atom");
}

#[test]
fn entries_keep_order_ids_titles_times_and_alternate_links() {
    let feed: Feed = sample().parse().unwrap();
    let entries = feed.entries();
    assert_eq!(entries.len(), 2);
    let e = &entries[0];
    assert_eq!(e.id(), "https://blog.example/posts/2");
    assert_eq!(e.title().as_str(), "Second <post>");
    assert_eq!(e.updated().to_rfc3339(), "2026-12-02T09:00:00+00:00");
    assert_eq!(
        e.published().unwrap().to_rfc3339(),
        "2026-12-02T08:00:00+00:00"
    );
    assert_eq!(e.authors()[0].name(), "Ann & Bob");
    let alt = e.links().iter().find(|l| l.rel() == "alternate").unwrap();
    assert_eq!(alt.href(), "https://blog.example/p/second");
    assert_eq!(entries[1].id(), "https://blog.example/posts/1");
    assert!(entries[1].published().is_none());
}

#[test]
fn html_content_is_escaped_text_of_type_html() {
    let xml = sample();
    assert!(xml.contains("type=\"html\""), "{xml}");
    assert!(
        !xml.contains("<em>"),
        "markup must be escaped, not embedded: {xml}"
    );
    let feed: Feed = xml.parse().unwrap();
    let content = feed.entries()[0].content().unwrap();
    assert_eq!(content.content_type(), Some("html"));
    assert_eq!(content.value(), Some("<p>Hi &amp; <em>bye</em></p>"));
    assert_eq!(feed.entries()[0].summary().unwrap().as_str(), "short");
}

#[test]
fn a_feed_without_entries_is_still_valid() {
    let xml = build(&FeedInfo {
        id: "https://b.example/",
        title: "Empty",
        link: "https://b.example/",
        self_link: "https://b.example/feed.atom",
        updated: at(1),
        entries: vec![],
    });
    let feed: Feed = xml.parse().unwrap();
    assert!(feed.entries().is_empty());
}
