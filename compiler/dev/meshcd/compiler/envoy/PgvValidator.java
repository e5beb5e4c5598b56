package dev.meshcd.compiler.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A generic protoc-gen-validate checker: reads the {@code (validate.rules)} field options,
 * {@code (validate.required)} oneof options and {@code (validate.disabled)} message options that
 * Envoy's API protos carry, at run time from the message descriptors, and checks a message
 * against them, recursing into sub-messages and into {@code Any} payloads (as Envoy does when it
 * loads a typed config).
 *
 * <p>Rule kinds implemented: string (const, len, min_len, max_len, min_bytes, max_bytes, prefix,
 * suffix, contains, not_contains, in, not_in, pattern, well-known: HTTP header name/value,
 * hostname, ip, address), all integer and floating kinds and their wrappers (const, gt, gte, lt, lte,
 * in, not_in), bool const, enum (const, defined_only, in, not_in), message required / skip,
 * repeated (min_items, max_items, unique, items), map (min_pairs, max_pairs, keys, values),
 * duration (required, const, gt, gte, lt, lte), any (required, in, not_in), oneof required.
 * Patterns are RE2 in Envoy and are evaluated with java.util.regex here. Thread-safe.
 */
public final class PgvValidator {
    /** One broken rule: where (proto field path, snake_case) and what. */
    public record Violation(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    private static final Pattern HEADER_NAME = Pattern.compile("^:?[0-9a-zA-Z!#$%&'*+\\-.^_|~`]+$");
    private static final Pattern HEADER_VALUE = Pattern.compile("^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$");
    private static final Pattern LOOSE_HEADER = Pattern.compile("^[^\\u0000\\u000A\\u000D]*$");
    private static final Pattern HOSTNAME = Pattern.compile(
            "^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\\.?$");
    private static final Map<FieldDescriptor, FieldRules> RULES = new ConcurrentHashMap<>();
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
    private static final FieldRules NONE = FieldRules.getDefaultInstance();

    private PgvValidator() {
    }

    public static List<Violation> validate(Message m) {
        List<Violation> out = new ArrayList<>();
        message(m, "", out);
        return out;
    }

    static FieldRules rules(FieldDescriptor f) {
        return RULES.computeIfAbsent(f, fd -> fd.getOptions().hasExtension(Validate.rules)
                ? fd.getOptions().getExtension(Validate.rules) : NONE);
    }

    private static void message(Message m, String path, List<Violation> out) {
        Descriptor d = m.getDescriptorForType();
        if (d.getOptions().getExtension(Validate.disabled) || d.getOptions().getExtension(Validate.ignored)) {
            return;
        }
        if (m instanceof Any any) {
            Message inner = ConfigDumps.unpack(any);
            if (inner != null) {
                message(inner, path, out);
            }
            return;
        }
        for (OneofDescriptor o : d.getRealOneofs()) {
            if (o.getOptions().getExtension(Validate.required) && !m.hasOneof(o)) {
                out.add(new Violation(join(path, o.getName()), "exactly one of " + names(o) + " is required"));
            }
        }
        for (FieldDescriptor f : d.getFields()) {
            FieldRules r = rules(f);
            String p = join(path, f.getName());
            if (f.getRealContainingOneof() != null && !m.hasField(f)) {
                continue; // an unset oneof member is not validated (the oneof's own rule covers it)
            }
            if (f.isMapField()) {
                mapField(m, f, r, p, out);
            } else if (f.isRepeated()) {
                repeatedField(m, f, r, p, out);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (!m.hasField(f)) {
                    if (r.getMessage().getRequired() || (r.hasDuration() && r.getDuration().getRequired())
                            || (r.hasAny() && r.getAny().getRequired())) {
                        out.add(new Violation(p, "value is required"));
                    }
                    continue;
                }
                value(f, r, m.getField(f), p, out);
            } else {
                if (f.hasPresence() && !m.hasField(f)) {
                    continue;
                }
                value(f, r, m.getField(f), p, out);
            }
        }
    }

    private static String names(OneofDescriptor o) {
        List<String> n = new ArrayList<>();
        o.getFields().forEach(f -> n.add(f.getName()));
        return String.join(", ", n);
    }

    private static void repeatedField(Message m, FieldDescriptor f, FieldRules r, String p, List<Violation> out) {
        int n = m.getRepeatedFieldCount(f);
        Validate.RepeatedRules rr = r.getRepeated();
        if (r.hasRepeated() && !(rr.getIgnoreEmpty() && n == 0)) {
            if (rr.hasMinItems() && n < rr.getMinItems()) {
                out.add(new Violation(p, "must contain at least " + rr.getMinItems() + " item(s), has " + n));
            }
            if (rr.hasMaxItems() && n > rr.getMaxItems()) {
                out.add(new Violation(p, "must contain at most " + rr.getMaxItems() + " item(s), has " + n));
            }
            if (rr.getUnique()) {
                Set<Object> seen = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    if (!seen.add(m.getRepeatedField(f, i))) {
                        out.add(new Violation(p + "[" + i + "]", "repeated value must be unique"));
                    }
                }
            }
        }
        FieldRules items = rr.hasItems() ? rr.getItems() : NONE;
        for (int i = 0; i < n; i++) {
            value(f, items, m.getRepeatedField(f, i), p + "[" + i + "]", out);
        }
    }

