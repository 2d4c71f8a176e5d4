// The webhook function's work in Node, for the cold-start comparison only (benchmarks/, never deployed):
// the same route, size, content-type, token and signature checks as WebhookIngest, the same GitLab Job Hook and
// GitHub workflow_job normalisation, the same queue message (JobEventCodec's JSON, FIFO group = job, dedup id =
// job + status), the secret read from SSM once per five minutes, one JSON log line and one EMF line, 202.
// Reads the environment the Java function reads (Settings): AWS_REGION, RUNNER_SCALER_AWS_ENDPOINT,
// RUNNER_SCALER_QUEUE_URL, RUNNER_SCALER_GITLAB_SECRET_PARAMETER, RUNNER_SCALER_GITHUB_SECRET_PARAMETER.
import { createHash, createHmac, timingSafeEqual, randomUUID } from "node:crypto";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SSMClient, GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";

const MAX_BODY_BYTES = 1024 * 1024;
const REFRESH_MS = 5 * 60 * 1000;
const FORM = "application/x-www-form-urlencoded";

const env = process.env;
const endpoint = env.RUNNER_SCALER_AWS_ENDPOINT || undefined;
// As AwsClients: static dummy credentials for an emulator, the default chain for AWS; standard retries.
const clientConfig = {
  region: env.AWS_REGION,
  maxAttempts: 3,
  ...(endpoint ? { endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } } : {}),
};
const sqs = new SQSClient(clientConfig);
const ssm = new SSMClient(clientConfig);

const secrets = {
  gitlab: refreshing(env.RUNNER_SCALER_GITLAB_SECRET_PARAMETER),
  github: refreshing(env.RUNNER_SCALER_GITHUB_SECRET_PARAMETER),
};

/** One secret per line, read on first use and again after five minutes; the last good value on a failed refresh. */
function refreshing(parameter) {
  let value;
  let readAt = 0;
  return async () => {
    if (value !== undefined && Date.now() - readAt < REFRESH_MS) {
      return value;
    }
    try {
      const out = await ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
      value = parseSecrets(out.Parameter?.Value ?? "");
    } catch (e) {
      if (e instanceof ParameterNotFound) {
        value = [];
      } else if (value === undefined) {
        throw e;
      }
    }
    readAt = Date.now();
    return value;
  };
}

function parseSecrets(stored) {
  return stored.split(/\r\n|\r|\n/).map((s) => s.trim()).filter((s) => s.length > 0).map((s) => Buffer.from(s));
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest();

/** Both sides hashed first, so neither length nor content leaks through timing; every secret is tried. */
function matchesToken(list, presented) {
  const given = sha256(Buffer.from(presented));
  let match = false;
  for (const secret of list) {
    match = timingSafeEqual(given, sha256(secret)) || match;
  }
  return match;
}

function matchesSignature(list, body, header) {
  if (!header.startsWith("sha256=") || header.length !== 71 || !/^[0-9a-fA-F]{64}$/.test(header.slice(7))) {
    return false;
  }
  const given = Buffer.from(header.slice(7), "hex");
  let match = false;
  for (const secret of list) {
    match = timingSafeEqual(given, createHmac("sha256", secret).update(body).digest()) || match;
  }
  return match;
}

function log(level, event, fields) {
  console.log(JSON.stringify({ time: instant(new Date()), level, event, ...fields }));
}

function count(name, dimensions) {
  const keys = Object.keys(dimensions).sort();
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: "RunnerScaler", Dimensions: [keys], Metrics: [{ Name: name, Unit: "Count" }] }],
    },
  };
  for (const k of keys) {
    line[k] = dimensions[k];
  }
  line[name] = 1.0;
  console.log(JSON.stringify(line));
}

const answer = (status, outcome, reason) => ({ status, body: JSON.stringify({ outcome, reason }) });

function reject(status, outcome, reason, forge, path) {
  log("WARN", "webhook.rejected", { status, reason, path, ...(forge ? { forge } : {}) });
  return answer(status, outcome, reason);
}

