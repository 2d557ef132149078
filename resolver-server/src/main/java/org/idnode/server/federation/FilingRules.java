package org.idnode.server.federation;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.idnode.api.v1.EnterprisePrefixFiling;
import org.idnode.api.v1.Filing;
import org.idnode.api.v1.RegistrationCountFiling;
import org.idnode.api.v1.RegistrationFiling;
import org.idnode.api.v1.SiteFiling;
import org.idnode.registry.federation.ChangeFiler;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.template.TemplateItem;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.config.NodeConfig.Federation.FilingPolicy;

/**
 * What a secondary node files with its top level, as outbox payloads (a {@link Filing} without its sequence, which
 * the outbox gives it):
 * <ul>
 *   <li>an enterprise prefix under the secondary prefix created ({@code 0.NA/88.999.1} stored for the first time), or
 *       its lifecycle state or enterprise name changed: always, one {@link EnterprisePrefixFiling};</li>
 *   <li>an identifier under the secondary prefix created or deleted: with policy {@code full} one
 *       {@link RegistrationFiling} each; with policy {@code count} the enterprise prefix's counter goes up, and
 *       {@link #countFiling} files the counts periodically;</li>
 *   <li>the node's site info ({@link #siteFiling}), filed at start.</li>
 * </ul>
 * Changes outside the secondary prefix (other served prefixes, the node's own prefix handle, internal records) and
 * changes of values of an existing identifier file nothing.
 *
 * <p>Stateless and thread-safe.
 */
public final class FilingRules implements ChangeFiler {
    private final String secondaryPrefix;
    private final FilingPolicy policy;

    /**
     * @param secondaryPrefix the prefix the top level delegated to this node, e.g. {@code 88.999}
     * @param policy          whether registrations are filed one by one or counted
     */
    public FilingRules(String secondaryPrefix, FilingPolicy policy) {
        this.secondaryPrefix = secondaryPrefix;
        this.policy = policy;
    }

    @Override
    public void fileChange(HandleName handle, HandleRecord before, HandleRecord after, long timeMillis, PendingFilings.Builder out) {
        String prefix = handle.namedPrefix();
        if (!HandleName.isSameOrDerivedPrefix(prefix, secondaryPrefix)) {
            return;
        }
        if (handle.isPrefixHandle()) {
            if (prefix.length() != secondaryPrefix.length()) {
                enterprisePrefix(prefix, before, after, timeMillis, out);
            }
            return;
        }
        boolean created = before == null && after != null;
        boolean deleted = before != null && after == null;
        if (!created && !deleted) {
            return;
        }
        if (policy == FilingPolicy.COUNT) {
            out.count(HandleName.asciiUpperCase(prefix), created ? 1 : 0, deleted ? 1 : 0);
            return;
        }
        RegistrationFiling.Builder r = RegistrationFiling.newBuilder().setHandle(handle.toString()).setDeleted(deleted);
        if (created) {
            r.setTemplate(templateOf(after.values()));
        }
        out.file(Filing.newBuilder().setTimeMillis(timeMillis).setRegistration(r).build().toByteArray());
    }

    private static void enterprisePrefix(String prefix, HandleRecord before, HandleRecord after, long timeMillis, PendingFilings.Builder out) {
        if (after == null) {
            return; // a deleted prefix handle: the proto has no deletion of an enterprise prefix; its state filings stand
        }
        PrefixState state = PrefixRecords.stateOf(after.values());
        String enterprise = PrefixRecords.enterpriseOf(after.values());
        if (before != null && PrefixRecords.stateOf(before.values()) == state && PrefixRecords.enterpriseOf(before.values()).equals(enterprise)) {
            return;
        }
        out.file(Filing.newBuilder().setTimeMillis(timeMillis).setEnterprisePrefix(EnterprisePrefixFiling.newBuilder()
                .setPrefix(after.handle().namedPrefix()).setState(state.name()).setEnterprise(enterprise).setCreated(before == null))
                .build().toByteArray());
    }

    /** {@code TEMPLATE_ID@TEMPLATE} (indexes 1000 and 1001), or empty for a record bound to no template. */
    private static String templateOf(List<HandleValue> values) {
        String id = null;
        String version = null;
        for (HandleValue v : values) {
            if (v.index() == TemplateItem.TEMPLATE_ID_INDEX) {
                id = new String(v.data(), StandardCharsets.UTF_8);
            } else if (v.index() == TemplateItem.TEMPLATE_VERSION_INDEX) {
                version = new String(v.data(), StandardCharsets.UTF_8);
            }
        }
        return id == null ? "" : version == null ? id : id + "@" + version;
    }

    /** The payload of a count filing (policy {@code count}). */
    public static byte[] countFiling(String prefix, PendingFilings.Counts counts) {
        return Filing.newBuilder().setTimeMillis(System.currentTimeMillis()).setRegistrationCount(RegistrationCountFiling.newBuilder()
                .setPrefix(prefix).setRegistered(counts.registered()).setDeleted(counts.deleted())).build().toByteArray();
    }

    /** The payload of a site filing: the node's site info in the {@code HS_SITE} encoding. */
    public static byte[] siteFiling(byte[] encodedSiteInfo) {
        return Filing.newBuilder().setTimeMillis(System.currentTimeMillis())
                .setSite(SiteFiling.newBuilder().setSiteInfo(com.google.protobuf.ByteString.copyFrom(encodedSiteInfo))).build().toByteArray();
    }
}
