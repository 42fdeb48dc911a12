/**
 * Bare graphql-yoga answering `{ hello }`: the ceiling `repeat-throughput-bench.ts` compares repeated gateway
 * answers with (the same Node, the same HTTP server, no gateway plugins, no schema of ours).
 */
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";

const yoga = createYoga({
  schema: createSchema({
    typeDefs: "type Query { hello: String! }",
    resolvers: { Query: { hello: () => "world" } },
  }),
  logging: false,
  graphiql: false,
});
const server = createServer(yoga);
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`listening on http://127.0.0.1:${port}/graphql (bare Yoga)`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
