package dev.meshcd.admission.tls;

import dev.meshcd.admission.tls.Certificates.KeyAndCert;
import java.util.Optional;

/** Where the webhook CA and serving certificate live between restarts (a directory or a Secret). */
public interface CertStore {
    /** The CA and the serving certificate it signed. */
    record Bundle(KeyAndCert ca, KeyAndCert serving) {
    }

    Optional<Bundle> load();

    void save(Bundle bundle);

    /** Keeps certificates in memory only (tests, benchmarks). */
    static CertStore memory() {
        return new CertStore() {
            private volatile Bundle bundle;

            @Override
            public Optional<Bundle> load() {
                return Optional.ofNullable(bundle);
            }

            @Override
            public void save(Bundle b) {
                bundle = b;
            }
        };
    }
}
