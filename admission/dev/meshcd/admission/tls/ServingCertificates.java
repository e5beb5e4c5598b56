package dev.meshcd.admission.tls;

import dev.meshcd.admission.tls.CertStore.Bundle;
import dev.meshcd.admission.tls.Certificates.KeyAndCert;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's CA and serving certificate: loaded from (or created into) a {@link CertStore}, renewed
 * before expiry and handed to listeners (the HTTPS connector reloads its SSL context without closing
 * connections in flight).
 */
public final class ServingCertificates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingCertificates.class);
    public static final char[] KEYSTORE_PASSWORD = "meshcd".toCharArray();

    private final CertStore store;
    private final List<String> dnsNames;
    private final List<String> ips;
    private final Duration caValidity;
    private final Duration servingValidity;
    private final Duration renewBefore;
    private final List<Consumer<Bundle>> listeners = new CopyOnWriteArrayList<>();
    private volatile Bundle current;
    private ScheduledExecutorService scheduler;

    public ServingCertificates(CertStore store, List<String> sans, Duration caValidity, Duration servingValidity,
                               Duration renewBefore) {
        this.store = store;
        this.dnsNames = sans.stream().filter(s -> !Certificates.isIpLiteral(s)).toList();
        this.ips = sans.stream().filter(Certificates::isIpLiteral).toList();
        this.caValidity = caValidity;
        this.servingValidity = servingValidity;
        this.renewBefore = renewBefore;
    }

    /** Defaults: CA for 10 years, serving certificate for 90 days, renewed 30 days before expiry. */
    public static ServingCertificates create(CertStore store, List<String> sans) {
        return new ServingCertificates(store, sans, Duration.ofDays(3650), Duration.ofDays(90), Duration.ofDays(30));
    }

    /** The service DNS names of a webhook Service plus 127.0.0.1. */
    public static List<String> serviceSans(String service, String namespace) {
        return List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local",
                service + "." + namespace, service, "localhost", "127.0.0.1");
    }

    public synchronized Bundle initialize() {
        Bundle b = store.load().filter(this::usable).orElse(null);
        if (b == null) {
            KeyAndCert ca = store.load().map(Bundle::ca).filter(c -> c.notAfter().isAfter(Instant.now().plus(servingValidity)))
                    .orElseGet(() -> Certificates.newCa("meshcd-webhook-ca", caValidity));
            b = new Bundle(ca, Certificates.newServing(ca, dnsNames, ips, servingValidity));
            store.save(b);
            LOG.info("issued serving certificate (expires {})", b.serving().notAfter());
        }
        current = b;
        return b;
    }

    private boolean usable(Bundle b) {
        return !needsRenewal(b.serving()) && b.ca().notAfter().isAfter(Instant.now());
    }

    private boolean needsRenewal(KeyAndCert serving) {
        return serving.notAfter().minus(renewBefore).isBefore(Instant.now());
    }

    public Bundle current() {
        Bundle b = current;
        return b != null ? b : initialize();
    }

    public void onChange(Consumer<Bundle> listener) {
        listeners.add(listener);
    }

    /** Issues a new serving certificate from the same CA now, stores it and tells the listeners. */
    public synchronized Bundle rotate() {
        Bundle old = current();
        Bundle next = new Bundle(old.ca(), Certificates.newServing(old.ca(), dnsNames, ips, servingValidity));
        store.save(next);
        current = next;
        LOG.info("rotated serving certificate (serial {} -> {}, expires {})", old.serving().cert().getSerialNumber()
                .toString(16), next.serving().cert().getSerialNumber().toString(16), next.serving().notAfter());
        listeners.forEach(l -> l.accept(next));
        return next;
    }

    /** Picks up a certificate another replica stored, or renews when close to expiry. */
    public synchronized void check() {
        try {
            Bundle stored = store.load().orElse(null);
            Bundle cur = current();
            if (stored != null && usable(stored)
                    && stored.serving().notAfter().isAfter(cur.serving().notAfter())) {
                current = stored;
                listeners.forEach(l -> l.accept(stored));
                LOG.info("loaded newer serving certificate from store (expires {})", stored.serving().notAfter());
            } else if (needsRenewal(cur.serving())) {
                rotate();
            }
        } catch (RuntimeException e) {
            LOG.warn("certificate check failed (will retry): {}", e.toString());
        }
    }

    public synchronized void startRenewal(Duration every) {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "meshcd-cert-renewal");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A PKCS12 key store holding the serving key and its chain, for the HTTPS connector. */
    public static KeyStore keyStore(Bundle b) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("serving", b.serving().key(), KEYSTORE_PASSWORD,
                    new Certificate[]{b.serving().cert(), b.ca().cert()});
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build key store", e);
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
