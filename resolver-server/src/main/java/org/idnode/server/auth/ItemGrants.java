package org.idnode.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;

/**
 * Read grants per template item: an enterprise lets an identity, or the members of an {@code HS_VLIST} group,
 * read one item of one template (e.g. {@code PROCESS_YIELD} of {@code 88.999/TPL.PCB_LOT}) in every record under
 * its prefix that is bound to that template. A grant is an {@value #TYPE} value of the enterprise's prefix handle
 * {@code 0.NA/<prefix>}, its data the JSON object
 * {@code {"template": "88.999/TPL.PCB_LOT", "item": "PROCESS_YIELD", "grantee": "300:0.NA/88.999.4"}}; the
 * grantee is matched as an {@code HS_ADMIN} reference is (index 0 for any index of the handle, a group for its
 * members). Grants are written, audited and revoked like any other value of the prefix handle (its
 * administrators need {@code ADD_VALUE} / {@code REMOVE_VALUE} there); a grant that cannot be read grants
 * nothing. Only template items (values at index 2000 and above) can be granted this way.
 *
 * <p>Stateless and thread-safe; {@link #itemsFor} blocks when groups are involved.
 */
public final class ItemGrants {
    /** Value type of a grant. */
    public static final String TYPE = "ID_ITEM_GRANT";

    private ItemGrants() {
    }

    /**
     * The item types (ASCII upper-cased) that the grants among {@code prefixValues} give {@code who} for records
     * bound to {@code templateId}.
     */
    public static Set<String> itemsFor(AdminAuthorizer authorizer, AdminIdentity who, String templateId, Collection<HandleValue> prefixValues) {
        String template = HandleName.asciiUpperCase(templateId);
        Set<String> items = new HashSet<>();
        for (HandleValue v : prefixValues) {
            if (!v.type().equals(TYPE)) {
                continue;
            }
            Grant g = Grant.parse(v.data());
            if (g != null && g.template().equals(template) && !items.contains(g.item()) && authorizer.isNamedBy(who, g.grantee())) {
                items.add(g.item());
            }
        }
        return items;
    }

    /** One readable grant, template and item ASCII upper-cased. */
    private record Grant(String template, String item, AdminIdentity grantee) {
        /** Null when the data is not a grant. */
        static Grant parse(byte[] data) {
            try {
                JsonElement root = JsonParser.parseString(new String(data, StandardCharsets.UTF_8));
                if (!root.isJsonObject()) {
                    return null;
                }
                JsonObject o = root.getAsJsonObject();
                String template = text(o, "template");
                String item = text(o, "item");
                String grantee = text(o, "grantee");
                int colon = grantee == null ? -1 : grantee.indexOf(':');
                if (template == null || item == null || colon <= 0) {
                    return null;
                }
                int index = Integer.parseInt(grantee.substring(0, colon));
                return index < 0 ? null : new Grant(HandleName.asciiUpperCase(template), HandleName.asciiUpperCase(item),
                        new AdminIdentity(grantee.substring(colon + 1), index));
            } catch (RuntimeException e) {
                return null;
            }
        }

        private static String text(JsonObject o, String field) {
            JsonElement e = o.get(field);
            return e != null && e.isJsonPrimitive() && !e.getAsString().isBlank() ? e.getAsString().trim() : null;
        }
    }
}
