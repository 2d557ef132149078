package org.idnode.registry.template;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.Permissions;

/**
 * One item of a {@link Template}: the value a record may (or must) hold at an index of 2000 or above, with
 * its type name, display names, data type and limits.
 *
 * <p>An item normally occupies one index. A repeatable item ({@link #maxCount()} &gt; 1) occupies the
 * indexes {@code index … index + maxCount - 1}, each holding one value of the same type: this is how a
 * PCBA unit lists its reels ({@code REF.REEL} at 2011, 2012, …).
 *
 * <p>Immutable and thread-safe. Built with {@link #builder(int, String, DataType)}; {@link Builder#build()}
 * checks every rule and throws {@link InvalidTemplateException} naming the offending field.
 */
public final class TemplateItem {
    /** The first index a template item may use. */
    public static final int FIRST_ITEM_INDEX = 2000;
    /** Index of the {@code TEMPLATE_ID} value that binds a record to its template. */
    public static final int TEMPLATE_ID_INDEX = 1000;
    /** Index of the {@code TEMPLATE} value, the template version. */
    public static final int TEMPLATE_VERSION_INDEX = 1001;
    /** Reserved by SNMS next to the template binding. */
    public static final int RESERVED_INDEX = 1999;
    /** Type of the value at {@value #TEMPLATE_ID_INDEX}. */
    public static final String TEMPLATE_ID_TYPE = "TEMPLATE_ID";
    /** Type of the value at {@value #TEMPLATE_VERSION_INDEX}. */
    public static final String TEMPLATE_VERSION_TYPE = "TEMPLATE";
    /** Default {@link #maxLength()} of string items (IDHub's default). */
    public static final int DEFAULT_MAX_LENGTH = 4000;
    /** Largest {@link #maxCount()} of a repeatable item. */
    public static final int MAX_COUNT_LIMIT = 10_000;
    /** Longest display name, in code points. */
    public static final int MAX_NAME_LENGTH = 128;

    private static final Pattern TYPE_SYNTAX = Pattern.compile("[A-Za-z0-9_.\\-]{1,255}");

    private final int index;
    private final int maxCount;
    private final String type;
    private final String nameZh;
    private final String nameEn;
    private final DataType dataType;
    private final boolean required;
    private final int minLength;
    private final int maxLength;
    private final BigDecimal min;
    private final BigDecimal max;
    private final Integer maxDecimals;
    private final HandleName targetTemplate;
    private final boolean publicRead;
    private final boolean enabled;

    private TemplateItem(Builder b) {
        this.index = b.index;
        this.maxCount = b.maxCount;
        this.type = b.type;
        this.nameZh = b.nameZh;
        this.nameEn = b.nameEn;
        this.dataType = b.dataType;
        this.required = b.required;
        this.minLength = b.minLength == null ? 0 : b.minLength;
        this.maxLength = b.maxLength == null ? DEFAULT_MAX_LENGTH : b.maxLength;
        this.min = b.min;
        this.max = b.max;
        this.maxDecimals = b.maxDecimals;
        this.targetTemplate = b.targetTemplate == null ? null : HandleName.parse(b.targetTemplate);
        this.publicRead = b.publicRead;
        this.enabled = b.enabled;
    }

    /** A builder for an item at {@code index} holding values of {@code type}. */
    public static Builder builder(int index, String type, DataType dataType) {
        return new Builder(index, type, dataType);
    }

    /** The (first) index the item occupies, 2000 or above. */
    public int index() {
        return index;
    }

    /** How many values of this item a record may hold, at consecutive indexes from {@link #index()}; 1 for most items. */
    public int maxCount() {
        return maxCount;
    }

    /** The last index the item occupies. */
    public int lastIndex() {
        return index + maxCount - 1;
    }

    /** True when {@code i} is one of the indexes this item occupies. */
    public boolean occupies(int i) {
        return i >= index && i <= lastIndex();
    }

    /** The value type name records use, e.g. {@code LAYER_COUNT} or {@code REF.CCL_LOT}. */
    public String type() {
        return type;
    }

    /** Chinese display name. */
    public String nameZh() {
        return nameZh;
    }

