package org.idnode.server.admin;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.store.HandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.WriteOutcome;
import org.idnode.registry.write.WriteStatus;
import org.idnode.server.admin.AdministrationException.Kind;
import org.idnode.server.auth.AdminAuthorizer;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.ApiTokens;

/**
 * The operator's actions on enterprises and their prefixes, the one implementation behind the offline
 * {@code idnode} commands, the admin HTTP API and the gRPC AdminService: create an enterprise prefix (hosted
 * or self-hosted), read and list prefixes and enterprises, move a prefix through its lifecycle
 * ({@link PrefixState#next()}), issue and revoke API tokens, and set up the operator's own identities.
 *
 * <p>Everything is read from and written to the prefix handles {@code 0.NA/<prefix>} of the store: an
 * enterprise prefix exists when its prefix handle is stored under one of the node's prefixes, and its
 * enterprise is the {@value PrefixRecords#ENTERPRISE_TYPE} value there. Writes go through the
 * {@link HandleWriter}, so they are durable and audited with the operator's name.
 *
 * <p>An operator is an admin identity of the node's own prefix handle ({@code 0.NA/88.999}) holding
 * {@code ADD_NA} there ({@link #operator}); the offline commands act as {@link #localOperator()}, since whoever
 * holds the data folder runs the node. Every action needs an {@link Operator}. Refusals are
 * {@link AdministrationException}s.
 *
 * <p>Threading: thread-safe; every method reads the store and may block. Changes are serialised among
 * themselves, so two operators changing one prefix at once cannot lose each other's change.
 */
public final class PrefixAdministration {
    /** Audit actor of the offline commands. */
    public static final String LOCAL_OPERATOR = "operator (idnode command line)";
    private static final int PAGE = 1000;
    private static final int MAX_TOKEN_NAME = 64;

