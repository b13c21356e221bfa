/**
 * Alerts over GraphQL: queries (filtered, keyset-paged list; one alert with its history; open
 * alerts; the rules as configured), the acknowledge and resolve mutations, and two subscriptions:
 * alertEvents (every lifecycle change, in order, resumable) and openAlerts (the open alerts,
 * through the live hub, pushed when they change).
 */
import { alertsChangeTable } from "../../domain/changes.js";
import { RttmError } from "../../domain/errors.js";
import {
  alertMessage,
  timeAgo,
  ruleByName,
  ruleInfo,
  acknowledgeAlert,
  resolveAlert,
  type RuleInfo,
} from "../../alerts/index.js";
import {
  alertHistory,
  getAlert,
  listAlerts,
  openAlerts,
  InvalidInputError,
} from "../../store/read/index.js";
import {
  eventKinds,
  resolutions,
  ruleNames,
  severities,
  statuses,
  type AlertEventWithAlert,
  type AlertRecord,
} from "../../domain/alerts.js";
import { changeNotice, type SnapshotSource } from "../../live/index.js";
import { alertIdArg, eventIdArg, pageArgs, timeRangeArgs } from "../args.js";
import { builder } from "../builder.js";
import { connection } from "../connection.js";
import { requestHeader, type GraphQLContext } from "../context.js";
import { fromLiveHub } from "../live.js";

/** Who acknowledges or resolves when the mutation has no `by`: this header (set by the gateway), else "anonymous". */
export const actorHeader = "x-forwarded-user";
const maxActorLength = 256;

builder.mutationType({
  description: "Changes made by people: acknowledging and resolving alerts.",
});

export const AlertSeverityEnum = builder.enumType("AlertSeverity", {
  description:
    "WARNING: the value reached the rule's warning threshold; CRITICAL: it reached the critical one (both inclusive). An open alert keeps the highest severity it reached.",
  values: severities,
});
export const AlertStatusEnum = builder.enumType("AlertStatus", {
  description:
    "ACTIVE (open), ACKED (open, someone is on it), RESOLVED (closed; a recurrence opens a new alert).",
  values: statuses,
});
export const AlertRuleNameEnum = builder.enumType("AlertRuleName", {
  values: ruleNames,
  description: "The rules; see the alertRules query.",
});
export const AlertEventKindEnum = builder.enumType("AlertEventKind", { values: eventKinds });
export const AlertResolutionEnum = builder.enumType("AlertResolution", {
  description:
    "CLEARED: the value stayed below the clear level; MANUAL: resolveAlert; NO_DATA: the scope went silent (auto-resolve fallback).",
  values: resolutions,
});

export const AlertRef = builder.objectRef<AlertRecord>("Alert");
export const AlertEventRef = builder.objectRef<AlertEventWithAlert>("AlertEvent");

AlertRef.implement({
  description:
    "One incident of a rule on a scope. At most one alert per rule and scope is open (ACTIVE or ACKED) at a time.",
  fields: (t) => ({
    id: t.exposeID("id"),
    rule: t.field({ type: AlertRuleNameEnum, resolve: (a) => a.rule }),
    metricName: t.string({
      description: "The rule's name (the old metric_name).",
      resolve: (a) => a.rule,
    }),
    scope: t.exposeString("scope", {
      description:
        'A latency stage, "ALL" for platform-wide rules, "topic/partition/group" for queue lag.',
    }),
    serviceName: t.exposeString("serviceName", {
      nullable: true,
      description:
        "The old service_name: the scope of a scoped rule, null for platform-wide rules.",
    }),
    severity: t.field({ type: AlertSeverityEnum, resolve: (a) => a.severity }),
    status: t.field({ type: AlertStatusEnum, resolve: (a) => a.status }),
    currentValue: t.exposeFloat("currentValue", {
      description: "The value at the last evaluation with data.",
    }),
    peakValue: t.exposeFloat("peakValue", { description: "The highest value while open." }),
    thresholdValue: t.exposeFloat("thresholdValue", {
      description: "The threshold of the alert's severity.",
    }),
    unit: t.string({ resolve: (a) => ruleByName.get(a.rule)?.unit ?? "" }),
    windowSeconds: t.int({
      description: "The rule's window.",
      resolve: (a) => ruleByName.get(a.rule)?.windowSeconds ?? 0,
    }),
    triggeredTime: t.field({ type: "DateTime", resolve: (a) => a.triggeredTime }),
    lastObservedAt: t.field({
      type: "DateTime",
      description: "The last evaluation that had data for the scope.",
      resolve: (a) => a.lastObservedAt,
    }),
    escalatedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.escalatedAt }),
    acknowledgedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.acknowledgedAt }),
    acknowledgedBy: t.exposeString("acknowledgedBy", { nullable: true }),
    resolvedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.resolvedAt }),
    resolvedBy: t.exposeString("resolvedBy", { nullable: true }),
    resolution: t.field({
      type: AlertResolutionEnum,
      nullable: true,
      resolve: (a) => a.resolution,
    }),
    updatedAt: t.field({ type: "DateTime", resolve: (a) => a.updatedAt }),
    message: t.string({
      description: 'The old message: "LATENCY_P99 VALIDATED: 3046.00 vs 200.00".',
      resolve: (a) => alertMessage(a),
    }),
    timeAgo: t.string({
      description:
        'Since triggeredTime, as the old service said it: "now", "42s ago", "5m ago", "3h ago", "2d ago".',
      resolve: (a, _args, ctx) => timeAgo(a.triggeredTime, ctx.now()),
    }),
    events: t.field({
      type: [AlertEventRef],
      description:
        "Every change of the alert (raised, escalated, acknowledged, resolved) with who and when, oldest first.",
      resolve: async (a, _args, ctx) =>
        (await alertHistory(ctx.db, a.id)).map((e) => ({ ...e, alert: a })),
    }),
  }),
});

