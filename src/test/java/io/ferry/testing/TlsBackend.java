package io.ferry.testing;

import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTPS backend on the JDK's TLS: it answers every request with 200 and a body saying the SNI
 * name the client sent ("sni=" empty when none) and the subject of the client's certificate
 * ("client=" empty when none). With {@code clientCa} it requires a client certificate issued by it.
 */
public final class TlsBackend implements AutoCloseable {
    private final SSLServerSocket server;

    private TlsBackend(SSLServerSocket server) {
        this.server = server;
        Thread acceptor = new Thread(this::acceptLoop, "tls-backend-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code pkcs12}: the server's certificate and key (password "secret"); {@code clientCa} may be null. */
    public static TlsBackend start(Path pkcs12, Path clientCa) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(pkcs12.toFile())) {
            keys.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "secret".toCharArray());
        TrustManagerFactory tmf = null;
        if (clientCa != null) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            try (InputStream in = new FileInputStream(clientCa.toFile())) {
                trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setNeedClientAuth(clientCa != null);
        return new TlsBackend(server);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                Thread t = new Thread(() -> serve(s), "tls-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    private static void serve(SSLSocket s) {
        try (s) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            SocketBackend.readHead(s.getInputStream());
            ExtendedSSLSession session = (ExtendedSSLSession) s.getSession();
            List<String> names = new ArrayList<>();
            for (SNIServerName n : session.getRequestedServerNames()) {
                names.add(((SNIHostName) n).getAsciiName());
            }
            String client = "";
            try {
                client = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                // none sent
            }
            String body = "sni=" + String.join(",", names) + ";client=" + client;
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (Exception e) {
            // a refused handshake: the proxy's side is what the tests look at
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