    private static void mapField(Message m, FieldDescriptor f, FieldRules r, String p, List<Violation> out) {
        int n = m.getRepeatedFieldCount(f);
        Validate.MapRules mr = r.getMap();
        if (r.hasMap() && !(mr.getIgnoreEmpty() && n == 0)) {
            if (mr.hasMinPairs() && n < mr.getMinPairs()) {
                out.add(new Violation(p, "must contain at least " + mr.getMinPairs() + " pair(s), has " + n));
            }
            if (mr.hasMaxPairs() && n > mr.getMaxPairs()) {
                out.add(new Violation(p, "must contain at most " + mr.getMaxPairs() + " pair(s), has " + n));
            }
        }
        FieldDescriptor kf = f.getMessageType().findFieldByName("key");
        FieldDescriptor vf = f.getMessageType().findFieldByName("value");
        for (int i = 0; i < n; i++) {
            Message entry = (Message) m.getRepeatedField(f, i);
            Object key = entry.getField(kf);
            String ep = p + "[" + key + "]";
            value(kf, mr.hasKeys() ? mr.getKeys() : NONE, key, ep + "<key>", out);
            value(vf, mr.hasValues() ? mr.getValues() : NONE, entry.getField(vf), ep, out);
        }
    }

    /** Checks one (non-repeated) value against type-specific rules, then recurses into messages. */
    private static void value(FieldDescriptor f, FieldRules r, Object v, String p, List<Violation> out) {
        switch (r.getTypeCase()) {
            case STRING -> string(r.getString(), unwrap(v, String.class), p, out);
            case BOOL -> {
                Boolean b = unwrap(v, Boolean.class);
                if (b != null && r.getBool().hasConst() && b != r.getBool().getConst()) {
                    out.add(new Violation(p, "must equal " + r.getBool().getConst()));
                }
            }
            case ENUM -> enumValue(r.getEnum(), v, p, out);
            case DURATION -> numeric(r.getDuration(), v instanceof Message msg ? nanos(msg) : null, p, out,
                    o -> nanos((Message) o), d -> Xds.format(toDuration((BigDecimal) d)));
            case ANY -> {
                if (v instanceof Message msg) {
                    String url = (String) msg.getField(msg.getDescriptorForType().findFieldByName("type_url"));
                    Validate.AnyRules ar = r.getAny();
                    if (!ar.getInList().isEmpty() && !ar.getInList().contains(url)) {
                        out.add(new Violation(p, "type URL " + url + " must be one of " + ar.getInList()));
                    }
                    if (ar.getNotInList().contains(url)) {
                        out.add(new Violation(p, "type URL " + url + " is not allowed"));
                    }
                }
            }
            case TYPE_NOT_SET, TIMESTAMP, BYTES -> {
            }
            default -> {
                Message numRules = (Message) r.getField(FieldRules.getDescriptor().findFieldByNumber(r.getTypeCase().getNumber()));
                Object raw = unwrap(v, Object.class);
                if (raw != null) {
                    numeric(numRules, number(raw, f), p, out, o -> number(o, f), Object::toString);
                }
            }
        }
        if (v instanceof Message msg && !r.getMessage().getSkip() && !isWrapper(msg)) {
            message(msg, p, out);
        }
    }

    private static boolean isWrapper(Message m) {
        return m.getDescriptorForType().getFile().getName().equals("google/protobuf/wrappers.proto");
    }

    /** The scalar inside a wrapper message (UInt32Value, StringValue...), or the value itself. */
    private static <T> T unwrap(Object v, Class<T> type) {
        Object x = v;
        if (v instanceof Message m) {
            if (!isWrapper(m)) {
                return null;
            }
            x = m.getField(m.getDescriptorForType().findFieldByName("value"));
        }
        return type.isInstance(x) ? type.cast(x) : null;
    }