    /** English display name. */
    public String nameEn() {
        return nameEn;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Whether a record bound to the template must hold this item (ignored while the item is disabled). */
    public boolean required() {
        return required;
    }

    /** Fewest code points a string value may have (0 unless stated); meaningful for {@link DataType#STRING} only. */
    public int minLength() {
        return minLength;
    }

    /** Most code points a string value may have ({@value #DEFAULT_MAX_LENGTH} unless stated); {@link DataType#STRING} only. */
    public int maxLength() {
        return maxLength;
    }

    /** Smallest number allowed (inclusive); {@link DataType#NUMBER} only. */
    public Optional<BigDecimal> min() {
        return Optional.ofNullable(min);
    }

    /** Largest number allowed (inclusive); {@link DataType#NUMBER} only. */
    public Optional<BigDecimal> max() {
        return Optional.ofNullable(max);
    }

    /** Most digits allowed after the decimal point (0: whole numbers); {@link DataType#NUMBER} only. */
    public OptionalInt maxDecimals() {
        return maxDecimals == null ? OptionalInt.empty() : OptionalInt.of(maxDecimals);
    }

    /**
     * For {@link DataType#REFERENCE} items, the template the target identifier is expected to use. Documents
     * the genealogy; the validator does not check it, since that would mean reading the target.
     */
    public Optional<HandleName> targetTemplate() {
        return Optional.ofNullable(targetTemplate);
    }

    /** Whether the item's values are public by default; false for manufacturing-sensitive items. */
    public boolean publicRead() {
        return publicRead;
    }

    /** The permissions a value of this item gets when the writer states none. */
    public Permissions defaultPermissions() {
        return publicRead ? Permissions.PUBLIC_READ : Permissions.RESTRICTED;
    }

    /** False for a disabled item: records may no longer hold it (items are never deleted, only disabled). */
    public boolean enabled() {
        return enabled;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemplateItem i && i.index == index && i.maxCount == maxCount && i.type.equals(type)
                && i.nameZh.equals(nameZh) && i.nameEn.equals(nameEn) && i.dataType == dataType
                && i.required == required && i.minLength == minLength && i.maxLength == maxLength
                && sameNumber(i.min, min) && sameNumber(i.max, max) && Objects.equals(i.maxDecimals, maxDecimals)
                && Objects.equals(i.targetTemplate, targetTemplate) && i.publicRead == publicRead && i.enabled == enabled;
    }

    private static boolean sameNumber(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, type, dataType);
    }

    @Override
    public String toString() {
        return (maxCount == 1 ? String.valueOf(index) : index + "-" + lastIndex()) + " " + type + " (" + dataType.jsonName()
                + (required ? ", required" : "") + (publicRead ? "" : ", restricted") + (enabled ? "" : ", disabled") + ")";
    }

    /** Collects an item's fields; not thread-safe. Every setter returns the builder. */
    public static final class Builder {
        private final int index;
        private final String type;
        private final DataType dataType;
        private int maxCount = 1;
        private String nameZh;
        private String nameEn;
        private boolean required;
        private Integer minLength;
        private Integer maxLength;
        private BigDecimal min;
        private BigDecimal max;
        private Integer maxDecimals;
        private String targetTemplate;
        private boolean publicRead = true;
        private boolean enabled = true;

        private Builder(int index, String type, DataType dataType) {
            this.index = index;
            this.type = type;
            this.dataType = dataType;
        }

        public Builder maxCount(int maxCount) {
            this.maxCount = maxCount;
            return this;
        }

        /** Sets the Chinese and English display names. */
        public Builder names(String nameZh, String nameEn) {
            this.nameZh = nameZh;
            this.nameEn = nameEn;
            return this;
        }

        public Builder required(boolean required) {
            this.required = required;
            return this;
        }

        public Builder minLength(Integer minLength) {
            this.minLength = minLength;
            return this;
        }

