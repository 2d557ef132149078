package org.idnode.server.tls;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.function.BiFunction;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.idnode.server.config.ConfigException;

/**
 * Server TLS contexts from the PEM files of a configuration section ({@code grpc.tls}, {@code http.tls}), checked so
 * that an unusable file stops the node at start-up with the key that names it. Stateless.
 */
public final class ServerTls {
    private ServerTls() {
    }

    /**
     * A server context for a certificate chain and its private key.
     *
     * @param section  the configuration section the files come from, e.g. {@code http.tls}, for the error messages
     * @param builder  makes the builder for the protocol from the two files, e.g. {@code SslContextBuilder::forServer}
     * @throws ConfigException naming {@code <section>.cert-chain-file} when it holds no PEM certificate, or
     *                         {@code <section>.private-key-file} when the key is unreadable or does not fit the certificate
     */
    public static SslContext context(String section, Path certChain, Path privateKey, BiFunction<File, File, SslContextBuilder> builder) {
        try (InputStream in = Files.newInputStream(certChain)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new CertificateException("no certificate found");
            }
        } catch (IOException | CertificateException e) {
            throw new ConfigException(section + ".cert-chain-file: " + certChain + " is not a PEM certificate chain: " + e.getMessage());
        }
        try {
            return builder.apply(certChain.toFile(), privateKey.toFile()).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(section + ".private-key-file: " + privateKey + " is not a PEM private key (PKCS#8) for the certificate in "
                    + certChain + ": " + e.getMessage());
        }
    }
}
