//! HTTP validators and cache policy for the public pages (SPEC §10 "Caching").
//!
//! A page's ETag is derived from what it is built from, never from the rendered bytes, so a
//! revalidation answers 304 without rendering: the build (templates change between
//! releases), the page's own key (path and query), and the generations the page depends on
//! (the public-content generation, bumped in the same transaction as any write that changes
//! what anonymous readers see, and the authorization generation, which decides what the
//! anonymous role may read). The tag is weak: equal tags promise equivalent pages, and
//! `If-None-Match` uses the weak comparison anyway (RFC 9110 §13.1.2).

use sha2::{Digest, Sha256};

/// Anonymous `/`, `/p/{slug}`, `/t/{tag}`, `/feed.atom` and `/sitemap.xml`.
pub const PUBLIC: &str = "public, max-age=60";
/// Any page for a signed-in caller.
pub const PRIVATE: &str = "private";
/// `/login` and `/register`.
pub const NO_STORE: &str = "no-store";

/// An entity tag as sent in the `ETag` header (quotes and `W/` included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ETag(String);

impl ETag {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The opaque part between the quotes.
    fn opaque(&self) -> &str {
        self.0.trim_start_matches("W/").trim_matches('"')
    }
}

/// The weak ETag of one page: `build` (the release), `page` (path with its query, so two
/// pages never share a tag), `generations` (the versions the page depends on, in a fixed
/// order). 128 bits of SHA-256, hex.
pub fn page_etag(build: &str, page: &str, generations: &[i64]) -> ETag {
    let mut hash = Sha256::new();
    for part in [build, page] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    for g in generations {
        hash.update(g.to_be_bytes());
    }
    let digest = hash.finalize();
    ETag(format!("W/\"{}\"", hex::encode(&digest[..16])))
}

/// The weak ETag of a page's bytes as sent: it changes whenever any content does, whatever
/// the content was built from (posts, comments, authors' names, templates). Pages whose
/// inputs are not all versioned use this; the page is rendered to be compared.
pub fn content_etag(body: &[u8]) -> ETag {
    let digest = Sha256::digest(body);
    ETag(format!("W/\"{}\"", hex::encode(&digest[..16])))
}

/// Whether an `If-None-Match` header value matches `current` (RFC 9110 §13.1.2): `*`, or
/// any listed tag equal under the weak comparison (`W/` ignored on both sides). A malformed
/// member never matches, so a broken header gets the full page.
pub fn if_none_match(header: &str, current: &ETag) -> bool {
    if header.trim() == "*" {
        return true;
    }
    list_members(header).any(|member| member == current.opaque())
}

/// The opaque parts of a comma-separated list of entity tags. Commas may appear inside
/// quotes (RFC 9110 allows any etagc), so the list is split quote-aware.
fn list_members(header: &str) -> impl Iterator<Item = &str> {
    let mut rest = header;
    std::iter::from_fn(move || loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return None;
        }
        let body = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(after_quote) = body.strip_prefix('"') else {
            // Not an entity tag: skip to the next comma.
            rest = rest.find(',').map_or("", |i| &rest[i..]);
            continue;
        };
        let Some(end) = after_quote.find('"') else {
            rest = "";
            return None;
        };
        let opaque = &after_quote[..end];
        rest = &after_quote[end + 1..];
        return Some(opaque);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag() -> ETag {
        page_etag("0.1.0", "/p/hello", &[7, 3])
    }

    #[test]
    fn page_etags_are_weak_and_quoted() {
        let t = tag();
        assert!(
            t.as_str().starts_with("W/\"") && t.as_str().ends_with('"'),
            "{t:?}"
        );
        assert_eq!(t.as_str().len(), 2 + 1 + 32 + 1);
    }

    #[test]
    fn the_same_inputs_give_the_same_etag() {
        assert_eq!(tag(), page_etag("0.1.0", "/p/hello", &[7, 3]));
    }

    #[test]
    fn any_changed_input_changes_the_etag() {
        let t = tag();
        assert_ne!(t, page_etag("0.1.1", "/p/hello", &[7, 3]));
        assert_ne!(t, page_etag("0.1.0", "/p/hello2", &[7, 3]));
        assert_ne!(t, page_etag("0.1.0", "/p/hello", &[8, 3]));
        assert_ne!(t, page_etag("0.1.0", "/p/hello", &[7, 4]));
        assert_ne!(t, page_etag("0.1.0", "/p/hello", &[3, 7]));
        // Length prefixes: moving characters between build and page is another input.
        assert_ne!(page_etag("ab", "c", &[]), page_etag("a", "bc", &[]));
    }

    #[test]
    fn content_etags_follow_the_bytes() {
        let t = content_etag(b"<p>a</p>");
        assert_eq!(t, content_etag(b"<p>a</p>"));
        assert_ne!(t, content_etag(b"<p>b</p>"));
        assert!(
            t.as_str().starts_with("W/\"") && t.as_str().len() == 36,
            "{t:?}"
        );
        assert!(if_none_match(t.as_str(), &t));
    }

    #[test]
    fn star_matches_anything() {
        assert!(if_none_match("*", &tag()));
        assert!(if_none_match(" * ", &tag()));
    }

    #[test]
    fn exact_and_weak_forms_match() {
        let t = tag();
        let opaque = t.opaque().to_owned();
        assert!(if_none_match(t.as_str(), &t));
        assert!(
            if_none_match(&format!("\"{opaque}\""), &t),
            "strong form of the same tag"
        );
        assert!(if_none_match(&format!("W/\"{opaque}\""), &t));
    }

    #[test]
    fn a_list_matches_when_any_member_does() {
        let t = tag();
        let header = format!("\"other\", W/\"a,b\" ,{} , \"x\"", t.as_str());
        assert!(if_none_match(&header, &t));
        assert!(!if_none_match("\"other\", W/\"a,b\"", &t));
    }

    #[test]
    fn malformed_or_empty_headers_do_not_match() {
        let t = tag();
        let opaque = t.opaque().to_owned();
        assert!(!if_none_match("", &t));
        assert!(!if_none_match(&opaque, &t), "unquoted");
        assert!(!if_none_match(&format!("\"{opaque}"), &t), "unterminated");
        assert!(!if_none_match("w/\"x\"", &page_etag("", "", &[])));
        assert!(!if_none_match("**", &t));
    }

    #[test]
    fn an_unquoted_member_does_not_hide_the_next_one() {
        let t = tag();
        assert!(if_none_match(&format!("junk, {}", t.as_str()), &t));
    }

    #[test]
    fn cache_control_values_are_the_specs() {
        assert_eq!(PUBLIC, "public, max-age=60");
        assert_eq!(PRIVATE, "private");
        assert_eq!(NO_STORE, "no-store");
    }
}
