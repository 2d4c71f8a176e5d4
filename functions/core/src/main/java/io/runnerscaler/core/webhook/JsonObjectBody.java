package io.runnerscaler.core.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.runnerscaler.core.json.JsonValue;
import java.io.IOException;

/** A delivery body read as a JSON object, or the reason it is not one. Both forges' parsers start here. */
sealed interface JsonObjectBody {

    record Read(JsonValue root) implements JsonObjectBody {
    }

    record Unreadable(ParsedDelivery.Malformed why) implements JsonObjectBody {
    }

    static JsonObjectBody read(JsonFactory json, byte[] body) {
        JsonValue root;
        try {
            root = JsonValue.read(json, body);
        } catch (JsonProcessingException e) {
            return new Unreadable(new ParsedDelivery.Malformed("body is not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            return new Unreadable(new ParsedDelivery.Malformed("body could not be read: " + e.getMessage()));
        }
        if (!root.isObject()) {
            return new Unreadable(new ParsedDelivery.Malformed("body is not a JSON object"));
        }
        return new Read(root);
    }
}