        public Builder maxLength(Integer maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        public Builder min(BigDecimal min) {
            this.min = min;
            return this;
        }

        public Builder max(BigDecimal max) {
            this.max = max;
            return this;
        }

        public Builder maxDecimals(Integer maxDecimals) {
            this.maxDecimals = maxDecimals;
            return this;
        }

        /** The template id (a handle such as {@code 88.999/TPL.CCL_LOT}) a reference's target should use. */
        public Builder targetTemplate(String targetTemplate) {
            this.targetTemplate = targetTemplate;
            return this;
        }

        public Builder publicRead(boolean publicRead) {
            this.publicRead = publicRead;
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * Checks every rule and builds the item.
         *
         * @throws InvalidTemplateException naming the first offending field
         */
        public TemplateItem build() {
            checkIndex();
            if (maxCount < 1 || maxCount > MAX_COUNT_LIMIT) {
                throw new InvalidTemplateException("maxCount", maxCount + " is out of range; an item holds 1 to " + MAX_COUNT_LIMIT + " values");
            }
            if ((long) index + maxCount - 1 > Integer.MAX_VALUE) {
                throw new InvalidTemplateException("maxCount", "indexes " + index + " to " + ((long) index + maxCount - 1) + " go past the largest index " + Integer.MAX_VALUE);
            }
            checkType();
            checkName("nameZh", nameZh);
            checkName("nameEn", nameEn);
            if (dataType == null) {
                throw new InvalidTemplateException("dataType", "missing; use string, number, date or reference");
            }
            checkLimits();
            return new TemplateItem(this);
        }

        private void checkIndex() {
            if (index == TEMPLATE_ID_INDEX || index == TEMPLATE_VERSION_INDEX || index == RESERVED_INDEX) {
                throw new InvalidTemplateException("index", index + " is reserved (1000 TEMPLATE_ID and 1001 TEMPLATE bind a record to its template; 1999 is reserved); items start at " + FIRST_ITEM_INDEX);
            }
            if (index < FIRST_ITEM_INDEX) {
                throw new InvalidTemplateException("index", index + " is below " + FIRST_ITEM_INDEX + "; template items start at index " + FIRST_ITEM_INDEX + " (1 to 999 hold free values such as URL and DESC)");
            }
        }

        private void checkType() {
            if (type == null || type.isEmpty()) {
                throw new InvalidTemplateException("type", "missing; give the value type name, e.g. LAYER_COUNT");
            }
            if (!TYPE_SYNTAX.matcher(type).matches()) {
                throw new InvalidTemplateException("type", "'" + type + "' may hold only ASCII letters, digits, '_', '.' and '-' (at most 255)");
            }
            if (type.equalsIgnoreCase(TEMPLATE_ID_TYPE) || type.equalsIgnoreCase(TEMPLATE_VERSION_TYPE)
                    || type.regionMatches(true, 0, "HS_", 0, 3)) {
                throw new InvalidTemplateException("type", type + " is reserved for the Handle system and the template binding");
            }
            boolean refType = type.regionMatches(true, 0, HandleRecord.REFERENCE_TYPE_PREFIX, 0, HandleRecord.REFERENCE_TYPE_PREFIX.length());
            if (dataType == DataType.REFERENCE && (!refType || type.length() == HandleRecord.REFERENCE_TYPE_PREFIX.length())) {
                throw new InvalidTemplateException("type", "a reference item's type must start with " + HandleRecord.REFERENCE_TYPE_PREFIX
                        + " and name the target, e.g. REF.CCL_LOT; got " + type);
            }
            if (dataType != null && dataType != DataType.REFERENCE && refType) {
                throw new InvalidTemplateException("type", type + " starts with " + HandleRecord.REFERENCE_TYPE_PREFIX
                        + ", which marks genealogy references; use dataType reference or another type name");
            }
        }

        private static void checkName(String field, String name) {
            if (name == null || name.isBlank()) {
                throw new InvalidTemplateException(field, "missing; every item has a Chinese (nameZh) and an English (nameEn) display name");
            }
            if (name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
                throw new InvalidTemplateException(field, "longer than " + MAX_NAME_LENGTH + " characters");
            }
            for (int i = 0; i < name.length(); i++) {
                if (Character.isISOControl(name.charAt(i))) {
                    throw new InvalidTemplateException(field, "contains a control character");
                }
            }
        }

        private void checkLimits() {
            String dt = dataType.jsonName();
            if (dataType != DataType.STRING) {
                onlyFor(minLength != null, "minLength", "string", dt);
                onlyFor(maxLength != null, "maxLength", "string", dt);
            }
            if (dataType != DataType.NUMBER) {
                onlyFor(min != null, "min", "number", dt);
                onlyFor(max != null, "max", "number", dt);
                onlyFor(maxDecimals != null, "maxDecimals", "number", dt);
            }
            if (dataType != DataType.REFERENCE) {
                onlyFor(targetTemplate != null, "targetTemplate", "reference", dt);
            }
            if (minLength != null && minLength < 0) {
                throw new InvalidTemplateException("minLength", minLength + " is negative");
            }
            if (maxLength != null && maxLength < 1) {
                throw new InvalidTemplateException("maxLength", maxLength + " is below 1");
            }
            int lo = minLength == null ? 0 : minLength;
            int hi = maxLength == null ? DEFAULT_MAX_LENGTH : maxLength;
            if (dataType == DataType.STRING && lo > hi) {
                throw new InvalidTemplateException("minLength", lo + " is above maxLength " + hi);
            }
            if (min != null && max != null && min.compareTo(max) > 0) {
                throw new InvalidTemplateException("min", min.toPlainString() + " is above max " + max.toPlainString());
            }
            if (maxDecimals != null && (maxDecimals < 0 || maxDecimals > 100)) {
                throw new InvalidTemplateException("maxDecimals", maxDecimals + " is out of range 0 to 100");
            }
            if (targetTemplate != null) {
                try {
                    HandleName.parse(targetTemplate);
                } catch (InvalidHandleException e) {
                    throw new InvalidTemplateException("targetTemplate", "'" + targetTemplate + "' is not a template handle: " + e.getMessage());
                }
            }
        }

        private static void onlyFor(boolean set, String field, String applies, String actual) {
            if (set) {
                throw new InvalidTemplateException(field, "applies only to " + applies + " items, not to a " + actual + " item");
            }
        }
    }
}