/** Java's Instant.toString: no fraction when it is zero. */
function instant(date) {
  return date.toISOString().replace(".000Z", "Z");
}

/** ISO 8601 with an offset, or GitLab's older "2021-02-23 02:41:37 UTC"; throws on anything else. */
function time(text) {
  const iso = text.length > 10 && text[10] === "T";
  const d = new Date(iso ? text : text.replace(" ", "T").replace(/ UTC$/, "Z"));
  if (Number.isNaN(d.getTime())) {
    throw new Error(`timestamp not understood: ${text}`);
  }
  return instant(d);
}

function readObject(body) {
  let root;
  try {
    root = JSON.parse(body.toString("utf8"));
  } catch (e) {
    return { malformed: `body is not valid JSON: ${e.message}` };
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    return { malformed: "body is not a JSON object" };
  }
  return { root };
}

const GITLAB_STATUS = { created: "CREATED", pending: "QUEUED", running: "RUNNING", success: "SUCCEEDED",
  failed: "FAILED", canceled: "CANCELED" };

function gitlabJob(eventHeader, body, deliveryId) {
  if (eventHeader !== undefined && eventHeader !== "Job Hook") {
    return { ignored: `X-Gitlab-Event '${eventHeader}' is not a Job Hook` };
  }
  const { root, malformed } = readObject(body);
  if (malformed) {
    return { malformed };
  }
  const kind = typeof root.object_kind === "string" ? root.object_kind : "";
  if (kind !== "build") {
    return { ignored: `object_kind '${kind}' is not a job (build) event` };
  }
  if (!Number.isSafeInteger(root.build_id)) {
    return { malformed: "build_id is missing or not a number" };
  }
  const status = GITLAB_STATUS[root.build_status];
  if (!status) {
    return { ignored: `build_status '${root.build_status ?? ""}' needs no runner change` };
  }
  const project = root.project?.path_with_namespace ?? root.project_name ?? String(root.project_id ?? "");
  if (!project) {
    return { malformed: "project is missing" };
  }
  const times = {};
  try {
    for (const [field, key] of [["build_created_at", "createdAt"], ["build_started_at", "startedAt"],
      ["build_finished_at", "finishedAt"]]) {
      const text = root[`${field}_iso`] ?? root[field];
      if (typeof text === "string" && text.trim() !== "") {
        times[key] = time(text);
      }
    }
  } catch (e) {
    return { malformed: e.message };
  }
  if (!times.createdAt) {
    return { malformed: "build_created_at is missing" };
  }
  const runner = root.runner?.description;
  return { job: { forge: "gitlab", jobId: String(root.build_id), project, status, labels: [],
    ...(typeof runner === "string" && runner.trim() ? { runnerName: runner } : {}), deliveryId, ...times } };
}

function githubStatus(action, conclusion) {
  switch (action) {
    case "waiting": return "CREATED";
    case "queued": return "QUEUED";
    case "in_progress": return "RUNNING";
    case "completed":
      if (conclusion === "success" || conclusion === "neutral") return "SUCCEEDED";
      if (conclusion === "cancelled" || conclusion === "skipped" || conclusion === "stale") return "CANCELED";
      return "FAILED";
    default: return undefined;
  }
}

const text = (parent, field) => (typeof parent?.[field] === "string" && parent[field].trim() ? parent[field] : undefined);

