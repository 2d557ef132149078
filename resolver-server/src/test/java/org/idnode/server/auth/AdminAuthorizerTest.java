package org.idnode.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.server.auth.AdminAuthorizer.Decision;
import org.idnode.server.auth.AdminAuthorizer.Permission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HS_ADMIN decisions against records in a real RocksDB store: the prefix handle {@code 0.NA/88.999.1}
 * (HS_ADMIN → 300:0.NA/88.999.1, all permissions) and the board lot {@code 88.999.1/PCB-0001}
 * (HS_ADMIN → group 1:88.999.1/ADMINS with add/modify value and read; → 0:0.NA/88.999.4, all;
 * → the looping group 1:88.999.1/LOOP-A, all). ADMINS = {300:0.NA/88.999.2, 2:88.999.1/NESTED},
 * NESTED = {301:0.NA/88.999.3}.
 */
class AdminAuthorizerTest {
    @TempDir
    static Path dir;
    static AuthFixture fx;

    @BeforeAll
    static void open() throws Exception {
        fx = AuthFixture.create(dir);
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    private static HandleRecord stored(String handle) {
        return fx.store.get(HandleName.parse(handle)).orElseThrow();
    }

    private static AdminIdentity id(int index, String handle) {
        return new AdminIdentity(handle, index);
    }

    private final AdminAuthorizer authorizer = new AdminAuthorizer(fx.lookup());

    @Test
    void exactIdentityOnThePrefixHandleMayCreate() {
        HandleName prefix = AdminAuthorizer.authorityForCreate(HandleName.parse("88.999.1/PCB-9999"));
        assertThat(prefix.toString()).isEqualTo(AuthFixture.PREFIX_HANDLE);
        Decision d = authorizer.authorize(id(300, AuthFixture.PREFIX_HANDLE), stored(prefix.toString()), Permission.ADD_HANDLE);
        assertThat(d.granted()).isTrue();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(d.reason()).contains("HS_ADMIN 100").contains("300:0.NA/88.999.1");
        // Handles compare ASCII case-insensitively.
        assertThat(authorizer.authorize(id(300, "0.na/88.999.1"), stored(prefix.toString()), Permission.ADD_HANDLE).granted()).isTrue();
    }

    @Test
    void anotherIndexOfTheSameHandleIsNotTheAdmin() {
        Decision d = authorizer.authorize(id(301, AuthFixture.PREFIX_HANDLE), stored(AuthFixture.PREFIX_HANDLE), Permission.ADD_HANDLE);
        assertThat(d.granted()).isFalse();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
    }

    @Test
    void anotherEnterprisesAdminIsInvalidAdmin() {
        Decision d = authorizer.authorize(id(300, "0.NA/88.999.2"), stored(AuthFixture.PREFIX_HANDLE), Permission.ADD_HANDLE);
        assertThat(d.granted()).isFalse();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(d.reason()).contains("300:0.NA/88.999.2 is not an administrator of 0.NA/88.999.1");
    }

    @Test
    void indexZeroInHsAdminMatchesAnyIndex() {
        Decision d = authorizer.authorize(id(555, "0.NA/88.999.4"), stored(AuthFixture.BOARD), Permission.DELETE_HANDLE);
        assertThat(d.granted()).isTrue();
        assertThat(d.reason()).contains("0:0.NA/88.999.4");
    }

    @Test
    void groupMemberGetsTheGroupsPermissions() {
        Decision d = authorizer.authorize(id(300, "0.NA/88.999.2"), stored(AuthFixture.BOARD), Permission.MODIFY_VALUE);
        assertThat(d.granted()).isTrue();
        assertThat(d.reason()).contains("group 1:88.999.1/ADMINS");
    }

    @Test
    void nestedGroupMemberGetsThemToo() {
        Decision d = authorizer.authorize(id(301, "0.NA/88.999.3"), stored(AuthFixture.BOARD), Permission.ADD_VALUE, Permission.READ_VALUE);
        assertThat(d.granted()).isTrue();
        assertThat(d.reason()).contains("1:88.999.1/ADMINS -> 2:88.999.1/NESTED");
    }

    @Test
    void missingPermissionIsInsufficientPermissionsForAnAdmin() {
        Decision d = authorizer.authorize(id(300, "0.NA/88.999.2"), stored(AuthFixture.BOARD), Permission.DELETE_HANDLE);
        assertThat(d.granted()).isFalse();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
        assertThat(d.reason()).contains("DELETE_HANDLE");
        // One HS_ADMIN value must grant everything asked for.
        assertThat(authorizer.authorize(id(300, "0.NA/88.999.2"), stored(AuthFixture.BOARD), Permission.ADD_VALUE, Permission.REMOVE_VALUE)
                .responseCode()).isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
    }

    @Test
    void loopingGroupsEnd() {
        AtomicInteger lookups = new AtomicInteger();
        AdminAuthorizer counting = new AdminAuthorizer(h -> {
            lookups.incrementAndGet();
            return fx.store.get(h);
        });
        Decision d = counting.authorize(id(7, "0.NA/88.999.9"), stored(AuthFixture.BOARD), Permission.ADD_VALUE);
        assertThat(d.granted()).isFalse();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(lookups.get()).isLessThan(20);
    }

    @Test
    void nestingIsFollowedOnlyToTheDepthBound() {
        // CHAIN-0 -> CHAIN-1 -> ... -> CHAIN-11 -> 300:0.NA/88.999.12
        List<HandleRecord> chain = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            chain.add(AuthFixture.record("88.999.1/CHAIN-" + i, AuthFixture.group(1,
                    i == 11 ? AuthFixture.ref("0.NA/88.999.12", 300) : AuthFixture.ref("88.999.1/CHAIN-" + (i + 1), 1))));
        }
        fx.store.putAll(chain);
        List<HandleValue> admin = List.of(AuthFixture.admin(100, "88.999.1/CHAIN-0", 1, AuthFixture.allPermissions()));
        AdminIdentity deep = id(300, "0.NA/88.999.12");

        Decision shallow = authorizer.authorize(deep, "88.999.1/DEEP", admin, Set.of(Permission.ADD_VALUE));
        assertThat(shallow.granted()).isFalse();
        assertThat(shallow.reason()).contains("not followed");

        Decision deepEnough = new AdminAuthorizer(fx.lookup(), 12, 64).authorize(deep, "88.999.1/DEEP", admin, Set.of(Permission.ADD_VALUE));
        assertThat(deepEnough.granted()).isTrue();
    }

