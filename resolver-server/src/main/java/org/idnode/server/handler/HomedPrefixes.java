package org.idnode.server.handler;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.store.HandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.WriteOutcome;
import org.idnode.registry.write.WriteStatus;

/**
 * The prefixes homed on this node ({@code OC_HOME_NA} = 300, {@code OC_UNHOME_NA} = 301): kept in the store as
 * the values of the internal record {@value #RECORD_NAME} (one {@value #TYPE} value per prefix, readable by
 * administrators only; the {@code 0.SITE} prefix is never served, so the record is not resolvable), written
 * durably with an audit entry like any other record, loaded at start-up, and published to the
 * {@link ServedNamespace} after every change.
 *
 * <p>Thread-safe: changes are serialised on this object; the served set is replaced as a whole.
 */
final class HomedPrefixes {
    static final String RECORD_NAME = "0.SITE/HOMED_PREFIXES";
    static final String TYPE = "ID_HOMED_PREFIX";
    private static final HandleName RECORD = HandleName.parse(RECORD_NAME);

    private final HandleRecordStore store;
    private final HandleWriter writer;
    private final ServedNamespace namespace;

    /** Loads the homed prefixes from {@code store} and publishes them to {@code namespace}. */
    HomedPrefixes(HandleRecordStore store, HandleWriter writer, ServedNamespace namespace) {
        this.store = store;
        this.writer = writer;
        this.namespace = namespace;
        publish();
    }

    /**
     * The prefix a home or unhome request names: {@code 0.NA/88.999.7} (as CNRI's tools send it) or
     * {@code 88.999.7}.
     *
     * @throws InvalidHandleException when it names no valid prefix, or a reserved {@code 0.*} prefix
     */
    static String prefixOf(byte[] handle) {
        if (handle == null || handle.length == 0) {
            throw new InvalidHandleException("name the prefix to home, e.g. 0.NA/88.999.7");
        }
        byte[] withSlash = Util.hasSlash(handle) ? handle : Util.convertSlashlessHandleToZeroNaHandle(handle);
        HandleName name = HandleName.fromUtf8(withSlash);
        if (!name.isPrefixHandle()) {
            throw new InvalidHandleException("'" + name + "' is not a prefix handle; name the prefix as 0.NA/<prefix>");
        }
        String prefix = name.suffix();
        HandleName.checkPrefix(prefix);
        if (prefix.equals("0") || prefix.startsWith("0.")) {
            throw new InvalidHandleException("prefix " + prefix + " is reserved for the Handle system's own handles and cannot be homed");
        }
        return prefix;
    }

    /** The homed prefixes, as homed. */
    Set<String> prefixes() {
        return read(store.get(RECORD));
    }

    /** Homes {@code prefix} on behalf of {@code actor}; homing a homed prefix again changes nothing. */
    synchronized AuthorizedWriter.Result home(String prefix, String actor) {
        Optional<HandleRecord> record = store.get(RECORD);
        if (find(record, prefix) != null) {
            return ok(prefix);
        }
        List<HandleValue> existing = record.map(HandleRecord::values).orElse(List.of());
        int index = 1;
        while (indexUsed(existing, index)) {
            index++;
        }
        HandleValue value = new HandleValue(index, TYPE, prefix.getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE,
                HandleValue.DEFAULT_TTL, (int) (System.currentTimeMillis() / 1000), List.of(), Permissions.RESTRICTED);
        HandleOperation op = record.isPresent()
                ? new HandleOperation.AddValues(RECORD, List.of(value), false)
                : new HandleOperation.Create(RECORD, List.of(value), false);
        return applied(prefix, writer.apply(op, actor));
    }

    /**
     * Unhomes {@code prefix} on behalf of {@code actor}; unhoming a prefix that is not homed changes nothing.
     * A prefix served through the configuration ({@code node.prefixes}) cannot be unhomed.
     */
    synchronized AuthorizedWriter.Result unhome(String prefix, String actor) {
        if (namespace.isServedByConfiguration(prefix)) {
            return new AuthorizedWriter.Result(HandleName.ofPrefix(prefix), AbstractMessage.RC_OPERATION_NOT_SUPPORTED,
                    "prefix " + prefix + " is served through the node's configured prefixes " + namespace.configured()
                            + " (node.prefixes); it cannot be unhomed");
        }
        Optional<HandleRecord> record = store.get(RECORD);
        List<Integer> indexes = new ArrayList<>();
        record.ifPresent(r -> r.values().stream().filter(v -> isHomed(v, prefix)).forEach(v -> indexes.add(v.index())));
        if (indexes.isEmpty()) {
            return ok(prefix);
        }
        HandleOperation op = indexes.size() == record.get().values().size()
                ? new HandleOperation.Delete(RECORD)
                : new HandleOperation.RemoveValues(RECORD, indexes);
        return applied(prefix, writer.apply(op, actor));
    }

    private AuthorizedWriter.Result applied(String prefix, WriteOutcome outcome) {
        publish();
        if (outcome.status() != WriteStatus.OK) {
            return new AuthorizedWriter.Result(HandleName.ofPrefix(prefix), AuthorizedWriter.responseCode(outcome),
                    "the homed prefixes could not be updated: " + outcome.message());
        }
        return ok(prefix);
    }

    private void publish() {
        namespace.setHomed(prefixes());
    }

    private static AuthorizedWriter.Result ok(String prefix) {
        return new AuthorizedWriter.Result(HandleName.ofPrefix(prefix), AbstractMessage.RC_SUCCESS, null);
    }

    private static Set<String> read(Optional<HandleRecord> record) {
        Set<String> out = new LinkedHashSet<>();
        record.ifPresent(r -> r.values().stream().filter(v -> v.type().equals(TYPE))
                .forEach(v -> out.add(new String(v.data(), StandardCharsets.UTF_8))));
        return out;
    }

    private static HandleValue find(Optional<HandleRecord> record, String prefix) {
        return record.flatMap(r -> r.values().stream().filter(v -> isHomed(v, prefix)).findFirst()).orElse(null);
    }

    private static boolean isHomed(HandleValue v, String prefix) {
        return v.type().equals(TYPE) && HandleName.asciiUpperCase(new String(v.data(), StandardCharsets.UTF_8))
                .equals(HandleName.asciiUpperCase(prefix));
    }

    private static boolean indexUsed(List<HandleValue> values, int index) {
        return values.stream().anyMatch(v -> v.index() == index);
    }
}