AlertEventRef.implement({
  description:
    "One lifecycle change of an alert: its status, severity, value and threshold right after it, who made it and when.",
  fields: (t) => ({
    id: t.exposeID("id", {
      description:
        "Grows in commit order: pass the last one received as alertEvents(afterEventId) to resume.",
    }),
    alertId: t.exposeID("alertId"),
    kind: t.field({ type: AlertEventKindEnum, resolve: (e) => e.kind }),
    status: t.field({ type: AlertStatusEnum, resolve: (e) => e.status }),
    severity: t.field({ type: AlertSeverityEnum, resolve: (e) => e.severity }),
    value: t.exposeFloat("value"),
    thresholdValue: t.exposeFloat("thresholdValue"),
    actor: t.exposeString("actor", {
      description:
        'Who: the user for acknowledge/resolve, "rttm-evaluator@<replica>" for automatic changes.',
    }),
    at: t.field({ type: "DateTime", resolve: (e) => e.at }),
    alert: t.field({
      type: AlertRef,
      description:
        "The alert as it was when the event was read (it may have changed since the event).",
      resolve: (e) => e.alert,
    }),
  }),
});

const AlertRuleRef = builder.objectRef<RuleInfo>("AlertRule").implement({
  description: "A rule as configured (RTTM_ALERT_*).",
  fields: (t) => ({
    name: t.field({ type: AlertRuleNameEnum, resolve: (r) => r.name }),
    description: t.exposeString("description"),
    unit: t.exposeString("unit"),
    window: t.exposeString("window"),
    windowSeconds: t.exposeInt("windowSeconds"),
    warning: t.exposeFloat("warning"),
    critical: t.exposeFloat("critical"),
    clearBelow: t.exposeFloat("clearBelow", {
      description:
        "An open alert counts a clear evaluation when its value is below this (warning less RTTM_ALERT_CLEAR_MARGIN_PERCENT).",
    }),
    clearEvaluations: t.exposeInt("clearEvaluations", {
      description:
        "Clear evaluations in a row that resolve the alert (RTTM_ALERT_CLEAR_EVALUATIONS).",
    }),
  }),
});

interface OpenAlertsView {
  asOf: Date;
  alerts: AlertRecord[];
}

const OpenAlertsRef = builder.objectRef<OpenAlertsView>("OpenAlerts").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (v) => v.asOf }),
    alerts: t.field({
      type: [AlertRef],
      description: "ACTIVE and ACKED alerts, CRITICAL first, then newest first.",
      resolve: (v) => v.alerts,
    }),
  }),
});

const AlertConnectionRef = connection("Alert", AlertRef);

/** Who changes an alert: `by`, else the X-Forwarded-User header, else "anonymous". */
function actorOf(by: string | null | undefined, ctx: GraphQLContext): string {
  // Identity on: the token's subject, and nobody else.
  if (ctx.identity) {
    if (by != null && by.trim() !== ctx.identity.subject)
      throw new RttmError(
        "FORBIDDEN",
        `by ${JSON.stringify(by.slice(0, 40))} is not you: with identity on, the actor is the token's subject (${ctx.identity.subject})`,
      );
    return ctx.identity.subject;
  }
  const actor = (by ?? requestHeader(ctx, actorHeader) ?? "").trim() || "anonymous";
  if (actor.length > maxActorLength)
    throw new InvalidInputError("by", `by must be at most ${maxActorLength} characters`);
  return actor;
}

