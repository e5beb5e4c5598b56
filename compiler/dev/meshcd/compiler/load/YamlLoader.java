package dev.meshcd.compiler.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Turns YAML (and JSON) bytes into Jackson trees straight from SnakeYAML Engine's event stream.
 *
 * <p>Building from events rather than from SnakeYAML's node graph keeps one tree in memory instead
 * of two and lets us enforce our own limits without recursion: nesting depth, alias expansion (an
 * alias bomb is refused after {@link LoadLimits#maxNodesPerDocument()} nodes) and duplicate keys
 * (an error, as kubectl's strict decoding makes it). Scalars are typed with the YAML 1.2 core schema.
 */
public final class YamlLoader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String TAG_PREFIX = "tag:yaml.org,2002:";

    private final LoadLimits limits;

    public YamlLoader() {
        this(LoadLimits.DEFAULT);
    }

    public YamlLoader(LoadLimits limits) {
        this.limits = limits;
    }

    /** Loads every document of one file; never throws for bad input. */
    public ParsedFile load(SourceFile file) {
        ParsedFile parsed = new ParsedFile(file, limits);
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<Document> documents = new ArrayList<>();
        BoundedRead.TooLargeException tooLarge = file.tooLarge() != null ? file.tooLarge()
                : file.size() > limits.maxFileBytes() ? new BoundedRead.TooLargeException(file.name(), file.size(),
                limits.maxFileBytes(), BoundedRead.HOW_TO_RAISE) : null;
        if (tooLarge != null) {
            diagnostics.add(fileError(file, 0, 0, Codes.FILE_TOO_LARGE, "file " + tooLarge.reason()));
            parsed.complete(documents, diagnostics);
            return parsed;
        }
        String text = decodeUtf8(file, diagnostics);
        if (text != null) {
            new Walk(file, text, limits, parsed, documents, diagnostics, null).run();
        }
        parsed.complete(documents, diagnostics);
        return parsed;
    }

    /** Reads the file's events again, recording the position of every field path of every document. */
    static Map<Integer, Map<FieldPath, long[]>> indexPositions(SourceFile file, LoadLimits limits) {
        Map<Integer, Map<FieldPath, long[]>> positions = new HashMap<>();
        String text = decodeUtf8(file, new ArrayList<>());
        if (text != null) {
            new Walk(file, text, limits, null, new ArrayList<>(), new ArrayList<>(), positions).run();
        }
        return positions;
    }

    private static String decodeUtf8(SourceFile file, List<Diagnostic> diagnostics) {
        byte[] bytes = file.content();
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            start = 3; // a UTF-8 byte order mark is allowed and skipped
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        try {
            CharBuffer chars = decoder.decode(in);
            return chars.toString();
        } catch (CharacterCodingException e) {
            // Find the offending byte to point at it: decode again up to the failure.
            int offset = bytes.length;
            if (e instanceof MalformedInputException) {
                CharsetDecoder probe = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT);
                ByteBuffer b = ByteBuffer.wrap(bytes, start, bytes.length - start);
                CharBuffer out = CharBuffer.allocate(bytes.length + 1);
                probe.decode(b, out, true);
                offset = b.position();
            }
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset && i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            diagnostics.add(fileError(file, line, offset - lineStart + 1, Codes.NOT_UTF8,
                    "file is not valid UTF-8 (byte offset " + offset + ")"));
            return null;
        }
    }

    static Diagnostic fileError(SourceFile file, int line, int column, String code, String message) {
        return new Diagnostic(Severity.ERROR, code, message, null, new SourceLocation(file.name(), line, column), "");
    }

    /** One pass over a file's events. Builds documents, or (when {@code positions} is set) records positions. */
    private static final class Walk {
        private final SourceFile file;
        private final String text;
        private final LoadLimits limits;
        private final ParsedFile parsed;
        private final List<Document> documents;
        private final List<Diagnostic> diagnostics;
        private final Map<Integer, Map<FieldPath, long[]>> positions;

        private final ArrayDeque<Frame> stack = new ArrayDeque<>();
        private final Map<String, JsonNode> anchors = new HashMap<>();
        private Map<FieldPath, long[]> docPositions;
        private int docIndex = -1;
        private JsonNode root;
        private int docLine;
        private int docColumn;
        private int nodeCount;
        private int[] lineStarts;

        Walk(SourceFile file, String text, LoadLimits limits, ParsedFile parsed, List<Document> documents,
             List<Diagnostic> diagnostics, Map<Integer, Map<FieldPath, long[]>> positions) {
            this.file = file;
            this.text = text;
            this.limits = limits;
            this.parsed = parsed;
            this.documents = documents;
            this.diagnostics = diagnostics;
            this.positions = positions;
        }

        void run() {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(file.name())
                    .setCodePointLimit(Math.max(limits.maxFileBytes(), 1024))
                    .setBufferSize(bufferSize(text.length()))
                    .build();
            ParserImpl parser = new ParserImpl(settings, new StreamReader(settings, text));
            ArrayDeque<Event> pending = new ArrayDeque<>();
            try {
                while (!pending.isEmpty() || parser.hasNext()) {
                    Event event = pending.isEmpty() ? goPlainScalar(parser.next(), parser, pending) : pending.poll();
                    if (!handle(event)) {
                        return;
                    }
                }
            } catch (MarkedYamlEngineException e) {
                Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
                String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem();
                String context = e.getContext();
                String message = context == null || context.isBlank() ? problem : problem + " (" + context.trim() + ")";
                diagnostics.add(fileError(file, mark == null ? 0 : mark.getLine() + 1,
                        mark == null ? 0 : mark.getColumn() + 1, Codes.YAML_SYNTAX, "invalid YAML: " + message));
            } catch (YamlEngineException e) {
                diagnostics.add(fileError(file, 0, 0, Codes.YAML_SYNTAX, "invalid YAML: " + e.getMessage()));
            }
        }

        /**
         * SnakeYAML's reader copies its whole window (everything from the start of the token being scanned) on
         * each refill of this many characters, so one long token costs length²/(2·size): a sixteenth of the text
         * keeps that under 8 copies per character (linear), for a buffer of an eighth of the file's size.
         */
        static int bufferSize(int textLength) {
            return Math.max(1024, textLength / 16 + 1);
        }

        /**
         * Reads a flow-sequence item as Go's YAML library (which Kubernetes and istiod use) does: there a ':' ends a
         * plain scalar only before a blank, so {@code [1.2.3.4, 001:db8::]} holds the string "001:db8::". YAML 1.2
         * (SnakeYAML) also ends it before a flow indicator and reads a one-pair mapping {"001:db8:": null}. That
         * pair (no '{', a plain key followed by ':' and a flow indicator, no value) becomes the string again.
         */
        private Event goPlainScalar(Event event, ParserImpl parser, ArrayDeque<Event> pending) {
            if (!(event instanceof MappingStartEvent start) || !start.isFlow() || charAt(event.getStartMark()) == '{') {
                return event;
            }
            List<Event> next = new ArrayList<>(3);
            while (next.size() < 3 && parser.hasNext()) {
                next.add(parser.next());
            }
            if (next.size() == 3 && next.get(0) instanceof ScalarEvent key && next.get(1) instanceof ScalarEvent value
                    && next.get(2).getEventId() == Event.ID.MappingEnd && key.isPlain() && value.isPlain()
                    && value.getValue().isEmpty() && key.getAnchor().isEmpty() && key.getTag().isEmpty()
                    && goScalarContinues(key)) {
                return new ScalarEvent(Optional.empty(), Optional.empty(), key.getImplicit(), key.getValue() + ":",
                        key.getScalarStyle(), key.getStartMark(), next.get(2).getEndMark());
            }
            pending.addAll(next);
            return event;
        }

        /** True when the key's text is followed by ':' and a flow indicator (where Go's scanner keeps the ':'). */
        private boolean goScalarContinues(ScalarEvent key) {
            int end = offset(key.getEndMark());
            if (end < 0 || end + 1 >= text.length() || text.charAt(end) != ':') {
                return false;
            }
            return ",[]{}".indexOf(text.charAt(end + 1)) >= 0;
        }

        private int charAt(Optional<Mark> mark) {
            int offset = offset(mark);
            return offset < 0 || offset >= text.length() ? -1 : text.charAt(offset);
        }

        /** The char offset of a mark (line and code-point column), or -1. Line starts are indexed on first use. */
        private int offset(Optional<Mark> mark) {
            if (mark.isEmpty()) {
                return -1;
            }
            if (lineStarts == null) {
                List<Integer> starts = new ArrayList<>();
                starts.add(0);
                for (int i = 0; i < text.length(); i++) {
                    if (text.charAt(i) == '\n') {
                        starts.add(i + 1);
                    }
                }
                lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
            }
            int line = mark.get().getLine();
            if (line < 0 || line >= lineStarts.length) {
                return -1;
            }
            try {
                return text.offsetByCodePoints(lineStarts[line], mark.get().getColumn());
            } catch (IndexOutOfBoundsException e) {
                return -1;
            }
        }

        /** Returns false to stop reading the file. */
        private boolean handle(Event event) {
            switch (event.getEventId()) {
                case DocumentStart -> {
                    docIndex++;
                    root = null;
                    anchors.clear();
                    nodeCount = 0;
                    stack.clear();
                    if (positions != null) {
                        docPositions = new HashMap<>();
                        positions.put(docIndex, docPositions);
                    }
                }
                case DocumentEnd -> finishDocument();
                case MappingStart, SequenceStart -> {
                    boolean mapping = event.getEventId() == Event.ID.MappingStart;
                    Frame parent = stack.peek();
                    if (parent != null && parent.expectingKey()) {
                        return abort(event, Codes.YAML_SYNTAX, "complex mapping keys are not supported");
                    }
                    if (stack.size() >= limits.maxNestingDepth()) {
                        return abort(event, Codes.NESTING_LIMIT, "nesting deeper than " + limits.maxNestingDepth()
                                + " levels");
                    }
                    JsonNode container = mapping ? NODES.objectNode() : NODES.arrayNode();
                    FieldPath path = place(event, container);
                    if (path == null && positions != null) {
                        return false;
                    }
                    if (!count(1, event)) {
                        return false;
                    }
                    anchor(event, container);
                    stack.push(new Frame(container, path, event));
                }
                case MappingEnd, SequenceEnd -> stack.pop();
                case Scalar -> {
                    ScalarEvent scalar = (ScalarEvent) event;
                    Frame top = stack.peek();
                    if (top != null && top.expectingKey()) {
                        return acceptKey(top, scalar);
                    }
                    if (!count(1, event)) {
                        return false;
                    }
                    JsonNode value = scalarValue(scalar);
                    anchor(event, value);
                    place(event, value);
                }
                case Alias -> {
                    AliasEvent alias = (AliasEvent) event;
                    String name = alias.getAlias().getValue();
                    JsonNode target = anchors.get(name);
                    if (target == null) {
                        return abort(event, Codes.YAML_SYNTAX, "unknown alias *" + name);
                    }
                    Frame top = stack.peek();
                    if (top != null && top.expectingKey()) {
                        if (!target.isValueNode()) {
                            return abort(event, Codes.YAML_SYNTAX, "complex mapping keys are not supported");
                        }
                        return acceptKeyText(top, target.asText(), event);
                    }
                    JsonNode copy = target.isContainerNode() ? target.deepCopy() : target;
                    if (!count(size(copy), event)) {
                        return false;
                    }
                    place(event, copy);
                }
                default -> {
                    // StreamStart, StreamEnd, Comment: nothing to do
                }
            }
            return true;
        }

        private boolean acceptKey(Frame top, ScalarEvent scalar) {
            return acceptKeyText(top, scalar.getValue(), scalar);
        }

        private boolean acceptKeyText(Frame top, String key, Event event) {
            ObjectNode object = (ObjectNode) top.node;
            if (object.has(key) && positions == null) {
                long[] m = mark(event);
                diagnostics.add(new Diagnostic(Severity.ERROR, Codes.DUPLICATE_KEY, "duplicate key \"" + key + "\"",
                        null, new SourceLocation(file.name(), (int) m[0], (int) m[1]), ""));
            }
            top.pendingKey = key;
            if (positions != null) {
                FieldPath path = top.path.key(key);
                top.pendingPath = path;
                docPositions.put(path, mark(event));
            }
            return true;
        }

        /** Attaches a value to its parent (or makes it the document root); returns its path when recording. */
        private FieldPath place(Event event, JsonNode value) {
            Frame top = stack.peek();
            FieldPath path = null;
            if (top == null) {
                root = value;
                long[] m = mark(event);
                docLine = (int) m[0];
                docColumn = (int) m[1];
                if (positions != null) {
                    path = FieldPath.ROOT;
                    docPositions.put(path, m);
                }
            } else if (top.node instanceof ObjectNode object) {
                object.set(top.pendingKey, value);
                top.pendingKey = null;
                path = top.pendingPath;
            } else {
                ArrayNode array = (ArrayNode) top.node;
                if (positions != null) {
                    path = top.path.index(array.size());
                    docPositions.put(path, mark(event));
                }
                array.add(value);
            }
            return path;
        }

        private void anchor(Event event, JsonNode node) {
            if (event instanceof NodeEvent ne) {
                Optional<Anchor> a = ne.getAnchor();
                a.ifPresent(anchor -> anchors.put(anchor.getValue(), node));
            }
        }

        private boolean count(int n, Event event) {
            nodeCount += n;
            if (nodeCount > limits.maxNodesPerDocument()) {
                return abort(event, Codes.ALIAS_LIMIT, "document expands to more than " + limits.maxNodesPerDocument()
                        + " nodes (an alias bomb?)");
            }
            return true;
        }

        private boolean abort(Event event, String code, String message) {
            if (positions == null) {
                long[] m = mark(event);
                diagnostics.add(new Diagnostic(Severity.ERROR, code, message, null,
                        new SourceLocation(file.name(), (int) m[0], (int) m[1]), ""));
            }
            return false;
        }

        private void finishDocument() {
            if (root == null || parsed == null) {
                return;
            }
            if (root.isNull()) {
                return; // an empty document ("---" alone, or only comments)
            }
            if (!root.isObject()) {
                diagnostics.add(fileError(file, docLine, docColumn, Codes.NOT_AN_OBJECT,
                        "document " + (docIndex + 1) + " is a " + root.getNodeType().toString().toLowerCase()
                                + ", not a Kubernetes object"));
                return;
            }
            documents.add(new Document(parsed, docIndex, root, docLine, docColumn));
        }

        private static long[] mark(Event event) {
            Optional<Mark> m = event.getStartMark();
            return m.map(mark -> new long[]{mark.getLine() + 1, mark.getColumn() + 1}).orElse(new long[]{0, 0});
        }

        private static int size(JsonNode node) {
            int n = 1;
            for (JsonNode child : node) {
                n += size(child);
            }
            return n;
        }
    }

    private static final class Frame {
        final JsonNode node;
        final FieldPath path;
        String pendingKey;
        FieldPath pendingPath;

        Frame(JsonNode node, FieldPath path, Event start) {
            this.node = node;
            this.path = path;
        }

        boolean expectingKey() {
            return node instanceof ObjectNode && pendingKey == null;
        }
    }

    // ---- scalars: YAML 1.2 core schema ----

    static JsonNode scalarValue(ScalarEvent scalar) {
        String value = scalar.getValue();
        Optional<String> tag = scalar.getTag();
        if (tag.isPresent() && !"!".equals(tag.get())) {
            String t = tag.get();
            if (t.startsWith(TAG_PREFIX)) {
                t = t.substring(TAG_PREFIX.length());
            } else if (t.startsWith("!!")) {
                t = t.substring(2);
            }
            switch (t) {
                case "str":
                    return NODES.textNode(value);
                case "null":
                    return NODES.nullNode();
                default:
                    JsonNode typed = plainScalar(value);
                    return typed == null ? NODES.textNode(value) : typed;
            }
        }
        if (!scalar.isPlain()) {
            return NODES.textNode(value);
        }
        JsonNode typed = plainScalar(value);
        return typed == null ? NODES.textNode(value) : typed;
    }

    /** Resolves a plain scalar to null, bool, int or float; null when it is a string. */
    static JsonNode plainScalar(String v) {
        if (v.isEmpty()) {
            return NODES.nullNode();
        }
        char c = v.charAt(0);
        // Fast path: most scalars in mesh config are words.
        if (!(c == '-' || c == '+' || c == '.' || c == '~' || (c >= '0' && c <= '9')
                || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F')) {
            return null;
        }
        switch (v) {
            case "~", "null", "Null", "NULL":
                return NODES.nullNode();
            case "true", "True", "TRUE":
                return NODES.booleanNode(true);
            case "false", "False", "FALSE":
                return NODES.booleanNode(false);
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
                return NODES.numberNode(Double.POSITIVE_INFINITY);
            case "-.inf", "-.Inf", "-.INF":
                return NODES.numberNode(Double.NEGATIVE_INFINITY);
            case ".nan", ".NaN", ".NAN":
                return NODES.numberNode(Double.NaN);
            default:
                break;
        }
        if (v.startsWith("0x") && v.length() > 2 && isDigits(v, 2, 16)) {
            return integer(new BigInteger(v.substring(2), 16));
        }
        if (v.startsWith("0o") && v.length() > 2 && isDigits(v, 2, 8)) {
            return integer(new BigInteger(v.substring(2), 8));
        }
        int start = (c == '-' || c == '+') ? 1 : 0;
        if (v.length() > start && isDigits(v, start, 10)) {
            if (v.length() - start < 10) {
                return NODES.numberNode(Integer.parseInt(v));
            }
            return integer(new BigInteger(c == '+' ? v.substring(1) : v));
        }
        if (isFloat(v, start)) {
            return NODES.numberNode(Double.parseDouble(v));
        }
        return null;
    }

    private static JsonNode integer(BigInteger b) {
        if (b.bitLength() < 32) {
            return NODES.numberNode(b.intValue());
        }
        if (b.bitLength() < 64) {
            return NODES.numberNode(b.longValue());
        }
        return NODES.numberNode(b);
    }

    private static boolean isDigits(String v, int from, int radix) {
        for (int i = from; i < v.length(); i++) {
            if (Character.digit(v.charAt(i), radix) < 0) {
                return false;
            }
        }
        return true;
    }

    /** [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    private static boolean isFloat(String v, int i) {
        int n = v.length();
        int intDigits = 0;
        while (i < n && Character.isDigit(v.charAt(i))) {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        if (i < n && v.charAt(i) == '.') {
            i++;
            while (i < n && Character.isDigit(v.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits == 0 && fracDigits == 0) {
            return false;
        }
        if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
            i++;
            if (i < n && (v.charAt(i) == '-' || v.charAt(i) == '+')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && Character.isDigit(v.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return false;
            }
        }
        return i == n;
    }
}