    private final HandleRecordStore store;
    private final HandleWriter writer;
    private final List<String> nodePrefixes;
    private final AdminAuthorizer authorizer;
    private final Object changes = new Object();
    private final List<Runnable> revocationListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Proof that the caller is an operator; made only by {@link #operator} and {@link #localOperator()}. */
    public static final class Operator {
        private final String name;

        private Operator(String name) {
            this.name = name;
        }

        /** The name the audit log records, e.g. {@code 300:0.NA/88.999}. */
        public String name() {
            return name;
        }
    }

    /**
     * A new enterprise prefix.
     *
     * @param adminPublicKey the admin's public key, PEM text or CNRI {@code pubkey.bin} bytes; null or empty for none
     * @param adminSecret    the admin's secret key; null or empty for none (at least one of the two is needed)
     * @param state          the initial state; null for {@link PrefixState#ENABLED}
     * @param selfHostedSite for a self-hosted prefix, the enterprise node's site info (CNRI {@code siteinfo.json}
     *                       or {@code siteinfo.bin} bytes); null or empty for a prefix hosted here
     */
    public record NewPrefix(String prefix, String enterprise, byte[] adminPublicKey, String adminSecret, PrefixState state,
                            byte[] selfHostedSite) {
    }

    /** A lifecycle transition that happened: the state before and the prefix now. */
    public record StateChange(PrefixState from, PrefixInfo prefix) {
    }

    /** An enterprise: its name and its prefixes. */
    public record Enterprise(String name, List<PrefixInfo> prefixes) {
        public Enterprise {
            prefixes = List.copyOf(prefixes);
        }
    }

    /** A token just issued: {@code token} is shown this once; only its hash is kept. */
    public record IssuedToken(String prefix, String name, String identity, String token) {
    }

    /**
     * @param store        the record store (the node's caching store, so that changes reach the cache)
     * @param writer       applies the changes to {@code store}
     * @param nodePrefixes the prefixes the node serves ({@code node.prefixes}); enterprise prefixes derive from them
     */
    public PrefixAdministration(HandleRecordStore store, HandleWriter writer, List<String> nodePrefixes) {
        if (nodePrefixes.isEmpty()) {
            throw new IllegalArgumentException("a node serves at least one prefix");
        }
        this.store = store;
        this.writer = writer;
        this.nodePrefixes = List.copyOf(nodePrefixes);
        this.authorizer = new AdminAuthorizer(store::get);
    }

    /**
     * Runs {@code listener} after every token revocation, on the revoking thread: for authenticators that remember
     * verified credentials and must forget them.
     */
    public void onTokenRevoked(Runnable listener) {
        revocationListeners.add(listener);
    }

    /** The operator of the offline commands, who holds the data folder. */
    public Operator localOperator() {
        return new Operator(LOCAL_OPERATOR);
    }

    /**
     * The operator {@code who} is: an identity holding {@code ADD_NA} on the prefix handle of one of the node's
     * prefixes (directly or through an {@code HS_VLIST} group), as {@code idnode operator add} sets up.
     *
     * @throws AdministrationException {@link Kind#PERMISSION_DENIED} for anyone else, enterprise admins included
     */
    public Operator operator(AdminIdentity who) {
        String reason = "no operator is set up on this node (idnode operator add)";
        int code = AbstractMessage.RC_INVALID_ADMIN;
        for (String p : nodePrefixes) {
            Optional<HandleRecord> own = store.get(HandleName.ofPrefix(p));
            if (own.isEmpty()) {
                continue;
            }
            AdminAuthorizer.Decision d = authorizer.authorize(who, own.get(), AdminAuthorizer.Permission.ADD_NA);
            if (d.granted()) {
                return new Operator(who.toString());
            }
            reason = d.reason();
            code = d.responseCode();
        }
        throw new AdministrationException(Kind.PERMISSION_DENIED, code,
                "operator calls need an operator of this node (ADD_NA on " + HandleName.ofPrefix(nodePrefixes.get(0)) + "): " + reason);
    }

    /**
     * Creates an enterprise prefix: its prefix handle in the layout {@link PrefixRecords#prefix} builds.
     *
     * @throws AdministrationException {@link Kind#INVALID} for a bad prefix (or one not derived from a node prefix),
     *                                 key, site or a missing admin; {@link Kind#ALREADY_EXISTS} when it exists
     */
    public PrefixInfo create(Operator op, NewPrefix request) {
        String prefix = enterprisePrefix(request.prefix());
        if (request.enterprise() == null || request.enterprise().isBlank()) {
            throw invalid("a prefix needs the name of the enterprise that owns it");
        }
        PublicKey key = null;
        if (request.adminPublicKey() != null && request.adminPublicKey().length > 0) {
            try {
                key = PrefixRecords.parsePublicKey(request.adminPublicKey());
            } catch (IllegalArgumentException e) {
                throw invalid("admin public key: " + e.getMessage());
            }
        }
        String secret = request.adminSecret() == null || request.adminSecret().isEmpty() ? null : request.adminSecret();
        if (key == null && secret == null) {
            throw invalid("a prefix needs an admin: give a public key, a secret key, or both");
        }
        byte[] site = null;
        if (request.selfHostedSite() != null && request.selfHostedSite().length > 0) {
            try {
                site = PrefixRecords.parseSiteInfo(request.selfHostedSite());
            } catch (IllegalArgumentException e) {
                throw invalid("self-hosted site: " + e.getMessage());
            }
        }
        PrefixState state = request.state() == null ? PrefixState.ENABLED : request.state();
        HandleRecord record = PrefixRecords.prefix(prefix, request.enterprise().trim(), key, secret, state, site);
        synchronized (changes) {
            WriteOutcome outcome = writer.apply(new HandleOperation.Create(record.handle(), record.values(), false), op.name());
            if (!outcome.isOk() && outcome.status() == WriteStatus.HANDLE_ALREADY_EXISTS) {
                throw new AdministrationException(Kind.ALREADY_EXISTS, AbstractMessage.RC_HANDLE_ALREADY_EXISTS,
                        "prefix " + prefix + " already exists");
            }
            check(outcome);
        }
        return info(record);
    }

    /**
     * One enterprise prefix.
     *
     * @throws AdministrationException {@link Kind#INVALID} for a bad prefix, {@link Kind#NOT_FOUND} when it does not exist
     */
    public PrefixInfo get(Operator op, String prefix) {
        return info(load(enterprisePrefix(prefix)));
    }

    /**
     * Moves an enterprise prefix to {@code target}, when its lifecycle allows it.
     *
     * @throws AdministrationException {@link Kind#FAILED_PRECONDITION} when {@link PrefixState#next()} of the current
     *                                 state does not hold {@code target}, naming the states it may become
     */
    public StateChange setState(Operator op, String prefix, PrefixState target) {
        String p = enterprisePrefix(prefix);
        if (target == null) {
            throw invalid("a target state is needed; one of " + PrefixState.texts());
        }
        synchronized (changes) {
            HandleRecord record = load(p);
            PrefixState current = PrefixRecords.stateOf(record.values());
            if (!current.next().contains(target)) {
                List<String> allowed = current.next().stream().map(PrefixState::text).toList();
                throw new AdministrationException(Kind.FAILED_PRECONDITION, AbstractMessage.RC_INVALID_VALUE,
                        p + " is " + current.text() + " and cannot become " + target.text() + "; from " + current.text()
                                + " it can become " + allowed,
                        Map.of("prefix", p, "state", current.text(), "allowed_states", String.join(",", allowed)));
            }
            HandleValue value = PrefixRecords.stateValue(target, (int) (System.currentTimeMillis() / 1000));
            check(writer.apply(new HandleOperation.AddValues(record.handle(), List.of(value), true), op.name()));
            return new StateChange(current, info(load(p)));
        }
    }

    /**
     * The enterprise prefixes under the node's prefixes, in key order.
     *
     * @param enterprise only the prefixes of this enterprise (exact name); null or empty for all
     */
    public List<PrefixInfo> list(Operator op, String enterprise) {
        List<PrefixInfo> out = new ArrayList<>();
        for (String nodePrefix : nodePrefixes) {
            String children = HandleName.ofPrefix(nodePrefix).lookupKey() + ".";
            String after = HandleName.ofPrefix(nodePrefix).lookupKey();
            while (after != null) {
                List<HandleName> page = store.list(HandleName.PREFIX_HANDLE_PREFIX, after, PAGE);
                after = page.size() < PAGE ? null : page.get(page.size() - 1).lookupKey();
                for (HandleName name : page) {
                    String key = name.lookupKey();
                    if (key.startsWith(children)) {
                        store.get(name).map(PrefixAdministration::info)
                                .filter(i -> enterprise == null || enterprise.isEmpty() || i.enterprise().equals(enterprise))
                                .ifPresent(out::add);
                    } else if (key.compareTo(children) > 0) {
                        after = null;
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** The enterprises owning prefixes here, by name, each with its prefixes; unnamed prefixes under the empty name. */
    public List<Enterprise> enterprises(Operator op) {
        Map<String, List<PrefixInfo>> byName = new TreeMap<>();
        for (PrefixInfo p : list(op, null)) {
            byName.computeIfAbsent(p.enterprise(), k -> new ArrayList<>()).add(p);
        }
        return byName.entrySet().stream().map(e -> new Enterprise(e.getKey(), e.getValue())).toList();
    }

    /**
     * Issues an API token of an enterprise prefix or of the node's own prefix (an operator token).
     *
     * @param identity the admin identity ({@code index:handle}) the token acts as; it must be one the prefix handle's
     *                 {@code HS_ADMIN} values name. Null or empty for the one named by the lowest-index HS_ADMIN
     * @throws AdministrationException {@link Kind#INVALID} for a bad name or identity, {@link Kind#ALREADY_EXISTS} when
     *                                 the prefix has a token of that name, {@link Kind#NOT_FOUND} without the prefix
     */
    public IssuedToken issueToken(Operator op, String prefix, String name, String identity) {
        String p = servedPrefix(prefix);
        if (name == null || name.isBlank() || name.length() > MAX_TOKEN_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw invalid("a token needs a name of 1 to " + MAX_TOKEN_NAME + " printable characters, e.g. erp");
        }
        synchronized (changes) {
            HandleRecord record = load(p);
            if (ApiTokens.indexOf(name, record.values()).isPresent()) {
                throw new AdministrationException(Kind.ALREADY_EXISTS, AbstractMessage.RC_VALUE_ALREADY_EXISTS,
                        "prefix " + p + " already has a token named " + name);
            }
            List<AdminIdentity> admins = admins(record.values());
            AdminIdentity who;
            if (identity == null || identity.isBlank()) {
                who = admins.stream().findFirst().orElseThrow(() -> invalid("the prefix handle " + record.handle()
                        + " has no HS_ADMIN; name the identity the token acts as"));
            } else {
                try {
                    who = AdminIdentity.parse(identity.trim());
                } catch (IllegalArgumentException e) {
                    throw invalid(e.getMessage());
                }
                AdminIdentity asked = who;
                if (admins.stream().noneMatch(a -> a.isMatchedBy(asked))) {
                    throw invalid(who + " is not an admin of " + record.handle() + "; its HS_ADMIN values name " + admins);
                }
            }
            ApiTokens.Issued issued;
            try {
                issued = ApiTokens.issue(p, name, who, record.values());
            } catch (IllegalArgumentException e) {
                throw new AdministrationException(Kind.FAILED_PRECONDITION, AbstractMessage.RC_INVALID_VALUE, e.getMessage());
            }
            check(writer.apply(new HandleOperation.AddValues(record.handle(), List.of(issued.value()), false), op.name()));
            return new IssuedToken(p, name, who.toString(), issued.token());
        }
    }

    /**
     * Revokes the token called {@code name} of a prefix: it stops working at once.
     *
     * @throws AdministrationException {@link Kind#NOT_FOUND} when the prefix or the token does not exist
     */
    public void revokeToken(Operator op, String prefix, String name) {
        String p = servedPrefix(prefix);
        synchronized (changes) {
            HandleRecord record = load(p);
            Optional<Integer> index = name == null ? Optional.empty() : ApiTokens.indexOf(name, record.values());
            if (index.isEmpty()) {
                throw new AdministrationException(Kind.NOT_FOUND, AbstractMessage.RC_VALUES_NOT_FOUND,
                        "prefix " + p + " has no token named " + name);
            }
            check(writer.apply(new HandleOperation.RemoveValues(record.handle(), List.of(index.get())), op.name()));
        }
        revocationListeners.forEach(Runnable::run);
    }

    /**
     * Creates or updates the operator identities on the node's own prefix handle ({@code 0.NA/88.999}), in the
     * layout of enterprise prefixes: with a key, {@code 300:0.NA/88.999} (HS_ADMIN at 100, HS_PUBKEY at 300); with a
     * secret, {@code 301:0.NA/88.999} (HS_ADMIN at 101, HS_SECKEY at 301); each holding every permission, ADD_NA
     * included. Values at other indexes (operator tokens) are kept.
     *
     * @param nodePrefix one of the node's prefixes; null for the first
     * @return the operator identities the prefix handle's HS_ADMIN values now name
     */
    public List<String> setOperator(Operator op, String nodePrefix, byte[] adminPublicKey, String adminSecret) {
        String p = nodePrefix == null ? nodePrefixes.get(0) : nodePrefix;
        if (nodePrefixes.stream().noneMatch(n -> HandleName.asciiUpperCase(n).equals(HandleName.asciiUpperCase(p)))) {
            throw invalid(p + " is not one of this node's prefixes " + nodePrefixes);
        }
        HandleName handle = HandleName.ofPrefix(p);
        PublicKey key = null;
        if (adminPublicKey != null && adminPublicKey.length > 0) {
            try {
                key = PrefixRecords.parsePublicKey(adminPublicKey);
            } catch (IllegalArgumentException e) {
                throw invalid("admin public key: " + e.getMessage());
            }
        }
        List<HandleValue> values;
        try {
            values = PrefixRecords.adminValues(handle, key, adminSecret, (int) (System.currentTimeMillis() / 1000));
        } catch (IllegalArgumentException e) {
            throw invalid("an operator needs a public key, a secret key, or both");
        }
        synchronized (changes) {
            boolean exists = store.get(handle).isPresent();
            check(writer.apply(exists ? new HandleOperation.AddValues(handle, values, true) : new HandleOperation.Create(handle, values, false),
                    op.name()));
            return admins(store.get(handle).orElseThrow().values()).stream().map(AdminIdentity::toString).toList();
        }
    }

    private HandleRecord load(String prefix) {
        return store.get(HandleName.ofPrefix(prefix)).orElseThrow(() -> new AdministrationException(Kind.NOT_FOUND,
                AbstractMessage.RC_HANDLE_NOT_FOUND, "prefix " + prefix + " does not exist on this node"));
    }

    /** A valid prefix strictly derived from one of the node's prefixes. */
    private String enterprisePrefix(String prefix) {
        String p = validPrefix(prefix);
        if (nodePrefixes.stream().noneMatch(n -> p.length() > n.length() && HandleName.isSameOrDerivedPrefix(p, n))) {
            throw new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_HANDLE,
                    p + " is not derived from a prefix this node serves " + nodePrefixes);
        }
        return p;
    }

    /** A valid prefix that is one of the node's prefixes or derived from one. */
    private String servedPrefix(String prefix) {
        String p = validPrefix(prefix);
        if (nodePrefixes.stream().noneMatch(n -> HandleName.isSameOrDerivedPrefix(p, n))) {
            throw new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_HANDLE,
                    p + " is not a prefix this node serves " + nodePrefixes);
        }
        return p;
    }

    private static String validPrefix(String prefix) {
        try {
            HandleName.checkPrefix(prefix);
            return prefix;
        } catch (InvalidHandleException e) {
            throw new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_HANDLE,
                    "'" + prefix + "' is not a valid prefix: " + e.getMessage());
        }
    }

    private static PrefixInfo info(HandleRecord record) {
        List<HandleValue> values = record.values();
        return new PrefixInfo(record.handle().namedPrefix(), PrefixRecords.enterpriseOf(values), PrefixRecords.stateOf(values),
                PrefixRecords.isSelfHosted(values), admins(values).stream().map(AdminIdentity::toString).toList());
    }

    /** The identities the HS_ADMIN values name, by value index. */
    private static List<AdminIdentity> admins(List<HandleValue> values) {
        return values.stream().filter(v -> v.type().equalsIgnoreCase("HS_ADMIN")).sorted(Comparator.comparingInt(HandleValue::index))
                .flatMap(v -> AdminIdentity.namedByAdminValue(v.data()).stream()).toList();
    }

    private static void check(WriteOutcome outcome) {
        if (outcome.isOk()) {
            return;
        }
        switch (outcome.status()) {
            case HANDLE_ALREADY_EXISTS, VALUE_ALREADY_EXISTS ->
                    throw new AdministrationException(Kind.ALREADY_EXISTS, AbstractMessage.RC_VALUE_ALREADY_EXISTS, outcome.message());
            case HANDLE_NOT_FOUND, VALUE_NOT_FOUND ->
                    throw new AdministrationException(Kind.NOT_FOUND, AbstractMessage.RC_HANDLE_NOT_FOUND, outcome.message());
            case NOT_PERMITTED ->
                    throw new AdministrationException(Kind.PERMISSION_DENIED, AbstractMessage.RC_INSUFFICIENT_PERMISSIONS, outcome.message());
            default -> throw new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_VALUE, outcome.message());
        }
    }

    private static AdministrationException invalid(String message) {
        return new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_VALUE, message);
    }
}