    private static BigDecimal number(Object o, FieldDescriptor f) {
        if (o instanceof Integer i) {
            boolean unsigned = f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32
                    || (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && f.getMessageType().getFullName().equals("google.protobuf.UInt32Value"));
            return unsigned ? BigDecimal.valueOf(Integer.toUnsignedLong(i)) : BigDecimal.valueOf(i);
        }
        if (o instanceof Long l) {
            boolean unsigned = f.getType() == FieldDescriptor.Type.UINT64 || f.getType() == FieldDescriptor.Type.FIXED64
                    || (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && f.getMessageType().getFullName().equals("google.protobuf.UInt64Value"));
            return unsigned ? new BigDecimal(Long.toUnsignedString(l)) : BigDecimal.valueOf(l);
        }
        if (o instanceof Float fl) {
            return new BigDecimal(Float.toString(fl));
        }
        if (o instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        return BigDecimal.ZERO;
    }

    private static BigDecimal nanos(Message d) {
        Descriptor desc = d.getDescriptorForType();
        long s = (Long) d.getField(desc.findFieldByName("seconds"));
        int n = (Integer) d.getField(desc.findFieldByName("nanos"));
        return BigDecimal.valueOf(s).multiply(BigDecimal.valueOf(1_000_000_000L)).add(BigDecimal.valueOf(n));
    }

    private static Duration toDuration(BigDecimal nanos) {
        long total = nanos.longValue();
        return Duration.newBuilder().setSeconds(total / 1_000_000_000L).setNanos((int) (total % 1_000_000_000L)).build();
    }

    /**
     * const / gt / gte / lt / lte / in / not_in over any numeric rule message (all share field
     * names), following PGV's semantics for exclusive ranges (lt &lt; gt means "outside").
     */
    private static void numeric(Message rules, BigDecimal v, String p, List<Violation> out,
                                Function<Object, BigDecimal> conv, Function<Object, String> show) {
        if (v == null) {
            return;
        }
        Descriptor d = rules.getDescriptorForType();
        FieldDescriptor ignoreEmpty = d.findFieldByName("ignore_empty");
        if (ignoreEmpty != null && (Boolean) rules.getField(ignoreEmpty) && v.signum() == 0) {
            return;
        }
        BigDecimal cnst = bound(rules, "const", conv);
        if (cnst != null && v.compareTo(cnst) != 0) {
            out.add(new Violation(p, "value must equal " + show.apply(cnst)));
        }
        BigDecimal gt = bound(rules, "gt", conv);
        BigDecimal gte = bound(rules, "gte", conv);
        BigDecimal lt = bound(rules, "lt", conv);
        BigDecimal lte = bound(rules, "lte", conv);
        BigDecimal lower = gt != null ? gt : gte;
        BigDecimal upper = lt != null ? lt : lte;
        boolean aboveLower = lower == null || (gt != null ? v.compareTo(gt) > 0 : v.compareTo(gte) >= 0);
        boolean belowUpper = upper == null || (lt != null ? v.compareTo(lt) < 0 : v.compareTo(lte) <= 0);
        boolean ok;
        if (lower != null && upper != null && upper.compareTo(lower) < 0) {
            ok = aboveLower || belowUpper; // exclusive range: outside [upper, lower]
        } else {
            ok = aboveLower && belowUpper;
        }
        if (!ok) {
            StringBuilder want = new StringBuilder("value ").append(show.apply(v)).append(" must be");
            if (gt != null) {
                want.append(" greater than ").append(show.apply(gt));
            }
            if (gte != null) {
                want.append(" at least ").append(show.apply(gte));
            }
            if (lower != null && upper != null) {
                want.append(upper.compareTo(lower) < 0 ? " or" : " and");
            }
            if (lt != null) {
                want.append(" less than ").append(show.apply(lt));
            }
            if (lte != null) {
                want.append(" at most ").append(show.apply(lte));
            }
            out.add(new Violation(p, want.toString()));
        }
        FieldDescriptor in = d.findFieldByName("in");
        if (in != null && rules.getRepeatedFieldCount(in) > 0) {
            boolean found = false;
            for (int i = 0; i < rules.getRepeatedFieldCount(in); i++) {
                found |= conv.apply(rules.getRepeatedField(in, i)).compareTo(v) == 0;
            }
            if (!found) {
                out.add(new Violation(p, "value " + show.apply(v) + " is not one of the allowed values"));
            }
        }
        FieldDescriptor notIn = d.findFieldByName("not_in");
        if (notIn != null) {
            for (int i = 0; i < rules.getRepeatedFieldCount(notIn); i++) {
                if (conv.apply(rules.getRepeatedField(notIn, i)).compareTo(v) == 0) {
                    out.add(new Violation(p, "value " + show.apply(v) + " is not allowed"));
                }
            }
        }
    }

    private static BigDecimal bound(Message rules, String name, Function<Object, BigDecimal> conv) {
        FieldDescriptor f = rules.getDescriptorForType().findFieldByName(name);
        if (f == null || !rules.hasField(f)) {
            return null;
        }
        return conv.apply(rules.getField(f));
    }

    private static void enumValue(Validate.EnumRules er, Object v, String p, List<Violation> out) {
        if (!(v instanceof EnumValueDescriptor ev)) {
            return;
        }
        if (er.getDefinedOnly() && ev.getType().findValueByNumber(ev.getNumber()) == null) {
            out.add(new Violation(p, "enum value " + ev.getNumber() + " is not defined in " + ev.getType().getName()));
        }
        if (er.hasConst() && ev.getNumber() != er.getConst()) {
            out.add(new Violation(p, "enum value must be " + er.getConst()));
        }
        if (!er.getInList().isEmpty() && !er.getInList().contains(ev.getNumber())) {
            out.add(new Violation(p, "enum value " + ev.getName() + " is not one of the allowed values"));
        }
        if (er.getNotInList().contains(ev.getNumber())) {
            out.add(new Violation(p, "enum value " + ev.getName() + " is not allowed"));
        }
    }

    private static void string(Validate.StringRules sr, String s, String p, List<Violation> out) {
        if (s == null || (sr.getIgnoreEmpty() && s.isEmpty())) {
            return;
        }
        long chars = s.codePointCount(0, s.length());
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (sr.hasConst() && !s.equals(sr.getConst())) {
            out.add(new Violation(p, "value must equal \"" + sr.getConst() + "\""));
        }
        if (sr.hasLen() && chars != sr.getLen()) {
            out.add(new Violation(p, "value length must be " + sr.getLen() + " characters"));
        }
        if (sr.hasMinLen() && chars < sr.getMinLen()) {
            out.add(new Violation(p, sr.getMinLen() == 1 ? "value must not be empty"
                    : "value length must be at least " + sr.getMinLen() + " characters"));
        }
        if (sr.hasMaxLen() && chars > sr.getMaxLen()) {
            out.add(new Violation(p, "value length must be at most " + sr.getMaxLen() + " characters"));
        }
        if (sr.hasMinBytes() && bytes < sr.getMinBytes()) {
            out.add(new Violation(p, "value must be at least " + sr.getMinBytes() + " bytes"));
        }
        if (sr.hasMaxBytes() && bytes > sr.getMaxBytes()) {
            out.add(new Violation(p, "value must be at most " + sr.getMaxBytes() + " bytes"));
        }
        if (sr.hasPrefix() && !s.startsWith(sr.getPrefix())) {
            out.add(new Violation(p, "value must start with \"" + sr.getPrefix() + "\""));
        }
        if (sr.hasSuffix() && !s.endsWith(sr.getSuffix())) {
            out.add(new Violation(p, "value must end with \"" + sr.getSuffix() + "\""));
        }
        if (sr.hasContains() && !s.contains(sr.getContains())) {
            out.add(new Violation(p, "value must contain \"" + sr.getContains() + "\""));
        }
        if (sr.hasNotContains() && s.contains(sr.getNotContains())) {
            out.add(new Violation(p, "value must not contain \"" + sr.getNotContains() + "\""));
        }
        if (!sr.getInList().isEmpty() && !sr.getInList().contains(s)) {
            out.add(new Violation(p, "value \"" + s + "\" must be one of " + sr.getInList()));
        }
        if (sr.getNotInList().contains(s)) {
            out.add(new Violation(p, "value \"" + s + "\" is not allowed"));
        }
        if (sr.hasPattern()) {
            Pattern pat = PATTERNS.computeIfAbsent(sr.getPattern(), Pattern::compile);
            if (!pat.matcher(s).find()) {
                out.add(new Violation(p, "value does not match pattern " + sr.getPattern()));
            }
        }
        switch (sr.getWellKnownCase()) {
            case WELL_KNOWN_REGEX -> {
                boolean strict = !sr.hasStrict() || sr.getStrict();
                Pattern pat = switch (sr.getWellKnownRegex()) {
                    case HTTP_HEADER_NAME -> strict ? HEADER_NAME : LOOSE_HEADER;
                    case HTTP_HEADER_VALUE -> strict ? HEADER_VALUE : LOOSE_HEADER;
                    default -> null;
                };
                if (pat != null && !pat.matcher(s).matches()) {
                    out.add(new Violation(p, "value \"" + s + "\" is not a valid "
                            + sr.getWellKnownRegex().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')));
                }
            }
            case HOSTNAME -> {
                if (sr.getHostname() && !HOSTNAME.matcher(s).matches()) {
                    out.add(new Violation(p, "value \"" + s + "\" is not a valid hostname"));
                }
            }
            case IP, IPV4, IPV6 -> {
                if (!s.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                    out.add(new Violation(p, "value \"" + s + "\" is not a valid IP address"));
                }
            }
            case ADDRESS -> {
                if (!s.matches("[0-9.]+|[0-9a-fA-F:]+") && !HOSTNAME.matcher(s).matches()) {
                    out.add(new Violation(p, "value \"" + s + "\" is not a valid address"));
                }
            }
            default -> {
            }
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
