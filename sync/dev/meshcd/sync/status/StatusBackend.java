package dev.meshcd.sync.status;

import java.io.IOException;

/** Where commit statuses go: a forge's status API, or git notes for plain Git servers. */
public interface StatusBackend {
    void publish(CommitStatus status) throws IOException;

    /** A backend that drops everything (no status reporting configured). */
    StatusBackend NONE = status -> {
    };
}
