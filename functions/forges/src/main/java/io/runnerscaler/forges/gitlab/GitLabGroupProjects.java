package io.runnerscaler.forges.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitLab group's projects, its subgroups' included, from the Groups API (doc/api/groups.md, "List a group's
 * projects"): {@code GET /api/v4/groups/:id/projects} with {@code include_subgroups=true} (default false),
 * {@code with_shared=false} (the default true adds projects of other groups shared with this one: not the group's
 * own, and watched by listing their own group), {@code archived=false} (an archived project runs no jobs) and {@code simple=true}, a hundred a page
 * (the most GitLab gives). Pages follow {@code X-Next-Page}, or the {@code page} of the {@code Link: rel="next"}
 * URL where that header is missing (doc/api/rest/index.md, "Pagination"). Each project is named by
 * its {@code path_with_namespace}, as job events name it (the id where a project has no path).
 *
 * <p>The one listing of a group's projects: the reaper's watched groups and the CLI's trace of a group both use it,
 * each sending through its own pages (the reaper within a call budget, the CLI waiting out rate limits).
 */
public final class GitLabGroupProjects {

    public static final int PER_PAGE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>;\\s*rel=\"next\"");
    private static final Pattern PAGE = Pattern.compile("[?&]page=([0-9]+)");

    /** Sends one GET for a path relative to the API base; {@code what} names the call in errors. */
    @FunctionalInterface
    public interface Pages {
        HttpResponse<String> get(String path, String what);
    }

    private final Pages pages;
    private final Function<HttpResponse<?>, Optional<Duration>> limitUsedUp;

    /**
     * @param limitUsedUp how long to stop after an answer that used up the rate limit ({@link ForgeHttp#limitUsedUp});
     *                    a sender that waits the limit out itself answers empty
     */
    public GitLabGroupProjects(Pages pages, Function<HttpResponse<?>, Optional<Duration>> limitUsedUp) {
        this.pages = pages;
        this.limitUsedUp = limitUsedUp;
    }

    /** The request path of one page. */
    static String path(String group, String page) {
        return "api/v4/groups/" + ForgeHttp.encode(group) + "/projects?include_subgroups=true&with_shared=false"
                + "&archived=false&simple=true&per_page=" + PER_PAGE + "&page=" + page;
    }

    /**
     * The group's projects from {@code page} on, in at most {@code maxCalls} calls; stops early, saying when to go
     * on, after an answer that used up the rate limit.
     */
    public PendingJobs.Projects list(String group, String page, int maxCalls) {
        var projects = new ArrayList<String>();
        int calls = 0;
        Optional<String> next = Optional.of(page);
        Optional<Duration> retryAfter = Optional.empty();
        while (next.isPresent() && calls < maxCalls && retryAfter.isEmpty()) {
            String what = "list projects of group '" + group + "' (page " + next.get() + ")";
            HttpResponse<String> response = pages.get(path(group, next.get()), what);
            calls++;
            for (JsonNode project : array(response, what)) {
                JsonNode path = project.path("path_with_namespace");
                projects.add(path.isTextual() && !path.textValue().isBlank() ? path.textValue()
                        : project.path("id").asText());
            }
            next = nextPage(response);
            retryAfter = limitUsedUp.apply(response);
        }
        return new PendingJobs.Projects(projects, calls, next, retryAfter);
    }

    /** Every project of the group, page after page. */
    public List<String> all(String group) {
        return list(group, "1", Integer.MAX_VALUE).projects();
    }

    private static Optional<String> nextPage(HttpResponse<String> response) {
        Optional<String> header = response.headers().firstValue("x-next-page").map(String::strip)
                .filter(p -> !p.isEmpty());
        if (header.isPresent()) {
            return header;
        }
        return response.headers().allValues("link").stream().map(NEXT::matcher).filter(Matcher::find)
                .map(m -> PAGE.matcher(m.group(1))).filter(Matcher::find).map(m -> m.group(1)).findFirst();
    }

    private static JsonNode array(HttpResponse<String> response, String what) {
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node != null && node.isArray()) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new ForgeException.UnexpectedAnswer("GitLab " + what + ": answer is not a JSON array of projects",
                response.statusCode());
    }
}
