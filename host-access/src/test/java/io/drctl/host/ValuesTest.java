package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

    /** Values each check accepts. */
    static Stream<Arguments> accepted() {
        return Stream.of(
                cases("isCidr", Values::isCidr, "10.1.0.0/24", "0.0.0.0/0", "10.0.0.5/32", "2001:db8::/64", "::/0",
                        "10.0.0.5"),
                cases("isName", Values::isName, "drl-r1-dbms", "drctl_fence.5432", "A", "vm-0042"))
                .flatMap(c -> c);
    }

    /** Values each check rejects. */
    static Stream<Arguments> rejected() {
        return Stream.of(
                cases("isIpv4", Values::isIpv4, "", "10.0.0", "10.0.0.256", "01.2.3.4", "1.2.3.4.5", "1.2.3.4 ",
                        " 1.2.3.4", "1.2.3.4\n", "1..3.4", "a.b.c.d", "1.2.3.-4", "1.2.3.4/32", "１.２.３.４"),
                cases("isIpv6", Values::isIpv6, "1:2", "2001:db8::5::1", "fe80::1%eth0", ":::", "2001:db8:::1", "g::1",
                        ".:", "..::", "2001:db8::1;id", "[::1]", "10.0.0.1"),
                cases("isCidr", Values::isCidr, "10.1.0.0/33", "10.1.0.0/", "10.1.0.0/-1", "10.1.0.0/2 4",
                        "2001:db8::/129", "/24", "10.1.0.0/24/8", "10.1.0.0/1e1", "host.example/24"),
                cases("isHostname", Values::isHostname, "", ".", "-db", "db-", "a..b", "a_b.example", "a b", "db;id",
                        "$(id)", "10.0.0.256", "1.2.3.999", "host.123", "ex\u00e4mple.com", "a.example..", "x\n"))
                .flatMap(c -> c);
    }

    private static Stream<Arguments> cases(String check, Predicate<String> test, String... values) {
        return Stream.of(values).map(v -> Arguments.of(check, test, v));
    }

    @ParameterizedTest(name = "{0} accepts \"{2}\"")
    @MethodSource("accepted")
    void check_valid(String check, Predicate<String> test, String s) {
        assertTrue(test.test(s), check + " rejected '" + s + "'");
    }

    @ParameterizedTest(name = "{0} rejects \"{2}\"")
    @MethodSource("rejected")
    void check_invalid(String check, Predicate<String> test, String s) {
        assertFalse(test.test(s), check + " accepted '" + s + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "10.77.1.30", "192.0.2.255", "255.255.255.255"})
    void isIpv4_valid(String s) {
        assertTrue(Values.isIpv4(s));
        assertEquals(s, Values.ip(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "2001:db8::5", "fe80::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "::",
            "::ffff:10.0.0.1"})
    void isIpv6_valid(String s) {
        assertTrue(Values.isIpv6(s), s);
        assertTrue(Values.isIp(s), s);
    }

    @Test
    void isIp_null_false() {
        assertFalse(Values.isIp(null));
        assertFalse(Values.isCidr(null));
        assertFalse(Values.isHostname(null));
        assertFalse(Values.isName(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"db1", "cfgmaster.dr.example.com", "cfgmaster.dr.example.com.", "a-b.c-d", "x1.example",
            "xn--bcher-kva.example"})
    void isHostname_valid(String s) {
        assertTrue(Values.isHostname(s), s);
        assertEquals(s, Values.address(s));
    }

    @Test
    void isHostname_lengthLimits() {
        String label63 = "a".repeat(63);
        assertTrue(Values.isHostname(label63 + ".example"));
        assertFalse(Values.isHostname("a".repeat(64) + ".example"));
        String longName = (label63 + ".").repeat(4); // 256 chars
        assertFalse(Values.isHostname(longName));
    }

    @Test
    void address_badValue_messageQuotesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.address("10.0.0.300"));
        assertTrue(e.getMessage().contains("'10.0.0.300'"), e.getMessage());
    }

    @Test
    void port_range() {
        assertEquals(1, Values.port(1));
        assertEquals(65535, Values.port(65535));
        assertThrows(IllegalArgumentException.class, () -> Values.port(0));
        assertThrows(IllegalArgumentException.class, () -> Values.port(65536));
        assertThrows(IllegalArgumentException.class, () -> Values.port(-22));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-rf", ".hidden", "_x", "a/b", "a b", "a;b", "a$b", "a\nb", "é"})
    void isName_invalid(String s) {
        assertFalse(Values.isName(s), s);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.name(s));
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }

    @Test
    void isName_lengthLimit() {
        assertTrue(Values.isName("a".repeat(128)));
        assertFalse(Values.isName("a".repeat(129)));
    }
}
