package dev.meshcd.compiler.review;

/**
 * Escaping for GitHub/GitLab/Gitea-flavoured markdown. Everything shown in a review comes from users' YAML
 * (names, hosts, header values, messages quoting them), so nothing is written raw: text cannot open a link,
 * emphasis, table cell, HTML tag, mention (@user) or reference (#12), nor close a code fence.
 */
final class Markdown {
    private Markdown() {
    }

    /** Inline text: HTML-escaped, markdown punctuation backslash-escaped, on one line. */
    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '@' -> b.append("&#64;");
                case '|' -> b.append("&#124;");
                case '\n', '\r', '\t' -> b.append(' ');
                // only what is markup inside a line: text is always written after a prefix, never at a line start
                case '\\', '`', '*', '_', '[', ']', '#', '~' ->
                        b.append('\\').append(c);
                default -> b.append(Character.isISOControl(c) ? ' ' : c);
            }
        }
        return b.toString();
    }

    /** Inline code: monospace without backticks, so no content can end it early. */
    static String code(String s) {
        return "<code>" + text(s) + "</code>";
    }

    /** A fenced block whose fence is longer than any run of backticks or tildes in the content (CommonMark). */
    static String fence(String info, String content) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < content.length(); i++) {
            run = content.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String f = "`".repeat(Math.max(3, longest + 1));
        return f + info + "\n" + content + (content.endsWith("\n") ? "" : "\n") + f + "\n";
    }
}
