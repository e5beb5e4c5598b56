package dev.meshcd.compiler.validate.schema;

/**
 * Translates the RE2 patterns of CRDs into {@link java.util.regex.Pattern} syntax where the two differ
 * for the constructs CRDs use: an unescaped {@code $} outside a character class ends the text in RE2
 * (without the m flag), while Java's {@code $} also matches before a final line terminator.
 */
public final class GoRegex {
    private GoRegex() {
    }

    public static String toJava(String re2) {
        StringBuilder sb = new StringBuilder(re2.length() + 4);
        boolean inClass = false;
        for (int i = 0; i < re2.length(); i++) {
            char c = re2.charAt(i);
            if (c == '\\' && i + 1 < re2.length()) {
                sb.append(c).append(re2.charAt(++i));
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                sb.append(c);
            } else if (c == '[') {
                inClass = true;
                sb.append(c);
                // a ']' right after '[' or '[^' is a literal
                if (i + 1 < re2.length() && re2.charAt(i + 1) == '^') {
                    sb.append('^');
                    i++;
                }
                if (i + 1 < re2.length() && re2.charAt(i + 1) == ']') {
                    sb.append(']');
                    i++;
                }
            } else if (c == '$') {
                sb.append("\\z");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
