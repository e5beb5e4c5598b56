package dev.meshcd.compiler.config;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import java.util.regex.Pattern;

/**
 * One suppression from meshcd.yaml: a code ("IST0118", or "*" for all), and optionally a resource
 * pattern ("Service shop/*") and a file pattern ("legacy/*"). MCD2001 covers every validation warning code. Patterns are globs: {@code *} is any
 * run of characters, {@code ?} one character.
 */
public record Suppression(String code, String resource, String file, String reason) {

    public boolean matches(Diagnostic d) {
        if (!Codes.covers(code, d.code())) {
            return false;
        }
        if (resource != null && !glob(resource).matcher(d.resource()).matches()) {
            return false;
        }
        return file == null || glob(file).matcher(d.location().file()).matches();
    }

    /**
     * A suppression in istioctl analyze's {@code --suppress} form, {@code "CODE=Kind name.namespace"} (globs allowed,
     * e.g. {@code "IST0107=Pod *.baz"}; {@code "Kind name"} for a resource without namespace), as a suppression
     * of the resource meshcd prints as "Kind namespace/name".
     *
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static Suppression parseIstioctl(String flag) {
        int eq = flag.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("expected CODE=Kind name.namespace, got \"" + flag + "\"");
        }
        String code = flag.substring(0, eq).trim();
        if (!code.matches("\\*|IST\\d{4}|MCD\\d{4}")) {
            throw new IllegalArgumentException("unknown code \"" + code + "\" (IST0000, MCD0000 or *)");
        }
        String target = flag.substring(eq + 1).trim();
        int sp = target.indexOf(' ');
        if (sp <= 0 || sp == target.length() - 1) {
            throw new IllegalArgumentException("expected CODE=Kind name.namespace, got \"" + flag + "\"");
        }
        String kind = target.substring(0, sp);
        String name = target.substring(sp + 1).trim();
        int dot = name.lastIndexOf('.');
        String resource = dot < 0 ? kind + " " + name
                : kind + " " + name.substring(dot + 1) + "/" + name.substring(0, dot);
        return new Suppression(code, resource, null, "--suppress " + flag);
    }

    private static final java.util.Map<String, Pattern> GLOBS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The glob as a regular expression, compiled once per distinct glob. */
    static Pattern glob(String glob) {
        return GLOBS.computeIfAbsent(glob, Suppression::compile);
    }

    private static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
