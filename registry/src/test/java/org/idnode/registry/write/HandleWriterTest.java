package org.idnode.registry.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.HandleValue.TtlType;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation.AddValues;
import org.idnode.registry.write.HandleOperation.Create;
import org.idnode.registry.write.HandleOperation.Delete;
import org.idnode.registry.write.HandleOperation.ModifyValues;
import org.idnode.registry.write.HandleOperation.RemoveValues;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HandleWriter} over a {@link CachingHandleRecordStore} in front of a real RocksDB store.
 */
class HandleWriterTest {
    private static final long BLOCK_CACHE = 8L << 20;
    private static final String ADMIN = "300:0.NA/88.999.1";
    /** Timestamp given to values by the tests; the writer replaces it with the commit time on written values. */
    private static final int OLD_TS = 1_600_000_000;

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore rocks;
    private CachingHandleRecordStore store;
    private HandleWriter writer;

    @BeforeEach
    void open() {
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
        store = new CachingHandleRecordStore(rocks, 1000);
        writer = new HandleWriter(store, RecordValidator.NONE);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close(); // closes rocks too
        }
    }

    private void reopen() {
        store.close();
        store = null;
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
        store = new CachingHandleRecordStore(rocks, 1000);
        writer = new HandleWriter(store, RecordValidator.NONE);
    }

    private static HandleName h(String handle) {
        return HandleName.parse(handle);
    }

    private static HandleValue url(int index, String data) {
        return HandleValue.ofString(index, "URL", data, OLD_TS);
    }

    private static String data(HandleValue v) {
        return new String(v.data(), StandardCharsets.UTF_8);
    }

    private static int nowSeconds() {
        return (int) (System.currentTimeMillis() / 1000);
    }

    /** Seeds a record through the import path (values keep their given timestamps). */
    private HandleRecord seed(String handle, HandleValue... values) {
        HandleRecord r = new HandleRecord(h(handle), List.of(values));
        store.putAll(List.of(r));
        return r;
    }

    private HandleRecord stored(String handle) {
        return store.get(h(handle)).orElseThrow(() -> new AssertionError(handle + " is not stored"));
    }

    private WriteOutcome apply(HandleOperation op) {
        WriteOutcome outcome = writer.apply(op, ADMIN);
        assertThat(outcome.handle()).isEqualTo(op.handle());
        return outcome;
    }

    private static void assertOk(WriteOutcome outcome) {
        assertThat(outcome.status()).as(outcome.message()).isEqualTo(WriteStatus.OK);
        assertThat(outcome.isOk()).isTrue();
        assertThat(outcome.message()).isEmpty();
    }

    private static void assertRefused(WriteOutcome outcome, WriteStatus status, String messagePart) {
        assertThat(outcome.status()).isEqualTo(status);
        assertThat(outcome.isOk()).isFalse();
        assertThat(outcome.message()).contains(messagePart);
    }

    // ---------------------------------------------------------------- create

    @Test
    void createStoresANewHandleWithTheCommitTimeAsTimestamp() {
        HandleValue restricted = new HandleValue(7, "EMAIL", "ops@example.com".getBytes(StandardCharsets.UTF_8),
                TtlType.ABSOLUTE, 2_000_000_000, OLD_TS, List.of(new ValueReference("0.NA/88.999.1", 300)),
                Permissions.RESTRICTED);
        int before = nowSeconds();
        WriteOutcome outcome = apply(new Create(h("88.999.1/New"), List.of(url(1, "https://a"), restricted), false));
        int after = nowSeconds();

        assertOk(outcome);
        HandleRecord r = rocks.get(h("88.999.1/new")).orElseThrow();
        assertThat(r.handle().toString()).isEqualTo("88.999.1/New");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(1, 7);
        assertThat(r.values()).allSatisfy(v -> assertThat(v.timestamp()).isBetween(before, after));
        assertThat(r.values()).extracting(HandleValue::timestamp).containsOnly(r.values().get(0).timestamp());
        // every field but the timestamp is kept as given
        HandleValue e = r.values().get(1);
        assertThat(e.type()).isEqualTo("EMAIL");
        assertThat(data(e)).isEqualTo("ops@example.com");
        assertThat(e.ttlType()).isEqualTo(TtlType.ABSOLUTE);
        assertThat(e.ttl()).isEqualTo(2_000_000_000);
        assertThat(e.references()).containsExactly(new ValueReference("0.NA/88.999.1", 300));
        assertThat(e.permissions()).isEqualTo(Permissions.RESTRICTED);
    }

    @Test
    void createOfAnExistingHandleWithoutOverwriteIsRefusedAndChangesNothing() {
        HandleRecord existing = seed("88.999.1/x", url(1, "https://old"));

        WriteOutcome outcome = apply(new Create(h("88.999.1/X"), List.of(url(2, "https://new")), false));

        assertRefused(outcome, WriteStatus.HANDLE_ALREADY_EXISTS, "88.999.1/X");
        assertThat(rocks.get(h("88.999.1/x"))).contains(existing);
    }

    @Test
    void createWithOverwriteReplacesTheWholeRecord() {
        seed("88.999.1/x", url(1, "https://old"), url(2, "https://old2"));

        assertOk(apply(new Create(h("88.999.1/x"), List.of(url(3, "https://new")), true)));

        HandleRecord r = stored("88.999.1/x");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(3);
        assertThat(data(r.values().get(0))).isEqualTo("https://new");
    }

    @Test
    void createWithOverwriteOfAMissingHandleCreatesIt() {
        assertOk(apply(new Create(h("88.999.1/fresh"), List.of(url(1, "https://a")), true)));
        assertThat(stored("88.999.1/fresh").values()).hasSize(1);
    }

    @Test
    void createWithDuplicateIndexesIsInvalidWithAMessageAndStoresNothing() {
        WriteOutcome outcome = apply(new Create(h("88.999.1/dup"),
                List.of(url(1, "https://a"), url(2, "https://b"), HandleValue.ofString(1, "EMAIL", "c@d", OLD_TS)), false));

        assertRefused(outcome, WriteStatus.INVALID, "index 1");
        assertThat(rocks.get(h("88.999.1/dup"))).isEmpty();
        assertThat(store.get(h("88.999.1/dup"))).isEmpty();
        assertThat(rocks.auditTrail(h("88.999.1/dup"), 10)).isEmpty();
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRemovesAnExistingHandle() {
        seed("88.999.1/gone", url(1, "https://a"));
        seed("88.999.1/stays", url(1, "https://b"));

        assertOk(apply(new Delete(h("88.999.1/GONE"))));

        assertThat(store.get(h("88.999.1/gone"))).isEmpty();
        assertThat(rocks.get(h("88.999.1/gone"))).isEmpty();
        assertThat(store.get(h("88.999.1/stays"))).isPresent();
    }

    @Test
    void deleteOfAMissingHandleIsHandleNotFound() {
        assertRefused(apply(new Delete(h("88.999.1/never"))), WriteStatus.HANDLE_NOT_FOUND, "88.999.1/never");
        assertThat(rocks.auditTrail(h("88.999.1/never"), 10)).isEmpty();
    }

    // ---------------------------------------------------------------- add values

    @Test
    void addValuesAtNewIndexesKeepsTheOtherValuesAndTheirTimestamps() {
        seed("88.999.1/a", url(1, "https://one"), url(2, "https://two"));

        int before = nowSeconds();
        assertOk(apply(new AddValues(h("88.999.1/a"), List.of(url(3, "https://three"), url(10, "https://ten")), false)));
        int after = nowSeconds();

        HandleRecord r = stored("88.999.1/a");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(1, 2, 3, 10);
        assertThat(r.values().subList(0, 2)).containsExactly(url(1, "https://one"), url(2, "https://two"));
        assertThat(r.values().subList(2, 4)).allSatisfy(v -> assertThat(v.timestamp()).isBetween(before, after));
        assertThat(r.values().subList(2, 4)).extracting(HandleWriterTest::data).containsExactly("https://three", "https://ten");
    }

    @Test
    void addValuesAtAnIndexInUseIsRefusedWithoutOverwriteAndAddsNothing() {
        HandleRecord existing = seed("88.999.1/a", url(1, "https://one"), url(2, "https://two"));

        // the first value is new, the second collides: the operation is refused as a whole
        WriteOutcome outcome = apply(new AddValues(h("88.999.1/a"), List.of(url(5, "https://five"), url(2, "https://dup")), false));

        assertRefused(outcome, WriteStatus.VALUE_ALREADY_EXISTS, "index 2");
        assertThat(stored("88.999.1/a")).isEqualTo(existing);
        assertThat(rocks.get(h("88.999.1/a"))).contains(existing);
    }

    @Test
    void addValuesWithOverwriteReplacesTheValueInPlace() {
        seed("88.999.1/a", url(1, "https://one"), url(2, "https://two"), url(3, "https://three"));

        int before = nowSeconds();
        assertOk(apply(new AddValues(h("88.999.1/a"),
                List.of(HandleValue.ofString(2, "EMAIL", "new@example.com", OLD_TS), url(4, "https://four")), true)));

        HandleRecord r = stored("88.999.1/a");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(1, 2, 3, 4);
        assertThat(r.values().get(1).type()).isEqualTo("EMAIL");
        assertThat(data(r.values().get(1))).isEqualTo("new@example.com");
        assertThat(r.values().get(1).timestamp()).isGreaterThanOrEqualTo(before);
        assertThat(r.values().get(0)).isEqualTo(url(1, "https://one"));
        assertThat(r.values().get(2)).isEqualTo(url(3, "https://three"));
    }

    @Test
    void valueOperationsOnAMissingHandleAreHandleNotFound() {
        HandleName missing = h("88.999.1/missing");
        List<HandleOperation> ops = List.of(
                new AddValues(missing, List.of(url(1, "https://a")), false),
                new AddValues(missing, List.of(url(1, "https://a")), true),
                new ModifyValues(missing, List.of(url(1, "https://a"))),
                new RemoveValues(missing, List.of(1)));
        for (HandleOperation op : ops) {
            assertRefused(apply(op), WriteStatus.HANDLE_NOT_FOUND, "88.999.1/missing");
        }
        assertThat(store.get(missing)).isEmpty();
        assertThat(rocks.get(missing)).isEmpty();
        assertThat(rocks.auditTrail(missing, 10)).isEmpty();
    }

    // ---------------------------------------------------------------- modify values

    @Test
    void modifyValuesReplacesTheIndexAndLeavesTheOtherValuesUntouched() {
        HandleValue three = new HandleValue(3, "DESC", "keep".getBytes(StandardCharsets.UTF_8), TtlType.RELATIVE, 60,
                OLD_TS - 5, List.of(), Permissions.RESTRICTED);
        seed("88.999.1/m", url(1, "https://one"), url(2, "https://two"), three);

        int before = nowSeconds();
        assertOk(apply(new ModifyValues(h("88.999.1/m"), List.of(HandleValue.ofString(2, "URL", "https://TWO", OLD_TS)))));
        int after = nowSeconds();

        HandleRecord r = stored("88.999.1/m");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(1, 2, 3);
        assertThat(r.values().get(0)).isEqualTo(url(1, "https://one"));
        assertThat(r.values().get(2)).isEqualTo(three);
        assertThat(data(r.values().get(1))).isEqualTo("https://TWO");
        assertThat(r.values().get(1).timestamp()).isBetween(before, after);
    }

    @Test
    void modifyValuesOfAMissingIndexIsValueNotFoundAndChangesNothing() {
        HandleRecord existing = seed("88.999.1/m", url(1, "https://one"), url(2, "https://two"));

        // index 2 exists, 9 does not: nothing of the operation is applied
        WriteOutcome outcome = apply(new ModifyValues(h("88.999.1/m"), List.of(url(2, "https://changed"), url(9, "https://nine"))));

        assertRefused(outcome, WriteStatus.VALUE_NOT_FOUND, "9");
        assertThat(stored("88.999.1/m")).isEqualTo(existing);
        assertThat(rocks.get(h("88.999.1/m"))).contains(existing);
    }

    // ---------------------------------------------------------------- remove values

    @Test
    void removeValuesRemovesTheExistingIndexesAndIgnoresTheOthers() {
        seed("88.999.1/r", url(1, "https://one"), url(2, "https://two"), url(3, "https://three"));

        assertOk(apply(new RemoveValues(h("88.999.1/r"), List.of(1, 3, 99))));

        assertThat(stored("88.999.1/r").values()).containsExactly(url(2, "https://two"));
    }

    @Test
    void removeValuesWhenNoneExistsIsValueNotFound() {
        HandleRecord existing = seed("88.999.1/r", url(1, "https://one"));

        WriteOutcome outcome = apply(new RemoveValues(h("88.999.1/r"), List.of(5, 6)));

        assertRefused(outcome, WriteStatus.VALUE_NOT_FOUND, "88.999.1/r");
        assertThat(stored("88.999.1/r")).isEqualTo(existing);
    }

    // ---------------------------------------------------------------- validator

    @Test
    void recordsTheValidatorRefusesAreInvalidWithItsMessagesJoinedAndNotStored() {
        List<HandleRecord> seen = new ArrayList<>();
        RecordValidator noBad = record -> {
            seen.add(record);
            boolean bad = record.values().stream().anyMatch(v -> v.type().equals("BAD"));
            return bad ? List.of("type BAD is not allowed", "value 2 breaks the template") : List.of();
        };
        writer = new HandleWriter(store, noBad);
        HandleRecord existing = seed("88.999.1/v", url(1, "https://one"));

        WriteOutcome created = writer.apply(new Create(h("88.999.1/new"), List.of(HandleValue.ofString(1, "BAD", "x", OLD_TS)), false), ADMIN);
        assertThat(created.status()).isEqualTo(WriteStatus.INVALID);
        assertThat(created.message()).isEqualTo("type BAD is not allowed; value 2 breaks the template");
        assertThat(store.get(h("88.999.1/new"))).isEmpty();
        assertThat(rocks.get(h("88.999.1/new"))).isEmpty();

        WriteOutcome added = writer.apply(new AddValues(h("88.999.1/v"), List.of(HandleValue.ofString(2, "BAD", "x", OLD_TS)), false), ADMIN);
        assertThat(added.status()).isEqualTo(WriteStatus.INVALID);
        assertThat(added.message()).isEqualTo("type BAD is not allowed; value 2 breaks the template");
        assertThat(stored("88.999.1/v")).isEqualTo(existing);
        // the validator saw the whole record as it would have been, old value included
        assertThat(seen.get(seen.size() - 1).values()).extracting(HandleValue::index).containsExactly(1, 2);

        // nothing refused was audited: only the import of the seed
        assertThat(rocks.auditTrail(h("88.999.1/new"), 10)).isEmpty();
        assertThat(rocks.auditTrail(h("88.999.1/v"), 10)).extracting(AuditEntry::operation).containsExactly("import");

        // a record the validator accepts is stored
        assertOk(writer.apply(new AddValues(h("88.999.1/v"), List.of(url(2, "https://fine")), false), ADMIN));
        assertThat(stored("88.999.1/v").values()).hasSize(2);
    }

    @Test
    void deleteHasNoRecordToValidate() {
        writer = new HandleWriter(store, record -> List.of("refuses everything"));
        seed("88.999.1/d", url(1, "https://one"));

        assertOk(writer.apply(new Delete(h("88.999.1/d")), ADMIN));
        assertThat(store.get(h("88.999.1/d"))).isEmpty();
    }

    // ---------------------------------------------------------------- applyAll

    @Test
    void applyAllStoresTheAcceptedOperationsAndReportsOutcomesInOrder() {
        seed("88.999.1/b", url(1, "https://b1"));
        seed("88.999.1/d", url(1, "https://d1"));

        List<HandleOperation> ops = List.of(
                new Create(h("88.999.1/a"), List.of(url(1, "https://a1")), false),          // OK
                new Create(h("88.999.1/b"), List.of(url(1, "https://other")), false),       // exists
                new AddValues(h("88.999.1/c"), List.of(url(1, "https://c1")), false),       // no such handle
                new ModifyValues(h("88.999.1/b"), List.of(url(1, "https://b1-changed"))),   // OK
                new RemoveValues(h("88.999.1/d"), List.of(7)),                               // no such value
                new Create(h("88.999.1/e"), List.of(url(1, "x"), url(1, "y")), false),      // duplicate index
                new Delete(h("88.999.1/d")));                                                // OK
        List<WriteOutcome> outcomes = writer.applyAll(ops, ADMIN);

        assertThat(outcomes).extracting(WriteOutcome::status).containsExactly(
                WriteStatus.OK, WriteStatus.HANDLE_ALREADY_EXISTS, WriteStatus.HANDLE_NOT_FOUND, WriteStatus.OK,
                WriteStatus.VALUE_NOT_FOUND, WriteStatus.INVALID, WriteStatus.OK);
        assertThat(outcomes).extracting(WriteOutcome::handle).containsExactlyElementsOf(ops.stream().map(HandleOperation::handle).toList());

        assertThat(data(stored("88.999.1/a").values().get(0))).isEqualTo("https://a1");
        assertThat(data(stored("88.999.1/b").values().get(0))).isEqualTo("https://b1-changed");
        assertThat(store.get(h("88.999.1/c"))).isEmpty();
        assertThat(store.get(h("88.999.1/d"))).isEmpty();
        assertThat(store.get(h("88.999.1/e"))).isEmpty();
        // and durably so, in the backing store
        assertThat(rocks.get(h("88.999.1/a"))).isPresent();
        assertThat(rocks.get(h("88.999.1/d"))).isEmpty();
    }

    @Test
    void operationsOnOneHandleInOneCallSeeEachOther() {
        HandleName x = h("88.999.1/x");
        List<WriteOutcome> outcomes = writer.applyAll(List.of(
                new Create(x, List.of(url(1, "https://one"), url(2, "https://two")), false),
                new AddValues(h("88.999.1/X"), List.of(url(3, "https://three")), false),   // sees the create (other case)
                new RemoveValues(x, List.of(1)),
                new ModifyValues(x, List.of(url(2, "https://two-changed"))),
                new AddValues(x, List.of(url(3, "https://again")), false),                // index 3 exists by now
                new Create(x, List.of(url(9, "https://nine")), false),                    // the handle exists by now
                new ModifyValues(x, List.of(url(1, "https://one-back")))), ADMIN);        // index 1 is gone by now

        assertThat(outcomes).extracting(WriteOutcome::status).containsExactly(
                WriteStatus.OK, WriteStatus.OK, WriteStatus.OK, WriteStatus.OK,
                WriteStatus.VALUE_ALREADY_EXISTS, WriteStatus.HANDLE_ALREADY_EXISTS, WriteStatus.VALUE_NOT_FOUND);
        HandleRecord r = stored("88.999.1/x");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(2, 3);
        assertThat(r.values()).extracting(HandleWriterTest::data).containsExactly("https://two-changed", "https://three");
        assertThat(rocks.get(x)).contains(r);
        assertThat(rocks.auditTrail(x, 10)).extracting(AuditEntry::operation)
                .containsExactly("create", "add-values", "remove-values", "modify-values");
    }

    @Test
    void createThenDeleteInOneCallLeavesNothingAndTheHandleCanBeCreatedAgain() {
        HandleName t = h("88.999.1/transient");
        List<WriteOutcome> outcomes = writer.applyAll(List.of(
                new Create(t, List.of(url(1, "https://a")), false),
                new Delete(t),
                new Delete(t)), ADMIN);

        assertThat(outcomes).extracting(WriteOutcome::status)
                .containsExactly(WriteStatus.OK, WriteStatus.OK, WriteStatus.HANDLE_NOT_FOUND);
        assertThat(store.get(t)).isEmpty();
        assertThat(rocks.get(t)).isEmpty();
        assertOk(writer.apply(new Create(t, List.of(url(1, "https://b")), false), ADMIN));
        assertThat(data(stored("88.999.1/transient").values().get(0))).isEqualTo("https://b");
    }

    @Test
    void applyAllOfNothingReturnsNoOutcomes() {
        assertThat(writer.applyAll(List.of(), ADMIN)).isEmpty();
    }

    @Test
    void applyAllWhereEveryOperationFailsWritesNothing() {
        List<WriteOutcome> outcomes = writer.applyAll(List.of(
                new Delete(h("88.999.1/none")),
                new ModifyValues(h("88.999.1/none"), List.of(url(1, "x")))), ADMIN);
        assertThat(outcomes).extracting(WriteOutcome::status)
                .containsExactly(WriteStatus.HANDLE_NOT_FOUND, WriteStatus.HANDLE_NOT_FOUND);
        assertThat(rocks.auditTrail(h("88.999.1/none"), 10)).isEmpty();
    }

    // ---------------------------------------------------------------- cache

    @Test
    void theCacheSeesEveryWrite() {
        HandleName c = h("88.999.1/cached");

        // a negative answer is cached before the create ...
        assertThat(store.get(c)).isEmpty();
        assertThat(store.getIfCached(c)).isNotNull().isEmpty();
        assertOk(writer.apply(new Create(c, List.of(url(1, "https://v1")), false), ADMIN));
        // ... and dropped by it
        assertThat(data(store.get(c).orElseThrow().values().get(0))).isEqualTo("https://v1");

        // a positive answer is cached before a modify ...
        assertThat(store.getIfCached(c)).isNotNull().isPresent();
        assertOk(writer.apply(new ModifyValues(c, List.of(url(1, "https://v2"))), ADMIN));
        assertThat(data(store.get(c).orElseThrow().values().get(0))).isEqualTo("https://v2");

        assertOk(writer.apply(new AddValues(h("88.999.1/CACHED"), List.of(url(2, "https://v3")), false), ADMIN));
        assertThat(store.get(c).orElseThrow().values()).hasSize(2);

        assertOk(writer.apply(new RemoveValues(c, List.of(1)), ADMIN));
        assertThat(store.get(c).orElseThrow().values()).extracting(HandleValue::index).containsExactly(2);

        assertThat(store.getIfCached(c)).isNotNull().isPresent();
        assertOk(writer.apply(new Delete(c), ADMIN));
        assertThat(store.get(c)).isEmpty();
    }

    @Test
    void aDerivedValueKeptWithACachedRecordIsNotCarriedOverToTheWrittenRecord() {
        HandleName c = h("88.999.1/derived");
        seed("88.999.1/derived", url(1, "https://v1"));
        HandleRecord first = store.get(c).orElseThrow();
        String encoded = first.derived(String.class, r -> "encoding of " + data(r.values().get(0)));
        // the cached record keeps it
        assertThat(store.get(c).orElseThrow().derived(String.class, r -> "recomputed")).isSameAs(encoded);

        assertOk(writer.apply(new ModifyValues(c, List.of(url(1, "https://v2"))), ADMIN));

        HandleRecord second = store.get(c).orElseThrow();
        assertThat(second.derived(String.class, r -> "encoding of " + data(r.values().get(0)))).isEqualTo("encoding of https://v2");
    }

    @Test
    void aRefusedWriteLeavesTheCachedRecordAlone() {
        HandleName c = h("88.999.1/c");
        HandleRecord existing = seed("88.999.1/c", url(1, "https://v1"));
        assertThat(store.get(c)).contains(existing);

        assertRefused(writer.apply(new ModifyValues(c, List.of(url(2, "x"))), ADMIN), WriteStatus.VALUE_NOT_FOUND, "2");
        assertThat(store.get(c)).contains(existing);
    }

    // ---------------------------------------------------------------- durability

    @Test
    void committedChangesSurviveCloseAndReopen() {
        seed("88.999.1/seeded", url(1, "https://s1"), url(2, "https://s2"));
        seed("88.999.1/doomed", url(1, "https://d"));
        writer.applyAll(List.of(
                new Create(h("88.999.1/Created"), List.of(url(1, "https://c1"), url(2, "https://c2")), false),
                new AddValues(h("88.999.1/seeded"), List.of(url(3, "https://s3")), false),
                new ModifyValues(h("88.999.1/seeded"), List.of(url(1, "https://s1-changed"))),
                new RemoveValues(h("88.999.1/seeded"), List.of(2)),
                new Delete(h("88.999.1/doomed"))), ADMIN);
        // addressed in the case it was created in: see valueOperationsKeepTheCaseTheHandleWasCreatedIn
        assertOk(writer.apply(new ModifyValues(h("88.999.1/Created"), List.of(url(2, "https://c2-changed"))), ADMIN));
        HandleRecord created = stored("88.999.1/created");
        HandleRecord seeded = stored("88.999.1/seeded");

        reopen();

        assertThat(store.get(h("88.999.1/created"))).contains(created);
        assertThat(store.get(h("88.999.1/created")).orElseThrow().handle().toString()).isEqualTo("88.999.1/Created");
        assertThat(store.get(h("88.999.1/seeded"))).contains(seeded);
        assertThat(seeded.values()).extracting(HandleWriterTest::data).containsExactly("https://s1-changed", "https://s3");
        assertThat(store.get(h("88.999.1/doomed"))).isEmpty();

        // and the reopened store takes further writes on top of them
        assertOk(writer.apply(new AddValues(h("88.999.1/Created"), List.of(url(3, "https://c3")), false), ADMIN));
        reopen();
        assertThat(stored("88.999.1/created").values()).extracting(HandleValue::index).containsExactly(1, 2, 3);
    }

    // ---------------------------------------------------------------- case of the stored handle

    @Test
    void valueOperationsKeepTheCaseTheHandleWasCreatedIn() {
        assertOk(writer.apply(new Create(h("88.999.1/Batch-A"), List.of(url(1, "https://one")), false), ADMIN));

        assertOk(writer.apply(new AddValues(h("88.999.1/BATCH-A"), List.of(url(2, "https://two")), false), ADMIN));
        assertOk(writer.apply(new ModifyValues(h("88.999.1/batch-a"), List.of(url(1, "https://one!"))), ADMIN));
        assertOk(writer.apply(new RemoveValues(h("88.999.1/bAtCh-A"), List.of(2)), ADMIN));

        assertThat(stored("88.999.1/batch-a").handle().toString()).isEqualTo("88.999.1/Batch-A");
        assertThat(rocks.list("88.999.1", null, 10)).extracting(HandleName::toString).containsExactly("88.999.1/Batch-A");
    }

    @Test
    void createWithOverwriteInAnotherCaseTakesTheNewCase() {
        seed("88.999.1/abc", url(1, "https://old"));
        assertOk(writer.apply(new Create(h("88.999.1/ABC"), List.of(url(1, "https://new")), true), ADMIN));
        assertThat(stored("88.999.1/abc").handle().toString()).isEqualTo("88.999.1/ABC");
    }

    @Test
    void writtenRecordIsReadBackThroughTheCacheAndTheBackingStoreAlike() {
        assertOk(writer.apply(new Create(h("88.999.1/same"), List.of(url(1, "https://a"), url(2, "https://b")), false), ADMIN));
        Optional<HandleRecord> viaCache = store.get(h("88.999.1/same"));
        assertThat(viaCache).isPresent();
        assertThat(rocks.get(h("88.999.1/same"))).isEqualTo(viaCache);
    }

    // ---------------------------------------------------------------- authorization

    @Test
    void authorizationDecidesFromTheRecordsAsStoredBeforeTheCallAndLeavesOutWhatItRefuses() {
        seed("88.999.1/auth", url(1, "https://a"));
        List<String> seen = new ArrayList<>();
        List<WriteOutcome> outcomes = writer.applyAll(List.of(
                        new ModifyValues(h("88.999.1/auth"), List.of(url(1, "https://b"))),
                        new AddValues(h("88.999.1/auth"), List.of(url(2, "https://c")), false),
                        new Create(h("88.999.1/fresh"), List.of(url(1, "https://d")), false)),
                ADMIN, (position, op, stored) -> {
                    seen.add(position + ":" + stored.map(r -> data(r.values().get(0))).orElse("none"));
                    return position != 1;
                });

        // Both operations on the handle were decided from the record before the first of them changed it.
        assertThat(seen).containsExactly("0:https://a", "1:https://a", "2:none");
        assertOk(outcomes.get(0));
        assertThat(outcomes.get(1).status()).isEqualTo(WriteStatus.NOT_PERMITTED);
        assertOk(outcomes.get(2));
        assertThat(stored("88.999.1/auth").values()).extracting(HandleWriterTest::data).containsExactly("https://b");
        assertThat(stored("88.999.1/fresh").values()).extracting(HandleWriterTest::data).containsExactly("https://d");
    }

    @Test
    void aConcurrentWriteToTheHandleWaitsUntilTheAuthorizedWriteIsCommitted() throws Exception {
        seed("88.999.1/locked", url(1, "https://a"));
        List<Thread> others = new ArrayList<>();
        List<WriteOutcome> outcomes = writer.applyAll(List.of(new ModifyValues(h("88.999.1/locked"), List.of(url(1, "https://mine")))),
                ADMIN, (position, op, stored) -> {
                    Thread other = new Thread(() -> writer.apply(new ModifyValues(h("88.999.1/locked"), List.of(url(1, "https://other"))), ADMIN));
                    others.add(other);
                    other.start();
                    awaitWaitingForHandleLock(other);
                    assertThat(data(stored.orElseThrow().values().get(0))).isEqualTo("https://a");
                    return true;
                });
        others.get(0).join();

        assertOk(outcomes.get(0));
        // The other write went in after this one, not between its decision and its commit.
        assertThat(data(stored("88.999.1/locked").values().get(0))).isEqualTo("https://other");
    }

    /** Waits until {@code t} is parked inside {@link HandleLocks}, waiting for a handle this thread holds. */
    private static void awaitWaitingForHandleLock(Thread t) {
        while (true) {
            assertThat(t.isAlive()).as("the concurrent write finished while the handle was locked").isTrue();
            if (t.getState() == Thread.State.WAITING && java.util.Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> f.getClassName().startsWith(HandleLocks.class.getName()))) {
                return;
            }
            Thread.onSpinWait();
        }
    }
}
