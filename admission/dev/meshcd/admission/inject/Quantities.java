package dev.meshcd.admission.inject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities in canonical form, as the API machinery prints them after a round trip
 * ({@code "1000m"} becomes {@code "1"}, {@code "2000m"} becomes {@code "2"}, {@code "1024Mi"} becomes {@code "1Gi"}).
 * Istio's template writes annotation values verbatim and the Go types canonicalise them; we do the same here.
 */
final class Quantities {
    private static final Pattern QUANTITY =
            Pattern.compile("^([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE]?)$");
    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final BigInteger K1024 = BigInteger.valueOf(1024);

    private Quantities() {
    }

    /** @return true when {@code s} parses as a Kubernetes quantity */
    static boolean isValid(String s) {
        return s != null && QUANTITY.matcher(s.trim()).matches();
    }

    /** @return the canonical form, or {@code s} unchanged when it is not a quantity (the API server would refuse it) */
    static String canonical(String s) {
        if (s == null) {
            return null;
        }
        Matcher m = QUANTITY.matcher(s.trim());
        if (!m.matches()) {
            return s;
        }
        BigDecimal number = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
        String suffix = m.group(2);
        BigDecimal value;
        char format; // 'B' binary SI, 'D' decimal SI, 'E' decimal exponent
        if (suffix.endsWith("i")) {
            int power = indexOf(BINARY, suffix);
            value = number.multiply(new BigDecimal(K1024.pow(power)));
            format = 'B';
        } else if (!suffix.isEmpty() && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
            value = number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
            format = 'E';
        } else {
            value = number.scaleByPowerOfTen(decimalExponent(suffix));
            format = 'D';
        }
        // precision is nano; round up like resource.Quantity does
        if (value.scale() > 9) {
            value = value.setScale(9, RoundingMode.CEILING);
        }
        if (value.signum() == 0) {
            return "0";
        }
        if (format == 'B') {
            boolean integral = value.stripTrailingZeros().scale() <= 0;
            if (!integral || value.abs().compareTo(BigDecimal.valueOf(1024)) < 0) {
                format = 'D';
            } else {
                BigInteger n = value.toBigIntegerExact();
                int power = 0;
                while (power < BINARY.length - 1 && n.mod(K1024).signum() == 0) {
                    n = n.divide(K1024);
                    power++;
                }
                return n + BINARY[power];
            }
        }
        BigDecimal stripped = value.stripTrailingZeros();
        int scale = stripped.scale();
        int exponent = scale > 0 ? -((scale + 2) / 3) * 3 : Math.floorDiv(-scale, 3) * 3;
        exponent = Math.min(exponent, 18);
        BigInteger mantissa = stripped.scaleByPowerOfTen(-exponent).toBigIntegerExact();
        if (format == 'E') {
            return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
        }
        return mantissa + decimalSuffix(exponent);
    }

    private static int decimalExponent(String suffix) {
        return switch (suffix) {
            case "n" -> -9;
            case "u" -> -6;
            case "m" -> -3;
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            case "T" -> 12;
            case "P" -> 15;
            case "E" -> 18;
            default -> 0;
        };
    }

    private static String decimalSuffix(int exponent) {
        return switch (exponent) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> "";
        };
    }

    private static int indexOf(String[] values, String v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i].equals(v)) {
                return i;
            }
        }
        return 0;
    }
}
