package dev.meshcd.compiler.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Reads the configuration files of one commit straight from a Git object database into a
 * {@link SourceTree}, without a checkout: the same files {@link DirectorySource} would find in a
 * working tree at that commit (*.yaml, *.yml, *.json; hidden entries skipped). File names are
 * repository-relative ({@code clusters/prod/shop/cart.yaml}), so diagnostics and source annotations
 * point at the file as it is in the repository.
 */
public final class GitTreeSource {
    /** Files larger than this are skipped when read (the loader's limits would reject them anyway). */
    private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private GitTreeSource() {
    }

    /**
     * @param repository the repository (bare or not)
     * @param revision   anything {@link Repository#resolve} accepts: a commit id, a branch, {@code HEAD}
     * @param subPath    only files under this directory ("" or null for the whole tree)
     * @throws IOException when the revision does not resolve or an object cannot be read
     */
    public static SourceTree read(Repository repository, String revision, String subPath) throws IOException {
        ObjectId id = repository.resolve(revision + "^{commit}");
        if (id == null) {
            throw new IOException("revision not found: " + revision);
        }
        String prefix = normalize(subPath);
        List<SourceFile> files = new ArrayList<>();
        try (ObjectReader reader = repository.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            RevCommit commit = walk.parseCommit(id);
            try (TreeWalk tree = new TreeWalk(repository, reader)) {
                tree.addTree(commit.getTree());
                tree.setRecursive(true);
                if (!prefix.isEmpty()) {
                    tree.setFilter(PathFilter.create(prefix));
                }
                while (tree.next()) {
                    String path = tree.getPathString();
                    FileMode mode = tree.getFileMode(0);
                    if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
                        continue; // symlinks and submodules are not followed
                    }
                    String relative = prefix.isEmpty() ? path : path.substring(Math.min(path.length(), prefix.length() + 1));
                    if (isHidden(relative) || !SourceTree.isConfigFileName(path)) {
                        continue;
                    }
                    ObjectId blob = tree.getObjectId(0);
                    if (reader.getObjectSize(blob, org.eclipse.jgit.lib.Constants.OBJ_BLOB) > MAX_FILE_BYTES) {
                        continue;
                    }
                    files.add(new SourceFile(path, reader.open(blob).getBytes()));
                }
            }
        }
        return new SourceTree(files);
    }

    private static String normalize(String subPath) {
        if (subPath == null) {
            return "";
        }
        String p = subPath.replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals(".") ? "" : p;
    }

    private static boolean isHidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
