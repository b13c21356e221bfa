/**
 * The GraphQL schema, one file per domain, each holding its types, queries and subscriptions.
 * Import order is print order in schema/schema.graphql (Pothos prints types in registration
 * order): shared enums first, then the domains.
 */
import { builder } from "../builder.js";
import "../enums.js";
import "./overview.js";
import "./pipeline.js";
import "./telemetry.js";
import "./trade.js";
import "./lists.js";
import "./ingestionHealth.js";
import "./alerts.js";
import "./alertDelivery.js";

export const schema = builder.toSchema({ sortSchema: false });
