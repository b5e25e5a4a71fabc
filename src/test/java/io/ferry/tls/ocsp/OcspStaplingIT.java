package io.ferry.tls.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP stapling against real peers: `openssl ocsp` responders (one signing as the issuer, one as a
 * stranger) and `openssl s_client -status` as the client asking for the staple.
 */
@Timeout(120)
class OcspStaplingIT {
    @TempDir
    static Path prefix;
    static Path conf;
    static FerryInstance ferry;
    static final List<Process> responders = new ArrayList<>();
    static int aia;
    static int verified;
    static int rogue;
    static int unverified;
    static int file;
    static int bareLf;
    static int twoCertificates;
    static java.net.ServerSocket lfResponder;

    @BeforeAll
    static void start() throws Exception {
        conf = prefix.resolve("conf");
        Files.createDirectories(conf);
        int good = FerryInstance.freePort();
        int stranger = FerryInstance.freePort();
        openssl(script(good));
        responders.add(responder(good, "int"));
        responders.add(responder(stranger, "rogue"));
        lfResponder = lfResponder(Files.readAllBytes(conf.resolve("end-resp.der")));
        aia = FerryInstance.freePort();
        verified = FerryInstance.freePort();
        rogue = FerryInstance.freePort();
        unverified = FerryInstance.freePort();
        file = FerryInstance.freePort();
        bareLf = FerryInstance.freePort();
        twoCertificates = FerryInstance.freePort();
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    ssl_stapling on;
                    ssl_certificate end-int.crt;
                    ssl_certificate_key end.key;
                    server { listen 127.0.0.1:%d ssl; }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_stapling_verify on;
                        ssl_trusted_certificate root.crt;
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_stapling_verify on;
                        ssl_trusted_certificate root.crt;
                        ssl_stapling_responder http://127.0.0.1:%d/;
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_stapling_responder http://127.0.0.1:%d/;
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_certificate gone-int.crt;
                        ssl_certificate_key gone.key;
                        ssl_stapling_file gone-resp.der;
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_stapling_responder http://127.0.0.1:%d/;
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_certificate end-int.crt;
                        ssl_certificate_key end.key;
                        ssl_certificate rsaend-int.crt;
                        ssl_certificate_key rsaend.key;
                    }
                }
                """.formatted(aia, verified, rogue, stranger, unverified, stranger, file, bareLf,
                lfResponder.getLocalPort(), twoCertificates));
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        responders.forEach(Process::destroy);
        try {
            lfResponder.close();
        } catch (IOException e) {
            // the test is over
        }
    }

    @Test
    void theFirstHandshakeStartsTheFetchAndLaterOnesCarryTheIssuersAnswer() throws Exception {
        String status = stapled(aia);
        assertThat(status).contains("OCSP Response Status: successful").contains("Cert Status: good");
    }

    @Test
    void aVerifiedResponseFromTheIssuerIsStapled() throws Exception {
        assertThat(stapled(verified)).contains("Cert Status: good");
    }

    @Test
    void verifyRejectsAResponderTheIssuerDidNotAuthorize() throws Exception {
        sClient(rogue);
        // the same responder's answer is stapled where it is not verified: once it is, both fetches are done
        assertThat(stapled(unverified)).contains("Cert Status: good").contains("Responder Id: CN = rogue");
        assertThat(sClient(rogue)).contains("OCSP response: no response sent");
    }

    @Test
    void theFileIsStapledFromTheFirstHandshakeWhateverItSays() throws Exception {
        String status = sClient(file);
        assertThat(status).contains("OCSP Response Status: successful").contains("Cert Status: revoked");
    }

    @Test
    void aResponderEndingLinesWithABareLfIsUnderstood() throws Exception {
        assertThat(stapled(bareLf)).contains("Cert Status: good");
    }

    @Test
    void eachCertificateOfAServerCarriesItsOwnStaple() throws Exception {
        String ec = stapled(twoCertificates, "-sigalgs", "ecdsa_secp256r1_sha256");
        // the serial numbers the CA gave: int 1000, end 1001, gone 1002, rsaend 1003
        assertThat(ec).contains("subject=CN = end").contains("Serial Number: 1001").contains("Cert Status: good");
        String rsa = stapled(twoCertificates, "-sigalgs", "rsa_pss_rsae_sha256");
        assertThat(rsa).contains("subject=CN = rsaend").contains("Serial Number: 1003").contains("Cert Status: good");
    }

    /** Answers every request with the same response, its header lines ended by LF alone, body until close. */
    private static java.net.ServerSocket lfResponder(byte[] response) throws IOException {
        java.net.ServerSocket server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (java.net.Socket s = server.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    s.getOutputStream().write(("HTTP/1.1 200 OK\nConnection: close\n"
                            + "Content-Type: application/ocsp-response\n\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().write(response);
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    /** Handshakes until the server staples, as the first ones go without. */
    private static String stapled(int port, String... options) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        String out = sClient(port, options);
        while (out.contains("OCSP response: no response sent") && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            out = sClient(port, options);
        }
        return out;
    }

    private static String sClient(int port, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-status"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertThat(out).contains("CONNECTED");
        return out;
    }

    private static Process responder(int port, String signer) throws Exception {
        Process p = new ProcessBuilder("openssl", "ocsp", "-index", "certindex", "-CA", "int.crt", "-rsigner",
                signer + ".crt", "-rkey", signer + ".key", "-port", String.valueOf(port), "-nmin", "30")
                .directory(conf.toFile()).redirectErrorStream(true).redirectOutput(conf.resolve(signer + ".log").toFile())
                .start();
        // it waits for ever after a connection closed without a request, so its word is awaited, not probed
        Path log = conf.resolve(signer + ".log");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline) && p.isAlive()) {
            if (Files.readString(log).contains("waiting for OCSP client connections")) {
                return p;
            }
            Thread.sleep(100);
        }
        throw new IOException("openssl ocsp did not listen on " + port + ": " + Files.readString(conf.resolve(signer + ".log")));
    }

    private static void openssl(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-euc", script).directory(conf.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("certificate setup failed: " + out);
        }
    }

    /**
     * root -> int -> end, gone (revoked) and the RSA rsaend, their AIA naming the responder; rogue, a stranger to int;
     * and a response for gone as the file.
     */
    private static String script(int responderPort) {
        return """
                cat > req.conf <<EOF
                [ req ]
                distinguished_name = dn
                x509_extensions = ext
                [ dn ]
                [ ext ]
                basicConstraints = critical,CA:TRUE
                EOF
                cat > ca.conf <<EOF
                [ ca ]
                default_ca = myca
                [ myca ]
                new_certs_dir = .
                database = certindex
                default_md = sha256
                policy = policy
                serial = certserial
                default_days = 1
                x509_extensions = ext
                [ policy ]
                commonName = supplied
                [ ext ]
                basicConstraints = critical,CA:TRUE
                authorityInfoAccess = OCSP;URI:http://127.0.0.1:%d
                EOF
                echo 1000 > certserial
                : > certindex
                key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $1.key 2>/dev/null; }
                for n in root rogue; do
                    key $n
                    openssl req -x509 -new -config req.conf -subj /CN=$n/ -key $n.key -out $n.crt
                done
                for n in int end gone; do
                    key $n
                    openssl req -new -config req.conf -subj /CN=$n/ -key $n.key -out $n.csr
                done
                openssl ca -batch -config ca.conf -keyfile root.key -cert root.crt -in int.csr -out int.crt 2>/dev/null
                for n in end gone; do
                    openssl ca -batch -config ca.conf -keyfile int.key -cert int.crt -in $n.csr -out $n.crt 2>/dev/null
                    cat $n.crt int.crt > $n-int.crt
                done
                openssl ca -config ca.conf -keyfile int.key -cert int.crt -revoke gone.crt 2>/dev/null
                openssl genrsa -out rsaend.key 2048 2>/dev/null
                openssl req -new -config req.conf -subj /CN=rsaend/ -key rsaend.key -out rsaend.csr
                openssl ca -batch -config ca.conf -keyfile int.key -cert int.crt -in rsaend.csr -out rsaend.crt 2>/dev/null
                cat rsaend.crt int.crt > rsaend-int.crt
                openssl ocsp -issuer int.crt -cert gone.crt -reqout gone-req.der
                openssl ocsp -index certindex -CA int.crt -rsigner int.crt -rkey int.key -reqin gone-req.der \\
                    -respout gone-resp.der -ndays 1 >/dev/null
                openssl ocsp -issuer int.crt -cert end.crt -no_nonce -reqout end-req.der
                openssl ocsp -index certindex -CA int.crt -rsigner int.crt -rkey int.key -reqin end-req.der \\
                    -respout end-resp.der -ndays 1 >/dev/null
                """.formatted(responderPort);
    }
}
