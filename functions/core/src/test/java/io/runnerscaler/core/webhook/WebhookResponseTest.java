package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The answer's body is the one data binding wrote: forges show it in their delivery logs. */
class WebhookResponseTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "accepted|gitlab:1977 queued",
            "malformed|body is not valid JSON: Unexpected character ('\"' (code 34)): was expecting comma",
            "not_found|no webhook at '/x\ty\u0001ü'; use /webhook/gitlab or /webhook/github",
            "error|NULL"})
    void theBodyIsTheOneDataBindingWrote(String outcome, String reason) throws Exception {
        var body = new LinkedHashMap<String, String>();
        body.put("outcome", outcome);
        body.put("reason", reason);

        assertThat(WebhookResponse.of(400, outcome, reason).body()).isEqualTo(new ObjectMapper().writeValueAsString(body));
    }
}