async function change(
  ctx: GraphQLContext,
  id: string | number,
  by: string | null | undefined,
  apply: typeof acknowledgeAlert,
): Promise<AlertRecord> {
  const alertId = alertIdArg("id", id);
  // An unknown or resolved alert is an RttmError with an API code: error masking shows it as it is.
  const outcome = await apply(ctx.db, alertId, actorOf(by, ctx), ctx.now());
  if (outcome.event) ctx.bus.publish(changeNotice(ctx.replica, [alertsChangeTable]));
  return outcome.alert;
}

const openAlertsSource = (ctx: GraphQLContext): SnapshotSource<OpenAlertsView> => ({
  key: "alerts:open",
  tables: [alertsChangeTable],
  refreshMs: 30_000,
  compute: async () => ({ asOf: new Date(), alerts: await openAlerts(ctx.db) }),
});

builder.queryFields((t) => ({
  alerts: t.field({
    type: AlertConnectionRef,
    description:
      "Alerts, newest triggered first, filtered; keyset pages (pass pageInfo.endCursor as after).",
    args: {
      status: t.arg({
        type: [AlertStatusEnum],
        description: "Any of these; e.g. [ACTIVE, ACKED] for the open ones. Default: all.",
      }),
      severity: t.arg({ type: AlertSeverityEnum }),
      rule: t.arg({ type: AlertRuleNameEnum }),
      ...timeRangeArgs("triggeredTime"),
      ...pageArgs,
    },
    resolve: (_root, args, ctx) => listAlerts(ctx.db, args),
  }),
  alert: t.field({
    type: AlertRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => getAlert(ctx.db, alertIdArg("id", args.id)),
  }),
  openAlerts: t.field({
    type: OpenAlertsRef,
    resolve: async (_root, _args, ctx) => ({ asOf: ctx.now(), alerts: await openAlerts(ctx.db) }),
  }),
  alertRules: t.field({
    type: [AlertRuleRef],
    description: "The rules in evaluation order, with their windows, thresholds and clear levels.",
    resolve: (_root, _args, ctx) => ruleInfo(ctx.alerts.config),
  }),
}));

/** The alert a mutation changes and who changes it. */
const alertChangeArgs = builder.args((t) => ({
  id: t.id({ required: true }),
  by: t.string({
    description:
      'Who; default the X-Forwarded-User header, else "anonymous". With identity on (RTTM_AUTH_MODE=jwt) the token\'s subject, always: a different value is refused (FORBIDDEN).',
  }),
}));

builder.mutationFields((t) => ({
  acknowledgeAlert: t.field({
    type: AlertRef,
    description:
      "ACTIVE → ACKED, recording who and when. Acknowledging an ACKED alert changes nothing. Errors: ALERT_NOT_FOUND, ALERT_ALREADY_RESOLVED.",
    args: alertChangeArgs,
    resolve: (_root, args, ctx) => change(ctx, args.id, args.by, acknowledgeAlert),
  }),
  resolveAlert: t.field({
    type: AlertRef,
    description:
      "ACTIVE or ACKED → RESOLVED (MANUAL), recording who and when. Errors: ALERT_NOT_FOUND, ALERT_ALREADY_RESOLVED (nothing changes).",
    args: alertChangeArgs,
    resolve: (_root, args, ctx) => change(ctx, args.id, args.by, resolveAlert),
  }),
}));

builder.subscriptionFields((t) => ({
  alertEvents: t.field({
    type: AlertEventRef,
    description:
      "Every alert change (RAISED, ESCALATED, ACKNOWLEDGED, RESOLVED) from now on, in order; with afterEventId, first those after it.",
    args: { afterEventId: t.arg.id({ description: "Resume after this event id." }) },
    subscribe: (_root, args, ctx) =>
      ctx.alerts.feed.subscribe(eventIdArg("afterEventId", args.afterEventId)),
    resolve: (event) => event,
  }),
  openAlerts: t.field({
    type: OpenAlertsRef,
    description:
      "The open alerts now, then again whenever they change (raised, updated, escalated, acknowledged, resolved).",
    ...fromLiveHub({}, (_args, ctx) => openAlertsSource(ctx)),
  }),
}));
