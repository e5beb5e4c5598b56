package dev.meshcd.compiler.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Reads the configuration files of a local Git repository at a revision straight from the object
 * database (no checkout, the working tree is never touched) into a {@link SourceTree}. File names
 * are repository paths ({@code shop/cart.yaml}); hidden entries are skipped as in
 * {@link DirectorySource}. Local only: no fetch, no network.
 */
public final class GitTreeSource {
    private GitTreeSource() {
    }

    /** A revision that does not resolve (bad ref, unknown commit). */
    public static final class UnknownRevisionException extends IOException {
        public UnknownRevisionException(String message) {
            super(message);
        }
    }

    /** Opens the repository at (or above) {@code dir} and reads it at {@code revision}. */
    public static SourceTree read(Path dir, String revision) throws IOException {
        return read(dir, revision, "");
    }

    /**
     * @param subPath only files under this repository path ("" for all)
     */
    public static SourceTree read(Path dir, String revision, String subPath) throws IOException {
        return read(dir, revision, subPath, BoundedRead.DEFAULT_MAX_FILE_BYTES);
    }

    /** @param maxFileBytes a blob larger than this is not read (it becomes {@link SourceFile#tooLarge}) */
    public static SourceTree read(Path dir, String revision, String subPath, long maxFileBytes) throws IOException {
        FileRepositoryBuilder b = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toAbsolutePath().toFile());
        if (b.getGitDir() == null) {
            throw new IOException(dir + " is not inside a Git repository");
        }
        try (Repository repo = b.setMustExist(true).build()) {
            return read(repo, revision, subPath, maxFileBytes);
        }
    }

    public static SourceTree read(Repository repo, String revision, String subPath) throws IOException {
        return read(repo, revision, subPath, BoundedRead.DEFAULT_MAX_FILE_BYTES);
    }

    public static SourceTree read(Repository repo, String revision, String subPath, long maxFileBytes)
            throws IOException {
        ObjectId id = resolve(repo, revision);
        List<SourceFile> files = new ArrayList<>();
        try (RevWalk rw = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
             TreeWalk tw = new TreeWalk(reader)) {
            RevCommit commit = rw.parseCommit(id);
            tw.addTree(commit.getTree());
            tw.setRecursive(true);
            String prefix = subPath == null ? "" : subPath.replaceAll("^/+|/+$", "");
            if (!prefix.isEmpty()) {
                tw.setFilter(PathFilter.create(prefix));
            }
            while (tw.next()) {
                String path = tw.getPathString();
                if (hidden(path) || !SourceTree.isConfigFileName(path)
                        || tw.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
                    continue;
                }
                files.add(blob(reader, tw.getObjectId(0), path, maxFileBytes));
            }
        }
        return new SourceTree(files);
    }

    /** What differs between two commits: changed or added files with their new content, removed file names. */
    public record Changes(List<SourceFile> changed, List<String> removed) {
    }

    /**
     * The configuration files (same selection as {@link #read}) that differ between two revisions: what
     * {@code Compiler.recompile} needs to go from the first to the second without reading the whole tree.
     */
    public static Changes changes(Repository repo, String fromRevision, String toRevision, String subPath)
            throws IOException {
        return changes(repo, fromRevision, toRevision, subPath, BoundedRead.DEFAULT_MAX_FILE_BYTES);
    }

    public static Changes changes(Repository repo, String fromRevision, String toRevision, String subPath,
                                  long maxFileBytes) throws IOException {
        ObjectId from = resolve(repo, fromRevision);
        ObjectId to = resolve(repo, toRevision);
        List<SourceFile> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        try (RevWalk rw = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
             TreeWalk tw = new TreeWalk(reader)) {
            tw.addTree(rw.parseCommit(from).getTree());
            tw.addTree(rw.parseCommit(to).getTree());
            tw.setRecursive(true);
            String prefix = subPath == null ? "" : subPath.replaceAll("^/+|/+$", "");
            tw.setFilter(prefix.isEmpty() ? TreeFilter.ANY_DIFF
                    : AndTreeFilter.create(PathFilter.create(prefix), TreeFilter.ANY_DIFF));
            while (tw.next()) {
                String path = tw.getPathString();
                if (hidden(path) || !SourceTree.isConfigFileName(path)) {
                    continue;
                }
                if (tw.getFileMode(1).getObjectType() == Constants.OBJ_BLOB) {
                    changed.add(blob(reader, tw.getObjectId(1), path, maxFileBytes));
                } else if (tw.getFileMode(0).getObjectType() == Constants.OBJ_BLOB) {
                    removed.add(path);
                }
            }
        }
        return new Changes(changed, removed);
    }

    /** A blob's bytes, refused from its size (known without inflating it) when over the limit. */
    private static SourceFile blob(ObjectReader reader, ObjectId id, String path, long maxFileBytes) throws IOException {
        ObjectLoader loader = reader.open(id, Constants.OBJ_BLOB);
        if (loader.getSize() > maxFileBytes) {
            return SourceFile.tooLarge(path, new BoundedRead.TooLargeException(path, loader.getSize(), maxFileBytes,
                    BoundedRead.HOW_TO_RAISE));
        }
        // getBytes(limit): JGit refuses getBytes() for blobs over its streaming threshold (50 MiB) otherwise.
        return new SourceFile(path, loader.getBytes((int) Math.min(maxFileBytes, Integer.MAX_VALUE - 8)));
    }

    private static ObjectId resolve(Repository repo, String revision) throws IOException {
        ObjectId id;
        try {
            id = repo.resolve(revision);
        } catch (org.eclipse.jgit.errors.RevisionSyntaxException e) {
            throw new UnknownRevisionException("bad revision \"" + revision + "\"");
        }
        if (id == null) {
            throw new UnknownRevisionException("unknown revision \"" + revision + "\"");
        }
        return id;
    }

    private static boolean hidden(String path) {
        for (String part : path.split("/")) {
            if (part.startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
