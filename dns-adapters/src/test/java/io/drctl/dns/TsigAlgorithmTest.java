package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.TSIG;

class TsigAlgorithmTest {

    @Test
    void names_bindDnsAndJca() {
        assertEquals("hmac-sha256", TsigAlgorithm.HMAC_SHA256.label());
        assertEquals(TSIG.HMAC_SHA256, TsigAlgorithm.HMAC_SHA256.dnsName());
        assertEquals("HmacSHA256", TsigAlgorithm.HMAC_SHA256.jcaName());
        assertEquals(TSIG.HMAC_SHA384, TsigAlgorithm.HMAC_SHA384.dnsName());
        assertEquals("HmacSHA384", TsigAlgorithm.HMAC_SHA384.jcaName());
        assertEquals(TSIG.HMAC_SHA512, TsigAlgorithm.HMAC_SHA512.dnsName());
        assertEquals("HmacSHA512", TsigAlgorithm.HMAC_SHA512.jcaName());
    }

    @Test
    void fromBindName_caseInsensitive_optionalTrailingDot() {
        assertEquals(Optional.of(TsigAlgorithm.HMAC_SHA512), TsigAlgorithm.fromBindName("HMAC-SHA512."));
        assertEquals(Optional.of(TsigAlgorithm.HMAC_SHA384), TsigAlgorithm.fromBindName("hmac-sha384"));
        assertEquals(Optional.empty(), TsigAlgorithm.fromBindName("hmac-md5"));
        assertEquals(Optional.empty(), TsigAlgorithm.fromBindName(null));
        assertEquals("hmac-sha256, hmac-sha384, hmac-sha512", TsigAlgorithm.supported());
    }
}
