package dev.meshcd.compiler.source;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them, in Kubernetes quantity style: {@code 65536}, {@code 512Ki}, {@code 64Mi}, {@code 1Gi}
 * (binary), or {@code 64M} (decimal). For {@code --max-file-size} and meshcd.yaml's {@code maxFileSize}.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(|k|Ki|M|Mi|G|Gi|B)");

    private ByteSize() {
    }

    /** The number of bytes, or empty when {@code text} is not a size. */
    public static Optional<Long> parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long unit = switch (m.group(2)) {
            case "k" -> 1000L;
            case "Ki" -> 1L << 10;
            case "M" -> 1000_000L;
            case "Mi" -> 1L << 20;
            case "G" -> 1000_000_000L;
            case "Gi" -> 1L << 30;
            default -> 1L;
        };
        try {
            return Optional.of(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code 64 MiB}, {@code 1536 KiB}, {@code 100 bytes}: exact, in the largest binary unit that divides it. */
    public static String format(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + " GiB";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + " MiB";
        }
        if (bytes > 0 && bytes % (1L << 10) == 0) {
            return bytes / (1L << 10) + " KiB";
        }
        return String.format(Locale.ROOT, "%d bytes", bytes);
    }
}
