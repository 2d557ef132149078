package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.cli.IdnodeCommand;
import org.idnode.server.config.NodeConfig;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST write API of an in-process node (real RocksDB, the shipped templates, 127.0.0.1 only), driven
 * with {@link HttpClient} the way a CNRI REST client drives it: {@code PUT}/{@code DELETE /api/handles/{h}},
 * {@code GET /api/handles?prefix=}, {@code POST /api/batch}, HTTP Basic with {@code 301:0.NA/<prefix>} and
 * its secret key; and authenticated REST reads of restricted values.
 */
class RestWriteTest {
    static final String SECRET1 = "s3cr3t-ccl";
    static final String SECRET2 = "s3cr3t-fab";
    static final String SECRET3 = "s3cr3t-dist";

    @TempDir
    static Path tmp;
    static IdentifierNode node;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.1", "--enterprise", "Example CCL Co.", "--admin-secret", SECRET1,
                "--data-dir", data.toString())).isZero();
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.2", "--enterprise", "Example PCB Fab", "--admin-secret", SECRET2,
                "--data-dir", data.toString())).isZero();
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.3", "--enterprise", "Example Distributor", "--admin-secret", SECRET3,
                "--data-dir", data.toString())).isZero();
        Path templates = Path.of(System.getProperty("idnode.project.root"), "conf", "templates");
        assertThat(templates).isDirectory();
        Path yaml = tmp.resolve("node.yaml");
        Files.writeString(yaml, "templates: {dir: \"" + templates.toAbsolutePath().toString().replace("\\", "/") + "\"}\n");
        node = IdentifierNode.start(NodeConfig.load(yaml).withOverrides(data, 0, 0, 0, "127.0.0.1"));
        base = "http://127.0.0.1:" + node.httpAddress().getPort();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Authentication and authorisation
    // ---------------------------------------------------------------------------------------------

    @Test
    void anonymousWritesAreChallengedWithWwwAuthenticate() throws Exception {
        String h = "88.999.1/REST-ANON";
        Resp put = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/anon")), null);
        assertThat(put.status).isEqualTo(401);
        assertThat(put.response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWithIgnoringCase("Basic"));
        assertThat(put.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        assertThat(put.message()).isNotBlank();

        for (Resp r : List.of(send("DELETE", "/api/handles/" + h, null, null),
                send("POST", "/api/batch", batch(record(h, url(1, "https://example.com/anon"))), null),
                send("GET", "/api/handles?prefix=88.999.1", null, null))) {
            assertThat(r.status).as(r.toString()).isEqualTo(401);
            assertThat(r.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
            assertThat(r.response.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        assertThat(get(h, null).status).isEqualTo(404);
    }

    @Test
    void aWrongSecretIsRefusedWithAuthenticationFailed() throws Exception {
        String h = "88.999.1/REST-WRONG-SECRET";
        Resp put = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/x")), basic("88.999.1", "not-the-secret"));
        assertThat(put.status).isEqualTo(403);
        assertThat(put.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
        assertThat(put.response.headers().firstValue("WWW-Authenticate")).isEmpty();

        // The right secret under an identity that holds no secret key (300 is nothing here) is no better.
        Resp noKey = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/x")), basic("300:0.NA/88.999.1", SECRET1, true));
        assertThat(noKey.status).isEqualTo(403);
        assertThat(noKey.rc()).isIn(AbstractMessage.RC_AUTHENTICATION_FAILED, AbstractMessage.RC_INVALID_CREDENTIAL);

        // Not Basic, not base64, no password: refused, never treated as anonymous.
        for (String header : List.of("Digest abc", "Basic ***", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()))) {
            Resp r = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/x")), header);
            assertThat(r.status).as(header).isEqualTo(403);
            assertThat(r.rc()).as(header).isEqualTo(AbstractMessage.RC_INVALID_CREDENTIAL);
        }
        assertThat(get(h, null).status).isEqualTo(404);
    }

    @Test
    void anotherEnterpriseCannotWriteUnderThisPrefix() throws Exception {
        String h = "88.999.1/REST-FOREIGN";
        Resp put = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/foreign")), basic("88.999.2", SECRET2));
        assertThat(put.status).isEqualTo(403);
        assertThat(put.rc()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(put.message()).contains("0.NA/88.999.2");
        assertThat(get(h, null).status).isEqualTo(404);

        // Nor change, delete or list what the owner wrote.
        assertThat(send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/owned")), owner()).status).isEqualTo(200);
        Resp add = send("PUT", "/api/handles/" + h + "?index=various", values(str(2, "DESC", "hijack")), basic("88.999.2", SECRET2));
        assertThat(add.status).isEqualTo(403);
        assertThat(add.rc()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        Resp del = send("DELETE", "/api/handles/" + h, null, basic("88.999.2", SECRET2));
        assertThat(del.status).isEqualTo(403);
        assertThat(del.rc()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        Resp list = send("GET", "/api/handles?prefix=88.999.1", null, basic("88.999.2", SECRET2));
        assertThat(list.status).isEqualTo(403);
        assertThat(list.rc()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(valueMap(get(h, null))).containsExactly(Map.entry(1, "URL=https://example.com/owned"));
    }

    @Test
    void aDelegateHasExactlyTheValueRightsItsHandleGrants() throws Exception {
        String h = "88.999.1/REST-DELEGATED";
        String partner = basic("88.999.2", SECRET2);
        // The owner lets 301:0.NA/88.999.2 add, modify, remove and read values of this one handle (no admin rights).
        assertThat(send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/d"), admin(100, "0.NA/88.999.2", 301, VALUE_RIGHTS)),
                owner()).status).isEqualTo(200);
        assertThat(send("PUT", "/api/handles/" + h + "?index=various", values(str(2, "DESC", "partner was here")), partner).status)
                .isEqualTo(200);
        assertThat(send("DELETE", "/api/handles/" + h + "?index=2", null, partner).status).isEqualTo(200);
        Resp addAdmin = send("PUT", "/api/handles/" + h + "?index=various", values(admin(101, "0.NA/88.999.2", 300, "111111111111")), partner);
        assertThat(addAdmin.status).isEqualTo(403);
        assertThat(addAdmin.rc()).isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
        Resp delete = send("DELETE", "/api/handles/" + h, null, partner);
        assertThat(delete.status).isEqualTo(403);
        assertThat(delete.rc()).isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
        // The grant is for this handle only.
        Resp elsewhere = send("PUT", "/api/handles/88.999.1/REST-CREATE?index=various", values(str(9, "DESC", "x")), partner);
        assertThat(elsewhere.status).isIn(403, 404);
        assertThat(valueMap(get(h, owner()))).containsOnlyKeys(1, 100);
    }

    @Test
    void aDelegateWithoutAdminRightsCannotReplaceOrRemoveAnHsAdminValue() throws Exception {
        String partner = basic("88.999.2", SECRET2);
        for (String h : List.of("88.999.1/REST-DELEGATED-A", "88.999.1/REST-DELEGATED-B")) {
            assertThat(send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/d"), admin(100, "0.NA/88.999.2", 301, VALUE_RIGHTS),
                    admin(101, "0.NA/88.999.1", 301, "111111111111")), owner()).status).isEqualTo(200);
        }
        Resp replace = send("PUT", "/api/handles/88.999.1/REST-DELEGATED-A?index=101", values(str(101, "DESC", "admin value overwritten")), partner);
        Resp remove = send("DELETE", "/api/handles/88.999.1/REST-DELEGATED-B?index=101", null, partner);
        Map<Integer, String> a = valueMap(get("88.999.1/REST-DELEGATED-A", owner()));
        Map<Integer, String> b = valueMap(get("88.999.1/REST-DELEGATED-B", owner()));
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(replace.status).as("replace HS_ADMIN: %s", replace).isEqualTo(403);
            soft.assertThat(replace.rc()).as("replace HS_ADMIN").isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
            soft.assertThat(a).as("after replace").containsEntry(101, "HS_ADMIN=<admin>");
            soft.assertThat(remove.status).as("remove HS_ADMIN: %s", remove).isEqualTo(403);
            soft.assertThat(remove.rc()).as("remove HS_ADMIN").isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
            soft.assertThat(b).as("after remove").containsEntry(101, "HS_ADMIN=<admin>");
        });
    }

    // ---------------------------------------------------------------------------------------------
    // PUT, GET, DELETE
    // ---------------------------------------------------------------------------------------------

    @Test
    void putCreatesAndGetShowsTheValuesInCnriRestJson() throws Exception {
        String h = "88.999.1/REST-CREATE";
        JsonObject email = str(2, "EMAIL", "qa@example.com");
        email.addProperty("ttl", 3600);
        Resp put = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/lot/1"), email), owner());
        assertThat(put.status).as(put.toString()).isEqualTo(200);
        assertThat(put.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(put.json.get("handle").getAsString()).isEqualTo(h);

        Resp got = get(h, null);
        assertThat(got.status).isEqualTo(200);
        assertThat(got.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(got.json.get("handle").getAsString()).isEqualTo(h);
        JsonArray vals = got.json.getAsJsonArray("values");
        assertThat(vals).hasSize(2);
        JsonObject v1 = valueAt(got, 1);
        assertThat(v1.get("type").getAsString()).isEqualTo("URL");
        assertThat(v1.getAsJsonObject("data").get("format").getAsString()).isEqualTo("string");
        assertThat(v1.getAsJsonObject("data").get("value").getAsString()).isEqualTo("https://example.com/lot/1");
        assertThat(v1.get("ttl").getAsInt()).isEqualTo(86400);
        assertThat(v1.get("timestamp").getAsString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(valueAt(got, 2).get("ttl").getAsInt()).isEqualTo(3600);
        assertThat(valueAt(got, 2).getAsJsonObject("data").get("value").getAsString()).isEqualTo("qa@example.com");

        // overwrite=false: 201 for a new handle, 409 HANDLE_ALREADY_EXISTS for an existing one (left as it was).
        String h2 = "88.999.1/REST-CREATE-NEW";
        Resp created = send("PUT", "/api/handles/" + h2 + "?overwrite=false", values(url(1, "https://example.com/new")), owner());
        assertThat(created.status).as(created.toString()).isEqualTo(201);
        assertThat(created.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
        Resp conflict = send("PUT", "/api/handles/" + h + "?overwrite=false", values(url(1, "https://example.com/CHANGED")), owner());
        assertThat(conflict.status).isEqualTo(409);
        assertThat(conflict.rc()).isEqualTo(AbstractMessage.RC_HANDLE_ALREADY_EXISTS);
        assertThat(valueMap(get(h, null))).containsEntry(1, "URL=https://example.com/lot/1").containsKey(2);

        // The default overwrites: the record is replaced as a whole.
        Resp replaced = send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/lot/1-v2")), owner());
        assertThat(replaced.status).isEqualTo(200);
        assertThat(valueMap(get(h, null))).containsExactly(Map.entry(1, "URL=https://example.com/lot/1-v2"));

        // CNRI's other body forms: a bare array of values, and one value.
        JsonArray array = new JsonArray();
        array.add(url(1, "https://example.com/array"));
        array.add(str(2, "DESC", "from an array"));
        assertThat(send("PUT", "/api/handles/88.999.1/REST-ARRAY", array.toString(), owner()).status).isEqualTo(200);
        assertThat(valueMap(get("88.999.1/REST-ARRAY", null))).containsExactly(Map.entry(1, "URL=https://example.com/array"),
                Map.entry(2, "DESC=from an array"));
        assertThat(send("PUT", "/api/handles/88.999.1/REST-ONE", url(7, "https://example.com/one").toString(), owner()).status).isEqualTo(200);
        assertThat(valueMap(get("88.999.1/REST-ONE", null))).containsExactly(Map.entry(7, "URL=https://example.com/one"));
    }

    @Test
    void putWithIndexAddsValuesAndDeleteWithIndexRemovesThem() throws Exception {
        String h = "88.999.1/REST-VALUES";
        assertThat(send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/v")), owner()).status).isEqualTo(200);

        Resp add = send("PUT", "/api/handles/" + h + "?index=various", values(str(2, "DESC", "two"), str(3, "EMAIL", "three@example.com")), owner());
        assertThat(add.status).as(add.toString()).isEqualTo(200);
        assertThat(add.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(valueMap(get(h, null))).containsExactly(Map.entry(1, "URL=https://example.com/v"), Map.entry(2, "DESC=two"),
                Map.entry(3, "EMAIL=three@example.com"));

        // overwrite=false refuses a value at a taken index, adds one at a free index (201).
        Resp taken = send("PUT", "/api/handles/" + h + "?index=various&overwrite=false", values(str(2, "DESC", "clash")), owner());
        assertThat(taken.status).isEqualTo(409);
        assertThat(taken.rc()).isEqualTo(AbstractMessage.RC_VALUE_ALREADY_EXISTS);
        Resp free = send("PUT", "/api/handles/" + h + "?index=4&overwrite=false", values(str(4, "DESC", "four")), owner());
        assertThat(free.status).as(free.toString()).isEqualTo(201);
        // The default replaces a value at a taken index.
        assertThat(send("PUT", "/api/handles/" + h + "?index=2", values(str(2, "DESC", "two-v2")), owner()).status).isEqualTo(200);
        assertThat(valueMap(get(h, null))).containsEntry(2, "DESC=two-v2").containsEntry(4, "DESC=four").hasSize(4);

        Resp del = send("DELETE", "/api/handles/" + h + "?index=2", null, owner());
        assertThat(del.status).as(del.toString()).isEqualTo(200);
        assertThat(del.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(valueMap(get(h, null))).containsOnlyKeys(1, 3, 4);
        assertThat(send("DELETE", "/api/handles/" + h + "?index=3&index=4", null, owner()).status).isEqualTo(200);
        assertThat(valueMap(get(h, null))).containsOnlyKeys(1);

        Resp none = send("DELETE", "/api/handles/" + h + "?index=99", null, owner());
        assertThat(none.status).isEqualTo(400);
        assertThat(none.rc()).isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
        Resp missing = send("PUT", "/api/handles/88.999.1/REST-NO-SUCH?index=various", values(str(2, "DESC", "x")), owner());
        assertThat(missing.status).isEqualTo(404);
        assertThat(missing.rc()).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
        assertThat(get("88.999.1/REST-NO-SUCH", null).status).isEqualTo(404);
    }

    @Test
    void deleteDeletesTheHandle() throws Exception {
        String h = "88.999.1/REST-DELETE";
        assertThat(send("PUT", "/api/handles/" + h, values(url(1, "https://example.com/d")), owner()).status).isEqualTo(200);
        assertThat(get(h, null).status).isEqualTo(200);
        Resp del = send("DELETE", "/api/handles/" + h, null, owner());
        assertThat(del.status).isEqualTo(200);
        assertThat(del.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
        Resp gone = get(h, null);
        assertThat(gone.status).isEqualTo(404);
        assertThat(gone.rc()).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
        Resp again = send("DELETE", "/api/handles/" + h, null, owner());
        assertThat(again.status).isEqualTo(404);
        assertThat(again.rc()).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
        assertThat(listAll("88.999.1", owner())).doesNotContain(h);
    }

    @Test
    void listPagesThroughThePrefixHandles() throws Exception {
        // A prefix of its own (88.999.3) so that the pages are known exactly whatever the other tests wrote.
        for (int i = 5; i >= 1; i--) {
            assertThat(send("PUT", "/api/handles/88.999.3/LIST-" + i, values(url(1, "https://example.com/l/" + i)), lister()).status)
                    .isEqualTo(200);
        }
        List<List<String>> pages = new ArrayList<>();
        for (int page = 0; page <= 3; page++) {
            Resp r = send("GET", "/api/handles?prefix=88.999.3&pageSize=2&page=" + page, null, lister());
            assertThat(r.status).as(r.toString()).isEqualTo(200);
            assertThat(r.rc()).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(r.json.get("prefix").getAsString()).isEqualTo("88.999.3");
            assertThat(r.json.get("page").getAsInt()).isEqualTo(page);
            assertThat(r.json.get("pageSize").getAsInt()).isEqualTo(2);
            pages.add(names(r));
        }
        assertThat(pages).containsExactly(List.of("88.999.3/LIST-1", "88.999.3/LIST-2"), List.of("88.999.3/LIST-3", "88.999.3/LIST-4"),
                List.of("88.999.3/LIST-5"), List.of());

        // The same on the busy prefix 88.999.1: page 1 of size 2 is the 3rd and 4th handle of the whole listing.
        for (int i = 1; i <= 5; i++) {
            assertThat(send("PUT", "/api/handles/88.999.1/REST-LIST-" + i, values(url(1, "https://example.com/l/" + i)), owner()).status)
                    .isEqualTo(200);
        }
        List<String> all = listAll("88.999.1", owner());
        assertThat(all).contains("88.999.1/REST-LIST-1", "88.999.1/REST-LIST-5").doesNotHaveDuplicates()
                .allMatch(n -> n.startsWith("88.999.1/"));
        Resp page1 = send("GET", "/api/handles?prefix=88.999.1&pageSize=2&page=1", null, owner());
        assertThat(page1.status).isEqualTo(200);
        assertThat(names(page1)).containsExactlyElementsOf(all.subList(2, 4));
        int last = (all.size() - 1) / 2;
        assertThat(names(send("GET", "/api/handles?prefix=88.999.1&pageSize=2&page=" + last, null, owner())))
                .containsExactlyElementsOf(all.subList(2 * last, all.size()));
        assertThat(names(send("GET", "/api/handles?prefix=88.999.1&pageSize=2&page=" + (last + 1), null, owner()))).isEmpty();
        // The default page size lists from the start.
        assertThat(names(send("GET", "/api/handles?prefix=88.999.1", null, owner()))).containsExactlyElementsOf(all.subList(0, Math.min(100, all.size())));

        for (String bad : List.of("/api/handles?pageSize=2", "/api/handles?prefix=88.999.1&pageSize=0", "/api/handles?prefix=88.999.1&page=-1",
                "/api/handles?prefix=88.999.1&pageSize=x", "/api/handles?prefix=88.999.1&pageSize=5001", "/api/handles?prefix=88.999.1/X")) {
            Resp r = send("GET", bad, null, owner());
            assertThat(r.status).as(bad).isEqualTo(400);
            assertThat(r.message()).as(bad).isNotBlank();
        }
    }

    @Test
    void malformedRequestsAreRefusedWith400AndAMessage() throws Exception {
        String h = "88.999.1/REST-MALFORMED";
        Map<String, String> badBodies = new LinkedHashMap<>();
        badBodies.put("not json", "JSON");
        badBodies.put("", "request body");
        badBodies.put("\"a string\"", "request body");
        badBodies.put("{\"values\":[{\"index\":1}]}", "needs at least \"index\" and \"type\"");
        badBodies.put("{\"values\":[{\"index\":\"one\",\"type\":\"URL\",\"data\":\"x\"}]}", "\"index\" must be an integer");
        badBodies.put("{\"values\":[{\"index\":1.5,\"type\":\"URL\",\"data\":\"x\"}]}", "\"index\" must be an integer");
        badBodies.put("{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":\"x\",\"permissions\":\"12\"}]}", "value 1");
        badBodies.put("{\"values\":[{\"index\":1,\"type\":\"HEX\",\"data\":{\"format\":\"hex\",\"value\":\"XYZ\"}}]}", "not valid hex");
        badBodies.put("{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":\"a\"},{\"index\":1,\"type\":\"URL\",\"data\":\"b\"}]}",
                "two values with index 1");
        for (Map.Entry<String, String> e : badBodies.entrySet()) {
            Resp r = send("PUT", "/api/handles/" + h, e.getKey(), owner());
            assertThat(r.status).as("body %s -> %s", e.getKey(), r).isEqualTo(400);
            assertThat(r.rc()).as(e.getKey()).isNotEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(r.message()).as(e.getKey()).containsIgnoringCase(e.getValue());
        }
        Resp noSuffix = send("PUT", "/api/handles/88.999.1", values(url(1, "https://example.com/x")), owner());
        assertThat(noSuffix.status).isEqualTo(400);
        assertThat(noSuffix.rc()).isEqualTo(AbstractMessage.RC_INVALID_HANDLE);
        assertThat(noSuffix.message()).isNotBlank();
        Resp mintWithIndex = send("PUT", "/api/handles/88.999.1/LOT-?mintNewSuffix=true&index=various",
                values(url(1, "https://example.com/x")), owner());
        assertThat(mintWithIndex.status).isEqualTo(400);
        assertThat(mintWithIndex.message()).contains("mintNewSuffix");
        Resp badIndex = send("DELETE", "/api/handles/" + h + "?index=abc", null, owner());
        assertThat(badIndex.status).isEqualTo(400);
        assertThat(badIndex.message()).contains("abc");

        for (String body : List.of("not json", "[]", "{\"recs\":[]}", "{\"records\":\"x\"}")) {
            Resp r = send("POST", "/api/batch", body, owner());
            assertThat(r.status).as(body).isEqualTo(400);
            assertThat(r.message()).as(body).isNotBlank();
        }
        assertThat(get(h, null).status).isEqualTo(404);
    }

    // ---------------------------------------------------------------------------------------------
    // Batches
    // ---------------------------------------------------------------------------------------------

    @Test
    void aBatchOf2000RecordsIsAcceptedAndEveryRecordResolves() throws Exception {
        JsonObject[] records = new JsonObject[2000];
        for (int i = 0; i < records.length; i++) {
            records[i] = record("88.999.1/BATCH2000-" + i, url(1, "https://example.com/b/" + i), str(2, "SEQ", Integer.toString(i)));
        }
        long t0 = System.nanoTime();
        Resp r = send("POST", "/api/batch", batch(records), owner());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status).as(r.toString()).isEqualTo(200);
        assertThat(r.json.get("accepted").getAsInt()).isEqualTo(2000);
        assertThat(r.json.get("refused").getAsInt()).isZero();
        JsonArray results = r.json.getAsJsonArray("results");
        assertThat(results).hasSize(2000);
        for (int i = 0; i < 2000; i++) {
            JsonObject res = results.get(i).getAsJsonObject();
            assertThat(res.get("responseCode").getAsInt()).as("record %d: %s", i, res).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(res.get("handle").getAsString()).isEqualTo("88.999.1/BATCH2000-" + i);
        }
        System.out.println("RestWriteTest: batch of 2000 committed in " + ms + " ms");
        for (int i = 0; i < 2000; i++) {
            Resp got = get("88.999.1/BATCH2000-" + i, null);
            assertThat(got.status).as("88.999.1/BATCH2000-%d", i).isEqualTo(200);
            assertThat(valueMap(got)).containsExactly(Map.entry(1, "URL=https://example.com/b/" + i), Map.entry(2, "SEQ=" + i));
        }
    }

    @Test
    void aBatchOf2001RecordsIsRefusedWhole() throws Exception {
        List<String> before = listAll("88.999.1", owner());
        JsonObject[] records = new JsonObject[2001];
        for (int i = 0; i < records.length; i++) {
            records[i] = record("88.999.1/BATCH2001-" + i, url(1, "https://example.com/b2001/" + i));
        }
        Resp r = send("POST", "/api/batch", batch(records), owner());
        assertThat(r.status).isEqualTo(413);
        assertThat(r.rc()).isNotEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(r.message()).contains("2000").contains("2001");
        assertThat(listAll("88.999.1", owner())).isEqualTo(before);
        for (int i : new int[] {0, 1000, 2000}) {
            assertThat(get("88.999.1/BATCH2001-" + i, null).status).isEqualTo(404);
        }
    }

    @Test
    void badRecordsInABatchGetTheirOwnResultAndTheRestLandAndAReplayGivesTheSameState() throws Exception {
        List<JsonObject> records = new ArrayList<>();
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String h = "88.999.1/MIX-" + i;
            good.add(h);
            records.add(record(h, url(1, "https://example.com/mix/" + i), str(2, "SEQ", Integer.toString(i))));
        }
        // Position 3: an invalid handle (no '/').
        records.add(3, record("88.999.1-MIX-NO-SLASH", url(1, "https://example.com/bad")));
        // Position 6: two values at index 1.
        records.add(6, record("88.999.1/MIX-DUP", url(1, "https://example.com/a"), str(1, "DESC", "b")));
        // Position 8: another enterprise's prefix.
        records.add(8, record("88.999.2/MIX-FOREIGN", url(1, "https://example.com/foreign")));
        // Position 10: a template-bound PCB lot with a layer count that is not a number.
        records.add(10, pcbLot("88.999.1/MIX-PCB-LOT", Map.of(2005, "four")));
        // Position 12: a prefix this node does not serve.
        records.add(12, record("77.1/MIX-ELSEWHERE", url(1, "https://example.com/elsewhere")));
        // Last: a valid template-bound record.
        records.add(pcbLot("88.999.1/MIX-PCB-LOT-OK", Map.of()));
        good.add("88.999.1/MIX-PCB-LOT-OK");
        String body = batch(records.toArray(new JsonObject[0]));

        Resp first = send("POST", "/api/batch", body, owner());
        assertThat(first.status).as(first.toString()).isEqualTo(200);
        JsonArray results = first.json.getAsJsonArray("results");
        assertThat(results).hasSize(records.size());
        assertThat(first.json.get("accepted").getAsInt()).isEqualTo(good.size());
        assertThat(first.json.get("refused").getAsInt()).isEqualTo(5);

        JsonObject noSlash = results.get(3).getAsJsonObject();
        assertThat(noSlash.get("responseCode").getAsInt()).isIn(AbstractMessage.RC_INVALID_HANDLE, AbstractMessage.RC_INVALID_VALUE);
        assertThat(noSlash.get("message").getAsString()).contains("no '/'");
        JsonObject dup = results.get(6).getAsJsonObject();
        assertThat(dup.get("responseCode").getAsInt()).isEqualTo(AbstractMessage.RC_INVALID_VALUE);
        assertThat(dup.get("message").getAsString()).contains("two values with index 1");
        assertThat(dup.get("handle").getAsString()).isEqualTo("88.999.1/MIX-DUP");
        JsonObject foreign = results.get(8).getAsJsonObject();
        assertThat(foreign.get("responseCode").getAsInt()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(foreign.get("handle").getAsString()).isEqualTo("88.999.2/MIX-FOREIGN");
        assertThat(foreign.get("message").getAsString()).contains("0.NA/88.999.2");
        JsonObject template = results.get(10).getAsJsonObject();
        assertThat(template.get("responseCode").getAsInt()).isEqualTo(AbstractMessage.RC_INVALID_VALUE);
        assertThat(template.get("message").getAsString()).contains("2005 LAYER_COUNT: \"four\" is not a number");
        JsonObject elsewhere = results.get(12).getAsJsonObject();
        assertThat(elsewhere.get("responseCode").getAsInt()).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
        for (int i = 0; i < results.size(); i++) {
            if (!List.of(3, 6, 8, 10, 12).contains(i)) {
                JsonObject res = results.get(i).getAsJsonObject();
                assertThat(res.get("responseCode").getAsInt()).as("position %d: %s", i, res).isEqualTo(AbstractMessage.RC_SUCCESS);
                assertThat(res.has("message")).isFalse();
            }
        }

        Map<String, Map<Integer, String>> state = new TreeMap<>();
        for (String h : good) {
            Resp got = get(h, owner());
            assertThat(got.status).as(h).isEqualTo(200);
            state.put(h, valueMap(got));
        }
        assertThat(state.get("88.999.1/MIX-4")).containsExactly(Map.entry(1, "URL=https://example.com/mix/4"), Map.entry(2, "SEQ=4"));
        assertThat(state.get("88.999.1/MIX-PCB-LOT-OK")).containsEntry(2005, "LAYER_COUNT=4").containsEntry(2021, "PROCESS_YIELD=96.4");
        for (String h : List.of("88.999.1/MIX-DUP", "88.999.2/MIX-FOREIGN", "88.999.1/MIX-PCB-LOT")) {
            assertThat(get(h, null).status).as(h).isEqualTo(404);
        }
        List<String> listed = listAll("88.999.1", owner());

        // A client that did not see the answer sends the batch again: same results, same records.
        Thread.sleep(1100); // so a changed timestamp would show
        Resp replay = send("POST", "/api/batch", body, owner());
        assertThat(replay.status).isEqualTo(200);
        assertThat(replay.json.get("accepted").getAsInt()).isEqualTo(good.size());
        JsonArray again = replay.json.getAsJsonArray("results");
        for (int i = 0; i < results.size(); i++) {
            assertThat(again.get(i).getAsJsonObject().get("responseCode").getAsInt()).as("position %d", i)
                    .isEqualTo(results.get(i).getAsJsonObject().get("responseCode").getAsInt());
        }
        for (String h : good) {
            assertThat(valueMap(get(h, owner()))).as(h).isEqualTo(state.get(h));
        }
        for (String h : List.of("88.999.1/MIX-DUP", "88.999.2/MIX-FOREIGN", "88.999.1/MIX-PCB-LOT")) {
            assertThat(get(h, null).status).as(h).isEqualTo(404);
        }
        assertThat(listAll("88.999.1", owner())).isEqualTo(listed);
    }

    @Test
    void aBatchRecordWithAnInvalidHandleIsAnsweredInvalidHandleLikePut() throws Exception {
        // PUT /api/handles/88.999.1 (no suffix) answers RC_INVALID_HANDLE; the same handle in a batch should too.
        Resp r = send("POST", "/api/batch", batch(record("88.999.1-NO-SLASH", url(1, "https://example.com/bad"))), owner());
        assertThat(r.status).isEqualTo(200);
        JsonObject result = r.json.getAsJsonArray("results").get(0).getAsJsonObject();
        assertThat(result.get("handle").getAsString()).isEqualTo("88.999.1-NO-SLASH");
        assertThat(result.get("responseCode").getAsInt()).as(result.toString()).isEqualTo(AbstractMessage.RC_INVALID_HANDLE);
    }

    // ---------------------------------------------------------------------------------------------
    // Templates
    // ---------------------------------------------------------------------------------------------

    @Test
    void templateViolationsGetAMessagePerField() throws Exception {
        String h = "88.999.1/PCB.87.01.01.A2.250601.REST01";
        Resp ok = send("PUT", "/api/handles/" + h + "?overwrite=false", pcbLot(h, Map.of()).toString(), owner());
        assertThat(ok.status).as(ok.toString()).isEqualTo(201);
        Map<Integer, String> stored = valueMap(get(h, owner()));
        assertThat(stored).containsEntry(1000, "TEMPLATE_ID=88.999/TPL.PCB_LOT").containsEntry(2005, "LAYER_COUNT=4");

        // Three offending fields: a number that is not one, an impossible date, a required item missing.
        Map<Integer, String> broken = new LinkedHashMap<>();
        broken.put(2005, "four");
        broken.put(2017, "2025-02-30");
        broken.put(2014, null);
        Resp bad = send("PUT", "/api/handles/" + h, pcbLot(h, broken).toString(), owner());
        assertThat(bad.status).as(bad.toString()).isEqualTo(400);
        assertThat(bad.rc()).isEqualTo(AbstractMessage.RC_INVALID_VALUE);
        assertThat(bad.message()).contains("2005 LAYER_COUNT: \"four\" is not a number")
                .contains("2014 WORK_ORDER: required by template 88.999/TPL.PCB_LOT version 1.0 but missing")
                .contains("2017 SHIP_DATE: \"2025-02-30\"");
        assertThat(valueMap(get(h, owner()))).as("the refused write changed nothing").isEqualTo(stored);

        // Adding a value that breaks the template to a bound record is refused too.
        Resp addBad = send("PUT", "/api/handles/" + h + "?index=various", values(str(2005, "LAYER_COUNT", "four")), owner());
        assertThat(addBad.status).isEqualTo(400);
        assertThat(addBad.message()).contains("2005 LAYER_COUNT: \"four\" is not a number");
        Resp wrongType = send("PUT", "/api/handles/" + h + "?index=various", values(str(2005, "LAYERS", "4")), owner());
        assertThat(wrongType.status).isEqualTo(400);
        assertThat(wrongType.message()).contains("2005 LAYERS: index 2005 holds LAYER_COUNT");
        assertThat(valueMap(get(h, owner()))).isEqualTo(stored);

        // An unknown template version, on a new handle: nothing is created.
        JsonObject unknown = pcbLot("88.999.1/PCB.87.01.01.A2.250601.REST02", Map.of(1001, "9.9"));
        Resp unknownResp = send("PUT", "/api/handles/88.999.1/PCB.87.01.01.A2.250601.REST02", unknown.toString(), owner());
        assertThat(unknownResp.status).isEqualTo(400);
        assertThat(unknownResp.message()).contains("1000 TEMPLATE_ID: unknown template 88.999/TPL.PCB_LOT version 9.9");
        assertThat(get("88.999.1/PCB.87.01.01.A2.250601.REST02", null).status).isEqualTo(404);
    }

    // ---------------------------------------------------------------------------------------------
    // Restricted values over REST
    // ---------------------------------------------------------------------------------------------

    @Test
    void restrictedValuesAreHiddenFromAnonymousAndForeignReadersAndShownToTheOwner() throws Exception {
        String h = "88.999.1/PCB.87.01.01.A2.250601.SECRET";
        JsonObject lot = pcbLot(h, Map.of());
        // The CCL maker lets its customer 88.999.3 read this lot's restricted values (READ_VALUE only).
        lot.getAsJsonArray("values").add(admin(100, "0.NA/88.999.3", 301, READ_ONLY));
        assertThat(send("PUT", "/api/handles/" + h, lot.toString(), owner()).status).isEqualTo(200);

        Resp anonymous = get(h, null);
        assertThat(anonymous.status).isEqualTo(200);
        assertThat(valueMap(anonymous)).containsEntry(2005, "LAYER_COUNT=4").doesNotContainKeys(2021, 2022);
        assertThat(anonymous.body()).doesNotContain("96.4").doesNotContain("12.80");
        // Asking for them by index or with publicOnly=false does not help an anonymous reader.
        assertThat(send("GET", "/api/handles/" + h + "?index=2021", null, null).body()).doesNotContain("96.4");
        assertThat(send("GET", "/api/handles/" + h + "?publicOnly=false", null, null).body()).doesNotContain("96.4");

        Resp ownerRead = get(h, owner());
        assertThat(ownerRead.status).isEqualTo(200);
        assertThat(valueMap(ownerRead)).containsEntry(2021, "PROCESS_YIELD=96.4").containsEntry(2022, "UNIT_COST=12.80")
                .containsEntry(2005, "LAYER_COUNT=4");
        assertThat(valueAt(ownerRead, 2021).get("permissions").getAsString()).isEqualTo("1100");

        Resp foreign = get(h, basic("88.999.2", SECRET2));
        assertThat(foreign.status).isEqualTo(200);
        assertThat(valueMap(foreign)).containsEntry(2005, "LAYER_COUNT=4").doesNotContainKeys(2021, 2022);
        assertThat(foreign.body()).doesNotContain("96.4");

        Resp granted = get(h, lister());
        assertThat(granted.status).isEqualTo(200);
        assertThat(valueMap(granted)).containsEntry(2021, "PROCESS_YIELD=96.4").containsEntry(2022, "UNIT_COST=12.80");
        // READ_VALUE is all it got.
        Resp grantedWrite = send("PUT", "/api/handles/" + h + "?index=various", values(str(3, "DESC", "x")), lister());
        assertThat(grantedWrite.status).isEqualTo(403);

        Resp wrong = get(h, basic("88.999.1", "wrong"));
        assertThat(wrong.status).isEqualTo(403);
        assertThat(wrong.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
        assertThat(wrong.body()).doesNotContain("96.4");

        // The enterprise's secret key itself is a restricted value of its prefix handle.
        Resp prefix = get("0.NA/88.999.1", null);
        assertThat(prefix.status).isEqualTo(200);
        assertThat(prefix.body()).doesNotContain(SECRET1);
        assertThat(get("0.NA/88.999.1", basic("88.999.2", SECRET2)).body()).doesNotContain(SECRET1);
    }

    // ---------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------

    @Test
    void mintNewSuffixCreatesANewHandleUnderTheGivenName() throws Exception {
        Resp first = send("PUT", "/api/handles/88.999.1/LOT-?mintNewSuffix=true", values(url(1, "https://example.com/minted")), owner());
        Resp second = send("PUT", "/api/handles/88.999.1/?mintNewSuffix=true", values(url(1, "https://example.com/minted")), owner());
        assertThat(first.status).as("%s", first).isEqualTo(201);
        assertThat(second.status).as("%s", second).isEqualTo(201);
        String minted = first.json.get("handle").getAsString();
        assertThat(minted).startsWith("88.999.1/LOT-").hasSizeGreaterThan("88.999.1/LOT-".length() + 30);
        assertThat(second.json.get("handle").getAsString()).startsWith("88.999.1/").isNotEqualTo(minted);
        Resp read = send("GET", "/api/handles/" + minted, null, null);
        assertThat(read.status).isEqualTo(200);
        assertThat(read.response.body()).contains("https://example.com/minted");
        Resp foreign = send("PUT", "/api/handles/88.999.2/?mintNewSuffix=true", values(url(1, "https://example.com/x")), owner());
        assertThat(foreign.status).isIn(400, 403);
    }

    record Resp(int status, JsonObject json, HttpResponse<String> response) {
        int rc() {
            return json.get("responseCode").getAsInt();
        }

        String message() {
            JsonElement m = json.get("message");
            return m == null || m.isJsonNull() ? "" : m.getAsString();
        }

        String body() {
            return response.body();
        }

        @Override
        public String toString() {
            return status + " " + response.body();
        }
    }

    static Resp send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonElement parsed = JsonParser.parseString(resp.body());
        assertThat(parsed.isJsonObject()).as("a JSON object answer to %s %s: %s", method, path, resp.body()).isTrue();
        return new Resp(resp.statusCode(), parsed.getAsJsonObject(), resp);
    }

    static Resp get(String handle, String authorization) throws Exception {
        return send("GET", "/api/handles/" + handle, null, authorization);
    }

    /** HTTP Basic for the secret-key admin {@code 301:0.NA/<prefix>}. */
    static String basic(String prefix, String secret) {
        return basic("301:0.NA/" + prefix, secret, true);
    }

    static String basic(String identity, String secret, boolean encodeUser) {
        String user = encodeUser ? URLEncoder.encode(identity, StandardCharsets.UTF_8) : identity;
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String owner() {
        return basic("88.999.1", SECRET1);
    }

    static String lister() {
        return basic("88.999.3", SECRET3);
    }

    static JsonObject str(int index, String type, String value) {
        JsonObject data = new JsonObject();
        data.addProperty("format", "string");
        data.addProperty("value", value);
        JsonObject v = new JsonObject();
        v.addProperty("index", index);
        v.addProperty("type", type);
        v.add("data", data);
        return v;
    }

    /**
     * Permissions as CNRI's REST JSON writes them: {@link net.handle.hdllib.AdminRecord#perms} from the last index
     * to the first, i.e. LIST_HANDLES, READ_VALUE, ADD_ADMIN, REMOVE_ADMIN, MODIFY_ADMIN, ADD_VALUE, REMOVE_VALUE,
     * MODIFY_VALUE, DELETE_DERIVED_PREFIX, ADD_DERIVED_PREFIX, DELETE_HANDLE, ADD_HANDLE.
     * This one: read, add, remove and modify values; no admin rights.
     */
    static final String VALUE_RIGHTS = "010001110000";
    /** READ_VALUE only. */
    static final String READ_ONLY = "010000000000";

    static JsonObject admin(int index, String adminHandle, int adminIndex, String permissions) {
        JsonObject value = new JsonObject();
        value.addProperty("handle", adminHandle);
        value.addProperty("index", adminIndex);
        value.addProperty("permissions", permissions);
        JsonObject data = new JsonObject();
        data.addProperty("format", "admin");
        data.add("value", value);
        JsonObject v = new JsonObject();
        v.addProperty("index", index);
        v.addProperty("type", "HS_ADMIN");
        v.add("data", data);
        return v;
    }

    static JsonObject url(int index, String url) {
        return str(index, "URL", url);
    }

    static String values(JsonObject... values) {
        JsonArray a = new JsonArray();
        for (JsonObject v : values) {
            a.add(v);
        }
        JsonObject o = new JsonObject();
        o.add("values", a);
        return o.toString();
    }

    static JsonObject record(String handle, JsonObject... values) {
        JsonObject r = JsonParser.parseString(values(values)).getAsJsonObject();
        r.addProperty("handle", handle);
        return r;
    }

    static String batch(JsonObject... records) {
        JsonArray a = new JsonArray();
        for (JsonObject r : records) {
            a.add(r);
        }
        JsonObject o = new JsonObject();
        o.add("records", a);
        return o.toString();
    }

    /**
     * A bare-PCB lot bound to {@code 88.999/TPL.PCB_LOT} 1.0, modelled on the sample data's
     * {@code 88.999.2/PCB.87.01.01.A2.250601.000123}; {@code changes} replaces data by index (null removes the value).
     */
    static JsonObject pcbLot(String handle, Map<Integer, String> changes) {
        Object[][] items = {
                {1, "URL", "https://example.com/pcb/lot/A2-000123", "1110"},
                {2, "DESC", "电路板生产批次 PCB lot CUST-CTRL-A2, 4-layer ENIG", "1110"},
                {1000, "TEMPLATE_ID", "88.999/TPL.PCB_LOT", "1110"},
                {1001, "TEMPLATE", "1.0", "1110"},
                {2000, "CUSTOMER_PN", "CUST-CTRL-A2", "1110"},
                {2001, "INTERNAL_PN", "FAB-A2-R03", "1110"},
                {2003, "MANUFACTURER", "Example PCB Fab Co.", "1110"},
                {2005, "LAYER_COUNT", "4", "1110"},
                {2006, "BOARD_THICKNESS_MM", "1.6", "1110"},
                {2008, "SURFACE_FINISH", "ENIG", "1110"},
                {2014, "WORK_ORDER", "WO-F250601-123", "1110"},
                {2016, "QUANTITY", "1250", "1110"},
                {2017, "SHIP_DATE", "2025-06-06", "1110"},
                {2019, "REF.CCL_LOT", "88.999.1/CCL.28.01.01.FR4S1141.250601.000123", "1110"},
                {2021, "PROCESS_YIELD", "96.4", "1100"},
                {2022, "UNIT_COST", "12.80", "1100"}};
        JsonArray values = new JsonArray();
        for (Object[] item : items) {
            int index = (Integer) item[0];
            String data = changes.containsKey(index) ? changes.get(index) : (String) item[2];
            if (data == null) {
                continue;
            }
            JsonObject v = str(index, (String) item[1], data);
            v.addProperty("ttl", 86400);
            v.addProperty("permissions", (String) item[3]);
            values.add(v);
        }
        JsonObject r = new JsonObject();
        r.addProperty("handle", handle);
        r.add("values", values);
        return r;
    }

    static JsonObject valueAt(Resp got, int index) {
        for (JsonElement e : got.json.getAsJsonArray("values")) {
            if (e.getAsJsonObject().get("index").getAsInt() == index) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no value at index " + index + " in " + got);
    }

    /** index → "TYPE=data" (string data), or "TYPE=<format>" for other formats; timestamps left out. */
    static Map<Integer, String> valueMap(Resp got) {
        assertThat(got.status).as(got.toString()).isEqualTo(200);
        Map<Integer, String> out = new TreeMap<>();
        for (JsonElement e : got.json.getAsJsonArray("values")) {
            JsonObject v = e.getAsJsonObject();
            JsonObject data = v.getAsJsonObject("data");
            String format = data.get("format").getAsString();
            String text = format.equals("string") ? data.get("value").getAsString() : "<" + format + ">";
            out.put(v.get("index").getAsInt(), v.get("type").getAsString() + "=" + text);
        }
        return out;
    }

    static List<String> names(Resp list) {
        List<String> out = new ArrayList<>();
        list.json.getAsJsonArray("handles").forEach(e -> out.add(e.getAsString()));
        return out;
    }

    static List<String> listAll(String prefix, String authorization) throws Exception {
        Resp r = send("GET", "/api/handles?prefix=" + prefix + "&pageSize=5000", null, authorization);
        assertThat(r.status).as(r.toString()).isEqualTo(200);
        return names(r);
    }
}
