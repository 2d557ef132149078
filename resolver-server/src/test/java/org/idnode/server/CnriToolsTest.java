package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.handle.api.HSAdapter;
import net.handle.api.HSAdapterFactory;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Common;
import net.handle.hdllib.Configuration;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ListHandlesRequest;
import net.handle.hdllib.ListHandlesResponse;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * CNRI's own command-line tools, unmodified and each in its own JVM, against a node that runs in its own
 * JVM ({@code idnode serve}) on 127.0.0.1: HDLCreate, HDLList, GenericBatch and HDLDelete, with CNRI's
 * default DH sessions; then CNRI's HSAdapter library API with a secret key and with a public key. The prefix
 * 88.999.1 is made offline with {@code idnode prefix add} and an RSA admin key in CNRI's file formats.
 * Every effect a tool reports is checked again by resolving with CNRI's HandleResolver in this JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CnriToolsTest {
    private static final String PREFIX = "88.999.1";
    private static final String PREFIX_HANDLE = "0.NA/" + PREFIX;
    private static final String SECRET = "s3cr3t";
    private static final int BATCH_HANDLES = 40;

    @TempDir
    static Path tmp;

    private static final List<ChildJvm> children = new CopyOnWriteArrayList<>();
    private static KeyPair admin;
    private static Path privKeyFile;
    private static ChildJvm node;
    private static SiteInfo site;
    private static Path toolConfig;

    @BeforeAll
    static void prefixThenNodeInItsOwnJvm() throws Exception {
        // Loads CnriClients first: net.handle.configDir points at a config.dct with root-info auto-update off.
        assertThat(CnriClients.CONFIG_DIR).isDirectory();
        assertThat(System.getProperty("java.class.path"))
                .as("surefire's test classpath must hold every dependency for the child JVMs")
                .contains("handle-client").contains("picocli").contains("rocksdbjni");

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        admin = gen.generateKeyPair();
        Path keys = Files.createDirectories(tmp.resolve("admin-keys"));
        Path pubKeyFile = keys.resolve("pubkey.bin");
        Files.write(pubKeyFile, Util.getBytesFromPublicKey(admin.getPublic()));
        privKeyFile = keys.resolve("admpriv.bin");
        Files.write(privKeyFile, Util.encrypt(Util.getBytesFromPrivateKey(admin.getPrivate()), null, Common.ENCRYPT_NONE));

        Path data = tmp.resolve("data");
        int rc = IdnodeCommand.run("prefix", "add", PREFIX, "--enterprise", "Example CCL Co.",
                "--admin-key", pubKeyFile.toString(), "--admin-secret", SECRET, "--data-dir", data.toString());
        assertThat(rc).as("idnode prefix add exit code").isZero();

        try {
            node = launch("org.idnode.server.cli.IdnodeCommand", List.of(),
                    "serve", "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0", "--bind", "127.0.0.1");
            node.closeStdin();
            List<String> lines = node.awaitReady();
            assertThat(lines).as("stdout before 'ready'").hasSize(4);
            Matcher m = ChildJvm.LISTENING.matcher(lines.get(0));
            assertThat(m.matches()).as("first line: '%s'", lines.get(0)).isTrue();
            assertThat(m.group(1)).isEqualTo("handle-tcp");
            int handlePort = ChildJvm.NodePorts.of(lines).handle();
            site = CnriClients.fetchSiteInfo(handlePort);
            assertThat(site.servers).hasSize(1);
            assertThat(site.servers[0].getAddressString()).isEqualTo("127.0.0.1");
            toolConfig = CnriClients.toolConfigDir(tmp.resolve("tool-config"), site, PREFIX);
        } catch (Throwable t) {
            stopChildren();
            throw t;
        }
    }

    @AfterAll
    static void stopChildren() throws InterruptedException {
        for (ChildJvm c : children) {
            c.kill();
        }
        children.clear();
        // The JVM-wide default configuration was pointed at this node for HSAdapter: point it back.
        Configuration cfg = Configuration.defaultConfiguration();
        try {
            cfg.setLocalSites(PREFIX_HANDLE, null);
            cfg.setLocalSites("0.NA/0.NA", null);
        } catch (UnsupportedOperationException e) {
            // not a FilesystemConfiguration: nothing was set
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 1. HDLCreate
    // ---------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void hdlCreateCreatesAHandleWithItsAdminValue() throws Exception {
        String h = PREFIX + "/CLI-1";
        ChildJvm c = tool("net.handle.apps.simple.HDLCreate", PREFIX_HANDLE, "300", privKeyFile.toString(), h);
        c.closeStdin();
        int code = c.waitExit();
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", c.stdout(), c.stderr()).isZero();
        assertThat(c.stdout()).as("stderr:%n%s", c.stderr()).contains("Got Response:").doesNotContain("Got Error");
        assertThat(c.stderr()).doesNotContain("Error:");
        // HDLCreate traces its messages on stderr: a DH session first, then the create inside it.
        String session = sessionId(c.stderr());
        assertThat(c.stderr()).containsPattern("sending HDL-TCP request \\(version=[\\d.]+; oc=100; rc=0; snId=" + session + " ");
        assertThat(c.stdout()).containsPattern("oc=100; rc=1; snId=" + session + " ");

        HandleValue[] values = resolve(h);
        assertThat(values).hasSize(1);
        assertThat(values[0].getIndex()).isEqualTo(100);
        assertThat(values[0].getTypeAsString()).isEqualTo("HS_ADMIN");
        AdminRecord ar = Encoder.decodeAdminRecord(values[0].getData(), 0);
        assertThat(Util.decodeString(ar.adminId)).isEqualTo(PREFIX_HANDLE);
        assertThat(ar.adminIdIndex).isEqualTo(300);
        assertThat(ar.perms).containsOnly(true);

        // Running it again is refused by the node and the tool says so.
        ChildJvm again = tool("net.handle.apps.simple.HDLCreate", PREFIX_HANDLE, "300", privKeyFile.toString(), h);
        again.closeStdin();
        assertThat(again.waitExit()).isZero();
        assertThat(again.stdout()).contains("Got Error:").contains("HANDLE ALREADY EXISTS");
    }

    // ---------------------------------------------------------------------------------------------
    // 2. HDLList
    // ---------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void hdlListListsEveryHandleUnderThePrefix() throws Exception {
        HandleResolver r = CnriClients.resolver(site, PREFIX, Interface.SP_HDL_TCP);
        for (String s : List.of("LIST-1", "LIST-2", "LIST-3")) {
            HandleValue[] vals = {new HandleValue(1, "URL", "https://example.com/list/" + s), adminValue(300)};
            AbstractResponse resp = r.processRequest(new CreateHandleRequest(Util.encodeString(PREFIX + "/" + s), vals, pubkey()));
            assertThat(resp.responseCode).as("%s", resp).isEqualTo(AbstractMessage.RC_SUCCESS);
        }
        AbstractResponse inProcess = r.processRequest(new ListHandlesRequest(Util.encodeString(PREFIX_HANDLE), pubkey()));
        assertThat(inProcess).isInstanceOf(ListHandlesResponse.class);
        TreeSet<String> expected = new TreeSet<>();
        for (byte[] hb : ((ListHandlesResponse) inProcess).handles) {
            expected.add(Util.decodeString(hb));
        }
        assertThat(expected).contains(PREFIX + "/LIST-1", PREFIX + "/LIST-2", PREFIX + "/LIST-3");

        ChildJvm c = tool("net.handle.apps.simple.HDLList", PREFIX_HANDLE, "300", privKeyFile.toString(), PREFIX);
        c.closeStdin();
        int code = c.waitExit();
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", c.stdout(), c.stderr()).isZero();
        assertThat(c.stderr()).doesNotContain("HDLError").doesNotContain("Exception");
        TreeSet<String> listed = new TreeSet<>(c.stdoutLines().stream().map(String::trim)
                .filter(l -> l.startsWith(PREFIX + "/")).toList());
        assertThat(listed).as("stdout:%n%s", c.stdout())
                .contains(PREFIX + "/LIST-1", PREFIX + "/LIST-2", PREFIX + "/LIST-3", PREFIX + "/CLI-1")
                .isEqualTo(expected);
    }

    // ---------------------------------------------------------------------------------------------
    // 3. GenericBatch
    // ---------------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void genericBatchRunsOneHundredTenOperationsAndLeavesExactlyTheStateTheBatchImplies() throws Exception {
        StringBuilder b = new StringBuilder();
        b.append("AUTHENTICATE PUBKEY:300:").append(PREFIX_HANDLE).append('\n');
        b.append(privKeyFile).append('\n').append('\n');
        int ops = 0;
        for (int i = 0; i < BATCH_HANDLES; i++) { // 40 creates: URL + HS_ADMIN
            b.append("CREATE ").append(batchHandle(i)).append('\n');
            b.append("1 URL 86400 1110 UTF8 ").append(url(i, false)).append('\n');
            b.append("100 HS_ADMIN 86400 1110 ADMIN 300:111111111111:").append(PREFIX_HANDLE).append('\n');
            b.append('\n');
            ops++;
        }
        for (int i = 0; i < 30; i++) { // 30 adds: EMAIL, and DESC on every third
            b.append("ADD ").append(batchHandle(i)).append('\n');
            b.append("2 EMAIL 3600 1110 UTF8 ").append(email(i, false)).append('\n');
            if (i % 3 == 0) {
                b.append("3 DESC 600 1110 UTF8 ").append(desc(i)).append('\n');
            }
            b.append('\n');
            ops++;
        }
        for (int i = 0; i < 20; i++) { // 20 modifies: URL, and EMAIL as well for 10..19
            b.append("MODIFY ").append(batchHandle(i)).append('\n');
            b.append("1 URL 86400 1110 UTF8 ").append(url(i, true)).append('\n');
            if (i >= 10) {
                b.append("2 EMAIL 3600 1110 UTF8 ").append(email(i, true)).append('\n');
            }
            b.append('\n');
            ops++;
        }
        for (int i = 0; i < 10; i++) { // 10 removes: EMAIL, and DESC where there is one
            b.append("REMOVE ").append(i % 3 == 0 ? "2,3" : "2").append(':').append(batchHandle(i)).append('\n');
            ops++;
        }
        for (int i = 30; i < BATCH_HANDLES; i++) { // 10 deletes
            b.append("DELETE ").append(batchHandle(i)).append('\n');
            ops++;
        }
        assertThat(ops).isEqualTo(110);
        Path batchFile = tmp.resolve("batch.txt");
        Files.writeString(batchFile, b.toString(), StandardCharsets.UTF_8);

        ChildJvm c = tool("net.handle.apps.batch.GenericBatch", batchFile.toString(), "-verbose");
        c.closeStdin();
        int code = c.waitExit();
        String out = c.stdout();
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", out, c.stderr()).isZero();
        assertThat(out).as("stderr:%n%s", c.stderr())
                .doesNotContain("==>FAILURE").doesNotContain("==>INVALID")
                .contains("Successes/Total Entries: " + ops + "/" + ops);
        assertThat(count(out, "==>SUCCESS[")).isEqualTo(ops);
        assertThat(count(out, "]: create:")).isEqualTo(40);
        assertThat(count(out, "]: add values:")).isEqualTo(30);
        assertThat(count(out, "]: modify values:")).isEqualTo(20);
        assertThat(count(out, "]: remove values:")).isEqualTo(10);
        assertThat(count(out, "]: delete:")).isEqualTo(10);
        // -verbose traces the messages on stderr: one DH session, one challenge, every operation inside the session.
        String err = c.stderr();
        String session = sessionId(err);
        assertThat(count(err, "; oc=400; rc=1; ")).as("session setups").isEqualTo(1);
        assertThat(count(err, "; oc=200; rc=0; snId=" + session + " ")).as("challenge answers").isEqualTo(1);
        assertThat(Pattern.compile("sending HDL-TCP request \\(version=[\\d.]+; oc=10[0-4]; rc=0; snId=" + session + " ")
                .matcher(err).results().count()).as("writes sent in the session").isEqualTo(ops);
        assertThat(Pattern.compile("received HDL-TCP response: version=[\\d.]+; oc=10[0-4]; rc=1; snId=" + session + " ")
                .matcher(err).results().count()).as("successful replies in the session").isEqualTo(ops);

        for (int i = 0; i < BATCH_HANDLES; i++) {
            String h = batchHandle(i);
            if (i >= 30) {
                assertNotFound(h);
                continue;
            }
            List<String> want = new ArrayList<>();
            want.add("1|URL|" + url(i, i < 20) + "|86400|1110");
            if (i >= 10) {
                want.add("2|EMAIL|" + email(i, i < 20) + "|3600|1110");
                if (i % 3 == 0) {
                    want.add("3|DESC|" + desc(i) + "|600|1110");
                }
            }
            want.add("100|HS_ADMIN|300:111111111111:" + PREFIX_HANDLE + "|86400|1110");
            assertThat(describe(resolve(h))).as(h).containsExactlyElementsOf(want);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 4. HDLDelete
    // ---------------------------------------------------------------------------------------------

    @Test
    @Order(4)
    void hdlDeleteDeletesTheHandlesReadFromStdin() throws Exception {
        HandleResolver r = CnriClients.resolver(site, PREFIX, Interface.SP_HDL_TCP);
        List<String> doomed = List.of(PREFIX + "/DEL-1", PREFIX + "/DEL-2", PREFIX + "/DEL-3");
        for (String h : doomed) {
            HandleValue[] vals = {new HandleValue(1, "URL", "https://example.com/del/" + h), adminValue(300)};
            assertThat(r.processRequest(new CreateHandleRequest(Util.encodeString(h), vals, pubkey())).responseCode)
                    .isEqualTo(AbstractMessage.RC_SUCCESS);
        }
        String keep = PREFIX + "/DEL-KEEP";
        assertThat(r.processRequest(new CreateHandleRequest(Util.encodeString(keep),
                new HandleValue[] {new HandleValue(1, "URL", "https://example.com/del/keep"), adminValue(300)}, pubkey())).responseCode)
                .isEqualTo(AbstractMessage.RC_SUCCESS);
        String missing = PREFIX + "/DEL-NEVER-EXISTED";

        ChildJvm c = tool("net.handle.apps.simple.HDLDelete", PREFIX_HANDLE, "300", privKeyFile.toString(), "-");
        try (OutputStream in = c.process().getOutputStream()) {
            in.write((String.join("\n", doomed) + "\n" + missing + "\n").getBytes(StandardCharsets.UTF_8));
        }
        int code = c.waitExit();
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", c.stdout(), c.stderr()).isZero();
        List<String> lines = c.stdoutLines().stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        assertThat(lines).as("stderr:%n%s", c.stderr()).hasSize(4);
        assertThat(lines.subList(0, 3)).containsExactly("deleted " + doomed.get(0), "deleted " + doomed.get(1), "deleted " + doomed.get(2));
        assertThat(lines.get(3)).startsWith("error deleting '" + missing + "'").contains("HANDLE NOT FOUND");

        for (String h : doomed) {
            assertNotFound(h);
        }
        assertThat(urls(resolve(keep))).containsExactly("https://example.com/del/keep");
    }

    // ---------------------------------------------------------------------------------------------
    // 5. HSAdapter (CNRI's library API, its own resolver from the default configuration)
    // ---------------------------------------------------------------------------------------------

    @Test
    @Order(5)
    void hsAdapterWithASecretKey() throws Exception {
        pointDefaultConfigurationAtTheNode();
        HSAdapter hs = HSAdapterFactory.newInstance(PREFIX_HANDLE, 301, SECRET.getBytes(StandardCharsets.UTF_8));
        exerciseAdapter(hs, PREFIX + "/HSA-SECKEY", 301);
    }

    @Test
    @Order(6)
    void hsAdapterWithAPublicKey() throws Exception {
        pointDefaultConfigurationAtTheNode();
        HSAdapter hs = HSAdapterFactory.newInstance(PREFIX_HANDLE, 300, Files.readAllBytes(privKeyFile), null);
        exerciseAdapter(hs, PREFIX + "/HSA-PUBKEY", 300);
    }

    @Test
    @Order(7)
    void hsAdapterRefusesAWrongSecret() {
        pointDefaultConfigurationAtTheNode();
        assertThatThrownBy(() -> HSAdapterFactory.newInstance(PREFIX_HANDLE, 301, "wrong".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(HandleException.class);
    }

    private static void exerciseAdapter(HSAdapter hs, String h, int adminIndex) throws Exception {
        hs.setTcpTimeout(5000);
        hs.createHandle(h, new HandleValue[] {
                hs.createHandleValue(1, "URL", "https://example.com/hsa/" + adminIndex),
                hs.createAdminValue(PREFIX_HANDLE, adminIndex, 100)});
        HandleValue[] viaAdapter = hs.resolveHandle(h, new String[] {"URL"}, null);
        assertThat(urls(viaAdapter)).containsExactly("https://example.com/hsa/" + adminIndex);
        assertThat(urls(resolve(h))).containsExactly("https://example.com/hsa/" + adminIndex);
        AdminRecord ar = Encoder.decodeAdminRecord(valueAt(resolve(h), 100).getData(), 0);
        assertThat(Util.decodeString(ar.adminId) + ":" + ar.adminIdIndex).isEqualTo(PREFIX_HANDLE + ":" + adminIndex);

        hs.addHandleValues(h, new HandleValue[] {hs.createHandleValue(2, "EMAIL", "hsa-" + adminIndex + "@example.com")});
        assertThat(valueAt(hs.resolveHandle(h, null, new int[] {2}), 2).getDataAsString()).isEqualTo("hsa-" + adminIndex + "@example.com");
        assertThat(valueAt(resolve(h), 2).getDataAsString()).isEqualTo("hsa-" + adminIndex + "@example.com");

        hs.deleteHandle(h);
        assertNotFound(h);
        assertThatThrownBy(() -> hs.resolveHandle(h, null, null))
                .isInstanceOfSatisfying(HandleException.class,
                        e -> assertThat(e.getCode()).isEqualTo(HandleException.HANDLE_DOES_NOT_EXIST));
    }

    /**
     * HSAdapter makes its own HandleResolver on the JVM-wide default configuration (a FilesystemConfiguration
     * on CnriClients.CONFIG_DIR, read once): send this prefix and the 0.NA/ admin handles to the node.
     */
    private static void pointDefaultConfigurationAtTheNode() {
        Configuration cfg = Configuration.defaultConfiguration();
        assertThat(cfg.isAutoUpdateRootInfo()).as("the default configuration must never contact the global root").isFalse();
        cfg.setLocalSites(PREFIX_HANDLE, new SiteInfo[] {site});
        cfg.setLocalSites("0.NA/0.NA", new SiteInfo[] {site});
    }

    // ---------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------

    private static String batchHandle(int i) {
        return String.format("%s/B-%03d", PREFIX, i);
    }

    private static String url(int i, boolean modified) {
        return "https://example.com/batch/" + i + (modified ? "/v2" : "");
    }

    private static String email(int i, boolean modified) {
        return "lot-" + i + (modified ? "-v2" : "") + "@example.com";
    }

    private static String desc(int i) {
        return "bare board lot " + i;
    }

    /** The id of the DH session (OC_SESSION_SETUP answered with success) a tool's message trace shows. */
    private static String sessionId(String trace) {
        Matcher m = Pattern.compile("received HDL-(?:UDP|TCP) response: version=[\\d.]+; oc=400; rc=1; snId=(\\d+) ").matcher(trace);
        assertThat(m.find()).as("a session set up (oc=400, rc=1) in the trace:%n%s", trace).isTrue();
        assertThat(m.group(1)).isNotEqualTo("0");
        return m.group(1);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }

    private static PublicKeyAuthenticationInfo pubkey() {
        return new PublicKeyAuthenticationInfo(Util.encodeString(PREFIX_HANDLE), 300, admin.getPrivate());
    }

    private static HandleValue adminValue(int adminIndex) {
        AdminRecord ar = new AdminRecord(Util.encodeString(PREFIX_HANDLE), adminIndex, true, true, true, true, true, true, true, true, true, true, true, true);
        return new HandleValue(100, Util.encodeString("HS_ADMIN"), Encoder.encodeAdminRecord(ar), HandleValue.TTL_TYPE_RELATIVE, 86400, 0, null, true, true, true, false);
    }

    private static HandleValue[] resolve(String handle) throws HandleException {
        return CnriClients.resolver(site, PREFIX, Interface.SP_HDL_TCP).resolveHandle(handle, null, null);
    }

    private static void assertNotFound(String handle) {
        assertThatThrownBy(() -> resolve(handle)).as(handle)
                .isInstanceOfSatisfying(HandleException.class,
                        e -> assertThat(e.getCode()).isEqualTo(HandleException.HANDLE_DOES_NOT_EXIST));
    }

    /** index|type|data|ttl|permissions, sorted by index; HS_ADMIN data as adminIndex:perms:adminHandle. */
    private static List<String> describe(HandleValue[] values) throws HandleException {
        List<String> out = new ArrayList<>();
        for (HandleValue v : Arrays.stream(values).sorted(Comparator.comparingInt(HandleValue::getIndex)).toList()) {
            String data;
            if (v.getTypeAsString().equals("HS_ADMIN")) {
                AdminRecord ar = Encoder.decodeAdminRecord(v.getData(), 0);
                StringBuilder perms = new StringBuilder();
                for (boolean p : ar.perms) {
                    perms.append(p ? '1' : '0');
                }
                data = ar.adminIdIndex + ":" + perms + ":" + Util.decodeString(ar.adminId);
            } else {
                data = v.getDataAsString();
            }
            String perm = (v.getAdminCanRead() ? "1" : "0") + (v.getAdminCanWrite() ? "1" : "0")
                    + (v.getAnyoneCanRead() ? "1" : "0") + (v.getAnyoneCanWrite() ? "1" : "0");
            out.add(v.getIndex() + "|" + v.getTypeAsString() + "|" + data + "|" + v.getTTL() + "|" + perm);
        }
        return out;
    }

    private static List<String> urls(HandleValue[] values) {
        return Arrays.stream(values).filter(v -> v.getTypeAsString().equals("URL")).map(HandleValue::getDataAsString).toList();
    }

    private static HandleValue valueAt(HandleValue[] values, int index) {
        return Arrays.stream(values).filter(v -> v.getIndex() == index).findFirst()
                .orElseThrow(() -> new AssertionError("no value at index " + index + " in " + Arrays.toString(values)));
    }

    /** A CNRI tool in its own JVM with the tool configuration folder that points at the node. */
    private static ChildJvm tool(String mainClass, String... args) throws IOException {
        return launch(mainClass, List.of("-Dnet.handle.configDir=" + toolConfig), args);
    }

    private static ChildJvm launch(String mainClass, List<String> jvmOptions, String... args) throws IOException {
        ChildJvm c = ChildJvm.launch(Files.createTempDirectory(tmp, "cwd"), mainClass, jvmOptions, args);
        children.add(c);
        return c;
    }
}
