import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bigintColumn,
  column,
  idColumn,
  readNode,
  selectList,
  type Columns,
} from "../../src/store/read/list.js";

interface Node {
  id: string;
  name: string | null;
  offset: bigint;
}

const columns: Columns<Node> = {
  id: idColumn,
  name: column("service_name"),
  offset: bigintColumn("kafka_offset"),
};

test("the select list aliases each column as its node field, bigints as exact text", () => {
  assert.equal(
    selectList(columns),
    'id::text AS "id", service_name AS "name", kafka_offset::text AS "offset"',
  );
  assert.equal(
    selectList(columns, { qualifier: "e.", prefix: "event." }),
    'e.id::text AS "event.id", e.service_name AS "event.name", e.kafka_offset::text AS "event.offset"',
  );
});

test("a row selected that way reads back as the node, converted per column", () => {
  assert.deepEqual(readNode(columns, { id: "7", name: null, offset: "9007199254740993" }), {
    id: "7",
    name: null,
    offset: 9007199254740993n,
  });
  assert.deepEqual(
    readNode(columns, { "event.id": "8", "event.name": "svc", "event.offset": 3n }, "event."),
    { id: "8", name: "svc", offset: 3n },
  );
});
