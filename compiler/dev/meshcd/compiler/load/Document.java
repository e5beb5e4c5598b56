package dev.meshcd.compiler.load;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One YAML document of a file, as a Jackson tree. {@code index} counts every document of the file,
 * empty ones included, so positions can be found again by re-reading the same file.
 */
public record Document(ParsedFile file, int index, JsonNode root, int line, int column) {
}
