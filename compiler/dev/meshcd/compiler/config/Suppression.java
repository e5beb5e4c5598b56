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
