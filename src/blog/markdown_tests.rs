use super::render;

/// The markup of the output: every `<...>` segment. Text is escaped by the sanitizer, so a
/// payload shown as text (`&lt;img onerror=...&gt;`) is harmless and not markup.
fn markup(out: &str) -> Vec<String> {
    out.split('<')
        .skip(1)
        .map(|s| format!("<{}", s.split('>').next().unwrap_or("")))
        .collect()
}

fn assert_clean(input: &str) {
    let out = markup(&render(input).to_ascii_lowercase()).join(" ");
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<style",
        "style=\"color",
        "<form",
        "<input",
        "vbscript:",
    ] {
        assert!(
            !out.contains(bad),
            "{bad:?} survived in {out:?} (from {input:?})"
        );
    }
}

#[test]
fn markdown_renders_headings_emphasis_lists_and_code() {
    let out =
        render("# Title\n\n*a* **b** ~~c~~ `d`\n\n- one\n- two\n\n```rust\nlet x = 1;\n```\n");
    assert!(out.contains("<h1>Title</h1>"), "{out}");
    assert!(
        out.contains("<em>a</em> <strong>b</strong> <del>c</del> <code>d</code>"),
        "{out}"
    );
    assert!(out.contains("<ul>\n<li>one</li>"), "{out}");
    assert!(
        out.contains("<pre><code class=\"language-rust\">let x = 1;"),
        "{out}"
    );
}

#[test]
fn tables_render_and_keep_only_alignment_styles() {
    let out = render("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
    assert!(out.contains("<table>"), "{out}");
    assert!(
        out.contains("<th style=\"text-align: left\">a</th>"),
        "{out}"
    );
    assert!(
        out.contains("<td style=\"text-align: right\">2</td>"),
        "{out}"
    );
    let raw = render("<table><tr><td style=\"background:url(x)\">x</td></tr></table>");
    assert!(!raw.contains("style"), "{raw}");
}

#[test]
fn links_keep_http_https_mailto_and_relative_and_get_rel() {
    let out = render("[a](https://e.com) [b](http://e.com) [c](mailto:x@e.com) [d](/p/x)");
    assert!(out.contains("href=\"https://e.com\""), "{out}");
    assert!(out.contains("href=\"http://e.com\""), "{out}");
    assert!(out.contains("href=\"mailto:x@e.com\""), "{out}");
    assert!(out.contains("href=\"/p/x\""), "{out}");
    assert_eq!(out.matches("rel=\"nofollow noopener\"").count(), 4, "{out}");
}

#[test]
fn script_tags_and_their_content_are_removed() {
    for p in [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//e.com/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        "<<script>alert(1)//<</script>",
        "<script\n>alert(1)</script\n>",
    ] {
        assert_clean(p);
        assert!(!render(p).contains("alert(1)</"), "{p}");
    }
    assert!(!render("<script>alert(1)</script>").contains("alert"));
}

#[test]
fn event_handlers_are_removed() {
    for p in [
        "<img src=x onerror=alert(1)>",
        "<img src=\"https://e.com/a.png\" ONERROR=\"alert(1)\">",
        "<a href=\"https://e.com\" onclick=\"alert(1)\">x</a>",
        "<p onmouseover=alert(1)>x</p>",
        "<body onload=alert(1)>",
        "<img/src=x/onerror=alert(1)>",
    ] {
        assert_clean(p);
    }
}

#[test]
fn javascript_and_data_links_are_removed_however_spelled() {
    for p in [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<a href=\"data:image/png;base64,AAAA\">x</a>",
        "<a href=\"DATA:text/html,<script>alert(1)</script>\">x</a>",
    ] {
        let out = render(p);
        assert_clean(p);
        assert!(!out.contains("href"), "{p:?} kept a link: {out}");
    }
}

#[test]
fn images_keep_http_https_relative_and_raster_data_only() {
    let ok = render(
        "![a](https://e.com/a.png) ![b](/img/b.png) ![c](data:image/png;base64,iVBORw0KGgo=)",
    );
    assert!(ok.contains("src=\"https://e.com/a.png\""), "{ok}");
    assert!(ok.contains("src=\"/img/b.png\""), "{ok}");
    assert!(
        ok.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""),
        "{ok}"
    );
    for p in [
        "![x](javascript:alert(1))",
        "![x](data:text/html,hi)",
        "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
        "![x](DATA:IMAGE/SVG+XML,<svg onload=alert(1)>)",
        "![x](mailto:x@e.com)",
    ] {
        let out = render(p);
        assert!(!out.contains("src"), "{p:?} kept its src: {out}");
    }
}

#[test]
fn svg_iframe_object_embed_form_and_style_are_removed() {
    for p in [
        "<svg><script>alert(1)</script></svg>",
        "<svg onload=alert(1)><circle r=1 /></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<iframe src=\"https://e.com\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"https://e.com/x.swf\">",
        "<form action=\"https://e.com\"><input name=x><button>go</button></form>",
        "<style>body{display:none}</style>",
        "<p style=\"color:red;background:url(javascript:alert(1))\">x</p>",
        "<link rel=stylesheet href=https://e.com/x.css>",
        "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
        "<base href=\"https://e.com/\">",
    ] {
        assert_clean(p);
        let out = render(p);
        for tag in ["<link", "<meta", "<base", "<button", "<math"] {
            assert!(!out.contains(tag), "{tag} survived in {out}");
        }
    }
}

#[test]
fn nested_and_malformed_tags_cannot_smuggle_markup() {
    for p in [
        "<p><a href=\"https://e.com\"><img src=x onerror=alert(1)></a></p>",
        "<img src=\"x\" alt=\"\"onerror=\"alert(1)\">",
        "<div><p>unclosed <b>bold <i>italic",
        "<a href=\"https://e.com\"\">x</a><img src=x onerror=alert(1)//",
        "<!--<img src=x onerror=alert(1)>-->",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<textarea><script>alert(1)</script></textarea>",
        "<title><img src=x onerror=alert(1)></title>",
        "<<img src=x onerror=alert(1)>>",
        "\"><script>alert(1)</script>",
    ] {
        assert_clean(p);
    }
}

#[test]
fn raw_html_in_markdown_passes_only_through_the_allow_list() {
    let out = render("Hello <strong>there</strong> <span class=x>kept text</span> <div>d</div>");
    assert!(out.contains("<strong>there</strong>"), "{out}");
    assert!(out.contains("kept text"), "{out}");
    assert!(!out.contains("<span") && !out.contains("<div"), "{out}");
}

#[test]
fn code_classes_are_only_language_hooks() {
    let out = render("<code class=\"language-rust evil\">x</code> <code class=\"x\">y</code>");
    assert!(!out.contains("class"), "{out}");
}

#[test]
fn text_that_looks_like_html_is_escaped_in_code() {
    let out = render("`<script>alert(1)</script>`");
    assert!(
        out.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"),
        "{out}"
    );
}