function githubJob(event, body, deliveryId) {
  if (event !== "workflow_job") {
    return { ignored: `X-GitHub-Event '${event}' is not workflow_job` };
  }
  const { root, malformed } = readObject(body);
  if (malformed) {
    return { malformed };
  }
  const job = root.workflow_job;
  if (job === null || typeof job !== "object" || Array.isArray(job)) {
    return { malformed: "workflow_job is missing or not an object" };
  }
  if (!Number.isSafeInteger(job.id)) {
    return { malformed: "workflow_job.id is missing or not a number" };
  }
  if (typeof root.action !== "string") {
    return { malformed: "action is missing or not a string" };
  }
  const status = githubStatus(root.action, job.conclusion);
  if (!status) {
    return { ignored: `workflow_job action '${root.action}' needs no runner change` };
  }
  const repository = text(root.repository, "full_name");
  if (!repository) {
    return { malformed: "repository.full_name is missing or not a string" };
  }
  if (!Array.isArray(job.labels)) {
    return { malformed: "workflow_job.labels is missing or not an array" };
  }
  if (job.labels.some((l) => typeof l !== "string")) {
    return { malformed: "workflow_job.labels holds a value that is not a string" };
  }
  const times = {};
  try {
    for (const field of ["created_at", "started_at", "completed_at"]) {
      const value = job[field];
      if (value !== undefined && value !== null) {
        if (typeof value !== "string") {
          return { malformed: `workflow_job.${field} is not a string` };
        }
        times[field] = time(value);
      }
    }
  } catch (e) {
    return { malformed: e.message };
  }
  const createdAt = times.created_at ?? times.started_at;
  if (!createdAt) {
    return { malformed: "workflow_job.created_at and started_at are both missing" };
  }
  const started = status !== "QUEUED" && status !== "CREATED" ? times.started_at : undefined;
  const finished = ["SUCCEEDED", "FAILED", "CANCELED"].includes(status) ? times.completed_at : undefined;
  const runner = text(job, "runner_name");
  const owner = text(root.organization, "login") ?? text(root.repository?.owner, "login");
  const installation = Number.isSafeInteger(root.installation?.id) ? String(root.installation.id) : undefined;
  return { job: { forge: "github", jobId: String(job.id), project: repository, status, labels: [...new Set(job.labels)],
    ...(runner ? { runnerName: runner } : {}), deliveryId, createdAt,
    ...(started ? { startedAt: started } : {}), ...(finished ? { finishedAt: finished } : {}),
    ...(owner ? { owner } : {}), ...(installation ? { installationId: installation } : {}) } };
}

/** JobEventCodec.encode: the same fields in the same order, labels sorted. */
function encode(e) {
  const out = { v: 1, forge: e.forge, jobId: e.jobId, project: e.project, status: e.status,
    labels: [...e.labels].sort() };
  if (e.runnerName !== undefined) out.runnerName = e.runnerName;
  out.deliveryId = e.deliveryId;
  out.createdAt = e.createdAt;
  for (const k of ["startedAt", "finishedAt", "owner", "installationId"]) {
    if (e[k] !== undefined) out[k] = e[k];
  }
  return JSON.stringify(out);
}

async function enqueue(job) {
  const key = `${job.forge}:${job.jobId}`;
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: env.RUNNER_SCALER_QUEUE_URL, MessageBody: encode(job),
      MessageGroupId: key, MessageDeduplicationId: `${key}:${job.status}` }), { abortSignal: AbortSignal.timeout(3000) });
  } catch (e) {
    count("QueueUnavailable", { Forge: job.forge });
    log("WARN", "webhook.queue_unavailable", { forge: job.forge, delivery: job.deliveryId, job: key, error: e.name });
    return answer(503, "unavailable", "the job queue cannot be reached; the forge will retry");
  }
  log("INFO", "webhook.accepted", { forge: job.forge, delivery: job.deliveryId, job: key, status: job.status,
    project: job.project, labels: [...job.labels].sort() });
  return answer(202, "accepted", `${key} ${job.status.toLowerCase()}`);
}

async function outcome(parsed, forge, deliveryId, path) {
  if (parsed.malformed) {
    return reject(400, "malformed", parsed.malformed, forge, path);
  }
  if (parsed.ignored) {
    log("INFO", "webhook.ignored", { forge, delivery: deliveryId, reason: parsed.ignored });
    return answer(202, "ignored", parsed.ignored);
  }
  return enqueue(parsed.job);
}

