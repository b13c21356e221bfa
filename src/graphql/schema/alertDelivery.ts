/**
 * Alert.delivery: how an alert was delivered to Alertmanager (RTTM_ALERTMANAGER_URLS), read from
 * rttm_alert_deliveries. Null while delivery is off or before the first attempt.
 */
import { alertDeliveries, type AlertDeliveryRecord } from "../../store/read/index.js";
import { builder } from "../builder.js";
import { AlertRef } from "./alerts.js";

const AlertDeliveryRef = builder.objectRef<AlertDeliveryRecord>("AlertDelivery");

AlertDeliveryRef.implement({
  description:
    "Delivery of an alert to Alertmanager, by the replica that evaluates alerts: every open alert is sent every RTTM_ALERTMANAGER_RESEND, a resolved one for a few intervals more.",
  fields: (t) => ({
    lastSentAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "The last time an Alertmanager accepted the alert.",
      resolve: (d) => d.lastSentAt,
    }),
    lastError: t.exposeString("lastError", {
      nullable: true,
      description:
        "The last failure: an Alertmanager down or answering 5xx (retried), refusing the alert (4xx: not sent again), or a silence that could not be created or expired.",
    }),
    lastErrorAt: t.field({
      type: "DateTime",
      nullable: true,
      description:
        "When lastError happened. One Alertmanager of a pair failing while the other accepts shows both a recent lastSentAt and a recent lastError (which names the Alertmanager).",
      resolve: (d) => d.lastErrorAt,
    }),
    silenceId: t.exposeString("silenceId", {
      nullable: true,
      description:
        "The Alertmanager silence that holds the acknowledged alert (RTTM_ALERTMANAGER_SILENCE_ON_ACK): the one created on acknowledgement, or the latest renewal of it.",
    }),
    silenceEndsAt: t.field({
      type: "DateTime",
      nullable: true,
      description:
        "When the silence ends unless renewed: RTTM renews it while the alert stays acknowledged (RTTM_ALERTMANAGER_SILENCE_DURATION), which may give it a new silenceId.",
      resolve: (d) => d.silenceEndsAt,
    }),
    silenceExpiredAt: t.field({
      type: "DateTime",
      nullable: true,
      description:
        "When RTTM expired the silence (the alert resolved or escalated); null while it silences.",
      resolve: (d) => d.silenceExpiredAt,
    }),
  }),
});

builder.objectField(AlertRef, "delivery", (t) =>
  t.field({
    type: AlertDeliveryRef,
    nullable: true,
    description:
      "How the alert was delivered to Alertmanager; null while delivery is off (RTTM_ALERTMANAGER_URLS unset) or not yet tried.",
    resolve: async (a, _args, ctx) => (await alertDeliveries(ctx.db, [a.id])).get(a.id) ?? null,
  }),
);
