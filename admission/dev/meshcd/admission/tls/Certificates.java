package dev.meshcd.admission.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Key pairs and X.509 certificates with BouncyCastle: meshcd's own CA and the webhook's serving certificate. */
public final class Certificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /** A certificate with its private key. */
    public record KeyAndCert(PrivateKey key, X509Certificate cert) {
        public String certPem() {
            return pem(cert);
        }

        /** The private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
        public String keyPem() {
            try {
                return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
                throw new IllegalStateException(e);
            }
        }

        public Instant notAfter() {
            return cert.getNotAfter().toInstant();
        }

        public Instant notBefore() {
            return cert.getNotBefore().toInstant();
        }
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator", e);
        }
    }

    /** A self-signed CA certificate. */
    public static KeyAndCert newCa(String commonName, Duration validity) {
        KeyPair kp = newKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + commonName + ",O=meshcd");
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), name, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new KeyAndCert(kp.getPrivate(), sign(b, kp.getPrivate()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create CA certificate", e);
        }
    }

    /** A serving certificate signed by {@code ca}, for the given DNS names and IP addresses. */
    public static KeyAndCert newServing(KeyAndCert ca, List<String> dnsNames, List<String> ips, Duration validity) {
        KeyPair kp = newKeyPair();
        Instant now = Instant.now();
        String cn = dnsNames.isEmpty() ? (ips.isEmpty() ? "meshcd" : ips.get(0)) : dnsNames.get(0);
        List<GeneralName> sans = new ArrayList<>();
        dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
        for (String ip : ips) {
            sans.add(new GeneralName(GeneralName.iPAddress, ip));
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert(), serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), new X500Name("CN=" + cn),
                    kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.cert()))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new KeyAndCert(kp.getPrivate(), sign(b, ca.key()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create serving certificate", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            String alg = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    public static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    public static KeyAndCert parse(String certPem, String keyPem) {
        try (PEMParser cp = new PEMParser(new StringReader(certPem)); PEMParser kp = new PEMParser(new StringReader(keyPem))) {
            Object c = cp.readObject();
            Object k = kp.readObject();
            if (!(c instanceof org.bouncycastle.cert.X509CertificateHolder holder)) {
                throw new IllegalArgumentException("not a PEM certificate");
            }
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            PrivateKey key;
            if (k instanceof PEMKeyPair pair) {
                key = conv.getPrivateKey(pair.getPrivateKeyInfo());
            } else if (k instanceof PrivateKeyInfo info) {
                key = conv.getPrivateKey(info);
            } else {
                throw new IllegalArgumentException("not a PEM private key");
            }
            return new KeyAndCert(key, cert);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read PEM: " + e.getMessage(), e);
        }
    }

    /** Whether {@code s} is an IP address literal (no DNS lookup). */
    public static boolean isIpLiteral(String s) {
        if (!s.matches("[0-9.]+|[0-9a-fA-F:]+") || !(s.contains(".") || s.contains(":"))) {
            return false;
        }
        try {
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
