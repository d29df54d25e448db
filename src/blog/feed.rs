//! The Atom 1.0 feed of SPEC §10 (RFC 4287), from plain data: the caller loads the latest
//! published posts and builds absolute links on `QUIRE_PUBLIC_URL`.

use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
use chrono::{NaiveDateTime, TimeZone, Utc};

/// The feed as a whole. `id` is a permanent IRI (the site's public URL); `link` is the
/// site's home page, `self_link` the feed's own URL.
pub struct FeedInfo<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    pub self_link: &'a str,
    /// The newest `updated` of the entries (or of the site, when there are none).
    pub updated: NaiveDateTime,
    pub entries: Vec<FeedEntry<'a>>,
}

/// One post. Times are UTC, as stored.
pub struct FeedEntry<'a> {
    /// A permanent IRI: it must not change when the slug does (e.g. `tag:` or the post's
    /// id-based URL).
    pub id: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    pub updated: NaiveDateTime,
    pub published: Option<NaiveDateTime>,
    pub author: &'a str,
    pub summary: Option<&'a str>,
    /// The sanitized body HTML; written escaped as `type="html"` content.
    pub content_html: Option<&'a str>,
}

/// Writes the feed document (UTF-8; the writer adds the XML declaration).
pub fn build(info: &FeedInfo<'_>) -> String {
    let mut feed = Feed::default();
    feed.set_id(info.id);
    feed.set_title(Text::plain(info.title));
    feed.set_updated(Utc.from_utc_datetime(&info.updated).fixed_offset());
    feed.set_links(vec![
        link(info.link, "alternate", "text/html"),
        link(info.self_link, "self", "application/atom+xml"),
    ]);
    feed.set_entries(info.entries.iter().map(entry).collect::<Vec<_>>());
    let out = Vec::with_capacity(1024 + 2048 * info.entries.len());
    // Writing to a Vec cannot fail.
    let out = feed.write_to(out).expect("writing a feed to memory");
    String::from_utf8(out).expect("the feed writer emits UTF-8")
}

fn link(href: &str, rel: &str, mime: &str) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link.set_mime_type(Some(mime.to_owned()));
    link
}

fn entry(e: &FeedEntry<'_>) -> Entry {
    let mut entry = Entry::default();
    entry.set_id(e.id);
    entry.set_title(Text::plain(e.title));
    entry.set_updated(Utc.from_utc_datetime(&e.updated).fixed_offset());
    entry.set_published(
        e.published
            .map(|p| Utc.from_utc_datetime(&p).fixed_offset()),
    );
    let mut author = Person::default();
    author.set_name(e.author);
    entry.set_authors(vec![author]);
    entry.set_links(vec![link(e.link, "alternate", "text/html")]);
    entry.set_summary(e.summary.map(Text::plain));
    entry.set_content(e.content_html.map(|html| {
        let mut content = Content::default();
        content.set_content_type(Some("html".to_owned()));
        content.set_value(Some(html.to_owned()));
        content
    }));
    entry
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
