package io.runnerscaler.core.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** A delivery body read as a JSON object, or the reason it is not one. Both forges' parsers start here. */
sealed interface JsonObjectBody {

    record Read(JsonNode root) implements JsonObjectBody {
    }

    record Unreadable(ParsedDelivery.Malformed why) implements JsonObjectBody {
    }

    static JsonObjectBody read(ObjectMapper json, byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            return new Unreadable(new ParsedDelivery.Malformed("body is not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            return new Unreadable(new ParsedDelivery.Malformed("body could not be read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return new Unreadable(new ParsedDelivery.Malformed("body is not a JSON object"));
        }
        return new Read(root);
    }
}
