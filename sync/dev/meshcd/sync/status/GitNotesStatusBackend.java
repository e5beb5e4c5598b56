package dev.meshcd.sync.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.sync.git.GitException;
import dev.meshcd.sync.git.GitRemote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.notes.Note;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * Commit statuses as git notes, for Git servers without a status API: the note of a commit under
 * {@code refs/notes/meshcd} is a JSON object with one entry per context
 * ({@code {"meshcd/sync": {"state": "success", "description": "...", "targetUrl": ..., "updatedAt": ...}}}).
 * Each publish fetches the remote notes ref, merges the entry in, commits and pushes (retrying when
 * another writer got there first). Read them with {@code git fetch origin refs/notes/meshcd:refs/notes/meshcd}
 * and {@code git notes --ref meshcd show <commit>}, or {@code meshcd status}.
 */
public final class GitNotesStatusBackend implements StatusBackend {
    public static final String NOTES_REF = "refs/notes/meshcd";
    private static final String REMOTE_NOTES = "refs/meshcd/remote-notes/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GitRemote remote;
    private final Clock clock;

    public GitNotesStatusBackend(GitRemote remote, Clock clock) {
        this.remote = remote;
        this.clock = clock == null ? Clock.systemUTC() : clock;
    }

    @Override
    public synchronized void publish(CommitStatus status) throws IOException {
        Repository repo = remote.repository();
        IOException last = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                remote.fetch("+refs/notes/*:" + REMOTE_NOTES + "*");
                Ref remoteNotes = repo.exactRef(REMOTE_NOTES + "meshcd");
                RefUpdate ru = repo.updateRef(NOTES_REF);
                if (remoteNotes != null) {
                    ru.setNewObjectId(remoteNotes.getObjectId());
                    ru.setForceUpdate(true);
                    ru.update();
                } else if (repo.exactRef(NOTES_REF) != null) {
                    ru.setForceUpdate(true);
                    ru.delete();
                }
                ObjectId commit = ObjectId.fromString(status.sha());
                ObjectNode note = JSON.createObjectNode();
                read(repo, commit).forEach(note::set);
                ObjectNode entry = JSON.createObjectNode();
                entry.put("state", status.state().name().toLowerCase(Locale.ROOT));
                entry.put("description", status.description());
                if (status.targetUrl() != null) {
                    entry.put("targetUrl", status.targetUrl());
                }
                entry.put("updatedAt", clock.instant().toString());
                note.set(status.context(), entry);
                try (Git git = new Git(repo); RevWalk walk = new RevWalk(repo)) {
                    RevCommit c = walk.parseCommit(commit);
                    git.notesAdd().setNotesRef(NOTES_REF).setObjectId(c)
                            .setMessage(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(note) + "\n").call();
                }
                RemoteRefUpdate.Status s = remote.push(NOTES_REF + ":" + NOTES_REF);
                if (s == RemoteRefUpdate.Status.OK || s == RemoteRefUpdate.Status.UP_TO_DATE) {
                    return;
                }
                last = new IOException("pushing " + NOTES_REF + ": " + s);
            } catch (GitException | GitAPIException e) {
                last = new IOException(e.getMessage());
            }
        }
        throw last;
    }

    /** The statuses recorded for a commit under {@link #NOTES_REF} in a repository: context → entry. */
    public static Map<String, JsonNode> read(Repository repo, ObjectId commit) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Ref ref = repo.exactRef(NOTES_REF);
        if (ref == null) {
            return out;
        }
        try (Git git = new Git(repo); RevWalk walk = new RevWalk(repo)) {
            Note note = git.notesShow().setNotesRef(NOTES_REF).setObjectId(walk.parseAny(commit)).call();
            if (note == null) {
                return out;
            }
            byte[] bytes = repo.open(note.getData()).getBytes();
            JsonNode json = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
            if (json != null && json.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> it = json.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    out.put(e.getKey(), e.getValue());
                }
            }
        } catch (GitAPIException e) {
            throw new IOException(e.getMessage(), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("note of " + commit.name() + " is not meshcd JSON", e);
        }
        return out;
    }
}
