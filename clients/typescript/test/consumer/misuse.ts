// Each line marked "expect TSnnnn" must fail to compile with exactly that error; nothing else may fail.
import {
  createRttmClient,
  LiveOverviewDocument,
  OverviewDocument,
  PipelineDocument,
  TradeDocument,
} from "@pms/rttm-client";

const client = createRttmClient({ url: "http://localhost:8087/graphql" });

export async function misuse(): Promise<void> {
  const data = await client.query(OverviewDocument);
  console.log(data.overview.peakTPS); // expect TS2551
  const tps: string = data.overview.currentTps; // expect TS2322
  console.log(data.overview.stages); // expect TS2339
  await client.query(TradeDocument); // expect TS2554
  await client.query(TradeDocument, { tradeID: "x" }); // expect TS2561
  await client.query(OverviewDocument, { windowSeconds: "60" }); // expect TS2322
  const pipeline = await client.query(PipelineDocument);
  console.log(pipeline.pipeline.stages.map((s) => s.stage === "SHIPPED")); // expect TS2367
  for await (const update of client.subscribe(LiveOverviewDocument)) console.log(update.pipeline); // expect TS2339
  console.log(tps);
}
