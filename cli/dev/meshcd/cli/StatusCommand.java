package dev.meshcd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.sync.status.GitNotesStatusBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshcd status --repo PATH [REV]}: the meshcd statuses of a commit, from git notes. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print meshcd's statuses (compile, sync, drift) of a commit, read from the git notes under "
                + "refs/notes/meshcd.%nFetch them first: git fetch origin refs/notes/meshcd:refs/notes/meshcd%n"
                + "Exit 0 when no status is failure or error, 1 when one is, 2 on usage or I/O errors.")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--repo", defaultValue = ".", description = "The repository (working tree or bare; default: ${DEFAULT-VALUE}).")
    Path repo;

    @Parameters(arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", description = "The commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = {"-o", "--format"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path gitDir = Files.isDirectory(repo.resolve(".git")) ? repo.resolve(".git") : repo;
        if (!Files.exists(gitDir.resolve("HEAD"))) {
            err.println("meshcd: " + repo + ": not a Git repository");
            return ExitCodes.USAGE;
        }
        try (Repository r = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build()) {
            ObjectId id = r.resolve(revision + "^{commit}");
            if (id == null) {
                err.println("meshcd: " + revision + ": no such commit");
                return ExitCodes.USAGE;
            }
            Map<String, JsonNode> statuses = GitNotesStatusBackend.read(r, id);
            boolean failed = statuses.values().stream().map(s -> s.path("state").asText())
                    .anyMatch(s -> s.equals("failure") || s.equals("error"));
            if (format.equals("json")) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode o = m.createObjectNode();
                o.put("commit", id.name());
                ObjectNode s = o.putObject("statuses");
                statuses.forEach(s::set);
                out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(o));
            } else if (statuses.isEmpty()) {
                out.println(id.name() + ": no meshcd statuses (fetch refs/notes/meshcd from the remote?)");
            } else {
                out.println("commit " + id.name());
                int width = statuses.keySet().stream().mapToInt(String::length).max().orElse(0);
                statuses.forEach((context, s) -> out.println("  " + String.format("%-" + width + "s", context) + "  "
                        + String.format("%-8s", s.path("state").asText()) + " " + s.path("description").asText()
                        + (s.hasNonNull("targetUrl") ? "  " + s.path("targetUrl").asText() : "")));
            }
            out.flush();
            return failed ? ExitCodes.ERRORS : ExitCodes.OK;
        } catch (IOException e) {
            err.println("meshcd: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }
}
