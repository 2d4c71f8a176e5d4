package io.runnerscaler.cli.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.cli.config.ConfigFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Saved answers of a forge's jobs API, for offline traces and tests: each file holds what the API answered for one
 * page or several. GitLab's list of jobs is a JSON array of jobs; GitHub's is an object with a {@code jobs} array.
 * A file may also hold an array of such pages (as {@code jq -s} joins them) or a plain array of jobs.
 */
final class SavedPages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SavedPages() {
    }

    /** Hands every job of every file, in file order, to {@code each}. */
    static void read(List<Path> files, Consumer<JsonNode> each) throws ConfigFiles.UnreadableFile {
        for (Path file : files) {
            JsonNode root;
            try {
                root = JSON.readTree(ConfigFiles.read(file));
            } catch (JsonProcessingException e) {
                throw new HistoryException(file + ": not JSON (" + e.getOriginalMessage() + " at line "
                        + e.getLocation().getLineNr() + ")");
            }
            walk(root, file, each);
        }
    }

    private static void walk(JsonNode node, Path file, Consumer<JsonNode> each) {
        if (node == null || node.isMissingNode()) {
            throw new HistoryException(file + ": empty; expected a saved page of jobs");
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isArray() || element.has("jobs") || element.has("workflow_runs")) {
                    walk(element, file, each);
                } else if (element.isObject()) {
                    each.accept(element);
                } else {
                    throw new HistoryException(file + ": " + Instants.abbreviate(element) + " is not a job");
                }
            }
            return;
        }
        if (node.path("jobs").isArray()) {
            node.path("jobs").forEach(each);
            return;
        }
        if (node.has("workflow_runs")) {
            throw new HistoryException(file + ": a page of workflow runs holds no jobs; save each run's jobs "
                    + "(GET /repos/OWNER/REPO/actions/runs/RUN_ID/jobs?filter=all)");
        }
        throw new HistoryException(file + ": not a page of jobs (a JSON array of jobs, or an object with a jobs array)");
    }
}
