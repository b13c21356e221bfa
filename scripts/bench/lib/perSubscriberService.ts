/**
 * The service composed as before the shared fan-out: graphql-ws executes and serialises every
 * push for every subscriber. Only `npm run bench:live` starts it (startService's `entry`), to
 * measure both paths side by side; production has no switch for it.
 */
import { runService } from "../../../src/runService.js";

runService({ sharedFanOut: false });