    @Test
    void derivedPrefixHandlesAreAuthorisedByTheirParent() {
        assertThat(AdminAuthorizer.authorityForCreate(HandleName.parse("0.NA/88.999.1")).toString()).isEqualTo("0.NA/88.999");
        assertThat(AdminAuthorizer.authorityForCreate(HandleName.parse("0.NA/88.999.1.7")).toString()).isEqualTo("0.NA/88.999.1");
        assertThat(AdminAuthorizer.authorityForCreate(HandleName.parse("0.NA/88")).toString()).isEqualTo("0.NA/0.NA");
        Decision d = authorizer.authorize(id(300, AuthFixture.PREFIX_HANDLE), stored(AuthFixture.PREFIX_HANDLE), Permission.ADD_NA);
        assertThat(d.granted()).isTrue();
    }

    @Test
    void handleWithoutHsAdminRefusesEveryone() {
        Decision d = authorizer.authorize(id(300, AuthFixture.PREFIX_HANDLE), stored(AuthFixture.ADMINS), Permission.ADD_VALUE);
        assertThat(d.granted()).isFalse();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(d.reason()).contains("has no HS_ADMIN");
    }

    @Test
    void malformedAdminAndGroupValuesAreSkipped() {
        List<HandleValue> values = List.of(
                AuthFixture.value(100, "HS_ADMIN", new byte[] {0x0f, (byte) 0xff, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2}, null, 0),
                AuthFixture.admin(101, "88.999.1/BOGUS-GROUP", 1, AuthFixture.allPermissions()));
        fx.store.putAll(List.of(AuthFixture.record("88.999.1/BOGUS-GROUP",
                AuthFixture.value(1, "HS_VLIST", new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 1}, null, 0))));
        Decision d = authorizer.authorize(id(300, AuthFixture.PREFIX_HANDLE), "88.999.1/ODD", values, Set.of(Permission.ADD_VALUE));
        assertThat(d.granted()).isFalse();
        assertThat(d.responseCode()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
    }
}