function sizeAndType(body, headers, forge, path) {
  if (body.length > MAX_BODY_BYTES) {
    return reject(413, "too_large", `body of ${body.length} bytes exceeds 1 MiB`, forge, path);
  }
  const type = (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type === "" || type === "application/json" || type.endsWith("+json")) {
    return undefined;
  }
  const reason = type === FORM
    ? `content type ${FORM} is not supported: in the webhook's settings choose content type application/json`
    : `content type '${type}' is not supported: send application/json`;
  return reject(415, "unsupported_media_type", reason, forge, path);
}

async function loadSecrets(forge) {
  try {
    return { list: await secrets[forge]() };
  } catch (e) {
    count("SecretsUnavailable", { Forge: forge });
    log("WARN", "webhook.secrets_unavailable", { forge, error: e.name });
    return { unavailable: answer(503, "unavailable", "the webhook secret cannot be read; the forge will retry") };
  }
}

async function gitlab(body, headers, path) {
  const refused = sizeAndType(body, headers, "gitlab", path);
  if (refused) return refused;
  const token = headers["x-gitlab-token"] ?? "";
  const { list, unavailable } = await loadSecrets("gitlab");
  if (unavailable) return unavailable;
  if (!token) return reject(401, "unauthorized", "X-Gitlab-Token header is missing; set a secret token on the hook", "gitlab", path);
  if (list.length === 0) return reject(401, "unauthorized", "no GitLab webhook secret is configured", "gitlab", path);
  if (!matchesToken(list, token)) return reject(401, "unauthorized", "X-Gitlab-Token does not match", "gitlab", path);
  const deliveryId = headers["x-gitlab-event-uuid"] ?? randomUUID();
  return outcome(gitlabJob(headers["x-gitlab-event"], body, deliveryId), "gitlab", deliveryId, path);
}

async function github(body, headers, path) {
  const refused = sizeAndType(body, headers, "github", path);
  if (refused) return refused;
  const signature = headers["x-hub-signature-256"] ?? "";
  const { list, unavailable } = await loadSecrets("github");
  if (unavailable) return unavailable;
  if (!signature) return reject(401, "unauthorized", "X-Hub-Signature-256 header is missing; set a secret on the webhook", "github", path);
  if (list.length === 0) return reject(401, "unauthorized", "no GitHub webhook secret is configured", "github", path);
  if (!matchesSignature(list, body, signature)) return reject(401, "unauthorized", "X-Hub-Signature-256 does not match the body", "github", path);
  const deliveryId = headers["x-github-delivery"] ?? randomUUID();
  const event = headers["x-github-event"];
  if (event === undefined) return reject(400, "malformed", "X-GitHub-Event header is missing", "github", path);
  if (event === "ping") {
    log("INFO", "webhook.ping", { forge: "github", delivery: deliveryId });
    return answer(200, "pong", "signature verified; send workflow_job events");
  }
  return outcome(githubJob(event, body, deliveryId), "github", deliveryId, path);
}

/** API Gateway HTTP API, payload format 2.0: header names arrive lower-cased. */
export async function handler(event) {
  const path = event.rawPath ?? "";
  const headers = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (typeof v === "string") headers[k.toLowerCase()] = v;
  }
  const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
  const forge = path.endsWith("/webhook/gitlab") ? "gitlab" : path.endsWith("/webhook/github") ? "github" : undefined;
  let response;
  try {
    response = forge === "gitlab" ? await gitlab(body, headers, path)
      : forge === "github" ? await github(body, headers, path)
        : reject(404, "not_found", `no webhook at '${path}'; use /webhook/gitlab or /webhook/github`, undefined, path);
  } catch (bug) {
    count("WebhookErrors", { Error: bug.name });
    log("WARN", "webhook.failed", { path, error: bug.name });
    response = answer(500, "error", "internal error; the forge will retry");
  }
  count("WebhookResponses", { Status: String(response.status), Forge: forge ?? "none" });
  return { statusCode: response.status, headers: { "content-type": "application/json" }, body: response.body };
}
